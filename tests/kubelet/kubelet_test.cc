// The kubelet's pod lifecycle in simulated time. Every expected time is
// derived in a comment from test_config(): watch latency 5 ms, container
// start fixed 1 s, pull 500 ms + size / 50 MiB/s, images 100 MiB.
#include <catch2/catch.hpp>

#include "tests/kubelet/kubelet_test_cluster.h"

using namespace kubesim;
using namespace kubesim::kubelet_test;

namespace {
SimTime ms(int64_t v) {
  return KubeletTestCluster::at_ms(v);
}
Pod with(Pod p, std::map<std::string, std::string> annotations,
         RestartPolicy policy = RestartPolicy::kAlways) {
  p.annotations = std::move(annotations);
  p.spec.restart_policy = policy;
  return p;
}
}  // namespace

TEST_CASE("kubelet: a cached image runs at bind + watch latency + start latency") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"nginx:1.25"}, 100 * kMiB});
  c.boot();
  const PodId id = c.bind_now(KubeletTestCluster::make_pod("web", "nginx:1.25"), c.node(0));
  c.run_for(Duration::seconds(10));
  // Bound at 0; the kubelet sees it at 5 ms; no pull; running at 5 ms + 1 s.
  CHECK(c.first(PodEvent::kStarted, "web") == ms(1005));
  CHECK(c.first(PodEvent::kReady, "web") == ms(1005));
  CHECK(c.events("web") == std::vector<PodEvent>{PodEvent::kCreated, PodEvent::kScheduled,
                                                 PodEvent::kStarted, PodEvent::kReady});
  const Pod& p = c.pod(id);
  CHECK(p.phase == PodPhase::kRunning);
  CHECK(p.status.ready);
  CHECK(p.status.started == ms(1005));
  CHECK(p.status.ready_since == ms(1005));
  CHECK(c.kubelets->admitted_pods(c.node(0)) == 1);
}

TEST_CASE("kubelet: an uncached image is pulled first and then cached on the node") {
  KubeletTestCluster c;
  c.boot();
  c.bind_now(KubeletTestCluster::make_pod("web", "nginx:1.25"), c.node(0));
  c.run_for(Duration::seconds(10));
  // Pull requested at 5 ms; 100 MiB / 50 MiB/s = 2 s + 500 ms overhead:
  // pulled at 2.505 s; running 1 s later.
  CHECK(c.first(PodEvent::kPulling, "web") == ms(5));
  CHECK(c.first(PodEvent::kPulled, "web") == ms(2505));
  CHECK(c.first(PodEvent::kStarted, "web") == ms(3505));
  CHECK(c.details(PodEvent::kPulled, "web") == std::vector<std::string>{"nginx:1.25"});
  REQUIRE(c.node_object(0).images.size() == 1);
  CHECK(c.node_object(0).images[0].names == std::vector<std::string>{"nginx:1.25"});
  CHECK(c.node_object(0).images[0].size_bytes == 100 * kMiB);
  // A second pod of the same image starts without a pull: 10 s + 5 ms + 1 s.
  c.bind_now(KubeletTestCluster::make_pod("web2", "nginx:1.25"), c.node(0));
  c.run_for(Duration::seconds(10));
  CHECK(c.times(PodEvent::kPulling, "web2").empty());
  CHECK(c.first(PodEvent::kStarted, "web2") == ms(11005));
}

TEST_CASE("kubelet: image size from the registry and the node's own bandwidth") {
  RuntimeConfig cfg = test_config();
  cfg.image_sizes["big:1"] = 300 * kMiB;
  KubeletTestCluster c(2, cfg);
  c.objects.nodes[1].image_pull_bytes_per_second = 100 * kMiB;
  c.boot();
  c.bind_now(KubeletTestCluster::make_pod("a", "big:1"), c.node(0));
  c.bind_now(KubeletTestCluster::make_pod("b", "big:1"), c.node(1));
  c.run_for(Duration::seconds(20));
  // node-0: 300 MiB / 50 MiB/s = 6 s + 0.5 s -> pulled at 6.505 s.
  CHECK(c.first(PodEvent::kPulled, "a") == ms(6505));
  // node-1: 300 MiB / 100 MiB/s = 3 s + 0.5 s -> 3.505 s. Pulls are per node.
  CHECK(c.first(PodEvent::kPulled, "b") == ms(3505));
}

