// Internals of PodTopologySpread shared by its filtering and scoring halves
// (pkg/scheduler/framework/plugins/podtopologyspread/common.go). Not part of the
// plugin's interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/objects/node.h"
#include "models/objects/pod.h"
#include "models/scheduler/framework.h"

namespace kubesim::pts_detail {

class MatchCountMemo;

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
  // Set by the plugin: remembered counts for this selector (speed only).
  MatchCountMemo* memo = nullptr;

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
// False when matches_node_inclusion_policies(c, pod, node) holds for every
// node: node affinity is ignored or the pod has neither a nodeSelector nor
// required node affinity, and taints are ignored.
bool inclusion_policies_may_exclude(const SpreadConstraint& c, const Pod& pod);

// common.go countPodsMatchSelector: pods of `ns` on the node matching the
// selector, skipping terminating pods as Kubernetes does (finished pods are
// not in a NodeInfo). Uses c.memo when set.
int64_t count_pods_match_selector(const NodeInfo& info, const SpreadConstraint& c,
                                  const std::string& ns);

// Counting matching pods dominates a scheduling cycle (every node, every
// cycle). Pods of one workload share a selector and most nodes do not change
// between two cycles, so counts are remembered per (namespace, selector) and
// node, and recounted only when the node's pods changed (NodeInfo::generation)
// or one of them started terminating (Node::pods_version).
class MatchCountMemo {
 public:
  int64_t count(const NodeInfo& info, const SpreadConstraint& c, const std::string& ns);

 private:
  struct Entry {
    uint64_t generation = 0;    // NodeInfo::generation, 0: none
    uint64_t pods_version = 0;  // Node::pods_version (terminating pods are not counted)
    int64_t count = 0;
  };
  std::vector<Entry> by_node_;  // indexed by node id
};

class MatchCountCache {
 public:
  // The memo of c's selector in `ns`; the reference stays valid until clear().
  MatchCountMemo& memo(const SpreadConstraint& c, const std::string& ns);
  // Forgets everything when more than `max_selectors` are remembered.
  void trim(size_t max_selectors);

 private:
  std::unordered_map<std::string, MatchCountMemo> memos_;
};

// The value of `key` on the node, or nullptr.
const std::string* label_value(const Labels& labels, const std::string& key);

}  // namespace kubesim::pts_detail
