// NodeResourcesFit Filter, reproducing
// pkg/scheduler/framework/plugins/noderesources/fit_test.go (TestEnoughRequests,
// TestNotEnoughRequests, TestStorageRequests). The node is
// makeAllocatableResources(10, 20, 32, 5, 20, 5): 10m cpu, 20 bytes memory, 32
// pods, 5 example.com/aaa, 20 bytes ephemeral storage, 5 hugepages-2Mi.
// Requests beyond the whole allocatable are UnschedulableAndUnresolvable
// (InsufficientResource.Unresolvable, v1.30+).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/scheduler/plugins/node_resources_fit.h"
#include "test_cluster.h"

using namespace kubesim;
using namespace kubesim::plugin_test;

namespace {

const std::string kExtA = "example.com/aaa";
const std::string kExtB = "example.com/bbb";
const std::string kK8sIoA = "kubernetes.io/something";
const std::string kK8sIoB = "subdomain.kubernetes.io/something";
const std::string kHugePageA = "hugepages-2Mi";

Node fit_node(int64_t pods = 32) {
  Node n = make_node("node", 10, 20, {{kExtA, 5}, {kHugePageA, 5}}, pods);
  n.allocatable.ephemeral_storage = 20;
  n.capacity = n.allocatable;
  return n;
}

Req r(int64_t milli_cpu, int64_t memory,
      std::vector<std::pair<std::string, int64_t>> scalars = {}) {
  return Req{milli_cpu, memory, std::move(scalars)};
}

struct FitCase {
  std::string name;
  Pod pod;
  Pod existing;  // newResourcePod(...) already on the node
  StatusCode code;
  std::vector<std::string> reasons;
};

Status run_fit(const FitCase& c, int64_t pods = 32) {
  PluginTestCluster cluster;
  cluster.add_node(fit_node(pods));
  Pod existing = c.existing;
  existing.spec.node_name = "node";
  existing.phase = PodPhase::kRunning;
  cluster.add_pod(existing);
  auto plugin = make_node_resources_fit(PluginArgs{});
  return run_filter(*plugin, c.pod, cluster.snapshot()).at(0);
}

constexpr StatusCode kOk = StatusCode::kSuccess;
constexpr StatusCode kUnsched = StatusCode::kUnschedulable;
constexpr StatusCode kUnresolvable = StatusCode::kUnschedulableAndUnresolvable;

}  // namespace