TEST_CASE("kubelet: two pods needing the same image pull it once") {
  KubeletTestCluster c;
  c.boot();
  c.bind_now(KubeletTestCluster::make_pod("a", "app:1"), c.node(0));
  c.bind_at(Duration::seconds(1), KubeletTestCluster::make_pod("b", "app:1"), c.node(0));
  c.run_for(Duration::seconds(20));
  // a's pull runs from 5 ms to 2.505 s; b asks at 1.005 s and waits for the
  // same pull (a second pull would end at 5.005 s).
  CHECK(c.first(PodEvent::kPulling, "b") == ms(1005));
  CHECK(c.first(PodEvent::kPulled, "a") == ms(2505));
  CHECK(c.first(PodEvent::kPulled, "b") == ms(2505));
  CHECK(c.first(PodEvent::kStarted, "a") == ms(3505));
  CHECK(c.first(PodEvent::kStarted, "b") == ms(3505));
  CHECK(c.node_object(0).images.size() == 1);
  CHECK(c.kubelets->pulls_pending(c.node(0)) == 0);
}

TEST_CASE("kubelet: pulls of different images on one node are serialized in FIFO order") {
  RuntimeConfig cfg = test_config();
  cfg.image_sizes["small:1"] = 50 * kMiB;
  KubeletTestCluster c(1, cfg);
  c.boot();
  c.bind_now(KubeletTestCluster::make_pod("a", "app:1"), c.node(0));
  c.bind_now(KubeletTestCluster::make_pod("b", "small:1"), c.node(0));
  // Both requested at 5 ms, a first. a: 0.5 + 100/50 = 2.5 s -> 2.505 s;
  // b's pull starts then: 0.5 + 50/50 = 1.5 s -> 4.005 s.
  c.run_for(Duration::seconds(1));
  CHECK(c.kubelets->pulls_pending(c.node(0)) == 2);
  c.run_for(Duration::seconds(10));
  CHECK(c.first(PodEvent::kPulled, "a") == ms(2505));
  CHECK(c.first(PodEvent::kPulled, "b") == ms(4005));
  CHECK(c.first(PodEvent::kStarted, "b") == ms(5005));
  CHECK(c.node_object(0).images.size() == 2);
}

TEST_CASE("kubelet: a pod pulls its images one after another behind other pods' pulls") {
  KubeletTestCluster c;
  c.boot();
  Pod two = KubeletTestCluster::make_pod("two", "first:1");
  Container init;
  init.name = "init";
  init.image = "init:1";
  two.spec.init_containers.push_back(init);
  c.bind_now(std::move(two), c.node(0));
  c.bind_now(KubeletTestCluster::make_pod("other", "other:1"), c.node(0));
  c.run_for(Duration::seconds(20));
  // two asks for init:1 (its init container comes first) at 5 ms, other for
  // other:1 at 5 ms. init:1 pulled at 2.505 s; other:1 next, 5.005 s; two's
  // request for first:1 came at 2.505 s, behind it: 7.505 s; start 8.505 s.
  CHECK(c.details(PodEvent::kPulled, "two") == std::vector<std::string>{"init:1", "first:1"});
  CHECK(c.times(PodEvent::kPulled, "two") == std::vector<SimTime>{ms(2505), ms(7505)});
  CHECK(c.first(PodEvent::kPulled, "other") == ms(5005));
  CHECK(c.first(PodEvent::kStarted, "two") == ms(8505));
}

TEST_CASE("kubelet: a run-to-completion pod with restartPolicy Never succeeds at the exact time") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"job:1"}, 1});
  c.boot();
  const PodId id = c.bind_now(with(KubeletTestCluster::make_pod("job", "job:1"),
                                   {{"kubesim.io/run-time", "fixed(30s)"}}, RestartPolicy::kNever),
                              c.node(0));
  c.run_for(Duration::minutes(5));
  // Running at 1.005 s; the container exits 0 after 30 s: 31.005 s.
  CHECK(c.first(PodEvent::kSucceeded, "job") == ms(31005));
  CHECK(c.first(PodEvent::kNotReady, "job") == ms(31005));
  const Pod& p = c.pod(id);
  CHECK(p.phase == PodPhase::kSucceeded);
  CHECK(p.status.reason == "Completed");
  CHECK_FALSE(p.status.ready);
  CHECK(p.status.restarts == 0);
  // A finished pod no longer counts, for the kubelet or the API server.
  CHECK(c.kubelets->admitted_pods(c.node(0)) == 0);
  CHECK(c.api->pods_on_node(c.node(0)) == 0);
}

