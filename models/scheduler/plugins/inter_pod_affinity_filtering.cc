// InterPodAffinity PreFilter and Filter
// (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go).
#include <cstdint>
#include <map>
#include <string>

#include "models/scheduler/plugins/inter_pod_affinity.h"
#include "models/scheduler/plugins/inter_pod_affinity_common.h"

namespace kubesim {
namespace {

using ipa_detail::TopologyPair;
using TopologyCounts = std::map<TopologyPair, int64_t>;  // topologyToMatchedTermCount

constexpr StateKey kPreFilterStateKey{"PreFilterInterPodAffinity"};

// filtering.go preFilterState.
struct PreFilterState : StateData {
  // Topology pairs -> existing pods whose required anti-affinity terms match the pod.
  TopologyCounts existing_anti_affinity_counts;
  // Topology pairs -> existing pods matching all of the pod's required affinity terms.
  TopologyCounts affinity_counts;
  // Topology pairs -> existing pods matching the pod's required anti-affinity terms.
  TopologyCounts anti_affinity_counts;
};

// topologyToMatchedTermCount.update: count at the node's value of the key, if it has one.
void add(TopologyCounts& m, const Node& node, const std::string& key, int64_t value) {
  auto it = node.labels.find(key);
  if (it == node.labels.end()) return;
  m[TopologyPair{key, it->second}] += value;
}

int64_t count_of(const TopologyCounts& m, const std::string& key, const std::string& value) {
  auto it = m.find(TopologyPair{key, value});
  return it == m.end() ? 0 : it->second;
}

// satisfyPodAffinity.
bool satisfies_pod_affinity(const PreFilterState& s, const Pod& pod, const Node& node) {
  bool pods_exist = true;
  for (const PodAffinityTerm& term : pod.spec.pod_affinity.required) {
    auto it = node.labels.find(term.topology_key);
    if (it == node.labels.end()) return false;  // all topology labels must exist on the node
    if (count_of(s.affinity_counts, term.topology_key, it->second) <= 0) pods_exist = false;
  }
  if (!pods_exist) {
    // This pod may be the first of a series that have affinity to themselves:
    // when no pod in the cluster matches the terms but the pod matches its own
    // terms, let it pass so the group does not stay Pending forever.
    return s.affinity_counts.empty() &&
           ipa_detail::matches_all_terms(pod.spec.pod_affinity.required, pod, pod);
  }
  return true;
}

// satisfyPodAntiAffinity.
bool satisfies_pod_anti_affinity(const PreFilterState& s, const Pod& pod, const Node& node) {
  if (s.anti_affinity_counts.empty()) return true;
  for (const PodAffinityTerm& term : pod.spec.pod_anti_affinity.required) {
    auto it = node.labels.find(term.topology_key);
    if (it == node.labels.end()) continue;
    if (count_of(s.anti_affinity_counts, term.topology_key, it->second) > 0) return false;
  }
  return true;
}

// satisfyExistingPodsAntiAffinity.
bool satisfies_existing_pods_anti_affinity(const PreFilterState& s, const Node& node) {
  if (s.existing_anti_affinity_counts.empty()) return true;
  for (const auto& [key, value] : node.labels) {
    if (count_of(s.existing_anti_affinity_counts, key, value) > 0) return false;
  }
  return true;
}

}  // namespace

Status InterPodAffinity::pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) {
  auto s = std::make_unique<PreFilterState>();
  const auto& affinity_terms = pod.spec.pod_affinity.required;
  const auto& anti_affinity_terms = pod.spec.pod_anti_affinity.required;

  // getExistingAntiAffinityCounts: only nodes with pods that have required
  // anti-affinity (Snapshot::have_pods_with_required_anti_affinity, without
  // building the list).
  for (const NodeInfo& info : snapshot.nodes()) {
    for (const Pod* existing : info.pods_with_required_anti_affinity) {
      for (const PodAffinityTerm& t : existing->spec.pod_anti_affinity.required) {
        if (ipa_detail::term_matches(t, existing->namespace_, pod)) {
          add(s->existing_anti_affinity_counts, *info.node, t.topology_key, 1);
        }
      }
    }
  }

  // getIncomingAffinityAntiAffinityCounts.
  if (!affinity_terms.empty() || !anti_affinity_terms.empty()) {
    for (const NodeInfo& info : snapshot.nodes()) {
      for (const Pod* existing : info.pods) {
        // Affinity counts only when the existing pod matches ALL the terms.
        if (ipa_detail::matches_all_terms(affinity_terms, pod, *existing)) {
          for (const PodAffinityTerm& t : affinity_terms) {
            add(s->affinity_counts, *info.node, t.topology_key, 1);
          }
        }
        // Anti-affinity counts per matching term.
        for (const PodAffinityTerm& t : anti_affinity_terms) {
          if (ipa_detail::term_matches(t, pod.namespace_, *existing)) {
            add(s->anti_affinity_counts, *info.node, t.topology_key, 1);
          }
        }
      }
    }
  }

  if (s->existing_anti_affinity_counts.empty() && affinity_terms.empty() &&
      anti_affinity_terms.empty()) {
    return Status::skipped();
  }
  state.write(kPreFilterStateKey, std::move(s));
  return {};
}

Status InterPodAffinity::filter(const CycleState& state, const Pod& pod,
                                const NodeInfo& info) const {
  const auto* s = state.read<PreFilterState>(kPreFilterStateKey);
  if (s == nullptr) {
    return Status::error("error reading \"PreFilterInterPodAffinity\" from cycleState: not found");
  }
  const Node& node = *info.node;
  if (!satisfies_pod_affinity(*s, pod, node)) {
    return Status::unresolvable(std::string(kReasonAffinityRulesNotMatch));
  }
  if (!satisfies_pod_anti_affinity(*s, pod, node)) {
    return Status::unschedulable(std::string(kReasonAntiAffinityRulesNotMatch));
  }
  if (!satisfies_existing_pods_anti_affinity(*s, node)) {
    return Status::unschedulable(std::string(kReasonExistingAntiAffinityRulesNotMatch));
  }
  return {};
}

}  // namespace kubesim
