#include "models/scenario/timeline_parser.h"

#include <algorithm>
#include <map>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "models/scenario/annotations.h"
#include "models/scenario/manifests.h"
#include "models/scenario/pod_spec_parser.h"
#include "models/scenario/resolve.h"

namespace kubesim::scenario_detail {
namespace {

using Action = TimelineEvent::Action;

constexpr std::pair<std::string_view, Action> kActions[] = {
    {"scale", Action::kScale},
    {"rollout", Action::kRollout},
    {"apply", Action::kApply},
    {"delete", Action::kDelete},
    {"addNodes", Action::kAddNodes},
    {"cordon", Action::kCordon},
    {"uncordon", Action::kUncordon},
    {"drain", Action::kDrain},
    {"crashPod", Action::kCrashPod},
    {"crashNode", Action::kCrashNode},
    {"partitionNode", Action::kPartitionNode},
    {"failZone", Action::kFailZone},
    {"crashControlPlane", Action::kCrashControlPlane}};
constexpr const char* kActionList =
    "scale, rollout, apply, delete, addNodes, cordon, uncordon, drain, crashPod, crashNode, "
    "partitionNode, failZone, crashControlPlane";

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string hint = closest(word, candidates);
  return hint.empty() ? "" : "; did you mean \"" + hint + "\"?";
}

// One entry as written, before its references are checked.
struct Parsed {
  TimelineEvent ev;
  Origin name_at;  // the target's name, addNodes' pool
  std::optional<Origin> container_at;
  Origin labels_at;
  Origin cpu_at, memory_at;  // rollout requests
  ManifestSet manifests;     // apply
};

// ---- Parsing ----

// The namespace of a target, "default" when not given.
void parse_namespace(YamlReader& r, const YAML::Node& n, const std::string& path,
                     TimelineEvent& ev) {
  if (auto v = r.get_string(n, path, "namespace")) ev.namespace_ = *v;
}

// The required key `key`, a name: into ev.name, its place into `at`.
bool parse_name(YamlReader& r, const YAML::Node& n, const std::string& path, std::string_view key,
                Parsed& p) {
  if (!r.require(n, path, key)) return false;
  auto v = r.get_string(n, path, key);
  if (!v) return false;
  p.ev.name = *v;
  p.name_at = r.origin(child(n, key), join(path, key));
  return true;
}

void parse_scale(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"deployment", "replicaSet", "namespace", "replicas"})) return;
  const bool deployment = r.has(n, "deployment"), replica_set = r.has(n, "replicaSet");
  if (deployment && replica_set) {
    r.error(child(n, "replicaSet"), join(path, "replicaSet"),
            "give `deployment` or `replicaSet`, not both");
  } else if (!deployment && !replica_set) {
    r.error(n, path, "missing required key \"deployment\" (or \"replicaSet\")");
  } else {
    p.ev.kind = deployment ? "Deployment" : "ReplicaSet";
    parse_name(r, n, path, deployment ? "deployment" : "replicaSet", p);
  }
  parse_namespace(r, n, path, p.ev);
  if (r.require(n, path, "replicas")) {
    if (auto v = r.get_int32(n, path, "replicas")) {
      if (*v < 0) {
        r.error(child(n, "replicas"), join(path, "replicas"), "must be greater than or equal to 0");
      }
      p.ev.replicas = *v;
    }
  }
}

void parse_rollout(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(
          n, path,
          {"deployment", "namespace", "container", "image", "requests", "annotations", "labels"})) {
    return;
  }
  const size_t errors_before = r.error_count();
  TimelineEvent& ev = p.ev;
  ev.kind = "Deployment";
  parse_name(r, n, path, "deployment", p);
  parse_namespace(r, n, path, ev);
  if (auto v = r.get_string(n, path, "container")) {
    ev.container = *v;
    p.container_at = r.origin(child(n, "container"), join(path, "container"));
  }
  ev.image = r.get_string(n, path, "image");
  const YAML::Node req = child(n, "requests");
  const std::string rp = join(path, "requests");
  if (r.has(n, "requests") && r.check_keys(req, rp, {"cpu", "memory"})) {
    // Both, so that the new revision's requests are fully given.
    const bool cpu = r.require(req, rp, "cpu"), memory = r.require(req, rp, "memory");
    Resources res = parse_resource_list(r, req, rp);
    if (cpu && memory) ev.requests = res;
    p.cpu_at = r.origin(child(req, "cpu"), join(rp, "cpu"));
    p.memory_at = r.origin(child(req, "memory"), join(rp, "memory"));
  }
  if (auto v = r.get_string_map(n, path, "annotations")) ev.annotations = *v;
  check_kubesim_annotations(r, child(n, "annotations"), join(path, "annotations"));
  if (auto v = r.get_string_map(n, path, "labels")) ev.labels = *v;
  p.labels_at = r.origin(child(n, "labels"), join(path, "labels"));
  if (r.error_count() == errors_before && !ev.image && !ev.requests && ev.annotations.empty() &&
      ev.labels.empty()) {
    r.error(n, path,
            "a rollout needs at least one change: `image`, `requests`, `annotations` or `labels`");
  }
}