TEST_CASE("scheduler: NodeResourcesFit: Filter matches fit_test.go TestEnoughRequests") {
  const std::vector<FitCase> cases = {
      {"no resources requested always fits", PodBuilder(), PodBuilder().req(r(10, 20)), kOk, {}},
      {"too many resources fails",
       PodBuilder().req(r(1, 1)),
       PodBuilder().req(r(10, 20)),
       kUnsched,
       {"Insufficient cpu", "Insufficient memory"}},
      {"too many resources fails due to init container cpu",
       PodBuilder().req(r(1, 1)).init_req(r(3, 1)),
       PodBuilder().req(r(8, 19)),
       kUnsched,
       {"Insufficient cpu"}},
      {"too many resources fails due to highest init container cpu",
       PodBuilder().req(r(1, 1)).init_req(r(3, 1)).init_req(r(2, 1)),
       PodBuilder().req(r(8, 19)),
       kUnsched,
       {"Insufficient cpu"}},
      {"too many resources fails due to init container memory",
       PodBuilder().req(r(1, 1)).init_req(r(1, 3)),
       PodBuilder().req(r(9, 19)),
       kUnsched,
       {"Insufficient memory"}},
      {"too many resources fails due to highest init container memory",
       PodBuilder().req(r(1, 1)).init_req(r(1, 3)).init_req(r(1, 2)),
       PodBuilder().req(r(9, 19)),
       kUnsched,
       {"Insufficient memory"}},
      {"init container fits because it's the max, not sum, of containers and init containers",
       PodBuilder().req(r(1, 1)).init_req(r(1, 1)),
       PodBuilder().req(r(9, 19)),
       kOk,
       {}},
      {"multiple init containers fit because it's the max, not sum, of containers and init "
       "containers",
       PodBuilder().req(r(1, 1)).init_req(r(1, 1)).init_req(r(1, 1)),
       PodBuilder().req(r(9, 19)),
       kOk,
       {}},
      {"both resources fit", PodBuilder().req(r(1, 1)), PodBuilder().req(r(5, 5)), kOk, {}},
      {"one resource memory fits",
       PodBuilder().req(r(2, 1)),
       PodBuilder().req(r(9, 5)),
       kUnsched,
       {"Insufficient cpu"}},
      {"one resource cpu fits",
       PodBuilder().req(r(1, 2)),
       PodBuilder().req(r(5, 19)),
       kUnsched,
       {"Insufficient memory"}},
      {"equal edge case", PodBuilder().req(r(5, 1)), PodBuilder().req(r(5, 19)), kOk, {}},
      {"equal edge case for init container",
       PodBuilder().req(r(4, 1)).init_req(r(5, 1)),
       PodBuilder().req(r(5, 19)),
       kOk,
       {}},
      {"extended resource fits",
       PodBuilder().req(r(0, 0, {{kExtA, 1}})),
       PodBuilder().req(r(0, 0)),
       kOk,
       {}},
      {"extended resource fits for init container",
       PodBuilder().req(r(0, 0)).init_req(r(0, 0, {{kExtA, 1}})),
       PodBuilder().req(r(0, 0)),
       kOk,
       {}},
      // 10 > allocatable 5: preemption cannot help.
      {"extended resource capacity enforced",
       PodBuilder().req(r(1, 1, {{kExtA, 10}})),
       PodBuilder().req(r(0, 0, {{kExtA, 0}})),
       kUnresolvable,
       {"Insufficient example.com/aaa"}},
      {"extended resource capacity enforced for init container",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kExtA, 10}})),
       PodBuilder().req(r(0, 0, {{kExtA, 0}})),
       kUnresolvable,
       {"Insufficient example.com/aaa"}},
      {"extended resource allocatable enforced",
       PodBuilder().req(r(1, 1, {{kExtA, 1}})),
       PodBuilder().req(r(0, 0, {{kExtA, 5}})),
       kUnsched,
       {"Insufficient example.com/aaa"}},
      {"extended resource allocatable enforced for init container",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kExtA, 1}})),
       PodBuilder().req(r(0, 0, {{kExtA, 5}})),
       kUnsched,
       {"Insufficient example.com/aaa"}},
      {"extended resource allocatable enforced for multiple containers",
       PodBuilder().req(r(1, 1, {{kExtA, 3}})).req(r(1, 1, {{kExtA, 3}})),
       PodBuilder().req(r(0, 0, {{kExtA, 2}})),
       kUnresolvable,
       {"Insufficient example.com/aaa"}},
      {"extended resource allocatable admits multiple init containers",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kExtA, 3}})).init_req(r(1, 1, {{kExtA, 3}})),
       PodBuilder().req(r(0, 0, {{kExtA, 2}})),
       kOk,
       {}},
      {"extended resource allocatable enforced for multiple init containers",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kExtA, 6}})).init_req(r(1, 1, {{kExtA, 3}})),
       PodBuilder().req(r(0, 0, {{kExtA, 2}})),
       kUnresolvable,
       {"Insufficient example.com/aaa"}},
      {"extended resource allocatable enforced for unknown resource",
       PodBuilder().req(r(1, 1, {{kExtB, 1}})),
       PodBuilder().req(r(0, 0)),
       kUnresolvable,
       {"Insufficient example.com/bbb"}},
      {"extended resource allocatable enforced for unknown resource for init container",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kExtB, 1}})),
       PodBuilder().req(r(0, 0)),
       kUnresolvable,
       {"Insufficient example.com/bbb"}},
      {"kubernetes.io resource capacity enforced",
       PodBuilder().req(r(1, 1, {{kK8sIoA, 10}})),
       PodBuilder().req(r(0, 0)),
       kUnresolvable,
       {"Insufficient kubernetes.io/something"}},
      {"kubernetes.io resource capacity enforced for init container",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kK8sIoB, 10}})),
       PodBuilder().req(r(0, 0)),
       kUnresolvable,
       {"Insufficient subdomain.kubernetes.io/something"}},
      {"hugepages resource capacity enforced",
       PodBuilder().req(r(1, 1, {{kHugePageA, 10}})),
       PodBuilder().req(r(0, 0, {{kHugePageA, 0}})),
       kUnresolvable,
       {"Insufficient hugepages-2Mi"}},
      {"hugepages resource capacity enforced for init container",
       PodBuilder().req(r(0, 0)).init_req(r(1, 1, {{kHugePageA, 10}})),
       PodBuilder().req(r(0, 0, {{kHugePageA, 0}})),
       kUnresolvable,
       {"Insufficient hugepages-2Mi"}},
      {"hugepages resource allocatable enforced for multiple containers",
       PodBuilder().req(r(1, 1, {{kHugePageA, 3}})).req(r(1, 1, {{kHugePageA, 3}})),
       PodBuilder().req(r(0, 0, {{kHugePageA, 2}})),
       kUnresolvable,
       {"Insufficient hugepages-2Mi"}},
      // Overhead 3m / 13 bytes: cpu 1+3+5 <= 10, memory 1+13+5 <= 20.
      {"resources + pod overhead fits",
       PodBuilder().req(r(1, 1)).overhead(3, 13),
       PodBuilder().req(r(5, 5)),
       kOk,
       {}},
      // memory 1+15 = 16 > 20-5.
      {"requests + overhead does not fit for memory",
       PodBuilder().req(r(1, 1)).overhead(1, 15),
       PodBuilder().req(r(5, 5)),
       kUnsched,
       {"Insufficient memory"}},
  };
  for (const FitCase& c : cases) {
    SECTION(c.name) {
      const Status s = run_fit(c);
      CHECK(s.code == c.code);
      CHECK(s.reasons == c.reasons);
    }
  }
}

