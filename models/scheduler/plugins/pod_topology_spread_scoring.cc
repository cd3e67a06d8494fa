// PodTopologySpread PreScore, Score and NormalizeScore
// (pkg/scheduler/framework/plugins/podtopologyspread/scoring.go).
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/scheduler/plugins/pod_topology_spread.h"
#include "models/scheduler/plugins/pod_topology_spread_common.h"

namespace kubesim {
namespace {

using pts_detail::SpreadConstraint;

constexpr StateKey kPreScoreStateKey{"PreScorePodTopologySpread"};
constexpr int64_t kInvalidScore = -1;

// Score's view of a node's value of a constraint's topology key.
constexpr int32_t kNotLookedUp = -3;  // Score looks the label up itself
constexpr int32_t kNoLabel = -2;      // the node does not have the key
constexpr int32_t kNoDomain = -1;     // a value no scored node has (or a hostname)

// What PreScore learns about one constraint's topology domains.
struct ConstraintDomains {
  bool is_hostname = false;  // the key is kubernetes.io/hostname
  // Whether matches_node_inclusion_policies can exclude any node for this pod.
  bool may_exclude_nodes = true;
  // The topology values of the scored nodes (domains), numbered in the order
  // first seen, and the matching pods per domain (non-hostname keys only;
  // hostname counts are taken per node in Score).
  std::unordered_map<std::string, int32_t> domain_of_value;
  std::vector<int64_t> counts;
  double normalizing_weight = 0;
  // Per snapshot node (NodeInfo::index): kNotLookedUp, kNoLabel, kNoDomain or
  // the node's domain, so that Score looks no label up.
  std::vector<int32_t> node_domain;

  // The domain of `value` (a node's value of the key), or kNoDomain.
  int32_t domain(const std::string& value) const {
    if (is_hostname) return kNoDomain;
    auto it = domain_of_value.find(value);
    return it == domain_of_value.end() ? kNoDomain : it->second;
  }
};

// scoring.go preScoreState.
struct PreScoreState : StateData {
  std::vector<SpreadConstraint> constraints;
  std::vector<ConstraintDomains> domains;  // parallel to constraints
  // Nodes that miss a topology key; they score 0. Kept by name (as Kubernetes
  // does) and by position among the scored nodes, which NormalizeScore sees.
  std::set<std::string> ignored_nodes;
  std::vector<bool> ignored_by_index;
  const NodeInfo* snapshot_nodes = nullptr;  // the snapshot PreScore saw
  size_t num_snapshot_nodes = 0;

