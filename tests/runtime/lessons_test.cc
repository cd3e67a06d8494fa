// The failure lessons end to end (scenarios/lessons/): the instants of a node
// failure and of a partition, and the manual-operations baseline against
// Kubernetes' self-healing on the same faults.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "analysis/availability.h"
#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"
#include "models/scheduler/registry.h"
#include "tests/runtime/registries.h"

namespace kubesim {
namespace {

const std::string kLessons = KUBESIM_SOURCE_DIR "/scenarios/lessons/";

std::unique_ptr<ClusterRuntime> make(const std::string& file, const std::string& controllers) {
  LoadResult loaded = load_scenario(kLessons + file);
  for (const LoadError& e : loaded.errors)
    FAIL(e.to_string());
  const PluginRegistry& plugins = testing::builtin_plugins();
  const ProfileRegistry& profiles = testing::builtin_profiles();
  RunOptions options;
  options.controllers = controllers;
  auto rt = ClusterRuntime::create(std::move(*loaded.scenario), options, plugins, profiles);
  REQUIRE(rt);
  return std::move(*rt);
}

double seconds(SimTime t) {
  return (t - SimTime::zero()).to_seconds();
}

}  // namespace

TEST_CASE("lessons: node-failure, each instant of the crash and of the partition") {
  auto rt = make("node-failure.yaml", "");
  std::map<std::string, std::vector<double>> node_events;  // "NodeNotReady worker-0" -> times
  std::vector<double> evicted;                             // worker-0 pods
  std::vector<std::pair<double, std::string>> ready;       // PodReady: time, node
  rt->simulation().bus().topic<NodeRecord>().subscribe([&](const NodeRecord& r) {
    node_events[std::string(to_string(r.event)) + " " + r.node->name].push_back(seconds(r.t));
  });
  rt->simulation().bus().topic<PodRecord>().subscribe([&](const PodRecord& r) {
    if (r.event == PodEvent::kEvicted && r.node->name == "worker-0")
      evicted.push_back(seconds(r.t));
    if (r.event == PodEvent::kReady) ready.emplace_back(seconds(r.t), r.node->name);
  });
  REQUIRE(rt->run());

  // worker-0 crashes at 300 s. Its lease is renewed every 10 s from t = 0;
  // the renewal due at 300 s is not made, so the last one is at 290 s, which
  // the node monitor (every 5 s, from 0) sees at 295 s (290 s + 5 ms watch):
  // probeTimestamp 295 s. Ready becomes Unknown at the first monitor pass
  // after 295 + 50 = 345 s that is strictly later: 350 s
  // (node_lifecycle_controller.go tryUpdateNodeHealth).
  CHECK(node_events["NodeCrashed worker-0"] == std::vector<double>{300});
  CHECK(node_events["NodeNotReady worker-0"] == std::vector<double>{350});
  // The next monitor pass (355 s) queues it for tainting; the tainting pass
  // runs every 100 ms (nodeEvictionPeriod): NoExecute taint at 355.1 s. The
  // taint eviction controller sees it 5 ms later and its pod's default
  // toleration (300 s) runs out at 655.105 s.
  REQUIRE(node_events["NodeTainted worker-0"].size() == 1);
  CHECK(node_events["NodeTainted worker-0"][0] == Approx(355.1).margin(1e-9));
  REQUIRE(evicted.size() == 1);  // worker-0 ran one of the six replicas
  CHECK(evicted[0] == Approx(655.105).margin(1e-9));
  // The replacement: created, scheduled and bound through the watches (a
  // few ms) and started after the fixed 1 s container start (its image is
  // cached): Ready between 656.105 s and 656.2 s, on another node.
  int replacements = 0;
  for (const auto& [t, node] : ready) {
    if (t < 655.105 || t > 700) continue;
    ++replacements;
    CHECK(t > 656.105);
    CHECK(t < 656.2);
    CHECK(node != "worker-0");
  }
  CHECK(replacements == 1);
  // worker-0 is back at 25 m: Ready at once, untainted at the next monitor pass.
  CHECK(node_events["NodeRecovered worker-0"] == std::vector<double>{1500});
  CHECK(node_events["NodeReady worker-0"] == std::vector<double>{1500});
  CHECK(node_events["NodeUntainted worker-0"] == std::vector<double>{1505});
  // worker-3 is partitioned from 40 m to 50 m: the same 50 s to NotReady.
  CHECK(node_events["NodeNotReady worker-3"] == std::vector<double>{2450});
  CHECK(node_events["NodeHealed worker-3"] == std::vector<double>{3000});

  // No duplicates after the heal: exactly the 6 desired pods are active, none
  // on worker-3 is left over (its evicted pods were stopped at the heal), and
  // every active pod is ready.
  int active = 0;
  for (const Pod& p : rt->api().objects().pods) {
    if (p.status.deleted || !p.active() || p.status.terminating) continue;
    ++active;
    CHECK(p.status.ready);
  }
  CHECK(active == 6);
}

TEST_CASE("lessons: manual operations are strictly less available than Kubernetes, same seed") {
  AvailabilitySummary got[2];
  const char* sets[2] = {"kubernetes", "manual"};
  for (int i = 0; i < 2; ++i) {
    auto rt = make("manual-vs-kubernetes.yaml", sets[i]);
    AvailabilityCollector a(rt->simulation().bus(), rt->api().objects());
    REQUIRE(rt->run());
    got[i] = a.summary(rt->simulation().now());
  }
  REQUIRE(got[0].workloads.size() == 1);
  REQUIRE(got[1].workloads.size() == 1);
  const WorkloadAvailability& k8s = got[0].workloads[0];
  const WorkloadAvailability& manual = got[1].workloads[0];
  INFO("full availability: kubernetes " << k8s.availability_full << ", manual "
                                        << manual.availability_full);
  // The same faults hit both: crashes come from the same stream
  // (faults/0) at times that depend on each run's restarts, so the counts are
  // close but need not be equal.
  CHECK(k8s.crashes > 20);
  CHECK(manual.crashes > 20);
  CHECK(manual.availability_full < k8s.availability_full);
  CHECK(manual.availability_any <= k8s.availability_any);
  // Repairs: seconds for the kubelet, tens of minutes for a person (median
  // detection 5 min + median response 15 min, plus queueing).
  REQUIRE(k8s.repair.mean.has_value());
  REQUIRE(manual.repair.mean.has_value());
  CHECK(*k8s.repair.mean < Duration::minutes(1));
  CHECK(*manual.repair.mean > Duration::minutes(15));
}

}  // namespace kubesim