TEST_CASE("kubelet: a failing container with restartPolicy Never fails the pod") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"job:1"}, 1});
  c.boot();
  const PodId id = c.bind_now(
      with(KubeletTestCluster::make_pod("job", "job:1"),
           {{"kubesim.io/run-time", "fixed(30s)"}, {"kubesim.io/failure-probability", "1"}},
           RestartPolicy::kNever),
      c.node(0));
  c.run_for(Duration::minutes(5));
  CHECK(c.first(PodEvent::kFailed, "job") == ms(31005));
  CHECK(c.pod(id).phase == PodPhase::kFailed);
  CHECK(c.pod(id).status.reason == "Error");
  CHECK(c.details(PodEvent::kFailed, "job") == std::vector<std::string>{"Error"});
}

TEST_CASE("kubelet: OnFailure restarts a failing container with the CrashLoopBackOff") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"crash:1"}, 1});
  c.boot();
  const PodId id = c.bind_now(
      with(KubeletTestCluster::make_pod("crash", "crash:1"),
           {{"kubesim.io/run-time", "fixed(60s)"}, {"kubesim.io/failure-probability", "1"}},
           RestartPolicy::kOnFailure),
      c.node(0));
  c.run_for(Duration::minutes(25));
  // Runs from 1.005 s; each run lasts 60 s; a restart is running back-off +
  // 1 s (container start) after the exit. Back-offs: 0, 10, 20, 40, 80, 160,
  // 300, 300 (each run, 61 s after the restart, is far below 10 minutes).
  //   exit   61.005 + 0   + 1 ->   62.005
  //   exit  122.005 + 10  + 1 ->  133.005
  //   exit  193.005 + 20  + 1 ->  214.005
  //   exit  274.005 + 40  + 1 ->  315.005
  //   exit  375.005 + 80  + 1 ->  456.005
  //   exit  516.005 + 160 + 1 ->  677.005
  //   exit  737.005 + 300 + 1 -> 1038.005
  //   exit 1098.005 + 300 + 1 -> 1399.005  (run_for ends at 1500 s)
  CHECK(c.times(PodEvent::kRestarted, "crash") ==
        std::vector<SimTime>{ms(62005), ms(133005), ms(214005), ms(315005), ms(456005), ms(677005),
                             ms(1038005), ms(1399005)});
  // Ready goes false at each exit and true at each restart.
  CHECK(c.times(PodEvent::kNotReady, "crash").size() == 9);  // exits at ..., 1459.005
  CHECK(c.times(PodEvent::kReady, "crash").size() == 9);     // start + 8 restarts
  const Pod& p = c.pod(id);
  CHECK(p.status.restarts == 8);
  CHECK(p.phase == PodPhase::kRunning);
  CHECK_FALSE(p.status.ready);  // exited at 1459.005 s, back-off until 1759.005 s
}

TEST_CASE("kubelet: the back-off resets once a container ran more than 10 minutes") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"crash:1"}, 1});
  c.boot();
  c.bind_now(with(KubeletTestCluster::make_pod("slow", "crash:1"),
                  {{"kubesim.io/run-time", "fixed(10m)"}, {"kubesim.io/failure-probability", "1"}},
                  RestartPolicy::kOnFailure),
             c.node(0));
  c.run_for(Duration::minutes(35));
  // Each exit comes 1 s (start) + 600 s after the previous restart, more than
  // 2 x 300 s: the entry has expired and every restart is immediate.
  //   running 1.005; exit 601.005 -> 602.005; exit 1202.005 -> 1203.005;
  //   exit 1803.005 -> 1804.005. Without the reset the second would be at
  //   1213.005 (10 s back-off).
  CHECK(c.times(PodEvent::kRestarted, "slow") ==
        std::vector<SimTime>{ms(602005), ms(1203005), ms(1804005)});
}

