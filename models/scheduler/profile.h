// A resolved scheduler profile: which plugins run at each extension point,
// with score weights, plugin arguments, and how the host is selected.
#pragma once

#include <string>
#include <vector>

#include "models/scheduler/framework.h"

namespace kubesim {

struct PluginWeight {
  std::string name;
  int32_t weight = 1;
};

// How a node is chosen among the feasible ones.
enum class HostSelection {
  kHighestScore,  // kube-scheduler: weighted score, uniform tie-break
  kFirstFit,      // the first feasible node in node order
  kRandom,        // uniformly random among all feasible nodes
  kRoundRobin,    // the first feasible node after the one chosen last
};

// KubeSchedulerConfiguration's plugin set for one extension point.
struct PluginSet {
  std::vector<PluginWeight> enabled;
  std::vector<std::string> disabled;  // "*" disables every multiPoint plugin here
};

// Plugins as KubeSchedulerConfiguration (v1) lists them: the multiPoint list
// runs each plugin at every extension point it implements; the per-point sets
// then disable some and enable more (weights: the per-point one if given,
// else multiPoint's, else 1). Resolved against the registry when the
// framework is created.
struct Profile {
  std::string name;  // the built-in profile it came from, or "custom"
  std::string scheduler_name = "default-scheduler";
  std::vector<PluginWeight> multi_point;
  PluginSet pre_filter, filter, pre_score, score;
  bool preemption = true;  // PostFilter: DefaultPreemption
  HostSelection selection = HostSelection::kHighestScore;
  int32_t percentage_of_nodes_to_score = 0;  // 0: adaptive
  PluginArgs args;
};

// kube-scheduler's default profile, v1.30-v1.35
// (pkg/scheduler/apis/config/v1/default_plugins.go), without the volume plugins.
Profile default_profile();

// The plugins of the multiPoint list, in order, with weights (default_plugins.go).
std::vector<PluginWeight> default_multi_point_plugins();

}  // namespace kubesim
