#include "models/scenario/scheduler_config_parser.h"

#include <algorithm>
#include <set>

#include "models/scenario/pod_spec_parser.h"
#include "models/scheduler/registry.h"

namespace kubesim::scenario_detail {
namespace {

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// kube-scheduler's in-tree plugins (pkg/scheduler/framework/plugins/names/names.go).
const std::vector<std::string>& known_plugins() {
  static const std::vector<std::string> kNames = {
      "PrioritySort",      "DefaultBinder",
      "DefaultPreemption", "DynamicResources",
      "ImageLocality",     "InterPodAffinity",
      "NodeAffinity",      "NodeName",
      "NodePorts",         "NodeResourcesBalancedAllocation",
      "NodeResourcesFit",  "NodeUnschedulable",
      "NodeVolumeLimits",  "PodTopologySpread",
      "SchedulingGates",   "TaintToleration",
      "VolumeBinding",     "VolumeRestrictions",
      "VolumeZone",        "EBSLimits",
      "GCEPDLimits",       "AzureDiskLimits",
      "CinderLimits"};
  return kNames;
}

bool check_plugin_name(YamlReader& r, const YAML::Node& at, const std::string& path,
                       const std::string& name, bool star_allowed) {
  if (star_allowed && name == "*") return true;
  const auto& names = known_plugins();
  if (std::find(names.begin(), names.end(), name) != names.end()) return true;
  std::string hint = closest(name, names);
  r.error(
      at, path,
      "unknown plugin \"" + name + "\"" + (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
  return false;
}

PluginSetSpec parse_plugin_set(YamlReader& r, const YAML::Node& n, const std::string& path) {
  PluginSetSpec set;
  if (!n.IsDefined() || n.IsNull() || !r.check_keys(n, path, {"enabled", "disabled"})) return set;
  for (const char* list : {"enabled", "disabled"}) {
    YAML::Node items = child(n, list);
    const std::string lp = join(path, list);
    if (!items.IsDefined() || items.IsNull() || !r.expect_seq(items, lp)) continue;
    const bool enabled = std::string(list) == "enabled";
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string p = index(lp, i);
      if (enabled ? !r.check_keys(items[i], p, {"name", "weight"})
                  : !r.check_keys(items[i], p, {"name"})) {
        continue;
      }
      if (!r.require(items[i], p, "name")) continue;
      auto name = r.get_string(items[i], p, "name");
      if (!name ||
          !check_plugin_name(r, child(items[i], "name"), join(p, "name"), *name, !enabled)) {
        continue;
      }
      if (!enabled) {
        set.disabled.push_back(*name);
        continue;
      }
      PluginRef ref{*name, r.get_int32(items[i], p, "weight")};
      if (ref.weight && (*ref.weight < 1 || *ref.weight > 100)) {
        r.error(child(items[i], "weight"), join(p, "weight"), "must be in the range 1-100");
      }
      set.enabled.push_back(ref);
    }
  }
  return set;
}

std::vector<ResourceWeight> parse_resource_weights(YamlReader& r, const YAML::Node& n,
                                                   const std::string& path) {
  std::vector<ResourceWeight> out;
  if (!r.expect_seq(n, path)) return out;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = index(path, i);
    if (!r.check_keys(n[i], p, {"name", "weight"})) continue;
    ResourceWeight w;
    if (r.require(n[i], p, "name")) w.name = r.get_string(n[i], p, "name").value_or("");
    if (auto v = r.get_int64(n[i], p, "weight")) w.weight = *v;
    if (w.weight < 1 || w.weight > 100) {
      r.error(child(n[i], "weight"), join(p, "weight"), "must be in the range 1-100");
    }
    out.push_back(w);
  }
  return out;
}

void parse_fit_args(YamlReader& r, const YAML::Node& args, const std::string& path,
                    PluginArgs& out) {
  if (!r.check_keys(args, path, {"apiVersion", "kind", "scoringStrategy"},
                    {"ignoredResources", "ignoredResourceGroups"})) {
    return;
  }
  YAML::Node ss = child(args, "scoringStrategy");
  const std::string sp = join(path, "scoringStrategy");
  if (!ss.IsDefined() || ss.IsNull() ||
      !r.check_keys(ss, sp, {"type", "resources", "requestedToCapacityRatio"})) {
    return;
  }
  if (auto t = r.get_enum(ss, sp, "type",
                          {"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"})) {
    out.fit_strategy = *t == "LeastAllocated"  ? ScoringStrategy::kLeastAllocated
                       : *t == "MostAllocated" ? ScoringStrategy::kMostAllocated
                                               : ScoringStrategy::kRequestedToCapacityRatio;
  }
  if (r.has(ss, "resources")) {
    out.fit_resources = parse_resource_weights(r, child(ss, "resources"), join(sp, "resources"));
  }
  YAML::Node rtc = child(ss, "requestedToCapacityRatio");
  const std::string rp = join(sp, "requestedToCapacityRatio");
  bool is_rtc = out.fit_strategy == ScoringStrategy::kRequestedToCapacityRatio;
  if (rtc.IsDefined() && !rtc.IsNull()) {
    if (!is_rtc) {
      r.error(rtc, rp, "only for type RequestedToCapacityRatio");
    } else if (r.check_keys(rtc, rp, {"shape"}) && r.require(rtc, rp, "shape") &&
               r.expect_seq(child(rtc, "shape"), join(rp, "shape"))) {
      // validation_pluginargs.go validateFunctionShape: utilization 0..100 increasing,
      // score 0..10 (MaxCustomPriorityScore).
      YAML::Node shape = child(rtc, "shape");
      for (size_t i = 0; i < shape.size(); ++i) {
        const std::string p = index(join(rp, "shape"), i);
        if (!r.check_keys(shape[i], p, {"utilization", "score"})) continue;
        ShapePoint pt;
        if (r.require(shape[i], p, "utilization")) {
          pt.utilization = r.get_int32(shape[i], p, "utilization").value_or(0);
        }
        if (r.require(shape[i], p, "score"))
          pt.score = r.get_int32(shape[i], p, "score").value_or(0);
        if (pt.utilization < 0 || pt.utilization > 100) {
          r.error(child(shape[i], "utilization"), join(p, "utilization"),
                  "must be in the range 0-100");
        } else if (!out.fit_shape.empty() && pt.utilization <= out.fit_shape.back().utilization) {
          r.error(child(shape[i], "utilization"), join(p, "utilization"),
                  "utilization values must be sorted in increasing order");
        }
        if (pt.score < 0 || pt.score > 10) {
          r.error(child(shape[i], "score"), join(p, "score"), "must be in the range 0-10");
        }
        out.fit_shape.push_back(pt);
      }
      if (shape.size() == 0)
        r.error(shape, join(rp, "shape"), "at least one point must be specified");
    }
  }
  if (is_rtc && out.fit_shape.empty() && !(rtc.IsDefined() && !rtc.IsNull())) {
    r.error(ss, rp, "RequestedToCapacityRatio needs requestedToCapacityRatio.shape");
  }
}

void parse_plugin_config(YamlReader& r, const YAML::Node& n, const std::string& path,
                         PluginArgs& out) {
  if (!r.expect_seq(n, path)) return;
  std::set<std::string> seen;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = index(path, i);
    if (!r.check_keys(n[i], p, {"name", "args"}) || !r.require(n[i], p, "name")) continue;
    auto name = r.get_string(n[i], p, "name");
    if (!name) continue;
    if (!seen.insert(*name).second) {
      r.error(child(n[i], "name"), join(p, "name"), "duplicate pluginConfig for \"" + *name + "\"");
      continue;
    }
    YAML::Node args = child(n[i], "args");
    const std::string ap = join(p, "args");
    if (!args.IsDefined() || args.IsNull()) continue;
    if (*name == "NodeResourcesFit") {
      parse_fit_args(r, args, ap, out);
    } else if (*name == "NodeResourcesBalancedAllocation") {
      if (r.check_keys(args, ap, {"apiVersion", "kind", "resources"}) && r.has(args, "resources")) {
        out.balanced_resources =
            parse_resource_weights(r, child(args, "resources"), join(ap, "resources"));
      }
    } else if (*name == "PodTopologySpread") {
      if (!r.check_keys(args, ap, {"apiVersion", "kind", "defaultConstraints", "defaultingType"})) {
        continue;
      }
      if (auto t = r.get_enum(args, ap, "defaultingType", {"System", "List"})) {
        out.spread_system_defaulting = *t == "System";
      }
      YAML::Node dc = child(args, "defaultConstraints");
      const std::string dp = join(ap, "defaultConstraints");
      if (dc.IsDefined() && !dc.IsNull() && r.expect_seq(dc, dp)) {
        for (size_t j = 0; j < dc.size(); ++j) {
          out.spread_default_constraints.push_back(
              parse_spread_constraint(r, dc[j], index(dp, j), /*selector_allowed=*/false));
        }
        if (dc.size() > 0 && out.spread_system_defaulting) {
          r.error(dc, dp, "when .defaultingType is \"System\", .defaultConstraints must be empty");
        }
      }
    } else if (*name == "InterPodAffinity") {
      if (r.check_keys(args, ap, {"apiVersion", "kind", "hardPodAffinityWeight"},
                       {"ignorePreferredTermsOfExistingPods"})) {
        if (auto w = r.get_int32(args, ap, "hardPodAffinityWeight")) {
          out.hard_pod_affinity_weight = *w;
          if (*w < 0 || *w > 100) {
            r.error(child(args, "hardPodAffinityWeight"), join(ap, "hardPodAffinityWeight"),
                    "must be in the range 0-100");
          }
        }
      }
    } else if (*name == "DefaultPreemption") {
      r.check_keys(args, ap, {"apiVersion", "kind"},
                   {"minCandidateNodesPercentage", "minCandidateNodesAbsolute"});
    } else if (*name == "VolumeBinding") {
      r.check_keys(args, ap, {"apiVersion", "kind"}, {"bindTimeoutSeconds", "shape"});
    } else if (check_plugin_name(r, child(n[i], "name"), join(p, "name"), *name, false)) {
      r.error(args, ap, "kubesim does not support arguments for plugin \"" + *name + "\"");
    }
  }
}

ProfileSpec parse_profile(YamlReader& r, const YAML::Node& n, const std::string& path) {
  ProfileSpec p;
  if (!r.check_keys(n, path,
                    {"schedulerName", "plugins", "pluginConfig", "percentageOfNodesToScore"})) {
    return p;
  }
  if (auto v = r.get_string(n, path, "schedulerName")) p.scheduler_name = *v;
  YAML::Node plugins = child(n, "plugins");
  const std::string pp = join(path, "plugins");
  if (plugins.IsDefined() && !plugins.IsNull() &&
      r.check_keys(
          plugins, pp, {"multiPoint", "preFilter", "filter", "postFilter", "preScore", "score"},
          {"queueSort", "preEnqueue", "reserve", "permit", "preBind", "bind", "postBind"})) {
    p.multi_point = parse_plugin_set(r, child(plugins, "multiPoint"), join(pp, "multiPoint"));
    p.pre_filter = parse_plugin_set(r, child(plugins, "preFilter"), join(pp, "preFilter"));
    p.filter = parse_plugin_set(r, child(plugins, "filter"), join(pp, "filter"));
    p.post_filter = parse_plugin_set(r, child(plugins, "postFilter"), join(pp, "postFilter"));
    p.pre_score = parse_plugin_set(r, child(plugins, "preScore"), join(pp, "preScore"));
    p.score = parse_plugin_set(r, child(plugins, "score"), join(pp, "score"));
  }
  if (r.has(n, "pluginConfig")) {
    parse_plugin_config(r, child(n, "pluginConfig"), join(path, "pluginConfig"), p.args);
  }
  if (auto v = r.get_int32(n, path, "percentageOfNodesToScore")) {
    p.percentage_of_nodes_to_score = *v;
    if (*v < 0 || *v > 100) {
      r.error(child(n, "percentageOfNodesToScore"), join(path, "percentageOfNodesToScore"),
              "must be in the range 0-100");
    }
  }
  return p;
}

}  // namespace

