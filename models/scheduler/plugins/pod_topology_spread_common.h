// Internals of PodTopologySpread shared by its filtering and scoring halves
// (pkg/scheduler/framework/plugins/podtopologyspread/common.go). Not part of the
// plugin's interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/objects/node.h"
#include "models/objects/pod.h"
#include "models/scheduler/framework.h"

namespace kubesim::pts_detail {

// common.go topologySpreadConstraint: a v1.TopologySpreadConstraint with its
// selector resolved (matchLabelKeys merged, nil selector -> matches nothing)
// and its optional fields defaulted.
struct SpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  std::optional<LabelSelector> selector;  // nullopt: labels.Nothing()
  int32_t min_domains = 1;
  NodeInclusionPolicy node_affinity_policy = NodeInclusionPolicy::kHonor;
  NodeInclusionPolicy node_taints_policy = NodeInclusionPolicy::kIgnore;

  bool selects(const Labels& labels) const { return selector && matches(*selector, labels); }
};

// common.go filterTopologySpreadConstraints: the pod's constraints with the
// given whenUnsatisfiable action.
std::vector<SpreadConstraint> filter_constraints(
    const std::vector<TopologySpreadConstraint>& constraints, const Labels& pod_labels,
    WhenUnsatisfiable action);

// common.go buildDefaultConstraints.
std::vector<SpreadConstraint> build_default_constraints(
    const std::vector<TopologySpreadConstraint>& defaults, const Pod& pod,
    WhenUnsatisfiable action);

// The pod's own constraints for `action`, or the default ones when it has none
// (filtering.go getConstraints / scoring.go initPreScoreState).
std::vector<SpreadConstraint> constraints_for(const Pod& pod,
                                              const std::vector<TopologySpreadConstraint>& defaults,
                                              WhenUnsatisfiable action);

// common.go nodeLabelsMatchSpreadConstraints: the node has every topology key.
bool node_has_all_topology_keys(const Labels& node_labels,
                                const std::vector<SpreadConstraint>& constraints);

// common.go matchNodeInclusionPolicies.
bool matches_node_inclusion_policies(const SpreadConstraint& c, const Pod& pod, const Node& node);

// common.go countPodsMatchSelector: pods of `ns` on the node matching the
// selector. (Terminating pods are skipped in Kubernetes; kubesim does not model
// a deletion timestamp, and Snapshot::build already leaves out finished pods.)
int64_t count_pods_match_selector(const std::vector<const Pod*>& pods, const SpreadConstraint& c,
                                  const std::string& ns);

// The value of `key` on the node, or nullptr.
const std::string* label_value(const Labels& labels, const std::string& key);

}  // namespace kubesim::pts_detail