void parse_apply(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"include", "manifests"})) return;
  const bool include = r.has(n, "include"), manifests = r.has(n, "manifests");
  if (include && manifests) {
    r.error(child(n, "manifests"), join(path, "manifests"),
            "give `include` or `manifests`, not both");
    return;
  }
  if (include) {
    load_manifest_file(r, child(n, "include"), join(path, "include"), p.manifests);
  } else if (manifests) {
    const YAML::Node list = child(n, "manifests");
    const std::string mp = join(path, "manifests");
    if (!r.expect_seq(list, mp)) return;
    for (size_t i = 0; i < list.size(); ++i)
      parse_manifest(r, list[i], index(mp, i), p.manifests);
  } else {
    r.error(n, path, "missing required key \"include\" (or \"manifests\")");
  }
}

void parse_delete(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"kind", "name", "namespace"})) return;
  if (r.require(n, path, "kind")) {
    p.ev.kind =
        r.get_enum(n, path, "kind", {"Deployment", "ReplicaSet", "DaemonSet", "Job", "Pod", "Node"})
            .value_or("");
  }
  parse_name(r, n, path, "name", p);
  if (p.ev.kind == "Node" && r.has(n, "namespace")) {
    r.error(child(n, "namespace"), join(path, "namespace"), "nodes have no namespace");
  } else {
    parse_namespace(r, n, path, p.ev);
  }
}

void parse_add_nodes(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"pool", "count"})) return;
  if (parse_name(r, n, path, "pool", p)) {
    p.ev.pool = p.ev.name;
    p.ev.name.clear();
  }
  if (r.require(n, path, "count")) {
    if (auto v = r.get_int32(n, path, "count")) {
      if (*v < 1) r.error(child(n, "count"), join(path, "count"), "must be greater than 0");
      p.ev.count = *v;
    }
  }
}

void parse_node_action(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"node"})) return;
  p.ev.kind = "Node";
  parse_name(r, n, path, "node", p);
}

// `key`, an optional duration > 0 (recoverAfter, healAfter): none means never.
void parse_recovery(YamlReader& r, const YAML::Node& n, const std::string& path,
                    std::string_view key, Parsed& p) {
  if (auto d = r.get_duration(n, path, key)) {
    if (*d <= Duration::zero()) {
      r.error(child(n, key), join(path, key), "must be greater than 0");
    } else {
      p.ev.recover_after = *d;
    }
  }
}

void parse_crash_pod(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"pod", "selector", "namespace", "count", "exitCode"})) return;
  const bool by_name = r.has(n, "pod"), by_selector = r.has(n, "selector");
  if (by_name && by_selector) {
    r.error(child(n, "selector"), join(path, "selector"), "give `pod` or `selector`, not both");
  } else if (!by_name && !by_selector) {
    r.error(n, path, "missing required key \"selector\" (or \"pod\")");
  } else if (by_name) {
    p.ev.kind = "Pod";
    parse_name(r, n, path, "pod", p);
  } else {
    p.ev.selector = parse_label_selector(r, child(n, "selector"), join(path, "selector"));
  }
  parse_namespace(r, n, path, p.ev);
  if (auto v = r.get_int32(n, path, "count")) {
    if (*v < 1) r.error(child(n, "count"), join(path, "count"), "must be greater than 0");
    p.ev.count = *v;
  }
  if (auto v = r.get_int32(n, path, "exitCode")) {
    // A crash is a non-zero exit; codes above 255 do not exist.
    if (*v < 1 || *v > 255) {
      r.error(child(n, "exitCode"), join(path, "exitCode"), "must be between 1 and 255");
    }
    p.ev.exit_code = *v;
  }
}

