// Per-node propagation: node n routes with the newest endpoint version made
// at or before now - lag(n). Times below are a write's time + the 5 ms watch
// latency (the version's time) + the node's lag.
#include <algorithm>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/random.h"
#include "tests/proxy/proxy_test_cluster.h"

namespace kubesim {
namespace {

using proxy_test::at;
using proxy_test::fixed_lag;
using proxy_test::kWatch;
using proxy_test::ProxyTestCluster;

const Labels kWeb = {{"app", "web"}};
constexpr Duration kMicro = Duration::micros(1);

TEST_CASE("kube-proxy: a node keeps routing to a removed pod until the version's time + its lag",
          "[proxy]") {
  const Duration lag = Duration::seconds(2);
  ProxyTestCluster c(1, fixed_lag(lag));
  const uint32_t web = c.add_service("web", kWeb);
  const PodId a = c.add_ready_pod("a", kWeb);
  const PodId b = c.add_ready_pod("b", kWeb);
  c.start();
  c.sim.schedule_at(at(Duration::seconds(10)), [&] { c.api->delete_pod(b); });
  // The version without b is made at 10.005 s; node 0 sees it at 12.005 s.
  const Duration gone = Duration::seconds(10) + kWatch + lag;
  c.run_to(gone - kMicro);
  CHECK_FALSE(c.is_endpoint(web, b));  // the controller already dropped it
  CHECK(c.in_view(0, web, b));
  // Random picks still reach b: 200 picks all missing b has probability 2^-200.
  int to_b = 0;
  for (int i = 0; i < 200; ++i)
    to_b += c.proxies->pick(NodeId{0}, web, 0) == b ? 1 : 0;
  CHECK(to_b > 0);
  c.run_to(gone);
  CHECK_FALSE(c.in_view(0, web, b));
  for (int i = 0; i < 200; ++i)
    REQUIRE(c.proxies->pick(NodeId{0}, web, 0) == a);
}

TEST_CASE("kube-proxy: a node misses a new pod until the version's time + its lag", "[proxy]") {
  const Duration lag = Duration::millis(1500);
  ProxyTestCluster c(1, fixed_lag(lag));
  const uint32_t web = c.add_service("web", kWeb);
  c.start();
  PodId p;
  c.sim.schedule_at(at(Duration::seconds(3)), [&] { p = c.add_ready_pod("p", kWeb); });
  const Duration seen = Duration::seconds(3) + kWatch + lag;
  c.run_to(seen - kMicro);
  CHECK(c.is_endpoint(web, p));
  CHECK(c.proxies->view(NodeId{0}, web).empty());
  // An empty view refuses the connection: an invalid PodId.
  CHECK_FALSE(c.proxies->pick(NodeId{0}, web, 0).valid());
  c.run_to(seen);
  CHECK(c.proxies->pick(NodeId{0}, web, 0) == p);
}

TEST_CASE("kube-proxy: the initial endpoints are in every node's view from time zero", "[proxy]") {
  ProxyTestCluster c(3, fixed_lag(Duration::seconds(5)));
  const uint32_t web = c.add_service("web", kWeb);
  const PodId a = c.add_ready_pod("a", kWeb);
  c.start();
  for (const Duration t : {Duration::zero(), Duration::seconds(1), Duration::seconds(10)}) {
    c.run_to(t);
    for (uint32_t n = 0; n < 3; ++n)
      CHECK(c.proxies->view(NodeId{n}, web) == std::vector<PodId>{a});
  }
}

TEST_CASE("kube-proxy: each node lags by its own draw, exactly", "[proxy]") {
  KubeProxyConfig config;
  config.propagation_delay = *parse_duration_distribution("uniform(1s, 3s)");
  constexpr uint32_t kNodes = 6;
  ProxyTestCluster c(kNodes, config);
  const uint32_t web = c.add_service("web", kWeb);
  c.add_ready_pod("a", kWeb);
  const PodId b = c.add_ready_pod("b", kWeb);
  c.start();
  std::vector<Duration> lags;
  for (uint32_t n = 0; n < kNodes; ++n) {
    lags.push_back(c.proxies->lag(NodeId{n}));
    CHECK(lags.back() >= Duration::seconds(1));
    CHECK(lags.back() <= Duration::seconds(3));
  }
  // Draws of a 2 s wide uniform, rounded to microseconds: two equal among six
  // has probability about 15 / 2e6.
  std::vector<Duration> sorted = lags;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());

