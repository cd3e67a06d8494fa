// PodTopologySpread PreFilter and Filter
// (pkg/scheduler/framework/plugins/podtopologyspread/filtering.go).
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "models/scheduler/plugins/pod_topology_spread.h"
#include "models/scheduler/plugins/pod_topology_spread_common.h"

namespace kubesim {
namespace {

using pts_detail::SpreadConstraint;

constexpr StateKey kPreFilterStateKey{"PreFilterPodTopologySpread"};

// filtering.go preFilterState: per constraint, matching pods per topology value
// and the global minimum (criticalPaths[0]).
struct PreFilterState : StateData {
  std::vector<SpreadConstraint> constraints;
  std::vector<std::map<std::string, int64_t>> tp_value_to_match_num;
  std::vector<int64_t> min_match_num;  // math.MaxInt32 when there are no domains

  // filtering.go minMatchNum: fewer eligible domains than minDomains means the
  // global minimum is taken as 0.
  int64_t global_min(size_t i) const {
    const auto domains = static_cast<int64_t>(tp_value_to_match_num[i].size());
    return domains < constraints[i].min_domains ? 0 : min_match_num[i];
  }
};

}  // namespace

Status PodTopologySpread::pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) {
  // filtering.go calPreFilterState.
  auto s = std::make_unique<PreFilterState>();
  s->constraints =
      pts_detail::constraints_for(pod, default_constraints_, WhenUnsatisfiable::kDoNotSchedule);
  counts_.trim(kMaxRememberedSelectors);  // at a cycle's start: no memo is in use
  if (s->constraints.empty()) return Status::skipped();
  for (pts_detail::SpreadConstraint& c : s->constraints)
    c.memo = &counts_.memo(c, pod.namespace_);
  const size_t n = s->constraints.size();
  s->tp_value_to_match_num.resize(n);
  for (const NodeInfo& info : snapshot.nodes()) {
    const Node& node = *info.node;
    // Only nodes that carry every topology key form domains.
    if (!pts_detail::node_has_all_topology_keys(node.labels, s->constraints)) continue;
    for (size_t i = 0; i < n; ++i) {
      const SpreadConstraint& c = s->constraints[i];
      if (!pts_detail::matches_node_inclusion_policies(c, pod, node)) continue;
      const std::string& value = node.labels.at(c.topology_key);
      s->tp_value_to_match_num[i][value] +=
          pts_detail::count_pods_match_selector(info, c, pod.namespace_);
    }
  }
  // criticalPaths: newCriticalPaths starts at math.MaxInt32; after every domain
  // is offered, paths[0] holds the minimum.
  s->min_match_num.assign(n, std::numeric_limits<int32_t>::max());
  for (size_t i = 0; i < n; ++i) {
    for (const auto& [value, num] : s->tp_value_to_match_num[i]) {
      if (num < s->min_match_num[i]) s->min_match_num[i] = num;
    }
  }
  state.write(kPreFilterStateKey, std::move(s));
  return {};
}

Status PodTopologySpread::filter(const CycleState& state, const Pod& pod,
                                 const NodeInfo& info) const {
  const auto* s = state.read<PreFilterState>(kPreFilterStateKey);
  if (s == nullptr) {
    return Status::error("reading \"PreFilterPodTopologySpread\" from cycleState: not found");
  }
  if (s->constraints.empty()) return {};
  const Node& node = *info.node;
  for (size_t i = 0; i < s->constraints.size(); ++i) {
    const SpreadConstraint& c = s->constraints[i];
    const std::string* value = pts_detail::label_value(node.labels, c.topology_key);
    if (value == nullptr) return Status::unresolvable(std::string(kReasonNodeLabelNotMatch));
    // 'existing matching num' + 'if self-match (1 or 0)' - 'global minimum' <= 'maxSkew'
    const int64_t min_match = s->global_min(i);
    const int64_t self_match = c.selects(pod.labels) ? 1 : 0;
    const auto& counts = s->tp_value_to_match_num[i];
    auto it = counts.find(*value);
    const int64_t match_num = it == counts.end() ? 0 : it->second;
    const int64_t skew = match_num + self_match - min_match;
    if (skew > c.max_skew) return Status::unschedulable(std::string(kReasonConstraintsNotMatch));
  }
  return {};
}

}  // namespace kubesim
