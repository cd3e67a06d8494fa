// The app in the pod as request traffic sees it (Kubelets::app_accepts,
// app_running, app_answers, watch_app). Every expected time is derived in a
// comment from test_config(): watch latency 5 ms, container start fixed 1 s,
// images cached on the node (no pulls), shutdown time 0 unless annotated.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "models/kubelet/behavior.h"
#include "tests/kubelet/kubelet_test_cluster.h"

using namespace kubesim;
using namespace kubesim::kubelet_test;

namespace {

using AppChange = Kubelets::AppChange;

struct Change {
  SimTime t;
  AppChange change;
  bool operator==(const Change&) const = default;
};

// A cluster whose node caches "app:1" and that records every app change of
// every pod.
struct AppCluster {
  AppCluster() {
    c.objects.nodes[0].images.push_back({{"app:1"}, 100 * kMiB});
    c.boot();
    c.kubelets->watch_app([this](PodId, AppChange ch) { changes.push_back({c.sim.now(), ch}); });
  }
  PodId bind(std::map<std::string, std::string> annotations = {}) {
    Pod p = KubeletTestCluster::make_pod("app", "app:1");
    p.annotations = std::move(annotations);
    return c.bind_now(std::move(p), c.node(0));
  }
  // The three views at time t (the run stops there).
  std::vector<bool> at(Duration t, PodId id) {
    c.sim.run_until(KubeletTestCluster::at(t));
    return {c.kubelets->app_accepts(id), c.kubelets->app_running(id), c.kubelets->app_answers(id)};
  }
  KubeletTestCluster c;
  std::vector<Change> changes;
};

SimTime ms(int64_t v) {
  return KubeletTestCluster::at_ms(v);
}

const std::vector<bool> kServing{true, true, true};
const std::vector<bool> kDown{false, false, true};

}  // namespace

TEST_CASE("kubelet app: accepts from the container start until a crash, then after the restart") {
  AppCluster a;
  const PodId id = a.bind();
  // Bound at 0, seen at 5 ms, running at 1.005 s.
  CHECK(a.at(Duration::millis(1004), id) == kDown);
  CHECK(a.at(Duration::millis(1005), id) == kServing);
  a.c.kubelets->crash_container(id, 1, "test");
  // Crashed at 1.005 s: the first restart is immediate, plus 1 s start.
  CHECK(a.at(Duration::millis(2004), id) == kDown);
  CHECK(a.at(Duration::millis(2005), id) == kServing);
  CHECK(a.changes == std::vector<Change>{{ms(1005), AppChange::kStarted},
                                         {ms(1005), AppChange::kStopped},
                                         {ms(2005), AppChange::kStarted}});
}

TEST_CASE("kubelet app: slow-start listens from its draw, hang-after stops answering") {
  AppCluster a;
  const PodId id =
      a.bind({{kAnnotationBehavior, "slow-start: fixed(10s); hang-after: fixed(20s)"}});
  // Running at 1.005 s; listening from 1.005 + 10 = 11.005 s; hung (still
  // accepting, no answer) from 1.005 + 20 = 21.005 s.
  CHECK(a.at(Duration::millis(11004), id) == std::vector<bool>{false, true, true});
  CHECK(a.at(Duration::millis(11005), id) == kServing);
  CHECK(a.at(Duration::millis(21004), id) == kServing);
  CHECK(a.at(Duration::millis(21005), id) == std::vector<bool>{true, true, false});
  // Time alone changed those: only the start was announced.
  CHECK(a.changes == std::vector<Change>{{ms(1005), AppChange::kStarted}});
}

TEST_CASE("kubelet app: crash-on-start never accepts; never-ready accepts") {
  AppCluster a;
  const PodId crash = a.bind({{kAnnotationBehavior, "crash-on-start"}});
  CHECK(a.at(Duration::seconds(5), crash) == kDown);
  // never-ready fails the readiness probe only: the app listens and answers.
  AppCluster b;
  Pod p = KubeletTestCluster::make_pod("app", "app:1");
  p.annotations[kAnnotationBehavior] = "never-ready";
  p.spec.containers[0].readiness_probe.enabled = true;
  const PodId never = b.c.bind_now(std::move(p), b.c.node(0));
  CHECK(b.at(Duration::seconds(5), never) == kServing);
  CHECK_FALSE(b.c.kubelets->pod_ready(never));
}

TEST_CASE("kubelet app: a terminating pod refuses new connections and runs until it stops") {
  AppCluster a;
  const PodId id = a.bind({{kAnnotationShutdownTime, "fixed(10s)"}});
  a.c.delete_at(Duration::seconds(5), id);
  // Deleted at 5 s, seen at 5.005 s: SIGTERM (no new connection, the held
  // requests go on); the container exits 10 s later, at 15.005 s.
  CHECK(a.at(Duration::millis(5004), id) == kServing);
  CHECK(a.at(Duration::millis(5005), id) == std::vector<bool>{false, true, true});
  CHECK(a.at(Duration::millis(15004), id) == std::vector<bool>{false, true, true});
  CHECK(a.at(Duration::millis(15005), id) == kDown);
  CHECK(a.changes == std::vector<Change>{{ms(1005), AppChange::kStarted},
                                         {ms(5005), AppChange::kStopping},
                                         {ms(15005), AppChange::kStopped}});
}

TEST_CASE("kubelet app: a node going down stops the app; node_up starts it again") {
  AppCluster a;
  const PodId id = a.bind();
  a.c.sim.schedule_at(ms(3000), [&] { a.c.kubelets->node_down(a.c.node(0)); });
  a.c.sim.schedule_at(ms(6000), [&] { a.c.kubelets->node_up(a.c.node(0)); });
  // Down at 3 s; up at 6 s: the relist starts the container after 1 s.
  CHECK(a.at(Duration::millis(3000), id) == kDown);
  CHECK(a.at(Duration::millis(6999), id) == kDown);
  CHECK(a.at(Duration::millis(7000), id) == kServing);
  CHECK(a.changes == std::vector<Change>{{ms(1005), AppChange::kStarted},
                                         {ms(3000), AppChange::kStopped},
                                         {ms(7000), AppChange::kStarted}});
}
