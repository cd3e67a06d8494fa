// Kubernetes manifests (v1 Pod and Node, apps/v1 Deployment, ReplicaSet,
// DaemonSet, batch/v1 Job, v1 Service, policy/v1 PodDisruptionBudget,
// autoscaling/v2 HorizontalPodAutoscaler, scheduling.k8s.io/v1 PriorityClass)
// parsed into the object model, each with where it was written so that the
// validation stage (resolve.cc) can report duplicates and dangling references.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "models/objects/node.h"
#include "models/objects/pod.h"
#include "models/objects/workloads.h"
#include "models/scenario/pod_spec_parser.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

// kubelet's default maxPods, the pods capacity when a node does not give one.
inline constexpr int64_t kDefaultMaxPods = 110;

// One parsed object and the locations the validation stage needs.
template <class T>
struct Entry {
  T object;
  Origin at;         // metadata.name
  PodSpecRefs refs;  // of the pod spec or the pod template's spec
  Origin labels_at;  // spec.template.metadata.labels (selector checks)
  Origin target_at;  // HPA scaleTargetRef.name
};

struct PriorityClassSpec {
  std::string name;
  int32_t value = 0;
  bool global_default = false;
};

struct ManifestSet {
  std::vector<Entry<Node>> nodes;
  std::vector<Entry<Pod>> pods;
  std::vector<Entry<Deployment>> deployments;
  std::vector<Entry<ReplicaSet>> replica_sets;
  std::vector<Entry<DaemonSet>> daemon_sets;
  std::vector<Entry<Job>> jobs;
  std::vector<Entry<Service>> services;
  std::vector<Entry<PodDisruptionBudget>> pod_disruption_budgets;
  std::vector<Entry<HorizontalPodAutoscaler>> horizontal_pod_autoscalers;
  std::vector<Entry<PriorityClassSpec>> priority_classes;
};

// Parses one manifest document (a mapping with apiVersion and kind) into `out`.
void parse_manifest(YamlReader& r, const YAML::Node& doc, const std::string& path,
                    ManifestSet& out);

// The manifests of the file named by `include_value` (a path relative to
// r.scenario_file()); a missing file is an error at the value.
void load_manifest_file(YamlReader& r, const YAML::Node& include_value,
                        const std::string& include_path, ManifestSet& out);

// Node images: [{names: [..] | name: .., sizeBytes: N | size: QUANTITY}].
std::vector<ContainerImage> parse_images(YamlReader& r, const YAML::Node& n,
                                         const std::string& path);

}  // namespace kubesim::scenario_detail