void parse_node_fault(YamlReader& r, const YAML::Node& n, const std::string& path,
                      std::string_view recovery, Parsed& p) {
  if (!r.check_keys(n, path, {"node", recovery})) return;
  p.ev.kind = "Node";
  parse_name(r, n, path, "node", p);
  parse_recovery(r, n, path, recovery, p);
}

void parse_fail_zone(YamlReader& r, const YAML::Node& n, const std::string& path, Parsed& p) {
  if (!r.check_keys(n, path, {"zone", "recoverAfter"})) return;
  if (parse_name(r, n, path, "zone", p)) {
    p.ev.zone = p.ev.name;
    p.ev.name.clear();
  }
  parse_recovery(r, n, path, "recoverAfter", p);
}

void parse_crash_control_plane(YamlReader& r, const YAML::Node& n, const std::string& path,
                               const Scenario& s, Parsed& p) {
  if (n.IsNull()) return;  // `crashControlPlane: {}` or empty: every replica, for good
  if (!r.check_keys(n, path, {"replica", "recoverAfter"})) return;
  if (auto v = r.get_int32(n, path, "replica")) {
    const int32_t replicas = s.runtime.control_plane_replicas;
    if (*v < 0 || *v >= replicas) {
      r.error(child(n, "replica"), join(path, "replica"),
              "no such replica: spec.cluster.controlPlane.replicas is " + std::to_string(replicas) +
                  " (replicas are numbered from 0)");
    }
    p.ev.replica = *v;
  }
  parse_recovery(r, n, path, "recoverAfter", p);
}

// One entry; nullopt when it is not a mapping or names no action.
std::optional<Parsed> parse_entry(YamlReader& r, const YAML::Node& e, const std::string& path,
                                  const Scenario& s) {
  if (!r.expect_map(e, path)) return std::nullopt;
  Parsed p;
  p.ev.where = r.file() + ":" + std::to_string(r.origin(e, path).line);
  std::vector<std::string> candidates{"at"};
  for (const auto& [name, a] : kActions)
    candidates.emplace_back(name);
  std::vector<std::string> seen;
  std::string action;
  bool typo_of_action = false, typo_of_at = false;
  for (auto it = e.begin(); it != e.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      r.error(key, path, "keys must be strings");
      continue;
    }
    const std::string k = key.Scalar();
    if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
      r.error(key, join(path, k), "duplicate key \"" + k + "\"");
      continue;
    }
    seen.push_back(k);
    if (k == "at") continue;
    auto known = std::find_if(std::begin(kActions), std::end(kActions),
                              [&](const auto& a) { return a.first == k; });
    if (known != std::end(kActions)) {
      if (action.empty()) {
        action = k;
        p.ev.action = known->second;
      } else {
        r.error(key, join(path, k),
                "an event has exactly one action; this one already has \"" + action + "\"");
      }
      continue;
    }
    std::string hint = closest(k, candidates);
    // An unknown key is most likely the action, misspelt: no "missing action" too.
    (hint == "at" ? typo_of_at : typo_of_action) = true;
    r.error(key, join(path, k),
            std::string(hint == "at" ? "unknown key \"" : "unknown event kind \"") + k + "\"" +
                (hint.empty() ? std::string("; expected one of: at, ") + kActionList
                              : "; did you mean \"" + hint + "\"?"));
  }
  if (r.has(e, "at")) {
    if (auto at = r.get_duration(e, path, "at")) {
      p.ev.at = *at;
      if (*at > s.duration) {
        r.error(child(e, "at"), join(path, "at"),
                "at " + to_string(*at) + " is after the end of the run (spec.duration " +
                    to_string(s.duration) + ")");
      }
    }
  } else if (!typo_of_at) {
    r.require(e, path, "at");
  }
  if (action.empty()) {
    if (!typo_of_action) {
      r.error(e, path, std::string("missing action: one of ") + kActionList);
    }
    return std::nullopt;
  }
  const YAML::Node body = child(e, action);
  const std::string bp = join(path, action);
  switch (p.ev.action) {
    case Action::kScale:
      parse_scale(r, body, bp, p);
      break;
    case Action::kRollout:
      parse_rollout(r, body, bp, p);
      break;
    case Action::kApply:
      parse_apply(r, body, bp, p);
      break;
    case Action::kDelete:
      parse_delete(r, body, bp, p);
      break;
    case Action::kAddNodes:
      parse_add_nodes(r, body, bp, p);
      break;
    case Action::kCordon:
    case Action::kUncordon:
    case Action::kDrain:
      parse_node_action(r, body, bp, p);
      break;
    case Action::kCrashPod:
      parse_crash_pod(r, body, bp, p);
      break;
    case Action::kCrashNode:
      parse_node_fault(r, body, bp, "recoverAfter", p);
      break;
    case Action::kPartitionNode:
      parse_node_fault(r, body, bp, "healAfter", p);
      break;
    case Action::kFailZone:
      parse_fail_zone(r, body, bp, p);
      break;
    case Action::kCrashControlPlane:
      parse_crash_control_plane(r, body, bp, s, p);
      break;
  }
  return p;
}

