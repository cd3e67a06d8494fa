// The scenario loader on valid input: what a loaded Scenario holds, and that
// every shipped scenario loads with no errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "models/scenario/scenario.h"

namespace {

const std::string kRoot = KUBESIM_SOURCE_DIR;
const std::string kFixtures = kRoot + "/tests/scenario/fixtures/";

std::string all_errors(const std::vector<kubesim::LoadError>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e.to_string() + "\n";
  return out;
}

template <class Store>
const typename Store::value_type* find_named(const Store& v, const std::string& name) {
  for (const auto& x : v) {
    if (x.metadata.name == name) return &x;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("scenario: an inline Deployment with an included manifest validates") {
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "mixed.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.errors.empty());
  REQUIRE(r.scenario.has_value());
  const kubesim::Scenario& s = *r.scenario;
  CHECK(s.name == "mixed");
  CHECK(s.seed == 5);
  CHECK(s.duration == kubesim::Duration::hours(2));
  CHECK(s.scheduler.profile == "default");  // no spec.scheduler: the default profile

  // Pool "node", 3 nodes, zones [a, b] round-robin: a, b, a.
  REQUIRE(s.objects.nodes.size() == 3);
  CHECK(s.objects.nodes[0].name == "node-0");
  CHECK(s.objects.nodes[2].name == "node-2");
  CHECK(s.objects.nodes[0].labels.at("topology.kubernetes.io/zone") == "a");
  CHECK(s.objects.nodes[1].labels.at("topology.kubernetes.io/zone") == "b");
  CHECK(s.objects.nodes[2].labels.at("topology.kubernetes.io/zone") == "a");
  CHECK(s.objects.nodes[1].labels.at("kubernetes.io/hostname") == "node-1");
  CHECK(s.objects.nodes[0].capacity.milli_cpu == 4000);
  CHECK(s.objects.nodes[0].capacity.memory == 8LL << 30);
  CHECK(s.objects.nodes[0].capacity.pods == 110);  // kubelet's default maxPods
  CHECK(s.objects.nodes[0].allocatable == s.objects.nodes[0].capacity);

  REQUIRE(s.objects.deployments.size() == 2);
  const kubesim::Deployment* inline_d = find_named(s.objects.deployments, "inline");
  const kubesim::Deployment* included = find_named(s.objects.deployments, "included");
  REQUIRE(inline_d != nullptr);
  REQUIRE(included != nullptr);
  CHECK(inline_d->replicas == 2);
  CHECK(included->replicas == 3);
  // Only limits given: requests default to them (pkg/apis/core/v1/defaults.go).
  const kubesim::Container& c = included->template_.spec.containers.at(0);
  CHECK(c.requests.milli_cpu == 1000);
  CHECK(c.requests.memory == 1LL << 30);
  CHECK(c.has_cpu_request);
  CHECK(c.has_memory_request);
  // cpu request only: memory has no explicit request.
  CHECK(inline_d->template_.spec.containers.at(0).has_cpu_request);
  CHECK_FALSE(inline_d->template_.spec.containers.at(0).has_memory_request);

  // The included Pod is bound to node-2.
  REQUIRE(s.objects.pods.size() == 1);
  CHECK(s.objects.pods[0].name == "bound");
  CHECK(s.objects.pods[0].node.value == 2);
  CHECK(s.objects.pods[0].phase == kubesim::PodPhase::kRunning);

  // securityContext, livenessProbe and the ConfigMap are accepted and noted.
  REQUIRE(s.ignored_fields.size() == 3);
  CHECK(s.ignored_fields[0].path == "spec.template.spec.securityContext");
  CHECK(s.ignored_fields[0].line == 13);
  CHECK(s.ignored_fields[1].path == "spec.template.spec.containers[0].livenessProbe");
  CHECK_THAT(s.ignored_fields[2].message, Catch::Contains("ConfigMap"));
}

TEST_CASE("scenario: quickstart holds its pools, bound pods, workloads and priorities") {
  kubesim::LoadResult r = kubesim::load_scenario(kRoot + "/scenarios/quickstart.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  const kubesim::Scenario& s = *r.scenario;
  // 6 general + 2 gpu + spare-0.
  REQUIRE(s.objects.nodes.size() == 9);
  const kubesim::Node& gpu1 = s.objects.nodes[7];
  CHECK(gpu1.name == "gpu-1");
  CHECK(gpu1.pool == "gpu");
  CHECK(gpu1.labels.at("topology.kubernetes.io/zone") == "zone-b");
  CHECK(gpu1.capacity.scalar_value("nvidia.com/gpu") == 2);
  REQUIRE(gpu1.taints.size() == 1);
  CHECK(gpu1.taints[0].effect == kubesim::TaintEffect::kNoSchedule);
  const kubesim::Node& general0 = s.objects.nodes[0];
  CHECK(general0.allocatable.milli_cpu == 3800);
  CHECK(general0.allocatable.memory == 15LL << 30);
  CHECK(general0.allocatable.pods == 110);
  REQUIRE(general0.images.size() == 1);
  CHECK(general0.images[0].size_bytes == 70LL << 20);
  CHECK(s.objects.nodes[8].name == "spare-0");
  CHECK(s.objects.nodes[8].unschedulable);

  // db-0 uses the scenario's PriorityClass "important" (1000).
  const kubesim::Pod& db = s.objects.pods.at(0);
  CHECK(db.name == "db-0");
  CHECK(db.spec.priority == 1000);
  CHECK(db.node.value == 0);
  const kubesim::Pod& trainer = s.objects.pods.at(1);
  CHECK(trainer.spec.containers[0].requests.scalar_value("nvidia.com/gpu") == 1);

  const kubesim::DaemonSet& ds = s.objects.daemon_sets.at(0);
  CHECK(ds.metadata.namespace_ == "kube-system");
  CHECK(ds.template_.spec.priority == 2000001000);  // system-node-critical
  CHECK(s.objects.jobs.at(0).completions == 3);
  CHECK(s.objects.jobs.at(0).template_.spec.restart_policy == kubesim::RestartPolicy::kOnFailure);

  const kubesim::Deployment* web = find_named(s.objects.deployments, "web");
  REQUIRE(web != nullptr);
  CHECK(web->max_surge.percent);
  CHECK(web->max_surge.value == 25);
  CHECK_FALSE(web->max_unavailable.percent);
  CHECK(web->max_unavailable.value == 1);
  REQUIRE(s.objects.services.size() == 2);
  CHECK(s.objects.services[1].ports.at(0).port == 80);
}

TEST_CASE("scenario: a KubeSchedulerConfiguration profile list loads") {
  kubesim::LoadResult r =
      kubesim::load_scenario(kRoot + "/scenarios/experiments/bin-packing-vs-spread.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  const kubesim::SchedulerConfig& sc = r.scenario->scheduler;
  CHECK(sc.profile.empty());
  REQUIRE(sc.profiles.size() == 2);
  CHECK(sc.profiles[0].scheduler_name == "default-scheduler");
  CHECK(sc.profiles[0].args.fit_strategy == kubesim::ScoringStrategy::kMostAllocated);
  REQUIRE(sc.profiles[0].score.disabled.size() == 2);
  CHECK(sc.profiles[0].score.disabled[0] == "NodeResourcesBalancedAllocation");
  CHECK(sc.profiles[0].score.disabled[1] == "PodTopologySpread");
  CHECK(sc.profiles[1].scheduler_name == "spread-scheduler");
  CHECK(sc.profiles[1].args.fit_strategy == kubesim::ScoringStrategy::kLeastAllocated);
}

TEST_CASE("scenario: every shipped scenario loads with no errors") {
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kRoot + "/scenarios")) {
    const fs::path& p = entry.path();
    if (!entry.is_regular_file() || p.extension() != ".yaml") continue;
    if (p.string().find("/scenarios/manifests/") != std::string::npos) continue;  // plain manifests
    kubesim::LoadResult r = kubesim::load_scenario(p.string());
    INFO(p.string() << "\n" << all_errors(r.errors));
    CHECK(r.errors.empty());
    CHECK(r.scenario.has_value());
    ++count;
  }
  CHECK(count >= 2);
}

TEST_CASE("scenario: load_pod reads one Pod manifest") {
  kubesim::PodLoadResult r = kubesim::load_pod(kFixtures + "pod.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.pod.has_value());
  const kubesim::Pod& p = *r.pod;
  CHECK(p.name == "incoming");
  CHECK(p.spec.priority == 2000001000);  // system-node-critical
  REQUIRE(p.spec.containers.size() == 1);
  CHECK(p.spec.containers[0].requests.milli_cpu == 500);
  CHECK(p.spec.containers[0].ports.at(0).host_port == 8080);
  const kubesim::NodeAffinity& na = p.spec.node_affinity;
  CHECK(na.has_required);
  REQUIRE(na.required.size() == 1);
  CHECK(na.required[0].match_expressions.at(0).op == kubesim::SelectorOp::kGt);
  CHECK(na.required[0].match_fields.at(0).key == "metadata.name");
  REQUIRE(na.preferred.size() == 1);
  CHECK(na.preferred[0].weight == 10);
  REQUIRE(p.spec.tolerations.size() == 1);
  CHECK(p.spec.tolerations[0].effect == kubesim::TaintEffect::kNoExecute);
  CHECK(p.spec.tolerations[0].toleration_seconds == 60);
}

TEST_CASE("scenario: load_pod resolves priority classes of the cluster scenario") {
  kubesim::LoadResult cluster = kubesim::load_scenario(kRoot + "/scenarios/quickstart.yaml");
  REQUIRE(cluster.scenario.has_value());
  CHECK(cluster.scenario->priority_classes.at("important") == 1000);
  // A pod naming "important" resolves with the cluster, and is a dangling
  // reference without it.
  const std::string pod = kFixtures + "pod_important.yaml";
  kubesim::PodLoadResult with = kubesim::load_pod(pod, &*cluster.scenario);
  INFO(all_errors(with.errors));
  REQUIRE(with.pod.has_value());
  CHECK(with.pod->spec.priority == 1000);
  kubesim::PodLoadResult without = kubesim::load_pod(pod);
  REQUIRE(without.errors.size() == 1);
  CHECK(without.errors[0].path == "spec.priorityClassName");
  CHECK(without.errors[0].line == 5);
}

TEST_CASE("scenario: every supported kind and the scheduler's plugin arguments load") {
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "kinds.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  const kubesim::Scenario& s = *r.scenario;

  const kubesim::SchedulerConfig& sc = s.scheduler;
  CHECK(sc.percentage_of_nodes_to_score == 40);
  REQUIRE(sc.profiles.size() == 1);
  const kubesim::ProfileSpec& p = sc.profiles[0];
  CHECK(p.scheduler_name == "custom");
  CHECK(p.percentage_of_nodes_to_score == 40);  // inherited from the top level
  REQUIRE(p.multi_point.enabled.size() == 1);
  CHECK(p.multi_point.enabled[0].weight == 5);
  CHECK(p.filter.disabled == std::vector<std::string>{"*"});
  CHECK(p.args.fit_strategy == kubesim::ScoringStrategy::kRequestedToCapacityRatio);
  REQUIRE(p.args.fit_resources.size() == 1);
  CHECK(p.args.fit_resources[0].weight == 3);
  REQUIRE(p.args.fit_shape.size() == 2);
  CHECK(p.args.fit_shape[0].score == 10);
  CHECK(p.args.fit_shape[1].utilization == 100);
  CHECK_FALSE(p.args.spread_system_defaulting);
  REQUIRE(p.args.spread_default_constraints.size() == 1);
  CHECK(p.args.spread_default_constraints[0].max_skew == 2);
  CHECK(p.args.hard_pod_affinity_weight == 7);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].kind == "ReplicaSet");
  CHECK(s.events[0].replicas == 3);

  REQUIRE(s.objects.nodes.size() == 1);
  const kubesim::Node& n = s.objects.nodes[0];
  CHECK(n.name == "manifest-node");
  CHECK(n.labels.at("kubernetes.io/hostname") == "manifest-node");
  CHECK(n.allocatable.milli_cpu == 7500);
  CHECK(n.capacity.pods == 50);
  CHECK(n.images.at(0).size_bytes == 1000000);
  CHECK(n.taints.at(0).effect == kubesim::TaintEffect::kPreferNoSchedule);

  // The globalDefault class gives the class-less pod its priority.
  CHECK(s.global_default_priority_class == "default-priority");
  CHECK(s.objects.pods.at(0).spec.priority == 10);
  CHECK(s.objects.replica_sets.at(0).template_.spec.priority == 10);

  const kubesim::PodDisruptionBudget& pdb = s.objects.pod_disruption_budgets.at(0);
  REQUIRE(pdb.min_available.has_value());
  CHECK(pdb.min_available->percent);
  CHECK(pdb.min_available->value == 50);
  const kubesim::HorizontalPodAutoscaler& h = s.objects.horizontal_pod_autoscalers.at(0);
  CHECK(h.target_kind == "ReplicaSet");
  CHECK(h.min_replicas == 2);
  CHECK(h.max_replicas == 10);
  REQUIRE(h.metrics.size() == 2);
  CHECK(h.metrics[0].average_utilization == 60);
  CHECK(h.metrics[1].average_value == 512LL << 20);
}
