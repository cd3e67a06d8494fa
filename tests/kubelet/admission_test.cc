// Kubelet admission (pkg/kubelet/lifecycle/predicate.go, noderesources
// fitsRequest): the check on its own, and a rejection in a run.
#include <catch2/catch.hpp>

#include "models/kubelet/admission.h"
#include "tests/kubelet/kubelet_test_cluster.h"

using namespace kubesim;
using namespace kubesim::kubelet_test;

namespace {
Resources req(int64_t milli_cpu, int64_t memory) {
  Resources r;
  r.milli_cpu = milli_cpu;
  r.memory = memory;
  return r;
}
}  // namespace

TEST_CASE("kubelet admission: requests must fit allocatable minus admitted pods") {
  const Node n = KubeletTestCluster::make_node("n", 4000, 1000, /*pods=*/3);
  // 1000m + 3000m used = 4000m: fits exactly.
  CHECK_FALSE(check_admission(req(1000, 100), n, req(3000, 0), 1));
  // 1001m > 4000m - 3000m.
  auto f = check_admission(req(1001, 100), n, req(3000, 0), 1);
  REQUIRE(f);
  CHECK(f->reason == "OutOfcpu");
  CHECK(f->message ==
        "Node didn't have enough resource: cpu, requested: 1001, used: 3000, capacity: 4000");
  // memory: 600 > 1000 - 500.
  f = check_admission(req(0, 600), n, req(0, 500), 1);
  REQUIRE(f);
  CHECK(f->reason == "OutOfmemory");
  // The pod count is checked first: 3 + 1 > 3, though cpu is short too.
  f = check_admission(req(9000, 0), n, req(0, 0), 3);
  REQUIRE(f);
  CHECK(f->reason == "OutOfpods");
  CHECK(f->message == "Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3");
  // A zero request fits even on an over-committed node.
  CHECK_FALSE(check_admission(req(0, 0), n, req(5000, 5000), 1));
}

TEST_CASE("kubelet admission: extended resources the node does not report are not checked") {
  Node n = KubeletTestCluster::make_node("n", 4000, 1000);
  Resources r = req(100, 100);
  r.set_scalar("example.com/foo", 1);
  CHECK_FALSE(check_admission(r, n, Resources{}, 0));  // removeMissingExtendedResources
  n.allocatable.set_scalar("example.com/foo", 1);
  Resources used;
  used.set_scalar("example.com/foo", 1);
  auto f = check_admission(r, n, used, 1);
  REQUIRE(f);
  CHECK(f->reason == "OutOfexample.com/foo");
}

TEST_CASE("kubelet admission: an over-committed pod is rejected with OutOfcpu") {
  // Two Pending pods of 3000m bound straight into the store (bypassing the
  // API server's bind check) on a 4000m node. start() admits them in store
  // order: a gets 3000m; b needs 3000m > 4000m - 3000m: rejected.
  KubeletTestCluster c;
  for (const char* name : {"a", "b"}) {
    Pod p = KubeletTestCluster::make_pod(name, "img", 3000, 0);
    p.node = NodeId{0};
    p.spec.node_name = "node-0";
    c.objects.add_pod(std::move(p));
  }
  c.objects.nodes[0].images.push_back({{"img:latest"}, 1});
  c.boot();
  const Pod& b = c.pod(PodId{1});
  CHECK(b.phase == PodPhase::kFailed);
  CHECK(b.status.reason == "OutOfcpu");
  CHECK(c.events("b") == std::vector<PodEvent>{PodEvent::kAdmissionRejected, PodEvent::kFailed});
  CHECK(c.details(PodEvent::kAdmissionRejected, "b") ==
        std::vector<std::string>{
            "Node didn't have enough resource: cpu, requested: 3000, used: 3000, capacity: 4000"});
  CHECK(c.api->rejected_writes() == 1);
  CHECK(c.kubelets->admitted_requests(NodeId{0}).milli_cpu == 3000);
  CHECK(c.kubelets->admitted_pods(NodeId{0}) == 1);
  // a starts normally: image cached, running at 0 + 1 s (no watch involved).
  c.run_for(Duration::seconds(5));
  CHECK(c.first(PodEvent::kStarted, "a") == KubeletTestCluster::at(Duration::seconds(1)));
  CHECK(c.pod(PodId{0}).phase == PodPhase::kRunning);
}
