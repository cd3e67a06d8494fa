// InterPodAffinity PreScore, Score and NormalizeScore
// (pkg/scheduler/framework/plugins/interpodaffinity/scoring.go).
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "models/scheduler/plugins/inter_pod_affinity.h"
#include "models/scheduler/plugins/inter_pod_affinity_common.h"

namespace kubesim {
namespace {

constexpr StateKey kPreScoreStateKey{"PreScoreInterPodAffinity"};

// scoring.go scoreMap: topology key -> topology value -> summed weight.
using ScoreMap = std::map<std::string, std::map<std::string, int64_t>>;

struct PreScoreState : StateData {
  ScoreMap topology_score;
  bool any_match = false;  // some term matched: Kubernetes' index != -1
};

// scoring.go processTerm: if `target` matches the term (owned by a pod of
// `owner_ns`), add weight * multiplier at the node's value of the topology key.
void process_term(PreScoreState& s, const PodAffinityTerm& term, int32_t weight,
                  const std::string& owner_ns, const Pod& target, const Node& node,
                  int32_t multiplier) {
  if (!ipa_detail::term_matches(term, owner_ns, target)) return;
  auto it = node.labels.find(term.topology_key);
  if (it == node.labels.end()) return;
  s.topology_score[term.topology_key][it->second] += static_cast<int64_t>(weight * multiplier);
  s.any_match = true;
}

void process_terms(PreScoreState& s, const std::vector<WeightedPodAffinityTerm>& terms,
                   const std::string& owner_ns, const Pod& target, const Node& node,
                   int32_t multiplier) {
  for (const WeightedPodAffinityTerm& t : terms) {
    process_term(s, t.term, t.weight, owner_ns, target, node, multiplier);
  }
}

}  // namespace

Status InterPodAffinity::pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                                   std::span<const NodeInfo* const> feasible) {
  if (feasible.empty()) return Status::skipped();
  const bool has_constraints =
      !pod.spec.pod_affinity.preferred.empty() || !pod.spec.pod_anti_affinity.preferred.empty();

  auto s = std::make_unique<PreScoreState>();
  // processExistingPod for each pod of each node. Unless the incoming pod has
  // preferred terms, only pods with (anti-)affinity can contribute.
  const auto process_existing_pod = [&](const Pod& existing, const Node& node) {
    if (node.labels.empty()) return;
    PreScoreState& m = *s;
    // The incoming pod's preferred affinity (+) and anti-affinity (-) terms.
    process_terms(m, pod.spec.pod_affinity.preferred, pod.namespace_, existing, node, 1);
    process_terms(m, pod.spec.pod_anti_affinity.preferred, pod.namespace_, existing, node, -1);
    // Existing pods' required affinity terms the incoming pod matches count
    // with hardPodAffinityWeight.
    if (hard_pod_affinity_weight_ > 0) {
      for (const PodAffinityTerm& t : existing.spec.pod_affinity.required) {
        process_term(m, t, hard_pod_affinity_weight_, existing.namespace_, pod, node, 1);
      }
    }
    // Existing pods' preferred affinity (+) and anti-affinity (-) terms.
    process_terms(m, existing.spec.pod_affinity.preferred, existing.namespace_, pod, node, 1);
    process_terms(m, existing.spec.pod_anti_affinity.preferred, existing.namespace_, pod, node, -1);
  };
  for (const NodeInfo& info : snapshot.nodes()) {
    const std::vector<const Pod*>& pods = has_constraints ? info.pods : info.pods_with_affinity;
    for (const Pod* existing : pods) {
      process_existing_pod(*existing, *info.node);
    }
  }
  if (!s->any_match) return Status::skipped();
  state.write(kPreScoreStateKey, std::move(s));
  return {};
}

int64_t InterPodAffinity::score(const CycleState& state, const Pod& pod,
                                const NodeInfo& info) const {
  (void)pod;
  const auto* s = state.read<PreScoreState>(kPreScoreStateKey);
  if (s == nullptr) return 0;
  // Sum of the weights of the node's topology pairs: positive for affinity,
  // negative for anti-affinity.
  int64_t score = 0;
  for (const auto& [key, values] : s->topology_score) {
    auto label = info.node->labels.find(key);
    if (label == info.node->labels.end()) continue;
    auto it = values.find(label->second);
    if (it != values.end()) score += it->second;
  }
  return score;
}

void InterPodAffinity::normalize_scores(const CycleState& state, const Pod& pod,
                                        std::vector<int64_t>& scores) const {
  (void)pod;
  const auto* s = state.read<PreScoreState>(kPreScoreStateKey);
  if (s == nullptr || s->topology_score.empty()) return;
  int64_t min_count = std::numeric_limits<int64_t>::max();
  int64_t max_count = std::numeric_limits<int64_t>::min();
  for (int64_t score : scores) {
    if (score > max_count) max_count = score;
    if (score < min_count) min_count = score;
  }
  const int64_t max_min_diff = max_count - min_count;
  for (int64_t& score : scores) {
    double f_score = 0;
    if (max_min_diff > 0) {
      f_score = static_cast<double>(kMaxNodeScore) *
                (static_cast<double>(score - min_count) / static_cast<double>(max_min_diff));
    }
    score = static_cast<int64_t>(f_score);  // int64(fScore) truncates
  }
}

}  // namespace kubesim