// ---- Checking, in time order ----

// The objects that exist at a point of the timeline, by kind ("Node",
// "Deployment", ...) and key (namespace/name; a node's name), with how they
// came to exist; and what was deleted, with the event that deleted it.
struct World {
  std::map<std::string, std::map<std::string, std::string>> live;
  std::map<std::string, std::map<std::string, std::string>> deleted;
  // Deployments' selectors and templates, for rollouts.
  std::map<std::string, std::pair<LabelSelector, PodTemplate>> deployments;
  std::map<std::string, int32_t> pool_counts;
};

std::string key_of(const std::string& kind, const std::string& ns, const std::string& name) {
  return kind == "Node" ? name : ns + "/" + name;
}

// How errors name a kind ("node", as the rest of the loader does, or the Kubernetes kind).
std::string shown(const std::string& kind) {
  return kind == "Node" ? "node" : kind;
}

// Whether kind/ns/name exists; an error at `at` if not.
bool check_ref(YamlReader& r, const World& w, const std::string& kind, const std::string& ns,
               const std::string& name, const Origin& at) {
  if (name.empty() || kind.empty()) return false;
  const std::string key = key_of(kind, ns, name);
  auto live = w.live.find(kind);
  if (live != w.live.end() && live->second.count(key)) return true;
  auto gone = w.deleted.find(kind);
  if (gone != w.deleted.end() && gone->second.count(key)) {
    r.error_at(
        at, shown(kind) + " \"" + key + "\" was deleted by the event at " + gone->second.at(key));
    return false;
  }
  std::vector<std::string> names;
  if (live != w.live.end()) {
    const std::string prefix = kind == "Node" ? "" : ns + "/";
    for (const auto& [k, how] : live->second) {
      if (k.rfind(prefix, 0) == 0) names.push_back(k.substr(prefix.size()));
    }
  }
  r.error_at(at, shown(kind) + " \"" + key + "\" not found" + did_you_mean(name, names));
  return false;
}

// Records a new object; an error at `at` if one of that kind and key exists.
bool add(YamlReader& r, World& w, const std::string& kind, const std::string& key,
         const std::string& how, const Origin& at) {
  if (key.empty() || key.back() == '/') return false;  // a missing name is reported already
  auto [it, fresh] = w.live[kind].emplace(key, how);
  if (!fresh) {
    r.error_at(at, "duplicate " + shown(kind) + " \"" + key + "\" (" + it->second + ")");
    return false;
  }
  w.deleted[kind].erase(key);
  return true;
}

World initial_world(const Scenario& s) {
  World w;
  const std::string how = "declared in the scenario";
  for (const Node& n : s.objects.nodes)
    w.live["Node"].emplace(n.name, how);
  for (const Pod& p : s.objects.pods)
    w.live["Pod"].emplace(p.key(), how);
  auto add_all = [&](const std::string& kind, const auto& store) {
    for (const auto& o : store)
      w.live[kind].emplace(o.metadata.key(), how);
  };
  add_all("Deployment", s.objects.deployments);
  add_all("ReplicaSet", s.objects.replica_sets);
  add_all("DaemonSet", s.objects.daemon_sets);
  add_all("Job", s.objects.jobs);
  add_all("Service", s.objects.services);
  add_all("PodDisruptionBudget", s.objects.pod_disruption_budgets);
  add_all("HorizontalPodAutoscaler", s.objects.horizontal_pod_autoscalers);
  for (const Deployment& d : s.objects.deployments)
    w.deployments[d.metadata.key()] = {d.selector, d.template_};
  for (const Scenario::NodePool& pool : s.node_pools)
    w.pool_counts[pool.name] = pool.count;
  return w;
}