TEST_CASE("kubelet: restartPolicy Always restarts a container that exits 0") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"loop:1"}, 1});
  c.boot();
  const PodId id = c.bind_now(
      with(KubeletTestCluster::make_pod("loop", "loop:1"), {{"kubesim.io/run-time", "fixed(5s)"}}),
      c.node(0));
  c.run_for(Duration::seconds(30));
  // Running 1.005; exit 6.005 -> 7.005 (immediate); exit 12.005 + 10 + 1 = 23.005.
  CHECK(c.times(PodEvent::kRestarted, "loop") == std::vector<SimTime>{ms(7005), ms(23005)});
  CHECK(c.pod(id).phase == PodPhase::kRunning);
  CHECK(c.times(PodEvent::kSucceeded, "loop").empty());
}

TEST_CASE("kubelet: OnFailure does not restart a container that exits 0") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"job:1"}, 1});
  c.boot();
  Pod p = with(KubeletTestCluster::make_pod("job", "job:1"), {{"kubesim.io/run-time", "fixed(5s)"}},
               RestartPolicy::kOnFailure);
  Container side = p.spec.containers[0];
  side.name = "side";
  p.spec.containers.push_back(side);
  const PodId id = c.bind_now(std::move(p), c.node(0));
  c.run_for(Duration::seconds(30));
  // Both containers exit 0 at 6.005 s: one Succeeded, no restart.
  CHECK(c.times(PodEvent::kSucceeded, "job") == std::vector<SimTime>{ms(6005)});
  CHECK(c.times(PodEvent::kRestarted, "job").empty());
  CHECK(c.times(PodEvent::kNotReady, "job") == std::vector<SimTime>{ms(6005)});
  CHECK(c.pod(id).phase == PodPhase::kSucceeded);
}

TEST_CASE("kubelet: termination waits min(shutdown time, grace period)") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"app:1"}, 1});
  c.boot();
  const auto pod = [](const char* name, const char* shutdown, int64_t grace) {
    Pod p = KubeletTestCluster::make_pod(name, "app:1");
    if (shutdown != nullptr) p.annotations["kubesim.io/shutdown-time"] = shutdown;
    p.spec.termination_grace_period_seconds = grace;
    return p;
  };
  const PodId fast = c.bind_now(pod("fast", nullptr, 30), c.node(0));
  const PodId slow = c.bind_now(pod("slow", "fixed(10s)", 30), c.node(0));
  const PodId stuck = c.bind_now(pod("stuck", "fixed(1h)", 30), c.node(0));
  const PodId brief = c.bind_now(pod("brief", "fixed(1h)", 0), c.node(0));
  for (PodId id : {fast, slow, stuck, brief})
    c.delete_at(Duration::seconds(5), id);
  c.run_for(Duration::minutes(2));
  // All running at 1.005 s; deleted at 5 s, seen at 5.005 s: NotReady then.
  for (const char* name : {"fast", "slow", "stuck", "brief"})
    CHECK(c.first(PodEvent::kNotReady, name) == ms(5005));
  // Removed: default shutdown 0 s -> 5.005; 10 s < grace 30 s -> 15.005;
  // 1 h > 30 s -> killed at 35.005; grace 0 is raised to the 2 s minimum -> 7.005.
  CHECK(c.first(PodEvent::kDeleted, "fast") == ms(5005));
  CHECK(c.first(PodEvent::kDeleted, "slow") == ms(15005));
  CHECK(c.first(PodEvent::kDeleted, "stuck") == ms(35005));
  CHECK(c.first(PodEvent::kDeleted, "brief") == ms(7005));
  CHECK(c.pod(slow).status.deleted);
  CHECK(c.kubelets->admitted_pods(c.node(0)) == 0);
  CHECK(c.api->pods_on_node(c.node(0)) == 0);
}

TEST_CASE("kubelet: a pod deleted while it waits for its image is removed at once") {
  KubeletTestCluster c;
  c.boot();
  c.bind_now(KubeletTestCluster::make_pod("a", "app:1"), c.node(0));
  const PodId b = c.bind_now(KubeletTestCluster::make_pod("b", "other:1"), c.node(0));
  c.delete_at(Duration::seconds(1), b);
  c.run_for(Duration::seconds(20));
  // b's pull was queued behind a's; b is gone at 1.005 s and its queued pull
  // is dropped: no second image on the node, no start.
  CHECK(c.first(PodEvent::kDeleted, "b") == ms(1005));
  CHECK(c.times(PodEvent::kStarted, "b").empty());
  CHECK(c.times(PodEvent::kPulled, "b").empty());
  CHECK(c.node_object(0).images.size() == 1);
  CHECK(c.kubelets->admitted_pods(c.node(0)) == 1);
}

