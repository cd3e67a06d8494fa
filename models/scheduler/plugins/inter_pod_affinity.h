// InterPodAffinity: kube-scheduler's inter-pod affinity plugin
// (pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring,plugin}.go).
//
// Filter: the pod's required affinity terms must find matching pods in the
// node's topology domain (or, for the first pod of a group, match the pod
// itself); its required anti-affinity terms and the existing pods' required
// anti-affinity terms must find none. Score: sum of preferred term weights in
// both directions (and hardPodAffinityWeight for existing pods' required
// affinity), normalized 100 * (s - min) / (max - min).
//
//   PluginArgs args;  // args.hard_pod_affinity_weight defaults to 1
//   std::unique_ptr<Plugin> p = make_inter_pod_affinity(args);
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

class InterPodAffinity : public Plugin {
 public:
  static constexpr std::string_view kName = "InterPodAffinity";
  static constexpr std::string_view kDescription =
      "pod affinity and anti-affinity: required terms filter, preferred terms score";

  // Reasons, pkg/scheduler/framework/plugins/interpodaffinity/filtering.go.
  static constexpr std::string_view kReasonExistingAntiAffinityRulesNotMatch =
      "node(s) didn't satisfy existing pods anti-affinity rules";
  static constexpr std::string_view kReasonAffinityRulesNotMatch =
      "node(s) didn't match pod affinity rules";
  static constexpr std::string_view kReasonAntiAffinityRulesNotMatch =
      "node(s) didn't match pod anti-affinity rules";

  explicit InterPodAffinity(const PluginArgs& args);

  std::string_view name() const override { return kName; }
  uint32_t extension_points() const override { return kPreFilter | kFilter | kPreScore | kScore; }

  Status pre_filter(CycleState& state, const Pod& pod, const Snapshot& snapshot) override;
  Status filter(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  Status pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                   std::span<const NodeInfo* const> feasible) override;
  int64_t score(const CycleState& state, const Pod& pod, const NodeInfo& node) const override;
  void normalize_scores(const CycleState& state, const Pod& pod,
                        std::vector<int64_t>& scores) const override;

 private:
  int32_t hard_pod_affinity_weight_ = 1;
};

std::unique_ptr<Plugin> make_inter_pod_affinity(const PluginArgs& args);

}  // namespace kubesim