void check_rollout(YamlReader& r, World& w, Parsed& p) {
  TimelineEvent& ev = p.ev;
  if (!check_ref(r, w, "Deployment", ev.namespace_, ev.name, p.name_at)) return;
  auto known = w.deployments.find(key_of("Deployment", ev.namespace_, ev.name));
  if (known == w.deployments.end()) return;  // not expected: live and deployments agree
  auto& [selector, tmpl] = known->second;
  std::vector<Container>& containers = tmpl.spec.containers;
  Container* c = nullptr;
  if (ev.container.empty()) {
    if (!containers.empty()) c = &containers.front();
    if (c != nullptr) ev.container = c->name;
  } else {
    std::vector<std::string> names;
    for (Container& k : containers) {
      names.push_back(k.name);
      if (k.name == ev.container) c = &k;
    }
    if (c == nullptr) {
      r.error_at(*p.container_at, "container \"" + ev.container + "\" not found in Deployment \"" +
                                      ev.namespace_ + "/" + ev.name + "\"" +
                                      did_you_mean(ev.container, names));
      return;
    }
  }
  if (c == nullptr) return;
  if (ev.requests) {
    // pkg/apis/core/validation: a request must not exceed its limit.
    if (c->limits.milli_cpu > 0 && ev.requests->milli_cpu > c->limits.milli_cpu) {
      r.error_at(p.cpu_at,
                 "must be less than or equal to the cpu limit of container \"" + c->name + "\"");
    }
    if (c->limits.memory > 0 && ev.requests->memory > c->limits.memory) {
      r.error_at(p.memory_at,
                 "must be less than or equal to the memory limit of container \"" + c->name + "\"");
    }
    c->requests.milli_cpu = ev.requests->milli_cpu;
    c->requests.memory = ev.requests->memory;
  }
  if (ev.image) c->image = *ev.image;
  for (const auto& [k, v] : ev.annotations)
    tmpl.metadata.annotations[k] = v;
  for (const auto& [k, v] : ev.labels)
    tmpl.metadata.labels[k] = v;
  // pkg/apis/apps/validation: the selector must keep matching the template.
  if (!ev.labels.empty() && !matches(selector, tmpl.metadata.labels)) {
    r.error_at(p.labels_at, "`selector` does not match template `labels` after this rollout");
  }
}

void check_apply(YamlReader& r, World& w, const Scenario& s, Parsed& p) {
  ManifestSet& m = p.manifests;
  ClusterObjects& out = p.ev.objects;
  const std::string how = "applied by the event at " + p.ev.where;
  for (const Entry<PriorityClassSpec>& e : m.priority_classes) {
    r.error_at(e.at, "a PriorityClass cannot be applied by an event; declare it in spec.workloads");
  }
  for (Entry<Node>& e : m.nodes) {
    if (!e.object.labels.count(kLabelHostname)) e.object.labels[kLabelHostname] = e.object.name;
    if (add(r, w, "Node", e.object.name, how, e.at)) out.nodes.push_back(std::move(e.object));
  }
  auto resolve = [&](PodSpec& spec, const PodSpecRefs& refs) {
    resolve_priority(r, spec, refs, s.priority_classes, s.global_default_priority_class);
    if (!spec.node_name.empty()) check_ref(r, w, "Node", "", spec.node_name, *refs.node_name);
  };
  for (Entry<Pod>& e : m.pods) {
    resolve(e.object.spec, e.refs);
    if (add(r, w, "Pod", e.object.key(), how, e.at)) out.pods.push_back(std::move(e.object));
  }
  auto workloads = [&](const std::string& kind, auto& entries, auto& store) {
    for (auto& e : entries) {
      resolve(e.object.template_.spec, e.refs);
      if (!add(r, w, kind, e.object.metadata.key(), how, e.at)) continue;
      if constexpr (std::is_same_v<std::decay_t<decltype(e.object)>, Deployment>) {
        w.deployments[e.object.metadata.key()] = {e.object.selector, e.object.template_};
      }
      store.push_back(std::move(e.object));
    }
  };
  workloads("Deployment", m.deployments, out.deployments);
  workloads("ReplicaSet", m.replica_sets, out.replica_sets);
  workloads("DaemonSet", m.daemon_sets, out.daemon_sets);
  workloads("Job", m.jobs, out.jobs);
  auto others = [&](const std::string& kind, auto& entries, auto& store) {
    for (auto& e : entries) {
      if (add(r, w, kind, e.object.metadata.key(), how, e.at)) store.push_back(e.object);
    }
  };
  others("Service", m.services, out.services);
  others("PodDisruptionBudget", m.pod_disruption_budgets, out.pod_disruption_budgets);
  others("HorizontalPodAutoscaler", m.horizontal_pod_autoscalers, out.horizontal_pod_autoscalers);
  for (const Entry<HorizontalPodAutoscaler>& e : m.horizontal_pod_autoscalers) {
    const HorizontalPodAutoscaler& h = e.object;
    check_ref(r, w, h.target_kind, h.metadata.namespace_, h.target_name, e.target_at);
  }
}

