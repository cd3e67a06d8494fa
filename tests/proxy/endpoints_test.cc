// The EndpointSlice controller's view of a Service, as KubeProxies::endpoints()
// reports it: which pods, in which order, from when. Every time below is a
// write's time plus the 5 ms watch latency of ProxyTestCluster.
#include <vector>

#include <catch2/catch.hpp>

#include "models/proxy/endpoints.h"
#include "tests/proxy/proxy_test_cluster.h"

namespace kubesim {
namespace {

using proxy_test::at;
using proxy_test::kWatch;
using proxy_test::ProxyTestCluster;

const Labels kWeb = {{"app", "web"}};

TEST_CASE("endpoints: Ready pods the selector matches, in the order they joined", "[proxy]") {
  ProxyTestCluster c;
  const uint32_t web = c.add_service("web", kWeb);
  const PodId b = c.add_ready_pod("b", {{"app", "web"}, {"tier", "front"}});
  const PodId a = c.add_ready_pod("a", kWeb);
  c.add_ready_pod("other-app", {{"app", "db"}});
  c.add_ready_pod("other-ns", kWeb, 0, "prod");  // a Service selects its own namespace only
  c.add_ready_pod("no-label", {{"tier", "front"}});
  const PodId unbound = c.add_pod("unbound", kWeb);
  c.start();
  // The initial list, in store order (b was created first).
  CHECK(c.proxies->endpoints(web) == std::vector<PodId>{b, a});
  // A pod that turns Ready later joins at the end of the list.
  c.run_to(Duration::seconds(1));
  REQUIRE(c.api->bind(unbound, NodeId{0}));
  c.set_ready(unbound, true);
  c.run_to(at(Duration::seconds(1) + kWatch) - Duration::micros(1));
  CHECK(c.proxies->endpoints(web) == std::vector<PodId>{b, a});
  c.run_to(Duration::seconds(1) + kWatch);
  CHECK(c.proxies->endpoints(web) == std::vector<PodId>{b, a, unbound});
}

TEST_CASE("endpoints: a Service without a selector has none", "[proxy]") {
  // endpointslice_controller.go syncService: "services without a selector
  // receive no endpoint slices from this controller".
  ProxyTestCluster c;
  const uint32_t bare = c.add_service("bare", {});
  c.add_ready_pod("a", kWeb);
  c.start();
  CHECK(c.proxies->endpoints(bare).empty());
}

TEST_CASE(
    "endpoints: a pod leaves one watch latency after it turns not Ready, terminating or "
    "is deleted",
    "[proxy]") {
  ProxyTestCluster c;
  const uint32_t web = c.add_service("web", kWeb);
  const PodId unready = c.add_ready_pod("unready", kWeb);
  const PodId terminating = c.add_ready_pod("terminating", kWeb);
  const PodId removed = c.add_ready_pod("removed", kWeb);
  const PodId stays = c.add_ready_pod("stays", kWeb);
  c.start();
  c.sim.schedule_at(at(Duration::seconds(1)), [&] { c.set_ready(unready, false); });
  // Bound and running: a graceful deletion sets deletionTimestamp.
  c.sim.schedule_at(at(Duration::seconds(2)), [&] { c.api->delete_pod(terminating); });
  c.sim.schedule_at(at(Duration::seconds(3)), [&] { c.api->remove_pod(removed); });

  struct Step {
    Duration t;
    std::vector<PodId> expected;
  };
  // Each change shows at its write + 5 ms, not a microsecond before.
  const Duration us = Duration::micros(1);
  const std::vector<Step> steps = {
      {Duration::seconds(1) + kWatch - us, {unready, terminating, removed, stays}},
      {Duration::seconds(1) + kWatch, {terminating, removed, stays}},
      {Duration::seconds(2) + kWatch - us, {terminating, removed, stays}},
      {Duration::seconds(2) + kWatch, {removed, stays}},
      {Duration::seconds(3) + kWatch - us, {removed, stays}},
      {Duration::seconds(3) + kWatch, {stays}},
  };
  for (const Step& s : steps) {
    c.run_to(s.t);
    INFO("t = " << s.t.to_seconds());
    CHECK(c.proxies->endpoints(web) == s.expected);
  }
  CHECK(c.objects.pods[terminating.value].status.terminating);
}

TEST_CASE("endpoints: a pod that finishes or stays not Ready never serves", "[proxy]") {
  ProxyTestCluster c;
  const uint32_t web = c.add_service("web", kWeb);
  const PodId done = c.add_ready_pod("done", kWeb);
  const PodId never_ready = c.add_pod("never-ready", kWeb);
  REQUIRE(c.api->bind(never_ready, NodeId{0}));
  c.set_ready(never_ready, false);
  c.start();
  c.run_to(Duration::seconds(1));
  // A Job-like pod ends Succeeded; the kubelet clears Ready, but the phase
  // alone takes it out (ShouldPodBeInEndpoints: IsPodTerminal).
  REQUIRE(c.api->update_pod(done, 0, [](Pod& p) { p.phase = PodPhase::kSucceeded; }));
  c.run_to(Duration::seconds(2));
  CHECK(c.proxies->endpoints(web).empty());
}

TEST_CASE("endpoints: no change shows before its own write's watch latency", "[proxy]") {
  // A Ready pod gets an unrelated write at 1 s (a restart count) and turns
  // terminating at 1.002 s. The first event arrives at 1.005 s, when the store
  // already holds the later write; the controller's informer would still hold
  // the pod as of 1 s, and the event for 1.002 s arrives at 1.007 s. So the
  // pod leaves at 1.007 s, not at 1.005 s.
  ProxyTestCluster c;
  const uint32_t web = c.add_service("web", kWeb);
  const PodId p = c.add_ready_pod("p", kWeb);
  c.start();
  c.sim.schedule_at(at(Duration::seconds(1)),
                    [&] { REQUIRE(c.api->update_pod(p, 0, [](Pod& x) { ++x.status.restarts; })); });
  c.sim.schedule_at(at(Duration::millis(1002)), [&] { c.api->delete_pod(p); });
  c.run_to(Duration::millis(1005));
  CHECK(c.is_endpoint(web, p));
  c.run_to(Duration::millis(1007) - Duration::micros(1));
  CHECK(c.is_endpoint(web, p));
  c.run_to(Duration::millis(1007));
  CHECK_FALSE(c.is_endpoint(web, p));
}

TEST_CASE("endpoints: without a control-plane leader the lists stay; a new leader catches up",
          "[proxy]") {
  ProxyTestCluster c;
  const uint32_t web = c.add_service("web", kWeb);
  const PodId a = c.add_ready_pod("a", kWeb);
  const PodId b = c.add_ready_pod("b", kWeb);
  c.start();
  c.run_to(Duration::seconds(1));
  c.proxies->set_endpoints_leader(false);
  c.api->delete_pod(b);
  PodId n;
  c.sim.schedule_at(at(Duration::seconds(2)), [&] { n = c.add_ready_pod("n", kWeb); });
  // Both events arrive (1.005 s, 2.005 s) while no controller handles them.
  c.run_to(Duration::seconds(30));
  CHECK(c.proxies->endpoints(web) == std::vector<PodId>{a, b});
  // The new leader's informers list the store: b leaves and n joins at once.
  c.proxies->set_endpoints_leader(true);
  CHECK(c.proxies->endpoints(web) == std::vector<PodId>{a, n});
  // Telling a leader it leads changes nothing.
  c.proxies->set_endpoints_leader(true);
  CHECK(c.proxies->endpoints(web) == std::vector<PodId>{a, n});
}

TEST_CASE("endpoints: pod_is_serving_endpoint and service_selects", "[proxy]") {
  Pod p;
  p.namespace_ = "default";
  p.labels = {{"app", "web"}, {"track", "stable"}};
  p.node = NodeId{0};
  p.phase = PodPhase::kRunning;
  p.status.ready = true;
  CHECK(pod_is_serving_endpoint(p));
  Pod q = p;
  q.node = NodeId{};
  CHECK_FALSE(pod_is_serving_endpoint(q));
  q = p;
  q.status.ready = false;
  CHECK_FALSE(pod_is_serving_endpoint(q));
  q = p;
  q.status.terminating = true;
  CHECK_FALSE(pod_is_serving_endpoint(q));
  q = p;
  q.phase = PodPhase::kFailed;
  CHECK_FALSE(pod_is_serving_endpoint(q));
  q = p;
  q.status.deleted = true;
  CHECK_FALSE(pod_is_serving_endpoint(q));

  Service s;
  s.selector = {{"app", "web"}};
  CHECK(service_selects(s, p));
  s.selector = {{"app", "web"}, {"track", "stable"}};
  CHECK(service_selects(s, p));
  s.selector = {{"app", "web"}, {"track", "canary"}};
  CHECK_FALSE(service_selects(s, p));
  s.selector = {{"app", "web"}, {"zone", "a"}};
  CHECK_FALSE(service_selects(s, p));
  s.selector = {{"app", "web"}};
  s.metadata.namespace_ = "prod";
  CHECK_FALSE(service_selects(s, p));
}

}  // namespace
}  // namespace kubesim
