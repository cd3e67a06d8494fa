#include "models/scheduler/profile.h"

namespace kubesim {

std::vector<PluginWeight> default_multi_point_plugins() {
  // pkg/scheduler/apis/config/v1/default_plugins.go getDefaultPlugins (v1.30+),
  // in order, without SchedulingGates, PrioritySort, the volume plugins and
  // DefaultBinder (kubesim has no volumes; binding is the API server's).
  return {{"NodeUnschedulable", 0}, {"NodeName", 0},         {"TaintToleration", 3},
          {"NodeAffinity", 2},      {"NodePorts", 0},        {"NodeResourcesFit", 1},
          {"PodTopologySpread", 2}, {"InterPodAffinity", 2}, {"NodeResourcesBalancedAllocation", 1},
          {"ImageLocality", 1}};
}

Profile default_profile() {
  Profile p;
  p.name = "default";
  p.multi_point = default_multi_point_plugins();
  return p;
}

}  // namespace kubesim