// failZone names a zone that some node of the scenario (or of a pool) is in.
void check_zone(YamlReader& r, const Scenario& s, const Parsed& p) {
  const std::string& zone = p.ev.zone;
  if (zone.empty()) return;
  std::vector<std::string> zones;
  const auto add = [&](const std::string& z) {
    if (!z.empty() && std::find(zones.begin(), zones.end(), z) == zones.end()) zones.push_back(z);
  };
  for (const Node& n : s.objects.nodes) {
    if (auto it = n.labels.find(kLabelZone); it != n.labels.end()) add(it->second);
  }
  for (const Scenario::NodePool& pool : s.node_pools)
    for (const std::string& z : pool.zones)
      add(z);
  if (std::find(zones.begin(), zones.end(), zone) != zones.end()) return;
  r.error_at(p.name_at, "no node is in zone \"" + zone + "\"" + did_you_mean(zone, zones));
}

void check_delete(YamlReader& r, World& w, const Parsed& p) {
  const TimelineEvent& ev = p.ev;
  if (!check_ref(r, w, ev.kind, ev.namespace_, ev.name, p.name_at)) return;
  const std::string key = key_of(ev.kind, ev.namespace_, ev.name);
  w.live[ev.kind].erase(key);
  w.deleted[ev.kind][key] = ev.where;
  if (ev.kind == "Deployment") w.deployments.erase(key);
}

void check_add_nodes(YamlReader& r, World& w, const Parsed& p) {
  const TimelineEvent& ev = p.ev;
  if (ev.pool.empty()) return;
  auto pool = w.pool_counts.find(ev.pool);
  if (pool == w.pool_counts.end()) {
    std::vector<std::string> names;
    for (const auto& [name, count] : w.pool_counts)
      names.push_back(name);
    r.error_at(p.name_at, "node pool \"" + ev.pool + "\" not found" + did_you_mean(ev.pool, names));
    return;
  }
  // The names make_pool_node gives, continuing the pool's numbering.
  for (int32_t i = 0; i < ev.count; ++i) {
    const std::string name = ev.pool + "-" + std::to_string(pool->second++);
    const std::string how = "added by the event at " + ev.where;
    auto [it, fresh] = w.live["Node"].emplace(name, how);
    if (!fresh) {
      r.error_at(p.name_at,
                 "addNodes would create node \"" + name + "\", which exists (" + it->second + ")");
      continue;
    }
    w.deleted["Node"].erase(name);
  }
}

}  // namespace

void parse_events(YamlReader& r, const YAML::Node& n, const std::string& path, Scenario& s) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return;
  std::vector<Parsed> parsed;
  for (size_t i = 0; i < n.size(); ++i) {
    if (auto p = parse_entry(r, n[i], index(path, i), s)) parsed.push_back(std::move(*p));
  }
  std::stable_sort(parsed.begin(), parsed.end(),
                   [](const Parsed& a, const Parsed& b) { return a.ev.at < b.ev.at; });
  World w = initial_world(s);
  for (Parsed& p : parsed) {
    TimelineEvent& ev = p.ev;
    switch (ev.action) {
      case Action::kScale:
        check_ref(r, w, ev.kind, ev.namespace_, ev.name, p.name_at);
        break;
      case Action::kRollout:
        check_rollout(r, w, p);
        break;
      case Action::kApply:
        check_apply(r, w, s, p);
        break;
      case Action::kDelete:
        check_delete(r, w, p);
        break;
      case Action::kAddNodes:
        check_add_nodes(r, w, p);
        break;
      case Action::kCordon:
      case Action::kUncordon:
      case Action::kDrain:
        check_ref(r, w, "Node", "", ev.name, p.name_at);
        break;
      case Action::kCrashPod:
        if (ev.kind == "Pod") check_ref(r, w, "Pod", ev.namespace_, ev.name, p.name_at);
        break;
      case Action::kCrashNode:
      case Action::kPartitionNode:
        check_ref(r, w, "Node", "", ev.name, p.name_at);
        break;
      case Action::kFailZone:
        check_zone(r, s, p);
        break;
      case Action::kCrashControlPlane:
        break;
    }
    s.events.push_back(std::move(ev));
  }
}

}  // namespace kubesim::scenario_detail
