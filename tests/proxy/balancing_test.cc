// The load-balancing policies, through KubeProxies::pick() on a cluster with
// no propagation lag (every node's view is the endpoint list).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/objects/annotations.h"
#include "tests/proxy/proxy_test_cluster.h"

namespace kubesim {
namespace {

using proxy_test::at;
using proxy_test::fixed_lag;
using proxy_test::kWatch;
using proxy_test::ProxyTestCluster;

const Labels kWeb = {{"app", "web"}};

// A cluster whose Service `web` has n Ready pods p0..p(n-1) on node 0 and the
// given annotations; started.
struct Balanced {
  Balanced(int n, std::map<std::string, std::string> annotations, int nodes = 1,
           KubeProxyConfig config = fixed_lag(Duration::zero()))
      : c(nodes, std::move(config)) {
    web = c.add_service("web", kWeb, std::move(annotations));
    for (int i = 0; i < n; ++i)
      pods.push_back(c.add_ready_pod("p" + std::to_string(i), kWeb));
    c.start();
  }
  PodId pick(uint64_t client = 0, uint32_t node = 0) {
    return c.proxies->pick(NodeId{node}, web, client);
  }
  size_t index_of(PodId p) const {
    return static_cast<size_t>(std::find(pods.begin(), pods.end(), p) - pods.begin());
  }
  ProxyTestCluster c;
  uint32_t web = 0;
  std::vector<PodId> pods;
};

std::map<std::string, std::string> policy(const char* name) {
  return {{kAnnotationLoadBalancer, name}};
}

// Pearson's statistic of counts against equal expected counts.
double chi_square(const std::vector<int>& counts) {
  double total = 0;
  for (const int c : counts)
    total += c;
  const double expected = total / static_cast<double>(counts.size());
  double x2 = 0;
  for (const int c : counts)
    x2 += (c - expected) * (c - expected) / expected;
  return x2;
}
// Upper 0.001 quantiles of chi-square (k degrees of freedom), from the
// standard tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4): a uniform
// sampler exceeds them once in a thousand seeds.
constexpr double kChi2_3_p001 = 16.266;
constexpr double kChi2_9_p001 = 27.877;

TEST_CASE("balancing: routing reads the Service's annotations over the cluster's policy",
          "[proxy]") {
  ProxyTestCluster c(1, fixed_lag(Duration::zero(), LoadBalancing::kRoundRobin));
  const uint32_t plain = c.add_service("plain", kWeb);
  const uint32_t p3 = c.add_service(
      "p3", kWeb, {{kAnnotationLoadBalancer, "power-of-d"}, {kAnnotationLbChoices, "3"}});
  const uint32_t lc = c.add_service("lc", kWeb, policy("least-connections"));
  const uint32_t bad = c.add_service("bad", kWeb, policy("fastest"));
  CHECK(c.proxies->routing(plain).policy == LoadBalancing::kRoundRobin);
  CHECK_FALSE(c.proxies->routing(plain).client_ip_affinity);
  CHECK(c.proxies->routing(p3).policy == LoadBalancing::kPowerOfD);
  CHECK(c.proxies->routing(p3).choices == 3);
  CHECK(c.proxies->routing(lc).policy == LoadBalancing::kLeastConnections);
  CHECK(c.proxies->routing(lc).choices == 2);  // d's default
  // The loader rejects an unknown policy; should one get through, the cluster's holds.
  CHECK(c.proxies->routing(bad).policy == LoadBalancing::kRoundRobin);
  Service s = ProxyTestCluster::make_service("sticky", kWeb);
  s.session_affinity_client_ip = true;
  const uint32_t sticky = c.add_service(std::move(s));
  CHECK(c.proxies->routing(sticky).client_ip_affinity);
  // v1 ServiceSpec: sessionAffinityConfig.clientIP.timeoutSeconds defaults to
  // 10800 (pkg/apis/core/v1/defaults.go).
  CHECK(c.proxies->routing(sticky).affinity_timeout == Duration::seconds(10800));
}

TEST_CASE("balancing: random is uniform over the view", "[proxy]") {
  // iptables' cascade (rule i of n taken with probability 1/(n-i)) and
  // nftables' numgen are both uniform: 20,000 picks over 10 pods, 2,000
  // expected each; 9 degrees of freedom.
  Balanced b(10, policy("random"));
  std::vector<int> counts(10);
  for (int i = 0; i < 20'000; ++i)
    ++counts[b.index_of(b.pick())];
  INFO("chi-square = " << chi_square(counts));
  CHECK(chi_square(counts) < kChi2_9_p001);
}

TEST_CASE("balancing: round-robin gives each pod exactly k of k*n picks, in list order",
          "[proxy]") {
  constexpr int kPods = 5, kRounds = 7;
  Balanced b(kPods, policy("round-robin"));
  std::vector<int> counts(kPods);
  for (int i = 0; i < kPods * kRounds; ++i) {
    const size_t k = b.index_of(b.pick());
    CHECK(k == static_cast<size_t>(i % kPods));  // ip_vs_rr.c: the next in the list
    ++counts[k];
  }
  CHECK(counts == std::vector<int>(kPods, kRounds));
  // Every node's kube-proxy has its own cursor: node 1 starts at the head.
  Balanced two(3, policy("round-robin"), /*nodes=*/2);
  CHECK(two.pick(0, 0) == two.pods[0]);
  CHECK(two.pick(0, 0) == two.pods[1]);
  CHECK(two.pick(0, 1) == two.pods[0]);
}

TEST_CASE("balancing: round-robin continues after the last pick when the list changes", "[proxy]") {
  Balanced b(4, policy("round-robin"));
  CHECK(b.pick() == b.pods[0]);
  CHECK(b.pick() == b.pods[1]);
  // The pod last picked leaves: ip_vs_rr_del_dest moves the cursor back one,
  // so the next pick is the pod after it.
  b.c.set_ready(b.pods[1], false);
  b.c.run_to(kWatch);
  CHECK(b.pick() == b.pods[2]);
  // A pod that is not the cursor leaves: the order goes on around it.
  b.c.set_ready(b.pods[3], false);
  b.c.run_to(kWatch * 2);
  CHECK(b.pick() == b.pods[0]);
  // A pod that rejoins goes to the end of the list: p0, p2, p1.
  b.c.set_ready(b.pods[1], true);
  b.c.run_to(kWatch * 3);
  CHECK(b.pick() == b.pods[2]);
  CHECK(b.pick() == b.pods[1]);
  CHECK(b.pick() == b.pods[0]);
}

TEST_CASE("balancing: least-connections picks the node's least-used pod; closed() frees",
          "[proxy]") {
  Balanced b(3, policy("least-connections"), /*nodes=*/2);
  const NodeId n0{0};
  // No connections: the first in list order; then the first with none.
  CHECK(b.pick() == b.pods[0]);
  CHECK(b.pick() == b.pods[1]);
  CHECK(b.pick() == b.pods[2]);
  // All hold one: ip_vs_lc.c keeps the first on a tie.
  CHECK(b.pick() == b.pods[0]);  // p0 now holds 2
  b.c.proxies->closed(n0, b.web, b.pods[1]);
  CHECK(b.pick() == b.pods[1]);  // counts 2, 0, 1
  b.c.proxies->closed(n0, b.web, b.pods[2]);
  b.c.proxies->closed(n0, b.web, b.pods[2]);  // none open: ignored, no negative count
  CHECK(b.pick() == b.pods[2]);               // counts 2, 1, 0
  CHECK(b.pick() == b.pods[1]);               // counts 2, 1, 1: the first of the ones
  // Node 1 counts its own connections only: all zero there.
  CHECK(b.pick(0, 1) == b.pods[0]);
}

TEST_CASE("balancing: power-of-d takes the least loaded of its d draws", "[proxy]") {
  Balanced b(8, {{kAnnotationLoadBalancer, "power-of-d"}, {kAnnotationLbChoices, "2"}});
  // Loads 5, 3, 7, 0, 9, 3, 1, 6 (two pods share 3), and every query recorded.
  const std::vector<int32_t> loads = {5, 3, 7, 0, 9, 3, 1, 6};
  std::vector<PodId> asked;
  b.c.proxies->set_load([&](PodId p) {
    asked.push_back(p);
    return loads[b.index_of(p)];
  });
  std::vector<int> chosen(8);
  for (int i = 0; i < 2000; ++i) {
    asked.clear();
    const PodId p = b.pick();
    REQUIRE(asked.size() == 2);  // d draws, each asked once
    CHECK(std::find(asked.begin(), asked.end(), p) != asked.end());
    for (const PodId q : asked)
      CHECK(loads[b.index_of(p)] <= loads[b.index_of(q)]);
    ++chosen[b.index_of(p)];
  }
  // The most loaded pod (9) is chosen only when drawn twice: 2000/64 = 31
  // times on average; the least (0) whenever drawn: 2000 * (1 - (7/8)^2) =
  // 469. Each is nonzero except with probability below 1e-13.
  CHECK(chosen[4] > 0);
  CHECK(chosen[3] > chosen[4]);
}

TEST_CASE("balancing: power-of-d with d much larger than n takes the global minimum", "[proxy]") {
  // n = 4, d = 64: the least loaded pod is missed by all draws with
  // probability (3/4)^64 = 1.0e-8 per pick, 1.0e-5 over 1000 picks.
  Balanced b(4, {{kAnnotationLoadBalancer, "power-of-d"}, {kAnnotationLbChoices, "64"}});
  // Loads stay distinct: they start distinct mod 10 and grow by 10.
  std::vector<int32_t> loads = {4, 2, 3, 5};
  b.c.proxies->set_load([&](PodId p) { return loads[b.index_of(p)]; });
  for (int i = 0; i < 1000; ++i) {
    const auto least =
        static_cast<size_t>(std::min_element(loads.begin(), loads.end()) - loads.begin());
    REQUIRE(b.pick() == b.pods[least]);
    loads[least] += 10;
  }
}

TEST_CASE("balancing: power-of-d picks uniformly among tied pods", "[proxy]") {
  // All loads equal: the pick is one of the draws, each uniform, so it is
  // uniform: 4000 picks over 4 pods, 3 degrees of freedom.
  Balanced b(4, policy("power-of-d"));
  b.c.proxies->set_load([](PodId) { return 1; });
  std::vector<int> counts(4);
  for (int i = 0; i < 4000; ++i)
    ++counts[b.index_of(b.pick())];
  INFO("chi-square = " << chi_square(counts));
  CHECK(chi_square(counts) < kChi2_3_p001);
  // Loads 0, 0, 1, 1 with d = 2: a pod of load 1 wins only when both draws
  // have load 1 (1/4); each of the tied pods then half the time: 1/8 each,
  // and each load-0 pod 3/8. 8000 picks: 1000 and 3000 expected, binomial
  // standard deviations 30 and 43; six of them is a 1e-9 bound.
  Balanced h(4, policy("power-of-d"));
  const std::vector<int32_t> loads = {0, 0, 1, 1};
  h.c.proxies->set_load([&](PodId p) { return loads[h.index_of(p)]; });
  std::vector<int> by_pod(4);
  for (int i = 0; i < 8000; ++i)
    ++by_pod[h.index_of(h.pick())];
  for (const size_t k : {0, 1})
    CHECK(std::abs(by_pod[k] - 3000) < 6 * 43);
  for (const size_t k : {2, 3})
    CHECK(std::abs(by_pod[k] - 1000) < 6 * 30);
}

TEST_CASE("balancing: power-of-d without a load function counts the node's connections",
          "[proxy]") {
  // d = 64 over 4 pods: every pick sees every pod but with probability
  // 4 * (3/4)^64 = 4e-8, so the first 4 picks open one connection to each pod
  // and a closed one is refilled next.
  Balanced b(4, {{kAnnotationLoadBalancer, "power-of-d"}, {kAnnotationLbChoices, "64"}});
  std::vector<PodId> first;
  for (int i = 0; i < 4; ++i)
    first.push_back(b.pick());
  std::sort(first.begin(), first.end());
  CHECK(first == b.pods);
  b.c.proxies->closed(NodeId{0}, b.web, b.pods[2]);
  CHECK(b.pick() == b.pods[2]);
}

TEST_CASE("balancing: source-hash sends a client to one pod and spreads clients", "[proxy]") {
  Balanced b(4, policy("source-hash"));
  std::vector<PodId> first;
  std::vector<int> counts(4);
  for (uint64_t client = 0; client < 4000; ++client) {
    first.push_back(b.pick(client));
    ++counts[b.index_of(first.back())];
  }
  // Later, with the same view, every client lands where it did.
  b.c.run_to(Duration::seconds(60));
  for (uint64_t client = 0; client < 4000; ++client)
    REQUIRE(b.pick(client) == first[client]);
  // A good hash spreads 4000 clients as uniform draws would (3 degrees of freedom).
  INFO("chi-square = " << chi_square(counts));
  CHECK(chi_square(counts) < kChi2_3_p001);
}

TEST_CASE("balancing: ClientIP affinity sticks until the timeout, then the policy picks",
          "[proxy]") {
  Balanced b(3, policy("round-robin"), /*nodes=*/2);
  Service s = ProxyTestCluster::make_service("sticky", kWeb, policy("round-robin"));
  s.session_affinity_client_ip = true;
  s.session_affinity_timeout_seconds = 10;
  const uint32_t sticky = b.c.add_service(std::move(s));
  auto pick = [&](uint64_t client, uint32_t node = 0) {
    return b.c.proxies->pick(NodeId{node}, sticky, client);
  };
  const std::vector<PodId>& p = b.pods;
  CHECK(pick(1) == p[0]);  // round-robin from the head
  CHECK(pick(1) == p[0]);  // sticks (round-robin alone would give p1)
  CHECK(pick(2) == p[1]);  // a new client: the policy, whose cursor is at p0
  // Each connection renews the client's entry (the recent module's --set):
  // 10 s after the last use it still holds, a microsecond later it is gone.
  b.c.run_to(Duration::seconds(10));
  CHECK(pick(1) == p[0]);  // last use 0 s: 10 s ago, within the timeout
  b.c.run_to(Duration::seconds(20));
  CHECK(pick(1) == p[0]);  // last use 10 s
  b.c.run_to(at(Duration::seconds(30)) + Duration::micros(1));
  CHECK(pick(1) == p[2]);  // expired: round-robin after p1
  // The pod a client sticks to leaves the view: balanced anew, at once.
  b.c.run_to(Duration::seconds(31));
  CHECK(pick(3) == p[0]);  // round-robin after p2, wrapping
  b.c.set_ready(p[0], false);
  b.c.run_to(Duration::seconds(31) + kWatch);
  CHECK(pick(3) == p[1]);  // the cursor's pod left: the one after it
  CHECK(pick(3) == p[1]);
  // Affinity is per node: on node 0 client 1 sticks to p2; node 1 has no
  // entry for it and its own cursor at the head of {p1, p2}.
  CHECK(pick(1) == p[2]);
  CHECK(pick(1, 1) == p[1]);
}

TEST_CASE("balancing: an affinity pick counts as a connection for least-connections", "[proxy]") {
  ProxyTestCluster c;
  Service s = ProxyTestCluster::make_service("web", kWeb, policy("least-connections"));
  s.session_affinity_client_ip = true;
  const uint32_t web = c.add_service(std::move(s));
  const PodId p0 = c.add_ready_pod("p0", kWeb);
  const PodId p1 = c.add_ready_pod("p1", kWeb);
  c.start();
  auto pick = [&](uint64_t client) { return c.proxies->pick(NodeId{0}, web, client); };
  CHECK(pick(1) == p0);  // counts 1, 0
  CHECK(pick(1) == p0);  // sticks: counts 2, 0
  CHECK(pick(2) == p1);  // counts 2, 1
  CHECK(pick(3) == p1);  // counts 2, 2: had the sticky pick not counted, p0
  CHECK(pick(4) == p0);  // a tie: the first
}

TEST_CASE("balancing: every policy refuses a connection when the view is empty", "[proxy]") {
  auto lb = GENERATE(as<std::string>{}, "random", "round-robin", "least-connections", "power-of-d",
                     "source-hash");
  Balanced b(0, policy(lb.c_str()));
  CHECK_FALSE(b.pick().valid());
  CHECK_FALSE(b.pick(7).valid());
}

}  // namespace
}  // namespace kubesim
