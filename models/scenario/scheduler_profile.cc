#include "models/scenario/scheduler_profile.h"

#include <algorithm>

namespace kubesim {
namespace {

PluginSet to_plugin_set(const PluginSetSpec& spec) {
  PluginSet set;
  for (const PluginRef& r : spec.enabled)
    set.enabled.push_back({r.name, r.weight.value_or(0)});
  set.disabled = spec.disabled;
  return set;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

Expected<Profile> resolve_scheduler_profile(const SchedulerConfig& config,
                                            const ProfileRegistry& profiles,
                                            const std::string& override_name,
                                            const std::string& scheduler_name) {
  const std::string name = !override_name.empty() ? override_name : config.profile;
  if (!name.empty() || config.profiles.empty()) {
    const ProfileEntry* entry = profiles.find(name.empty() ? "default" : name);
    if (entry == nullptr) {
      return Error{"unknown scheduler profile \"" + name + "\" (profiles: " + profiles.names() +
                   ")"};
    }
    Profile p = entry->make();
    if (config.percentage_of_nodes_to_score != 0) {
      p.percentage_of_nodes_to_score = config.percentage_of_nodes_to_score;
    }
    return p;
  }
  // pkg/scheduler/apis/config/v1/default_plugins.go mergePlugins: the
  // user's multiPoint set is merged over the default multiPoint plugins;
  // "*" in disabled drops every default.
  auto it = std::find_if(config.profiles.begin(), config.profiles.end(),
                         [&](const ProfileSpec& p) { return p.scheduler_name == scheduler_name; });
  if (it == config.profiles.end()) {
    return Error{"no scheduler profile has schedulerName \"" + scheduler_name + "\""};
  }
  const ProfileSpec& spec = *it;
  Profile p = default_profile();
  p.name = "custom";
  p.scheduler_name = spec.scheduler_name;
  p.args = spec.args;
  p.percentage_of_nodes_to_score = spec.percentage_of_nodes_to_score != 0
                                       ? spec.percentage_of_nodes_to_score
                                       : config.percentage_of_nodes_to_score;
  if (contains(spec.multi_point.disabled, "*")) {
    p.multi_point.clear();
  } else {
    std::erase_if(p.multi_point, [&](const PluginWeight& w) {
      return contains(spec.multi_point.disabled, w.name);
    });
  }
  for (const PluginRef& r : spec.multi_point.enabled) {
    auto it = std::find_if(p.multi_point.begin(), p.multi_point.end(),
                           [&](const PluginWeight& w) { return w.name == r.name; });
    if (it != p.multi_point.end()) {
      if (r.weight) it->weight = *r.weight;
    } else {
      p.multi_point.push_back({r.name, r.weight.value_or(0)});
    }
  }
  p.pre_filter = to_plugin_set(spec.pre_filter);
  p.filter = to_plugin_set(spec.filter);
  p.pre_score = to_plugin_set(spec.pre_score);
  p.score = to_plugin_set(spec.score);
  if (contains(spec.post_filter.disabled, "*") ||
      contains(spec.post_filter.disabled, "DefaultPreemption")) {
    p.preemption = false;
  }
  return p;
}

}  // namespace kubesim