TEST_CASE("kubelet: a pod deleted during its pull leaves the pull to finish") {
  KubeletTestCluster c;
  c.boot();
  const PodId a = c.bind_now(KubeletTestCluster::make_pod("a", "app:1"), c.node(0));
  c.delete_at(Duration::seconds(1), a);
  c.run_for(Duration::seconds(20));
  CHECK(c.first(PodEvent::kDeleted, "a") == ms(1005));
  CHECK(c.times(PodEvent::kStarted, "a").empty());
  // The pull in progress still caches the image at 2.505 s.
  CHECK(c.node_object(0).has_image("app:1"));
}

TEST_CASE("kubelet: pods bound at t = 0 are running and ready without records") {
  KubeletTestCluster c;
  Pod p = with(KubeletTestCluster::make_pod("pre", "job:1"),
               {{"kubesim.io/run-time", "fixed(20s)"}}, RestartPolicy::kNever);
  p.node = NodeId{0};
  p.spec.node_name = "node-0";
  p.phase = PodPhase::kRunning;
  c.objects.add_pod(std::move(p));
  c.boot();
  CHECK(c.records.empty());
  CHECK(c.pod(PodId{0}).status.ready);
  CHECK(c.kubelets->admitted_pods(c.node(0)) == 1);
  c.run_for(Duration::minutes(1));
  // Running since 0; exits 0 after 20 s.
  CHECK(c.events("pre") == std::vector<PodEvent>{PodEvent::kNotReady, PodEvent::kSucceeded});
  CHECK(c.first(PodEvent::kSucceeded, "pre") == ms(20000));
}

TEST_CASE("kubelet: the pods of a deleted node are failed and removed") {
  KubeletTestCluster c(2);
  c.objects.nodes[0].images.push_back({{"app:1"}, 1});
  c.boot();
  const PodId a = c.bind_now(KubeletTestCluster::make_pod("a", "app:1"), c.node(0));
  const PodId b = c.bind_now(KubeletTestCluster::make_pod("b", "app:1"), c.node(1));
  c.sim.schedule_at(KubeletTestCluster::at(Duration::seconds(10)),
                    [&c] { c.api->delete_node(NodeId{0}); });
  c.run_for(Duration::seconds(20));
  // Seen at 10.005 s: a is failed (DeletionByPodGC) and removed; b (node-1,
  // still pulling until 2.505 s) runs on.
  CHECK(c.events("a") == std::vector<PodEvent>{PodEvent::kCreated, PodEvent::kScheduled,
                                               PodEvent::kStarted, PodEvent::kReady,
                                               PodEvent::kNotReady, PodEvent::kFailed,
                                               PodEvent::kDeleted});
  CHECK(c.first(PodEvent::kDeleted, "a") == ms(10005));
  CHECK(c.details(PodEvent::kFailed, "a") == std::vector<std::string>{"DeletionByPodGC"});
  CHECK(c.pod(a).status.deleted);
  CHECK(c.pod(b).phase == PodPhase::kRunning);
}

TEST_CASE("kubelet: a failure probability draws per run from the kubelet/exit stream") {
  KubeletTestCluster c;
  c.objects.nodes[0].images.push_back({{"job:1"}, 1});
  c.boot();
  for (int i = 0; i < 100; ++i) {
    c.bind_now(
        with(KubeletTestCluster::make_pod("j" + std::to_string(i), "job:1", 1, 1),
             {{"kubesim.io/run-time", "fixed(1s)"}, {"kubesim.io/failure-probability", "0.5"}},
             RestartPolicy::kNever),
        c.node(0));
  }
  c.run_for(Duration::seconds(10));
  int failed = 0;
  int succeeded = 0;
  for (const Record& r : c.records) {
    failed += r.event == PodEvent::kFailed;
    succeeded += r.event == PodEvent::kSucceeded;
  }
  // 100 Bernoulli(0.5): 50 +- 4 sigma (sigma = 5); without the draw all
  // 100 would succeed.
  CHECK(failed + succeeded == 100);
  CHECK(failed > 30);
  CHECK(failed < 70);
}
