// pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go
#include "models/scheduler/plugins/taint_toleration.h"

#include "models/scheduler/plugins/resource_scoring.h"

namespace kubesim {
namespace {

constexpr StateKey kPreScoreKey{"PreScoreTaintToleration"};

struct TaintPreScoreState : StateData {
  std::vector<Toleration> tolerations_prefer_no_schedule;
};

// getAllTolerationPreferNoSchedule: tolerations with an empty effect (every
// effect) or PreferNoSchedule.
std::vector<Toleration> prefer_no_schedule_tolerations(const Pod& pod) {
  std::vector<Toleration> out;
  for (const Toleration& t : pod.spec.tolerations) {
    if (!t.effect || *t.effect == TaintEffect::kPreferNoSchedule) out.push_back(t);
  }
  return out;
}

int64_t count_intolerable_prefer_no_schedule(const std::vector<Taint>& taints,
                                             const std::vector<Toleration>& tolerations) {
  int64_t n = 0;
  for (const Taint& taint : taints) {
    if (taint.effect != TaintEffect::kPreferNoSchedule) continue;
    if (!tolerates_any(tolerations, taint)) ++n;
  }
  return n;
}

}  // namespace

std::string untolerated_taint_reason(const Taint& taint) {
  // fmt.Sprintf("node(s) had untolerated taint {%s: %s}", taint.Key, taint.Value)
  return "node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}";
}

TaintToleration::TaintToleration(const PluginArgs&) {}

Status TaintToleration::filter(const CycleState&, const Pod& pod, const NodeInfo& node) const {
  // v1helper.FindMatchingUntoleratedTaint with DoNotScheduleTaintsFilterFunc:
  // the first NoSchedule/NoExecute taint not tolerated.
  for (const Taint& taint : node.node->taints) {
    if (taint.effect != TaintEffect::kNoSchedule && taint.effect != TaintEffect::kNoExecute) {
      continue;
    }
    if (!tolerates_any(pod.spec.tolerations, taint)) {
      return Status::unresolvable(untolerated_taint_reason(taint));
    }
  }
  return {};
}

Status TaintToleration::pre_score(CycleState& state, const Pod& pod, const Snapshot&,
                                  std::span<const NodeInfo* const> feasible) {
  if (feasible.empty()) return {};
  auto s = std::make_unique<TaintPreScoreState>();
  s->tolerations_prefer_no_schedule = prefer_no_schedule_tolerations(pod);
  state.write(kPreScoreKey, std::move(s));
  return {};
}

int64_t TaintToleration::score(const CycleState& state, const Pod& pod,
                               const NodeInfo& node) const {
  const TaintPreScoreState* s = state.read<TaintPreScoreState>(kPreScoreKey);
  if (s)
    return count_intolerable_prefer_no_schedule(node.node->taints,
                                                s->tolerations_prefer_no_schedule);
  return count_intolerable_prefer_no_schedule(node.node->taints,
                                              prefer_no_schedule_tolerations(pod));
}

void TaintToleration::normalize_scores(const CycleState&, const Pod&,
                                       std::vector<int64_t>& scores) const {
  scoring::default_normalize_scores(kMaxNodeScore, /*reverse=*/true, scores);
}

std::unique_ptr<Plugin> make_taint_toleration(const PluginArgs& args) {
  return std::make_unique<TaintToleration>(args);
}

}  // namespace kubesim