  c.sim.schedule_at(at(Duration::seconds(10)), [&] { c.api->delete_pod(b); });
  // (time, node, b still in view): just before and at 10.005 s + lag(n).
  std::vector<std::tuple<SimTime, uint32_t, bool>> checks;
  for (uint32_t n = 0; n < kNodes; ++n) {
    const SimTime gone = at(Duration::seconds(10) + kWatch + lags[n]);
    checks.emplace_back(gone - kMicro, n, true);
    checks.emplace_back(gone, n, false);
  }
  std::sort(checks.begin(), checks.end());
  for (const auto& [t, n, expected] : checks) {
    c.run_to(t);
    INFO("node " << n << " at " << t.to_seconds() << " s");
    CHECK(c.in_view(n, web, b) == expected);
  }
}

TEST_CASE("kube-proxy: lag draws do not depend on which node asks first", "[proxy]") {
  KubeProxyConfig config;
  config.propagation_delay = *parse_duration_distribution("exponential(1s)");
  constexpr uint32_t kNodes = 8;
  ProxyTestCluster up(kNodes, config, /*seed=*/99);
  ProxyTestCluster down(kNodes, config, /*seed=*/99);
  std::vector<Duration> ascending(kNodes), descending(kNodes);
  for (uint32_t n = 0; n < kNodes; ++n)
    ascending[n] = up.proxies->lag(NodeId{n});
  for (uint32_t n = kNodes; n-- > 0;)
    descending[n] = down.proxies->lag(NodeId{n});
  CHECK(ascending == descending);
  // Node n's lag is the n-th draw of the stream "kube-proxy/lag".
  RandomStream rng(derive_stream_seed(99, "kube-proxy/lag"));
  for (uint32_t n = 0; n < kNodes; ++n)
    CHECK(ascending[n] == config.propagation_delay.sample(rng));
  // A lag, once drawn, stays.
  CHECK(up.proxies->lag(NodeId{3}) == ascending[3]);
}

TEST_CASE("kube-proxy: a version made while an older one is still propagating", "[proxy]") {
  // Lag 2 s; b leaves at 1 s (version at 1.005 s) and c joins at 2 s (version
  // at 2.005 s). Node 0 holds {a, b} until 3.005 s, {a} until 4.005 s, then
  // {a, c}: every version is seen, for exactly the time until the next one.
  const Duration lag = Duration::seconds(2);
  ProxyTestCluster c(1, fixed_lag(lag));
  const uint32_t web = c.add_service("web", kWeb);
  const PodId a = c.add_ready_pod("a", kWeb);
  const PodId b = c.add_ready_pod("b", kWeb);
  c.start();
  PodId p;
  c.sim.schedule_at(at(Duration::seconds(1)), [&] { c.set_ready(b, false); });
  c.sim.schedule_at(at(Duration::seconds(2)), [&] { p = c.add_ready_pod("c", kWeb); });
  const NodeId n0{0};
  c.run_to(Duration::seconds(3) + kWatch - kMicro);
  CHECK(c.proxies->view(n0, web) == std::vector<PodId>{a, b});
  c.run_to(Duration::seconds(3) + kWatch);
  CHECK(c.proxies->view(n0, web) == std::vector<PodId>{a});
  c.run_to(Duration::seconds(4) + kWatch - kMicro);
  CHECK(c.proxies->view(n0, web) == std::vector<PodId>{a});
  c.run_to(Duration::seconds(4) + kWatch);
  CHECK(c.proxies->view(n0, web) == std::vector<PodId>{a, p});
}

}  // namespace
}  // namespace kubesim
