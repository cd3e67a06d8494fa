#include "models/scenario/pod_spec_parser.h"

#include <algorithm>
#include <set>

#include "models/scenario/annotations.h"

namespace kubesim::scenario_detail {
namespace {

// k8s.io/apimachinery/pkg/apis/meta/v1/types.go ObjectMeta, the server-set parts.
#define KUBESIM_META_IGNORED                                                              \
  "generateName", "uid", "resourceVersion", "generation", "creationTimestamp",            \
      "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers", \
      "managedFields", "selfLink"

std::optional<TaintEffect> parse_effect(YamlReader& r, const YAML::Node& map,
                                        const std::string& path) {
  auto e = r.get_enum(map, path, "effect", {"NoSchedule", "PreferNoSchedule", "NoExecute"});
  if (!e) return std::nullopt;
  if (*e == "NoSchedule") return TaintEffect::kNoSchedule;
  if (*e == "PreferNoSchedule") return TaintEffect::kPreferNoSchedule;
  return TaintEffect::kNoExecute;
}

NodeSelectorTerm parse_node_selector_term(YamlReader& r, const YAML::Node& n,
                                          const std::string& path) {
  NodeSelectorTerm t;
  if (!r.check_keys(n, path, {"matchExpressions", "matchFields"})) return t;
  t.match_expressions = parse_requirements(r, YamlReader::child(n, "matchExpressions"),
                                           join(path, "matchExpressions"), true);
  t.match_fields =
      parse_requirements(r, YamlReader::child(n, "matchFields"), join(path, "matchFields"), true);
  for (size_t i = 0; i < t.match_fields.size(); ++i) {
    // Only metadata.name is a supported field selector (nodeaffinity.go).
    if (t.match_fields[i].key != "metadata.name") {
      std::string p = index(join(path, "matchFields"), i);
      r.error(YamlReader::child(n, "matchFields")[i], p,
              "unsupported field \"" + t.match_fields[i].key + "\"; only metadata.name");
    }
  }
  return t;
}

NodeAffinity parse_node_affinity(YamlReader& r, const YAML::Node& n, const std::string& path) {
  NodeAffinity a;
  if (!r.check_keys(n, path,
                    {"requiredDuringSchedulingIgnoredDuringExecution",
                     "preferredDuringSchedulingIgnoredDuringExecution"})) {
    return a;
  }
  const std::string req_path = join(path, "requiredDuringSchedulingIgnoredDuringExecution");
  YAML::Node req = YamlReader::child(n, "requiredDuringSchedulingIgnoredDuringExecution");
  if (req.IsDefined() && !req.IsNull() && r.check_keys(req, req_path, {"nodeSelectorTerms"})) {
    a.has_required = true;
    YAML::Node terms = YamlReader::child(req, "nodeSelectorTerms");
    std::string terms_path = join(req_path, "nodeSelectorTerms");
    if (!r.require(req, req_path, "nodeSelectorTerms")) {
    } else if (r.expect_seq(terms, terms_path)) {
      for (size_t i = 0; i < terms.size(); ++i) {
        a.required.push_back(parse_node_selector_term(r, terms[i], index(terms_path, i)));
      }
    }
  }
  const std::string pref_path = join(path, "preferredDuringSchedulingIgnoredDuringExecution");
  YAML::Node pref = YamlReader::child(n, "preferredDuringSchedulingIgnoredDuringExecution");
  if (pref.IsDefined() && !pref.IsNull() && r.expect_seq(pref, pref_path)) {
    for (size_t i = 0; i < pref.size(); ++i) {
      std::string p = index(pref_path, i);
      if (!r.check_keys(pref[i], p, {"weight", "preference"})) continue;
      WeightedNodeSelectorTerm w;
      if (r.require(pref[i], p, "weight")) w.weight = r.get_int32(pref[i], p, "weight").value_or(0);
      if (r.has(pref[i], "weight") && (w.weight < 1 || w.weight > 100)) {
        r.error(YamlReader::child(pref[i], "weight"), join(p, "weight"),
                "must be in the range 1-100");
      }
      if (r.require(pref[i], p, "preference")) {
        w.term = parse_node_selector_term(r, YamlReader::child(pref[i], "preference"),
                                          join(p, "preference"));
      }
      a.preferred.push_back(std::move(w));
    }
  }
  return a;
}

PodAffinityTerm parse_pod_affinity_term(YamlReader& r, const YAML::Node& n,
                                        const std::string& path) {
  PodAffinityTerm t;
  if (!r.check_keys(n, path, {"labelSelector", "namespaces", "namespaceSelector", "topologyKey"},
                    {"matchLabelKeys", "mismatchLabelKeys"})) {
    return t;
  }
  if (r.has(n, "labelSelector")) {
    t.label_selector =
        parse_label_selector(r, YamlReader::child(n, "labelSelector"), join(path, "labelSelector"));
  }
  if (auto v = r.get_string_list(n, path, "namespaces")) t.namespaces = *v;
  if (r.has(n, "namespaceSelector")) {
    t.namespace_selector = parse_label_selector(r, YamlReader::child(n, "namespaceSelector"),
                                                join(path, "namespaceSelector"));
  }
  if (r.require(n, path, "topologyKey"))
    t.topology_key = r.get_string(n, path, "topologyKey").value_or("");
  return t;
}

PodAffinity parse_pod_affinity(YamlReader& r, const YAML::Node& n, const std::string& path) {
  PodAffinity a;
  if (!r.check_keys(n, path,
                    {"requiredDuringSchedulingIgnoredDuringExecution",
                     "preferredDuringSchedulingIgnoredDuringExecution"})) {
    return a;
  }
  const std::string req_path = join(path, "requiredDuringSchedulingIgnoredDuringExecution");
  YAML::Node req = YamlReader::child(n, "requiredDuringSchedulingIgnoredDuringExecution");
  if (req.IsDefined() && !req.IsNull() && r.expect_seq(req, req_path)) {
    for (size_t i = 0; i < req.size(); ++i) {
      a.required.push_back(parse_pod_affinity_term(r, req[i], index(req_path, i)));
    }
  }
  const std::string pref_path = join(path, "preferredDuringSchedulingIgnoredDuringExecution");
  YAML::Node pref = YamlReader::child(n, "preferredDuringSchedulingIgnoredDuringExecution");
  if (pref.IsDefined() && !pref.IsNull() && r.expect_seq(pref, pref_path)) {
    for (size_t i = 0; i < pref.size(); ++i) {
      std::string p = index(pref_path, i);
      if (!r.check_keys(pref[i], p, {"weight", "podAffinityTerm"})) continue;
      WeightedPodAffinityTerm w;
      if (r.require(pref[i], p, "weight")) w.weight = r.get_int32(pref[i], p, "weight").value_or(0);
      if (r.has(pref[i], "weight") && (w.weight < 1 || w.weight > 100)) {
        r.error(YamlReader::child(pref[i], "weight"), join(p, "weight"),
                "must be in the range 1-100");
      }
      if (r.require(pref[i], p, "podAffinityTerm")) {
        w.term = parse_pod_affinity_term(r, YamlReader::child(pref[i], "podAffinityTerm"),
                                         join(p, "podAffinityTerm"));
      }
      a.preferred.push_back(std::move(w));
    }
  }
  return a;
}

ContainerPort parse_port(YamlReader& r, const YAML::Node& n, const std::string& path) {
  ContainerPort p;
  if (!r.check_keys(n, path, {"containerPort", "hostPort", "protocol", "hostIP"}, {"name"})) {
    return p;
  }
  if (r.require(n, path, "containerPort")) {
    p.container_port = r.get_int32(n, path, "containerPort").value_or(0);
  }
  p.host_port = r.get_int32(n, path, "hostPort").value_or(0);
  for (auto [key, v] : {std::pair{"containerPort", p.container_port}, {"hostPort", p.host_port}}) {
    if (r.has(n, key) && (v < 0 || v > 65535 || (v == 0 && std::string(key) == "containerPort"))) {
      r.error(YamlReader::child(n, key), join(path, key), "must be a port number in 1-65535");
    }
  }
  if (auto v = r.get_enum(n, path, "protocol", {"TCP", "UDP", "SCTP"})) p.protocol = *v;
  if (auto v = r.get_string(n, path, "hostIP")) p.host_ip = *v;
  return p;
}

// A v1.Probe (livenessProbe, readinessProbe, startupProbe). The handler is
// accepted and not modelled: the outcome comes from kubesim.io/behavior.
// Defaults: pkg/apis/core/v1/defaults.go SetDefaults_Probe (a 0 is defaulted
// too, as there). Validation: pkg/apis/core/validation/validation.go
// validateProbe (non-negative fields), validateHandler (exactly one handler),
// validateLivenessProbe / validateStartupProbe (successThreshold must be 1),
// validateReadinessProbe (no terminationGracePeriodSeconds).
enum class ProbeKind { kStartup, kReadiness, kLiveness };

Probe parse_probe(YamlReader& r, const YAML::Node& n, const std::string& path, ProbeKind kind) {
  Probe p;
  if (!n.IsDefined() || n.IsNull()) return p;
  if (!r.check_keys(n, path,
                    {"exec", "httpGet", "tcpSocket", "grpc", "initialDelaySeconds", "periodSeconds",
                     "timeoutSeconds", "successThreshold", "failureThreshold",
                     "terminationGracePeriodSeconds"})) {
    return p;
  }
  p.enabled = true;
  int handlers = 0;
  for (const char* h : {"exec", "httpGet", "tcpSocket", "grpc"}) {
    if (!r.has(n, h)) continue;
    ++handlers;
    if (handlers > 1) {
      r.error(YamlReader::child(n, h), join(path, h), "may not specify more than 1 handler type");
    } else if (r.expect_map(YamlReader::child(n, h), join(path, h))) {
      r.note(n, path,
             std::string("the probe's handler (") + h +
                 ") is not modelled: kubesim.io/behavior decides the outcome");
    }
  }
  if (handlers == 0)
    r.error(n, path, "must specify a handler type (exec, httpGet, tcpSocket, grpc)");
  struct Field {
    const char* key;
    int32_t* out;
  };
  for (Field f :
       {Field{"initialDelaySeconds", &p.initial_delay_seconds},
        Field{"periodSeconds", &p.period_seconds}, Field{"timeoutSeconds", &p.timeout_seconds},
        Field{"successThreshold", &p.success_threshold},
        Field{"failureThreshold", &p.failure_threshold}}) {
    auto v = r.get_int32(n, path, f.key);
    if (!v) continue;
    if (*v < 0) {
      r.error(YamlReader::child(n, f.key), join(path, f.key),
              "must be greater than or equal to 0, got " + std::to_string(*v));
      continue;
    }
    // SetDefaults_Probe: 0 means the default (initialDelaySeconds' default is 0).
    if (*v > 0 || f.out == &p.initial_delay_seconds) *f.out = *v;
  }
  if (kind != ProbeKind::kReadiness && p.success_threshold != 1) {
    r.error(YamlReader::child(n, "successThreshold"), join(path, "successThreshold"),
            "must be 1, got " + std::to_string(p.success_threshold));
  }
  if (r.has(n, "terminationGracePeriodSeconds")) {
    const YAML::Node g = YamlReader::child(n, "terminationGracePeriodSeconds");
    const std::string gp = join(path, "terminationGracePeriodSeconds");
    if (kind == ProbeKind::kReadiness) {
      r.error(g, gp, "must not be set for readinessProbes");
    } else if (auto v = r.as_int64(g, gp)) {
      if (*v <= 0) {
        r.error(g, gp, "must be greater than 0, got " + std::to_string(*v));
      } else {
        r.note(g, gp, "not modelled: a probe failure kills with the pod's grace period");
      }
    }
  }
  return p;
}

Container parse_container(YamlReader& r, const YAML::Node& n, const std::string& path) {
  Container c;
  if (!r.check_keys(
          n, path,
          {"name", "image", "resources", "ports", "livenessProbe", "readinessProbe",
           "startupProbe"},
          {"command", "args", "workingDir", "env", "envFrom", "volumeMounts", "volumeDevices",
           "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy",
           "securityContext", "stdin", "stdinOnce", "tty", "resizePolicy", "restartPolicy"})) {
    return c;
  }
  if (r.require(n, path, "name")) c.name = r.get_string(n, path, "name").value_or("");
  if (r.require(n, path, "image")) c.image = r.get_string(n, path, "image").value_or("");
  YAML::Node res = YamlReader::child(n, "resources");
  std::string res_path = join(path, "resources");
  if (res.IsDefined() && !res.IsNull() &&
      r.check_keys(res, res_path, {"requests", "limits"}, {"claims"})) {
    bool limit_cpu = false, limit_memory = false;
    c.requests =
        parse_resource_list(r, YamlReader::child(res, "requests"), join(res_path, "requests"),
                            &c.has_cpu_request, &c.has_memory_request);
    c.limits = parse_resource_list(r, YamlReader::child(res, "limits"), join(res_path, "limits"),
                                   &limit_cpu, &limit_memory);
    // pkg/apis/core/v1/defaults.go: a limit without a request defaults the request.
    Resources merged = c.requests;
    if (limit_cpu && !c.has_cpu_request)
      merged.milli_cpu = c.limits.milli_cpu, c.has_cpu_request = true;
    if (limit_memory && !c.has_memory_request) {
      merged.memory = c.limits.memory;
      c.has_memory_request = true;
    }
    YAML::Node req_node = YamlReader::child(res, "requests");
    if (r.has(YamlReader::child(res, "limits"), "ephemeral-storage") &&
        !r.has(req_node, "ephemeral-storage")) {
      merged.ephemeral_storage = c.limits.ephemeral_storage;
    }
    for (const auto& [name, v] : c.limits.scalar) {
      if (!r.has(req_node, name)) merged.set_scalar(name, v);
    }
    c.requests = merged;
    // pkg/apis/core/validation: a request must not exceed its limit.
    YAML::Node lim_node = YamlReader::child(res, "limits");
    for (const char* name : {"cpu", "memory", "ephemeral-storage"}) {
      if (r.has(req_node, name) && r.has(lim_node, name) &&
          resource_amount(c.requests, name) > resource_amount(c.limits, name)) {
        r.error(YamlReader::child(req_node, name), join(join(res_path, "requests"), name),
                std::string("must be less than or equal to the ") + name + " limit");
      }
    }
  }
  c.startup_probe = parse_probe(r, YamlReader::child(n, "startupProbe"), join(path, "startupProbe"),
                                ProbeKind::kStartup);
  c.readiness_probe = parse_probe(r, YamlReader::child(n, "readinessProbe"),
                                  join(path, "readinessProbe"), ProbeKind::kReadiness);
  c.liveness_probe = parse_probe(r, YamlReader::child(n, "livenessProbe"),
                                 join(path, "livenessProbe"), ProbeKind::kLiveness);
  YAML::Node ports = YamlReader::child(n, "ports");
  if (ports.IsDefined() && !ports.IsNull() && r.expect_seq(ports, join(path, "ports"))) {
    for (size_t i = 0; i < ports.size(); ++i) {
      c.ports.push_back(parse_port(r, ports[i], index(join(path, "ports"), i)));
    }
  }
  return c;
}

std::vector<Container> parse_containers(YamlReader& r, const YAML::Node& n,
                                        const std::string& path) {
  std::vector<Container> out;
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return out;
  std::set<std::string> names;
  for (size_t i = 0; i < n.size(); ++i) {
    out.push_back(parse_container(r, n[i], index(path, i)));
    if (!out.back().name.empty() && !names.insert(out.back().name).second) {
      r.error(YamlReader::child(n[i], "name"), join(index(path, i), "name"),
              "duplicate container name \"" + out.back().name + "\"");
    }
  }
  return out;
}

}  // namespace

// k8s.io/apimachinery/pkg/util/validation/validation.go IsDNS1123Subdomain.
bool is_dns1123_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string::npos) end = s.size();
    std::string_view label(s.data() + start, end - start);
    if (label.empty() || !alnum(label.front()) || !alnum(label.back())) return false;
    for (char c : label) {
      if (!alnum(c) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

void parse_object_meta(YamlReader& r, const YAML::Node& n, const std::string& path, ObjectMeta& out,
                       Origin& name_at, bool name_optional) {
  name_at = r.origin(n, join(path, "name"));
  if (!n.IsDefined() || n.IsNull()) {
    if (!name_optional) r.error_at(r.origin(n, path), "missing required key \"name\"");
    return;
  }
  if (!r.check_keys(n, path, {"name", "namespace", "labels", "annotations"},
                    {KUBESIM_META_IGNORED})) {
    return;
  }
  if (r.has(n, "name")) {
    name_at = r.origin(YamlReader::child(n, "name"), join(path, "name"));
    out.name = r.get_string(n, path, "name").value_or("");
    if (!out.name.empty() && !is_dns1123_subdomain(out.name)) {
      r.error(YamlReader::child(n, "name"), join(path, "name"),
              "invalid name \"" + out.name + "\": " + kDns1123SubdomainRule);
    }
  } else if (!name_optional) {
    r.require(n, path, "name");
  }
  if (auto v = r.get_string(n, path, "namespace")) out.namespace_ = *v;
  if (auto v = r.get_string_map(n, path, "labels")) out.labels = *v;
  if (auto v = r.get_string_map(n, path, "annotations")) out.annotations = *v;
}

std::vector<SelectorRequirement> parse_requirements(YamlReader& r, const YAML::Node& n,
                                                    const std::string& path, bool node_operators) {
  std::vector<SelectorRequirement> out;
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return out;
  for (size_t i = 0; i < n.size(); ++i) {
    std::string p = index(path, i);
    if (!r.check_keys(n[i], p, {"key", "operator", "values"})) continue;
    SelectorRequirement req;
    if (r.require(n[i], p, "key")) req.key = r.get_string(n[i], p, "key").value_or("");
    std::optional<std::string> op;
    if (r.require(n[i], p, "operator")) {
      op = node_operators
               ? r.get_enum(n[i], p, "operator",
                            {"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"})
               : r.get_enum(n[i], p, "operator", {"In", "NotIn", "Exists", "DoesNotExist"});
    }
    if (auto v = r.get_string_list(n[i], p, "values")) req.values = *v;
    if (op) {
      static const std::pair<const char*, SelectorOp> kOps[] = {
          {"In", SelectorOp::kIn},         {"NotIn", SelectorOp::kNotIn},
          {"Exists", SelectorOp::kExists}, {"DoesNotExist", SelectorOp::kDoesNotExist},
          {"Gt", SelectorOp::kGt},         {"Lt", SelectorOp::kLt}};
      for (const auto& [name, value] : kOps) {
        if (*op == name) req.op = value;
      }
      // k8s.io/apimachinery validation: In/NotIn need values, Exists/DoesNotExist none,
      // Gt/Lt exactly one integer.
      YAML::Node at = r.has(n[i], "values") ? YamlReader::child(n[i], "values") : n[i];
      std::string at_path = join(p, "values");
      if ((req.op == SelectorOp::kIn || req.op == SelectorOp::kNotIn) && req.values.empty()) {
        r.error(at, at_path, "must be specified when `operator` is 'In' or 'NotIn'");
      } else if ((req.op == SelectorOp::kExists || req.op == SelectorOp::kDoesNotExist) &&
                 !req.values.empty()) {
        r.error(at, at_path, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      } else if (req.op == SelectorOp::kGt || req.op == SelectorOp::kLt) {
        bool ok = req.values.size() == 1 && !req.values[0].empty() &&
                  std::all_of(req.values[0].begin() + (req.values[0][0] == '-' ? 1 : 0),
                              req.values[0].end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!ok) r.error(at, at_path, "must be a single integer when `operator` is 'Gt' or 'Lt'");
      }
    }
    out.push_back(std::move(req));
  }
  return out;
}

LabelSelector parse_label_selector(YamlReader& r, const YAML::Node& n, const std::string& path) {
  LabelSelector s;
  if (!n.IsDefined() || n.IsNull()) return s;
  if (!r.check_keys(n, path, {"matchLabels", "matchExpressions"})) return s;
  if (auto v = r.get_string_map(n, path, "matchLabels")) s.match_labels = *v;
  s.match_expressions = parse_requirements(r, YamlReader::child(n, "matchExpressions"),
                                           join(path, "matchExpressions"), false);
  return s;
}

Taint parse_taint(YamlReader& r, const YAML::Node& n, const std::string& path) {
  Taint t;
  // kubectl's shorthand, accepted in kubesim's own node pools: "key=value:Effect".
  if (n.IsScalar()) {
    std::string s = n.Scalar();
    size_t colon = s.rfind(':');
    if (colon == std::string::npos) {
      r.error(n, path, "expected key=value:Effect or a mapping, got \"" + s + "\"");
      return t;
    }
    std::string kv = s.substr(0, colon), effect = s.substr(colon + 1);
    size_t eq = kv.find('=');
    t.key = kv.substr(0, eq);
    if (eq != std::string::npos) t.value = kv.substr(eq + 1);
    if (effect == "NoSchedule") {
      t.effect = TaintEffect::kNoSchedule;
    } else if (effect == "PreferNoSchedule") {
      t.effect = TaintEffect::kPreferNoSchedule;
    } else if (effect == "NoExecute") {
      t.effect = TaintEffect::kNoExecute;
    } else {
      r.error(n, path,
              "unsupported taint effect \"" + effect +
                  "\"; expected one of: NoSchedule, PreferNoSchedule, NoExecute");
    }
    if (t.key.empty()) r.error(n, path, "taint key must not be empty");
    return t;
  }
  if (!r.check_keys(n, path, {"key", "value", "effect"}, {"timeAdded"})) return t;
  if (r.require(n, path, "key")) t.key = r.get_string(n, path, "key").value_or("");
  if (auto v = r.get_string(n, path, "value")) t.value = *v;
  if (r.require(n, path, "effect")) {
    if (auto e = parse_effect(r, n, path)) t.effect = *e;
  }
  return t;
}

std::vector<Taint> parse_taints(YamlReader& r, const YAML::Node& n, const std::string& path) {
  std::vector<Taint> out;
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return out;
  for (size_t i = 0; i < n.size(); ++i)
    out.push_back(parse_taint(r, n[i], index(path, i)));
  return out;
}

Toleration parse_toleration(YamlReader& r, const YAML::Node& n, const std::string& path) {
  Toleration t;
  if (!r.check_keys(n, path, {"key", "operator", "value", "effect", "tolerationSeconds"})) return t;
  if (auto v = r.get_string(n, path, "key")) t.key = *v;
  if (auto v = r.get_enum(n, path, "operator", {"Equal", "Exists"})) {
    t.op = *v == "Exists" ? TolerationOp::kExists : TolerationOp::kEqual;
  }
  if (auto v = r.get_string(n, path, "value")) t.value = *v;
  if (r.has(n, "effect")) t.effect = parse_effect(r, n, path);
  t.toleration_seconds = r.get_int64(n, path, "tolerationSeconds");
  // pkg/apis/core/validation/validation.go validateTolerations.
  if (t.op == TolerationOp::kExists && !t.value.empty()) {
    r.error(YamlReader::child(n, "value"), join(path, "value"),
            "value must be empty when `operator` is 'Exists'");
  }
  if (t.key.empty() && t.op != TolerationOp::kExists) {
    r.error(n, join(path, "operator"), "operator must be Exists when `key` is empty");
  }
  if (t.toleration_seconds && t.effect != TaintEffect::kNoExecute) {
    r.error(YamlReader::child(n, "tolerationSeconds"), join(path, "tolerationSeconds"),
            "effect must be 'NoExecute' when `tolerationSeconds` is set");
  }
  return t;
}

Resources parse_resource_list(YamlReader& r, const YAML::Node& n, const std::string& path,
                              bool* has_cpu, bool* has_memory) {
  Resources out;
  if (!n.IsDefined() || n.IsNull() || !r.expect_map(n, path)) return out;
  static const std::vector<std::string> kStandard = {"cpu", "memory", "ephemeral-storage", "pods",
                                                     "storage"};
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) {
      r.error(it->first, path, "keys must be strings");
      continue;
    }
    const std::string name = it->first.Scalar();
    const std::string p = join(path, name);
    bool standard = std::find(kStandard.begin(), kStandard.end(), name) != kStandard.end();
    bool extended = name.find('/') != std::string::npos || name.rfind("hugepages-", 0) == 0;
    if (!standard && !extended) {
      std::string hint = closest(name, kStandard);
      r.error(it->first, p,
              "unknown resource \"" + name + "\"" +
                  (hint.empty() ? "; extended resources need a domain prefix, e.g. nvidia.com/gpu"
                                : "; did you mean \"" + hint + "\"?"));
      continue;
    }
    auto q = r.as_quantity(it->second, p);
    if (!q) {
      if (it->second.IsNull()) r.error(it->second, p, "expected a quantity, got nothing");
      continue;
    }
    if (q->milli_value() < 0) {
      r.error(it->second, p, "must be greater than or equal to 0");
      continue;
    }
    if (name == "cpu") {
      out.milli_cpu = q->milli_value();
      if (has_cpu) *has_cpu = true;
    } else if (name == "memory") {
      out.memory = q->value();
      if (has_memory) *has_memory = true;
    } else if (name == "ephemeral-storage") {
      out.ephemeral_storage = q->value();
    } else if (name == "pods") {
      out.pods = q->value();
    } else if (name != "storage") {
      out.set_scalar(name, q->value());
    }
  }
  return out;
}

TopologySpreadConstraint parse_spread_constraint(YamlReader& r, const YAML::Node& n,
                                                 const std::string& path, bool selector_allowed) {
  TopologySpreadConstraint c;
  if (!r.check_keys(n, path,
                    {"maxSkew", "topologyKey", "whenUnsatisfiable", "labelSelector", "minDomains",
                     "nodeAffinityPolicy", "nodeTaintsPolicy", "matchLabelKeys"})) {
    return c;
  }
  if (r.require(n, path, "maxSkew")) {
    c.max_skew = r.get_int32(n, path, "maxSkew").value_or(1);
    if (c.max_skew < 1) {
      r.error(YamlReader::child(n, "maxSkew"), join(path, "maxSkew"), "must be greater than 0");
    }
  }
  if (r.require(n, path, "topologyKey"))
    c.topology_key = r.get_string(n, path, "topologyKey").value_or("");
  if (r.require(n, path, "whenUnsatisfiable")) {
    auto w = r.get_enum(n, path, "whenUnsatisfiable", {"DoNotSchedule", "ScheduleAnyway"});
    if (w && *w == "ScheduleAnyway") c.when_unsatisfiable = WhenUnsatisfiable::kScheduleAnyway;
  }
  if (r.has(n, "labelSelector")) {
    if (!selector_allowed) {
      r.error(YamlReader::child(n, "labelSelector"), join(path, "labelSelector"),
              "default constraints must not set labelSelector");
    } else {
      c.label_selector = parse_label_selector(r, YamlReader::child(n, "labelSelector"),
                                              join(path, "labelSelector"));
    }
  }
  c.min_domains = r.get_int32(n, path, "minDomains");
  if (c.min_domains && *c.min_domains < 1) {
    r.error(YamlReader::child(n, "minDomains"), join(path, "minDomains"), "must be greater than 0");
  }
  if (c.min_domains && c.when_unsatisfiable != WhenUnsatisfiable::kDoNotSchedule) {
    r.error(YamlReader::child(n, "minDomains"), join(path, "minDomains"),
            "can only be set when whenUnsatisfiable is DoNotSchedule");
  }
  if (auto v = r.get_enum(n, path, "nodeAffinityPolicy", {"Honor", "Ignore"})) {
    c.node_affinity_policy =
        *v == "Honor" ? NodeInclusionPolicy::kHonor : NodeInclusionPolicy::kIgnore;
  }
  if (auto v = r.get_enum(n, path, "nodeTaintsPolicy", {"Honor", "Ignore"})) {
    c.node_taints_policy =
        *v == "Honor" ? NodeInclusionPolicy::kHonor : NodeInclusionPolicy::kIgnore;
  }
  if (auto v = r.get_string_list(n, path, "matchLabelKeys")) c.match_label_keys = *v;
  return c;
}

PodSpec parse_pod_spec(YamlReader& r, const YAML::Node& n, const std::string& path,
                       PodSpecRefs& refs) {
  PodSpec s;
  if (!r.check_keys(n, path,
                    {"containers", "initContainers", "nodeName", "nodeSelector", "affinity",
                     "tolerations", "topologySpreadConstraints", "priority", "priorityClassName",
                     "schedulerName", "overhead", "restartPolicy", "terminationGracePeriodSeconds"},
                    {"volumes",
                     "serviceAccountName",
                     "serviceAccount",
                     "automountServiceAccountToken",
                     "securityContext",
                     "imagePullSecrets",
                     "hostNetwork",
                     "hostPID",
                     "hostIPC",
                     "dnsPolicy",
                     "dnsConfig",
                     "hostname",
                     "subdomain",
                     "enableServiceLinks",
                     "preemptionPolicy",
                     "runtimeClassName",
                     "readinessGates",
                     "shareProcessNamespace",
                     "activeDeadlineSeconds",
                     "setHostnameAsFQDN",
                     "os",
                     "hostAliases",
                     "ephemeralContainers",
                     "schedulingGates",
                     "resourceClaims",
                     "hostUsers",
                     "resources"})) {
    return s;
  }
  if (r.require(n, path, "containers")) {
    s.containers =
        parse_containers(r, YamlReader::child(n, "containers"), join(path, "containers"));
    if (s.containers.empty() && YamlReader::child(n, "containers").IsSequence()) {
      r.error(YamlReader::child(n, "containers"), join(path, "containers"),
              "a pod needs at least one container");
    }
  }
  s.init_containers =
      parse_containers(r, YamlReader::child(n, "initContainers"), join(path, "initContainers"));
  // validation.go validateInitContainers: probes only on restartable (sidecar)
  // init containers, which kubesim does not model.
  for (size_t i = 0; i < s.init_containers.size(); ++i) {
    const YAML::Node c = YamlReader::child(n, "initContainers")[i];
    for (const char* key : {"startupProbe", "readinessProbe", "livenessProbe"}) {
      if (!r.has(c, key)) continue;
      r.error(YamlReader::child(c, key), join(index(join(path, "initContainers"), i), key),
              "may not be set for init containers (sidecar init containers are not modelled)");
    }
    s.init_containers[i].startup_probe = {};
    s.init_containers[i].readiness_probe = {};
    s.init_containers[i].liveness_probe = {};
  }
  if (auto v = r.get_string(n, path, "nodeName")) {
    s.node_name = *v;
    refs.node_name = r.origin(YamlReader::child(n, "nodeName"), join(path, "nodeName"));
  }
  if (auto v = r.get_string_map(n, path, "nodeSelector")) s.node_selector = *v;
  YAML::Node aff = YamlReader::child(n, "affinity");
  std::string aff_path = join(path, "affinity");
  if (aff.IsDefined() && !aff.IsNull() &&
      r.check_keys(aff, aff_path, {"nodeAffinity", "podAffinity", "podAntiAffinity"})) {
    if (r.has(aff, "nodeAffinity")) {
      s.node_affinity = parse_node_affinity(r, YamlReader::child(aff, "nodeAffinity"),
                                            join(aff_path, "nodeAffinity"));
    }
    if (r.has(aff, "podAffinity")) {
      s.pod_affinity = parse_pod_affinity(r, YamlReader::child(aff, "podAffinity"),
                                          join(aff_path, "podAffinity"));
    }
    if (r.has(aff, "podAntiAffinity")) {
      s.pod_anti_affinity = parse_pod_affinity(r, YamlReader::child(aff, "podAntiAffinity"),
                                               join(aff_path, "podAntiAffinity"));
    }
  }
  YAML::Node tol = YamlReader::child(n, "tolerations");
  if (tol.IsDefined() && !tol.IsNull() && r.expect_seq(tol, join(path, "tolerations"))) {
    for (size_t i = 0; i < tol.size(); ++i) {
      s.tolerations.push_back(parse_toleration(r, tol[i], index(join(path, "tolerations"), i)));
    }
  }
  YAML::Node tsc = YamlReader::child(n, "topologySpreadConstraints");
  std::string tsc_path = join(path, "topologySpreadConstraints");
  if (tsc.IsDefined() && !tsc.IsNull() && r.expect_seq(tsc, tsc_path)) {
    for (size_t i = 0; i < tsc.size(); ++i) {
      s.topology_spread_constraints.push_back(
          parse_spread_constraint(r, tsc[i], index(tsc_path, i)));
    }
  }
  if (auto v = r.get_int32(n, path, "priority")) {
    s.priority = *v;
    refs.priority = r.origin(YamlReader::child(n, "priority"), join(path, "priority"));
  }
  if (auto v = r.get_string(n, path, "priorityClassName")) {
    s.priority_class_name = *v;
    refs.priority_class =
        r.origin(YamlReader::child(n, "priorityClassName"), join(path, "priorityClassName"));
  }
  if (auto v = r.get_string(n, path, "schedulerName")) s.scheduler_name = *v;
  s.overhead = parse_resource_list(r, YamlReader::child(n, "overhead"), join(path, "overhead"));
  if (auto v = r.get_enum(n, path, "restartPolicy", {"Always", "OnFailure", "Never"})) {
    s.restart_policy = *v == "Always"      ? RestartPolicy::kAlways
                       : *v == "OnFailure" ? RestartPolicy::kOnFailure
                                           : RestartPolicy::kNever;
  }
  if (auto v = r.get_int64(n, path, "terminationGracePeriodSeconds")) {
    if (*v < 0) {
      r.error(YamlReader::child(n, "terminationGracePeriodSeconds"),
              join(path, "terminationGracePeriodSeconds"), "must be greater than or equal to 0");
    }
    s.termination_grace_period_seconds = *v;
  }
  return s;
}

PodTemplate parse_pod_template(YamlReader& r, const YAML::Node& n, const std::string& path,
                               PodSpecRefs& refs) {
  PodTemplate t;
  if (!r.check_keys(n, path, {"metadata", "spec"})) return t;
  Origin ignored_at;
  YAML::Node meta = YamlReader::child(n, "metadata");
  if (meta.IsDefined() && !meta.IsNull()) {
    parse_object_meta(r, meta, join(path, "metadata"), t.metadata, ignored_at, true);
    check_kubesim_annotations(r, YamlReader::child(meta, "annotations"),
                              join(path, "metadata.annotations"));
  }
  if (r.require(n, path, "spec")) {
    t.spec = parse_pod_spec(r, YamlReader::child(n, "spec"), join(path, "spec"), refs);
  }
  return t;
}

std::optional<IntOrPercent> parse_int_or_percent(YamlReader& r, const YAML::Node& n,
                                                 const std::string& path) {
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  if (n.IsScalar() && n.Tag() == "?" && !n.Scalar().empty() && n.Scalar().back() != '%') {
    auto v = r.as_int32(n, path);
    if (!v) return std::nullopt;
    if (*v < 0) {
      r.error(n, path, "must be greater than or equal to 0");
      return std::nullopt;
    }
    return IntOrPercent{*v, false};
  }
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    bool ok = s.size() >= 2 && s.size() <= 6 && s.back() == '%' &&
              std::all_of(s.begin(), s.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
    if (ok) return IntOrPercent{std::stoi(s.substr(0, s.size() - 1)), true};
  }
  r.error(n, path, "expected an integer or a percentage like \"25%\", got " + describe(n));
  return std::nullopt;
}

}  // namespace kubesim::scenario_detail
