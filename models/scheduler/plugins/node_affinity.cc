// pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go, matching by
// k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go.
#include "models/scheduler/plugins/node_affinity.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <string>

#include "models/scheduler/plugins/resource_scoring.h"

namespace kubesim {

bool matches_required_node_affinity(const Pod& pod, const Node& node) {
  for (const auto& [k, v] : pod.spec.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return false;
  }
  if (pod.spec.node_affinity.has_required) {
    return matches_any(pod.spec.node_affinity.required, node.labels, node.name);
  }
  return true;
}

int64_t preferred_node_affinity_score(const Pod& pod, const Node& node) {
  int64_t count = 0;
  for (const WeightedNodeSelectorTerm& t : pod.spec.node_affinity.preferred) {
    if (t.weight == 0) continue;
    if (matches(t.term, node.labels, node.name)) count += t.weight;
  }
  return count;
}

NodeAffinityPlugin::NodeAffinityPlugin(const PluginArgs&) {}

Status NodeAffinityPlugin::pre_filter(CycleState&, const Pod& pod, const Snapshot&) {
  const NodeAffinity& na = pod.spec.node_affinity;
  // NodeAffinity Filter has nothing to do with the pod.
  if (!na.has_required && pod.spec.node_selector.empty()) return Status::skipped();
  if (!na.has_required || na.required.empty()) return {};
  // Terms naming nodes by metadata.name In [...]: the union over terms of the
  // per-term intersection. An empty union means the terms conflict.
  // (Kubernetes returns it as a PreFilterResult; the Filter below rejects the
  // other nodes with the same outcome.)
  std::optional<std::set<std::string>> node_names;
  for (const NodeSelectorTerm& t : na.required) {
    std::optional<std::set<std::string>> term_names;
    for (const SelectorRequirement& r : t.match_fields) {
      if (r.key != "metadata.name" || r.op != SelectorOp::kIn) continue;
      std::set<std::string> s(r.values.begin(), r.values.end());
      if (!term_names) {
        term_names = std::move(s);
      } else {
        std::set<std::string> both;
        std::set_intersection(term_names->begin(), term_names->end(), s.begin(), s.end(),
                              std::inserter(both, both.begin()));
        term_names = std::move(both);
      }
    }
    if (!term_names) return {};  // a term without node names: every node is eligible
    if (!node_names) node_names.emplace();
    node_names->insert(term_names->begin(), term_names->end());
  }
  if (node_names && node_names->empty()) {
    return Status::unresolvable(std::string(kReasonConflict));
  }
  return {};
}

Status NodeAffinityPlugin::filter(const CycleState&, const Pod& pod, const NodeInfo& node) const {
  if (!matches_required_node_affinity(pod, *node.node)) {
    return Status::unresolvable(std::string(kReasonPod));
  }
  return {};
}

Status NodeAffinityPlugin::pre_score(CycleState&, const Pod& pod, const Snapshot&,
                                     std::span<const NodeInfo* const>) {
  if (pod.spec.node_affinity.preferred.empty()) return Status::skipped();
  return {};
}

int64_t NodeAffinityPlugin::score(const CycleState&, const Pod& pod, const NodeInfo& node) const {
  return preferred_node_affinity_score(pod, *node.node);
}

void NodeAffinityPlugin::normalize_scores(const CycleState&, const Pod&,
                                          std::vector<int64_t>& scores) const {
  scoring::default_normalize_scores(kMaxNodeScore, /*reverse=*/false, scores);
}

std::unique_ptr<Plugin> make_node_affinity(const PluginArgs& args) {
  return std::make_unique<NodeAffinityPlugin>(args);
}

}  // namespace kubesim
