// PodTopologySpread PreScore, Score and NormalizeScore
// (pkg/scheduler/framework/plugins/podtopologyspread/scoring.go).
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/scheduler/plugins/pod_topology_spread.h"
#include "models/scheduler/plugins/pod_topology_spread_common.h"

namespace kubesim {
namespace {

using pts_detail::SpreadConstraint;

constexpr const char* kPreScoreStateKey = "PreScorePodTopologySpread";
constexpr int64_t kInvalidScore = -1;

// scoring.go preScoreState.
struct PreScoreState : StateData {
  std::vector<SpreadConstraint> constraints;
  // Nodes that miss a topology key; they score 0. Kept by name (as Kubernetes
  // does) and by position among the scored nodes, which NormalizeScore sees.
  std::set<std::string> ignored_nodes;
  std::vector<bool> ignored_by_index;
  // Per constraint: matching pods per topology value (non-hostname keys only;
  // hostname counts are taken per node in Score).
  std::vector<std::map<std::string, int64_t>> topology_value_to_pod_counts;
  std::vector<double> topology_normalizing_weight;
};

// scoring.go topologyNormalizingWeight: log(size + 2), in [1.09, 8.52] for 1..5000 domains.
double topology_normalizing_weight(int64_t size) {
  return std::log(static_cast<double>(size + 2));
}

// scoring.go scoreForCount: maxSkew - 1 waters down differences between domains.
double score_for_count(int64_t cnt, int32_t max_skew, double tp_weight) {
  return static_cast<double>(cnt) * tp_weight + static_cast<double>(max_skew - 1);
}

const std::string& value_or_empty(const Labels& labels, const std::string& key) {
  static const std::string kEmpty;  // Go's zero value for a missing map key
  const std::string* v = pts_detail::label_value(labels, key);
  return v == nullptr ? kEmpty : *v;
}

}  // namespace

Status PodTopologySpread::pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                                    std::span<const NodeInfo* const> feasible) {
  if (snapshot.nodes().empty()) return Status::skipped();  // no need to score
  auto s = std::make_unique<PreScoreState>();
  // Only require that nodes have all the topology labels if using
  // non-system-default spreading rules, so nodes without a zone label still
  // get hostname spreading.
  const bool require_all_topologies =
      !pod.spec.topology_spread_constraints.empty() || !system_defaulted_;

  // scoring.go initPreScoreState.
  s->constraints =
      pts_detail::constraints_for(pod, default_constraints_, WhenUnsatisfiable::kScheduleAnyway);
  if (s->constraints.empty()) return Status::skipped();
  for (pts_detail::SpreadConstraint& c : s->constraints)
    c.memo = &counts_.memo(c, pod.namespace_);
  const size_t n = s->constraints.size();
  s->topology_value_to_pod_counts.resize(n);
  s->ignored_by_index.assign(feasible.size(), false);
  std::vector<int64_t> topo_size(n, 0);
  for (size_t k = 0; k < feasible.size(); ++k) {
    const Node& node = *feasible[k]->node;
    if (require_all_topologies &&
        !pts_detail::node_has_all_topology_keys(node.labels, s->constraints)) {
      s->ignored_nodes.insert(node.name);
      s->ignored_by_index[k] = true;
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      const SpreadConstraint& c = s->constraints[i];
      if (c.topology_key == kLabelHostname) continue;  // per-node counts come in Score
      const std::string& value = value_or_empty(node.labels, c.topology_key);
      if (s->topology_value_to_pod_counts[i].emplace(value, 0).second) ++topo_size[i];
    }
  }
  s->topology_normalizing_weight.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t size = topo_size[i];
    if (s->constraints[i].topology_key == kLabelHostname) {
      size = static_cast<int64_t>(feasible.size()) - static_cast<int64_t>(s->ignored_nodes.size());
    }
    s->topology_normalizing_weight[i] = topology_normalizing_weight(size);
  }

  // Count matching pods on every node of the cluster (not only the feasible
  // ones) into the domains of the feasible nodes.
  for (const NodeInfo& info : snapshot.nodes()) {
    const Node& node = *info.node;
    if (require_all_topologies &&
        !pts_detail::node_has_all_topology_keys(node.labels, s->constraints)) {
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      const SpreadConstraint& c = s->constraints[i];
      if (!pts_detail::matches_node_inclusion_policies(c, pod, node)) continue;
      auto& counts = s->topology_value_to_pod_counts[i];
      auto it = counts.find(value_or_empty(node.labels, c.topology_key));
      if (it == counts.end()) continue;  // no feasible node in this domain
      it->second += pts_detail::count_pods_match_selector(info, c, pod.namespace_);
    }
  }
  state.write(kPreScoreStateKey, std::move(s));
  return {};
}

int64_t PodTopologySpread::score(const CycleState& state, const Pod& pod,
                                 const NodeInfo& info) const {
  const auto* s = state.read<PreScoreState>(kPreScoreStateKey);
  if (s == nullptr) return 0;
  const Node& node = *info.node;
  if (s->ignored_nodes.count(node.name) != 0) return 0;
  // For each present topology pair the node gets a credit of its matching count.
  double score = 0;
  for (size_t i = 0; i < s->constraints.size(); ++i) {
    const SpreadConstraint& c = s->constraints[i];
    const std::string* value = pts_detail::label_value(node.labels, c.topology_key);
    if (value == nullptr) continue;
    int64_t cnt = 0;
    if (c.topology_key == kLabelHostname) {
      cnt = pts_detail::count_pods_match_selector(info, c, pod.namespace_);
    } else {
      const auto& counts = s->topology_value_to_pod_counts[i];
      auto it = counts.find(*value);
      if (it != counts.end()) cnt = it->second;
    }
    score += score_for_count(cnt, c.max_skew, s->topology_normalizing_weight[i]);
  }
  return static_cast<int64_t>(std::round(score));  // math.Round: half away from zero
}

void PodTopologySpread::normalize_scores(const CycleState& state, const Pod& pod,
                                         std::vector<int64_t>& scores) const {
  (void)pod;
  const auto* s = state.read<PreScoreState>(kPreScoreStateKey);
  if (s == nullptr) return;
  // Ignored nodes are recognised by position: scores are parallel to the nodes
  // PreScore was given.
  const bool by_index = s->ignored_by_index.size() == scores.size();
  const auto ignored = [&](size_t i) { return by_index && s->ignored_by_index[i]; };
  int64_t min_score = std::numeric_limits<int64_t>::max();
  int64_t max_score = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (ignored(i)) {
      scores[i] = kInvalidScore;
      continue;
    }
    if (scores[i] < min_score) min_score = scores[i];
    if (scores[i] > max_score) max_score = scores[i];
  }
  for (int64_t& score : scores) {
    if (score == kInvalidScore) {
      score = 0;
      continue;
    }
    if (max_score == 0) {
      score = kMaxNodeScore;
      continue;
    }
    score = kMaxNodeScore * (max_score + min_score - score) / max_score;
  }
}

}  // namespace kubesim