TEST_CASE("scheduler: NodeResourcesFit: Filter matches fit_test.go TestNotEnoughRequests") {
  // allocatable pods = 1 and one pod already there: "Too many pods" whatever the requests.
  const std::vector<FitCase> cases = {
      {"even without specified resources predicate fails when there's no space for additional pod",
       PodBuilder(),
       PodBuilder().req(r(10, 20)),
       kUnsched,
       {"Too many pods"}},
      {"even if both resources fit predicate fails when there's no space for additional pod",
       PodBuilder().req(r(1, 1)),
       PodBuilder().req(r(5, 5)),
       kUnsched,
       {"Too many pods"}},
      {"even for equal edge case predicate fails when there's no space for additional pod",
       PodBuilder().req(r(5, 1)),
       PodBuilder().req(r(5, 19)),
       kUnsched,
       {"Too many pods"}},
      {"even for equal edge case predicate fails when there's no space for additional pod due to "
       "init container",
       PodBuilder().req(r(5, 1)).init_req(r(5, 1)),
       PodBuilder().req(r(5, 19)),
       kUnsched,
       {"Too many pods"}},
  };
  for (const FitCase& c : cases) {
    SECTION(c.name) {
      const Status s = run_fit(c, /*pods=*/1);
      CHECK(s.code == c.code);
      CHECK(s.reasons == c.reasons);
    }
  }
}

TEST_CASE("scheduler: NodeResourcesFit: Filter matches fit_test.go TestStorageRequests") {
  const auto storage = [](int64_t bytes) {
    Req q{0, 0};
    q.ephemeral_storage = bytes;
    return q;
  };
  const std::vector<FitCase> cases = {
      {"due to container scratch disk",
       PodBuilder().req(r(1, 1)),
       PodBuilder().req(r(10, 10)),
       kUnsched,
       {"Insufficient cpu"}},
      {"pod fit", PodBuilder().req(r(1, 1)), PodBuilder().req(r(2, 10)), kOk, {}},
      // 25 > allocatable 20.
      {"storage ephemeral local storage request exceeds allocatable",
       PodBuilder().req(storage(25)),
       PodBuilder().req(r(2, 2)),
       kUnresolvable,
       {"Insufficient ephemeral-storage"}},
      {"pod fits", PodBuilder().req(storage(10)), PodBuilder().req(r(2, 2)), kOk, {}},
  };
  for (const FitCase& c : cases) {
    SECTION(c.name) {
      const Status s = run_fit(c);
      CHECK(s.code == c.code);
      CHECK(s.reasons == c.reasons);
    }
  }
}

TEST_CASE("scheduler: NodeResourcesFit: Filter collects every insufficient resource in order") {
  // One pod already fills the only pod slot and all cpu/memory.
  const FitCase c{
      "", PodBuilder().req(r(1, 1, {{kExtB, 1}})), PodBuilder().req(r(10, 20)), kUnsched, {}};
  const Status s = run_fit(c, /*pods=*/1);
  CHECK(s.code == StatusCode::kUnschedulableAndUnresolvable);  // bbb: 1 > allocatable 0
  CHECK(s.reasons == std::vector<std::string>{"Too many pods", "Insufficient cpu",
                                              "Insufficient memory",
                                              "Insufficient example.com/bbb"});
}