SchedulerConfig parse_scheduler_config(YamlReader& r, const YAML::Node& n,
                                       const std::string& path) {
  SchedulerConfig c;
  if (!r.check_keys(n, path,
                    {"profile", "profiles", "percentageOfNodesToScore", "podInitialBackoffSeconds",
                     "podMaxBackoffSeconds", "apiVersion", "kind"},
                    {"parallelism", "leaderElection", "clientConnection", "healthzBindAddress",
                     "metricsBindAddress", "enableProfiling", "enableContentionProfiling",
                     "extenders", "delayCacheUntilActive"})) {
    return c;
  }
  if (auto v = r.get_string(n, path, "apiVersion"); v && *v != "kubescheduler.config.k8s.io/v1") {
    r.error(child(n, "apiVersion"), join(path, "apiVersion"),
            "expected kubescheduler.config.k8s.io/v1, got \"" + *v + "\"");
  }
  if (auto v = r.get_string(n, path, "kind"); v && *v != "KubeSchedulerConfiguration") {
    r.error(child(n, "kind"), join(path, "kind"),
            "expected KubeSchedulerConfiguration, got \"" + *v + "\"");
  }
  if (auto v = r.get_string(n, path, "profile")) {
    ProfileRegistry registry;
    register_builtin_profiles(registry);
    if (registry.find(*v) == nullptr) {
      std::vector<std::string> names;
      for (const ProfileEntry& e : registry.entries())
        names.push_back(e.name);
      std::string hint = closest(*v, names);
      r.error(child(n, "profile"), join(path, "profile"),
              "unknown profile \"" + *v + "\"" +
                  (hint.empty() ? "; known profiles: " + registry.names()
                                : "; did you mean \"" + hint + "\"?"));
    } else {
      c.profile = *v;
    }
  }
  YAML::Node profiles = child(n, "profiles");
  const std::string pp = join(path, "profiles");
  if (profiles.IsDefined() && !profiles.IsNull()) {
    if (r.has(n, "profile")) {
      r.error(profiles, pp, "give either `profile` or `profiles`, not both");
    } else if (r.expect_seq(profiles, pp)) {
      std::set<std::string> names;
      for (size_t i = 0; i < profiles.size(); ++i) {
        c.profiles.push_back(parse_profile(r, profiles[i], index(pp, i)));
        if (!names.insert(c.profiles.back().scheduler_name).second) {
          YAML::Node at = child(profiles[i], "schedulerName");
          r.error(at.IsDefined() ? at : profiles[i], join(index(pp, i), "schedulerName"),
                  "duplicate schedulerName \"" + c.profiles.back().scheduler_name + "\"");
        }
      }
    }
  }
  if (auto v = r.get_int32(n, path, "percentageOfNodesToScore")) {
    c.percentage_of_nodes_to_score = *v;
    if (*v < 0 || *v > 100) {
      r.error(child(n, "percentageOfNodesToScore"), join(path, "percentageOfNodesToScore"),
              "must be in the range 0-100");
    }
  }
  for (auto [key, field] : {std::pair{"podInitialBackoffSeconds", &c.pod_initial_backoff_seconds},
                            {"podMaxBackoffSeconds", &c.pod_max_backoff_seconds}}) {
    if (auto v = r.get_int32(n, path, key)) {
      *field = *v;
      if (*v < 1) r.error(child(n, key), join(path, key), "must be greater than 0");
    }
  }
  if (c.pod_max_backoff_seconds < c.pod_initial_backoff_seconds) {
    YAML::Node at = child(n, "podMaxBackoffSeconds");
    r.error(at.IsDefined() ? at : n, join(path, "podMaxBackoffSeconds"),
            "must be greater than or equal to podInitialBackoffSeconds");
  }
  // Profiles inherit the top-level percentage unless they set their own.
  for (ProfileSpec& p : c.profiles) {
    if (p.percentage_of_nodes_to_score == 0) {
      p.percentage_of_nodes_to_score = c.percentage_of_nodes_to_score;
    }
  }
  return c;
}

}  // namespace kubesim::scenario_detail