  // Whether node_domain describes `info`: a node of that snapshot, at its index.
  bool indexed(const NodeInfo& info) const {
    return info.index >= 0 && static_cast<size_t>(info.index) < num_snapshot_nodes &&
           snapshot_nodes + info.index == &info;
  }
};

// scoring.go topologyNormalizingWeight: log(size + 2), in [1.09, 8.52] for 1..5000 domains.
double topology_normalizing_weight(int64_t size) {
  return std::log(static_cast<double>(size + 2));
}

// scoring.go scoreForCount: maxSkew - 1 waters down differences between domains.
double score_for_count(int64_t cnt, int32_t max_skew, double tp_weight) {
  return static_cast<double>(cnt) * tp_weight + static_cast<double>(max_skew - 1);
}

// A node's value of a key, "" (Go's zero value for a missing map key) when absent.
const std::string& value_or_empty(const std::string* value) {
  static const std::string kEmpty;
  return value == nullptr ? kEmpty : *value;
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
  const size_t n = s->constraints.size();
  const std::vector<NodeInfo>& nodes = snapshot.nodes();
  s->domains.resize(n);
  for (size_t i = 0; i < n; ++i) {
    SpreadConstraint& c = s->constraints[i];
    c.memo = &counts_.memo(c, pod.namespace_);
    s->domains[i].is_hostname = c.topology_key == kLabelHostname;
    s->domains[i].may_exclude_nodes = pts_detail::inclusion_policies_may_exclude(c, pod);
    s->domains[i].node_domain.assign(nodes.size(), kNotLookedUp);
  }
  s->snapshot_nodes = nodes.data();
  s->num_snapshot_nodes = nodes.size();

  // Each node's value of each topology key (nullptr: the node does not have
  // it), looked up once. Unless every node needs every key, a hostname
  // matters only on the scored nodes (for Score): other nodes' hostnames are
  // not looked up.
  std::vector<uint8_t> scored(nodes.size(), 0);
  for (const NodeInfo* info : feasible) {
    if (s->indexed(*info)) scored[static_cast<size_t>(info->index)] = 1;
  }
  std::vector<const std::string*> values(nodes.size() * n, nullptr);
  for (size_t j = 0; j < nodes.size(); ++j) {
    const bool every_key = require_all_topologies || scored[j] != 0;
    for (size_t i = 0; i < n; ++i) {
      if (s->domains[i].is_hostname && !every_key) continue;
      values[j * n + i] =
          pts_detail::label_value(nodes[j].node->labels, s->constraints[i].topology_key);
    }
  }
  const auto value_of = [&](const NodeInfo& info, size_t i) {
    return s->indexed(info)
               ? values[static_cast<size_t>(info.index) * n + i]
               : pts_detail::label_value(info.node->labels, s->constraints[i].topology_key);
  };
  const auto has_all_keys = [&](const NodeInfo& info) {  // node_has_all_topology_keys
    for (size_t i = 0; i < n; ++i) {
      if (value_of(info, i) == nullptr) return false;
    }
    return true;
  };

  // The domains are the topology values of the scored nodes.
  s->ignored_by_index.assign(feasible.size(), false);
  for (size_t k = 0; k < feasible.size(); ++k) {
    const NodeInfo& info = *feasible[k];
    if (require_all_topologies && !has_all_keys(info)) {
      s->ignored_nodes.insert(info.node->name);
      s->ignored_by_index[k] = true;
      continue;
    }
    for (size_t i = 0; i < n; ++i) {
      ConstraintDomains& d = s->domains[i];
      if (d.is_hostname) continue;  // per-node counts come in Score
      const auto next = static_cast<int32_t>(d.counts.size());
      if (d.domain_of_value.try_emplace(value_or_empty(value_of(info, i)), next).second) {
        d.counts.push_back(0);
      }
    }
  }
  for (ConstraintDomains& d : s->domains) {
    auto size = static_cast<int64_t>(d.counts.size());
    if (d.is_hostname) {
      size = static_cast<int64_t>(feasible.size()) - static_cast<int64_t>(s->ignored_nodes.size());
    }
    d.normalizing_weight = topology_normalizing_weight(size);
  }

  // Count matching pods on every node of the cluster (not only the feasible
  // ones) into the domains of the feasible nodes, and note each node's domain
  // for Score. Hostname keys have no domains here (their counts come in
  // Score), so they count nothing.
  for (size_t j = 0; j < nodes.size(); ++j) {
    const NodeInfo& info = nodes[j];
    const bool every_key = require_all_topologies || scored[j] != 0;
    bool has_all = true;  // every value is looked up when it matters
    for (size_t i = 0; i < n; ++i) {
      ConstraintDomains& d = s->domains[i];
      if (d.is_hostname && !every_key) continue;
      const std::string* value = values[j * n + i];
      if (value == nullptr) has_all = false;
      d.node_domain[j] = value ? d.domain(*value) : kNoLabel;
    }
    if (require_all_topologies && !has_all) continue;
    for (size_t i = 0; i < n; ++i) {
      ConstraintDomains& d = s->domains[i];
      if (d.is_hostname) continue;
      const SpreadConstraint& c = s->constraints[i];
      if (d.may_exclude_nodes && !pts_detail::matches_node_inclusion_policies(c, pod, *info.node))
        continue;
      // A node without the key counts into the "" domain, if a scored node has it.
      const std::string* value = values[j * n + i];
      const int32_t domain = value ? d.node_domain[j] : d.domain(value_or_empty(value));
      if (domain < 0) continue;  // no feasible node in this domain
      d.counts[static_cast<size_t>(domain)] +=
          pts_detail::count_pods_match_selector(info, c, pod.namespace_);
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
  if (!s->ignored_nodes.empty() && s->ignored_nodes.count(node.name) != 0) return 0;
  const bool indexed = s->indexed(info);
  // For each present topology pair the node gets a credit of its matching count.
  double score = 0;
  for (size_t i = 0; i < s->constraints.size(); ++i) {
    const SpreadConstraint& c = s->constraints[i];
    const ConstraintDomains& d = s->domains[i];
    int32_t domain = indexed ? d.node_domain[static_cast<size_t>(info.index)] : kNotLookedUp;
    if (domain == kNotLookedUp) {
      const std::string* value = pts_detail::label_value(node.labels, c.topology_key);
      domain = value ? d.domain(*value) : kNoLabel;
    }
    if (domain == kNoLabel) continue;
    int64_t cnt = 0;
    if (d.is_hostname) {
      cnt = pts_detail::count_pods_match_selector(info, c, pod.namespace_);
    } else if (domain >= 0) {
      cnt = d.counts[static_cast<size_t>(domain)];
    }
    score += score_for_count(cnt, c.max_skew, d.normalizing_weight);
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
