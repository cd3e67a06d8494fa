#include "models/scenario/manifests.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <utility>

#include "models/scenario/annotations.h"

namespace kubesim::scenario_detail {
namespace {

// Kinds kubectl would apply but that change nothing kubesim simulates.
constexpr std::string_view kIgnoredKinds[] = {"ConfigMap",
                                              "Secret",
                                              "ServiceAccount",
                                              "Namespace",
                                              "Role",
                                              "RoleBinding",
                                              "ClusterRole",
                                              "ClusterRoleBinding",
                                              "Ingress",
                                              "IngressClass",
                                              "NetworkPolicy",
                                              "PersistentVolumeClaim",
                                              "PersistentVolume",
                                              "StorageClass",
                                              "LimitRange",
                                              "ResourceQuota",
                                              "Endpoints",
                                              "EndpointSlice",
                                              "CustomResourceDefinition"};
// Kinds that create pods kubesim cannot simulate yet: silently dropping them would mislead.
constexpr std::string_view kUnsupportedKinds[] = {"StatefulSet", "CronJob",
                                                  "ReplicationController"};

struct KindInfo {
  std::string_view kind;
  std::string_view api_version;
};
constexpr KindInfo kKinds[] = {
    {"Pod", "v1"},
    {"Node", "v1"},
    {"Service", "v1"},
    {"Deployment", "apps/v1"},
    {"ReplicaSet", "apps/v1"},
    {"DaemonSet", "apps/v1"},
    {"Job", "batch/v1"},
    {"PodDisruptionBudget", "policy/v1"},
    {"HorizontalPodAutoscaler", "autoscaling/v2"},
    {"PriorityClass", "scheduling.k8s.io/v1"},
};

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// The selector of apps/v1 workloads: required, non-empty, and matching the
// template's labels (pkg/apis/apps/validation/validation.go).
LabelSelector parse_workload_selector(YamlReader& r, const YAML::Node& spec,
                                      const std::string& spec_path, const PodTemplate& tmpl,
                                      const std::string& kind) {
  LabelSelector sel;
  if (!r.require(spec, spec_path, "selector")) return sel;
  const size_t before = r.error_count();
  YAML::Node sel_node = child(spec, "selector");
  sel = parse_label_selector(r, sel_node, join(spec_path, "selector"));
  if (r.error_count() != before) return sel;
  if (sel.match_labels.empty() && sel.match_expressions.empty()) {
    r.error(sel_node, join(spec_path, "selector"), "empty selector is invalid for " + kind);
    return sel;
  }
  if (!matches(sel, tmpl.metadata.labels)) {
    YAML::Node tmpl_node = child(spec, "template");
    YAML::Node labels = child(child(tmpl_node, "metadata"), "labels");
    r.error(labels.IsDefined() ? labels : tmpl_node,
            join(spec_path, labels.IsDefined() ? "template.metadata.labels" : "template"),
            "`selector` does not match template `labels`");
  }
  return sel;
}

PodTemplate parse_template(YamlReader& r, const YAML::Node& spec, const std::string& spec_path,
                           PodSpecRefs& refs, bool always_restart) {
  PodTemplate t;
  if (!r.require(spec, spec_path, "template")) return t;
  const std::string path = join(spec_path, "template");
  t = parse_pod_template(r, child(spec, "template"), path, refs);
  YAML::Node policy = child(child(child(spec, "template"), "spec"), "restartPolicy");
  if (always_restart && t.spec.restart_policy != RestartPolicy::kAlways) {
    r.error(policy, join(path, "spec.restartPolicy"),
            "unsupported value; only \"Always\" is allowed for this kind");
  }
  if (!always_restart && t.spec.restart_policy == RestartPolicy::kAlways) {
    YAML::Node at = policy.IsDefined() ? policy : child(child(spec, "template"), "spec");
    r.error(at.IsDefined() ? at : spec, join(path, "spec.restartPolicy"),
            "a Job's pods need restartPolicy \"OnFailure\" or \"Never\"");
  }
  return t;
}

void parse_deployment(YamlReader& r, const YAML::Node& spec, const std::string& path,
                      Entry<Deployment>& e) {
  Deployment& d = e.object;
  if (!r.check_keys(spec, path,
                    {"replicas", "selector", "template", "strategy", "progressDeadlineSeconds",
                     "revisionHistoryLimit", "minReadySeconds"},
                    {"paused"})) {
    return;
  }
  if (auto v = r.get_int32(spec, path, "replicas")) d.replicas = *v;
  if (d.replicas < 0) r.error(child(spec, "replicas"), join(path, "replicas"), "must be >= 0");
  d.template_ = parse_template(r, spec, path, e.refs, true);
  d.selector = parse_workload_selector(r, spec, path, d.template_, "deployment");
  if (auto v = r.get_int32(spec, path, "progressDeadlineSeconds")) d.progress_deadline_seconds = *v;
  if (auto v = r.get_int32(spec, path, "revisionHistoryLimit")) d.revision_history_limit = *v;
  if (auto v = r.get_int32(spec, path, "minReadySeconds")) d.min_ready_seconds = *v;
  YAML::Node strategy = child(spec, "strategy");
  const std::string sp = join(path, "strategy");
  if (!strategy.IsDefined() || strategy.IsNull() ||
      !r.check_keys(strategy, sp, {"type", "rollingUpdate"})) {
    return;
  }
  if (auto v = r.get_enum(strategy, sp, "type", {"RollingUpdate", "Recreate"})) {
    d.recreate = *v == "Recreate";
  }
  YAML::Node ru = child(strategy, "rollingUpdate");
  const std::string rp = join(sp, "rollingUpdate");
  if (!ru.IsDefined() || ru.IsNull()) return;
  if (d.recreate) {
    r.error(ru, rp, "may not be specified when strategy `type` is 'Recreate'");
    return;
  }
  if (!r.check_keys(ru, rp, {"maxSurge", "maxUnavailable"})) return;
  if (auto v = parse_int_or_percent(r, child(ru, "maxSurge"), join(rp, "maxSurge"))) {
    d.max_surge = *v;
  }
  if (auto v = parse_int_or_percent(r, child(ru, "maxUnavailable"), join(rp, "maxUnavailable"))) {
    d.max_unavailable = *v;
  }
  if (d.max_surge.value == 0 && d.max_unavailable.value == 0) {
    r.error(ru, join(rp, "maxUnavailable"), "may not be 0 when `maxSurge` is 0");
  }
  for (auto [key, v] :
       {std::pair{"maxSurge", d.max_surge}, {"maxUnavailable", d.max_unavailable}}) {
    if (v.percent && v.value > 100) {
      r.error(child(ru, key), join(rp, key), "must not be greater than 100%");
    }
  }
}

void parse_service(YamlReader& r, const YAML::Node& spec, const std::string& path, Service& s) {
  if (!r.check_keys(spec, path, {"selector", "ports", "sessionAffinity", "sessionAffinityConfig"},
                    {"type", "clusterIP", "clusterIPs", "externalIPs", "loadBalancerIP",
                     "externalTrafficPolicy", "internalTrafficPolicy", "ipFamilies",
                     "ipFamilyPolicy", "healthCheckNodePort", "publishNotReadyAddresses",
                     "loadBalancerSourceRanges", "externalName", "allocateLoadBalancerNodePorts",
                     "loadBalancerClass", "trafficDistribution"})) {
    return;
  }
  if (auto v = r.get_string_map(spec, path, "selector")) s.selector = *v;
  YAML::Node ports = child(spec, "ports");
  const std::string pp = join(path, "ports");
  if (ports.IsDefined() && !ports.IsNull() && r.expect_seq(ports, pp)) {
    for (size_t i = 0; i < ports.size(); ++i) {
      const std::string p = index(pp, i);
      if (!r.check_keys(ports[i], p, {"name", "port", "targetPort", "protocol"},
                        {"nodePort", "appProtocol"})) {
        continue;
      }
      ServicePort sp;
      if (auto v = r.get_string(ports[i], p, "name")) sp.name = *v;
      if (r.require(ports[i], p, "port")) sp.port = r.get_int32(ports[i], p, "port").value_or(0);
      sp.target_port = sp.port;
      YAML::Node tp = child(ports[i], "targetPort");
      if (tp.IsDefined() && !tp.IsNull()) {
        if (tp.IsScalar() && tp.Tag() == "?" && !tp.Scalar().empty() &&
            std::isdigit(static_cast<unsigned char>(tp.Scalar()[0]))) {
          sp.target_port = r.as_int32(tp, join(p, "targetPort")).value_or(sp.port);
        } else {
          // A named container port; kubesim routes to the service port number.
          r.as_string(tp, join(p, "targetPort"));
        }
      }
      if (auto v = r.get_enum(ports[i], p, "protocol", {"TCP", "UDP", "SCTP"})) sp.protocol = *v;
      s.ports.push_back(sp);
    }
  }
  if (auto v = r.get_enum(spec, path, "sessionAffinity", {"None", "ClientIP"})) {
    s.session_affinity_client_ip = *v == "ClientIP";
  }
  YAML::Node cfg = child(spec, "sessionAffinityConfig");
  const std::string cp = join(path, "sessionAffinityConfig");
  if (cfg.IsDefined() && !cfg.IsNull() && r.check_keys(cfg, cp, {"clientIP"})) {
    YAML::Node ip = child(cfg, "clientIP");
    if (ip.IsDefined() && !ip.IsNull() &&
        r.check_keys(ip, join(cp, "clientIP"), {"timeoutSeconds"})) {
      if (auto v = r.get_int32(ip, join(cp, "clientIP"), "timeoutSeconds")) {
        s.session_affinity_timeout_seconds = *v;
      }
    }
  }
}

void parse_hpa(YamlReader& r, const YAML::Node& spec, const std::string& path,
               Entry<HorizontalPodAutoscaler>& e) {
  HorizontalPodAutoscaler& h = e.object;
  if (!r.check_keys(spec, path, {"scaleTargetRef", "minReplicas", "maxReplicas", "metrics"},
                    {"behavior"})) {
    return;
  }
  const std::string tp = join(path, "scaleTargetRef");
  if (r.require(spec, path, "scaleTargetRef") &&
      r.check_keys(child(spec, "scaleTargetRef"), tp, {"apiVersion", "kind", "name"})) {
    YAML::Node ref = child(spec, "scaleTargetRef");
    r.get_string(ref, tp, "apiVersion");
    if (r.require(ref, tp, "kind")) {
      h.target_kind = r.get_enum(ref, tp, "kind", {"Deployment", "ReplicaSet"}).value_or("");
    }
    if (r.require(ref, tp, "name")) {
      h.target_name = r.get_string(ref, tp, "name").value_or("");
      e.target_at = r.origin(child(ref, "name"), join(tp, "name"));
    }
  }
  if (auto v = r.get_int32(spec, path, "minReplicas")) h.min_replicas = *v;
  if (r.require(spec, path, "maxReplicas"))
    h.max_replicas = r.get_int32(spec, path, "maxReplicas").value_or(1);
  if (h.min_replicas < 1) {
    r.error(child(spec, "minReplicas"), join(path, "minReplicas"), "must be greater than 0");
  }
  if (r.has(spec, "maxReplicas") && h.max_replicas < h.min_replicas) {
    r.error(child(spec, "maxReplicas"), join(path, "maxReplicas"),
            "must be greater than or equal to `minReplicas`");
  }
  YAML::Node metrics = child(spec, "metrics");
  const std::string mp = join(path, "metrics");
  if (!metrics.IsDefined() || metrics.IsNull() || !r.expect_seq(metrics, mp)) return;
  for (size_t i = 0; i < metrics.size(); ++i) {
    const std::string p = index(mp, i);
    if (!r.check_keys(metrics[i], p, {"type", "resource"},
                      {"pods", "object", "external", "containerResource"})) {
      continue;
    }
    if (!r.require(metrics[i], p, "type")) continue;
    auto type = r.get_string(metrics[i], p, "type");
    if (!type) continue;
    if (*type != "Resource") {
      r.error(child(metrics[i], "type"), join(p, "type"),
              "metric type \"" + *type + "\" is not supported; kubesim models Resource metrics");
      continue;
    }
    const std::string rp = join(p, "resource");
    if (!r.require(metrics[i], p, "resource") ||
        !r.check_keys(child(metrics[i], "resource"), rp, {"name", "target"})) {
      continue;
    }
    YAML::Node res = child(metrics[i], "resource");
    MetricTarget m;
    if (r.require(res, rp, "name"))
      m.resource = r.get_enum(res, rp, "name", {"cpu", "memory"}).value_or("");
    const std::string tgp = join(rp, "target");
    if (r.require(res, rp, "target") &&
        r.check_keys(child(res, "target"), tgp, {"type", "averageUtilization", "averageValue"},
                     {"value"})) {
      YAML::Node t = child(res, "target");
      auto ttype = r.require(t, tgp, "type")
                       ? r.get_enum(t, tgp, "type", {"Utilization", "AverageValue"})
                       : std::nullopt;
      if (ttype && *ttype == "Utilization") {
        if (r.require(t, tgp, "averageUtilization")) {
          m.average_utilization = r.get_int32(t, tgp, "averageUtilization");
        }
      } else if (ttype) {
        if (r.require(t, tgp, "averageValue")) {
          if (auto q = r.get_quantity(t, tgp, "averageValue")) {
            m.average_value = m.resource == "cpu" ? q->milli_value() : q->value();
          }
        }
      }
    }
    h.metrics.push_back(std::move(m));
  }
}

void parse_node_manifest(YamlReader& r, const YAML::Node& doc, const std::string& path,
                         Entry<Node>& e) {
  Node& n = e.object;
  ObjectMeta meta;
  parse_object_meta(r, child(doc, "metadata"), join(path, "metadata"), meta, e.at);
  n.name = meta.name;
  n.labels = meta.labels;
  YAML::Node spec = child(doc, "spec");
  const std::string sp = join(path, "spec");
  if (spec.IsDefined() && !spec.IsNull() &&
      r.check_keys(spec, sp, {"taints", "unschedulable"},
                   {"podCIDR", "podCIDRs", "providerID", "configSource", "externalID"})) {
    n.taints = parse_taints(r, child(spec, "taints"), join(sp, "taints"));
    n.unschedulable = r.get_bool(spec, sp, "unschedulable").value_or(false);
  }
  YAML::Node status = child(doc, "status");
  const std::string stp = join(path, "status");
  if (!r.require(doc, path, "status")) return;
  if (!r.check_keys(status, stp, {"capacity", "allocatable", "images"},
                    {"conditions", "addresses", "nodeInfo", "daemonEndpoints", "phase",
                     "volumesInUse", "volumesAttached", "config", "runtimeHandlers", "features"})) {
    return;
  }
  if (r.require(status, stp, "capacity")) {
    n.capacity = parse_resource_list(r, child(status, "capacity"), join(stp, "capacity"));
  }
  if (!r.has(child(status, "capacity"), "pods")) n.capacity.pods = kDefaultMaxPods;
  n.allocatable = n.capacity;
  if (r.has(status, "allocatable")) {
    n.allocatable = parse_resource_list(r, child(status, "allocatable"), join(stp, "allocatable"));
    if (!r.has(child(status, "allocatable"), "pods")) n.allocatable.pods = n.capacity.pods;
  }
  n.images = parse_images(r, child(status, "images"), join(stp, "images"));
}

}  // namespace

void load_manifest_file(YamlReader& r, const YAML::Node& include_value,
                        const std::string& include_path, ManifestSet& out) {
  auto rel = r.as_string(include_value, include_path);
  if (!rel) return;
  namespace fs = std::filesystem;
  std::string file = (fs::path(r.scenario_file()).parent_path() / *rel).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    r.error(include_value, include_path,
            "included file \"" + *rel + "\" does not exist (looked for " + file + ")");
    return;
  }
  YamlReader ir = r.reader_for(file);
  auto docs = read_documents(ir);
  if (!docs) return;
  for (const YAML::Node& d : *docs)
    parse_manifest(ir, d, "", out);
}

std::vector<ContainerImage> parse_images(YamlReader& r, const YAML::Node& n,
                                         const std::string& path) {
  std::vector<ContainerImage> out;
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return out;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = index(path, i);
    if (!r.check_keys(n[i], p, {"names", "name", "sizeBytes", "size"})) continue;
    ContainerImage img;
    if (auto v = r.get_string_list(n[i], p, "names")) img.names = *v;
    if (auto v = r.get_string(n[i], p, "name")) img.names.push_back(*v);
    if (img.names.empty()) r.error(n[i], join(p, "names"), "an image needs `names` or `name`");
    if (auto v = r.get_int64(n[i], p, "sizeBytes")) img.size_bytes = *v;
    if (auto v = r.get_quantity(n[i], p, "size")) img.size_bytes = v->value();
    if (r.has(n[i], "sizeBytes") && r.has(n[i], "size")) {
      r.error(child(n[i], "size"), join(p, "size"), "give `sizeBytes` or `size`, not both");
    }
    out.push_back(std::move(img));
  }
  return out;
}

void parse_manifest(YamlReader& r, const YAML::Node& doc, const std::string& path,
                    ManifestSet& out) {
  if (!r.expect_map(doc, path)) return;
  if (!r.require(doc, path, "kind") || !r.require(doc, path, "apiVersion")) return;
  auto kind = r.get_string(doc, path, "kind");
  auto api_version = r.get_string(doc, path, "apiVersion");
  if (!kind || !api_version) return;
  YAML::Node kind_node = child(doc, "kind");
  const std::string kind_path = join(path, "kind");
  for (std::string_view k : kIgnoredKinds) {
    if (*kind == k) {
      r.note(kind_node, kind_path, "ignored: kubesim does not model kind " + *kind);
      return;
    }
  }
  for (std::string_view k : kUnsupportedKinds) {
    if (*kind == k) {
      r.error(kind_node, kind_path, "kind " + *kind + " is not supported yet");
      return;
    }
  }
  const KindInfo* info = nullptr;
  for (const KindInfo& k : kKinds) {
    if (*kind == k.kind) info = &k;
  }
  if (info == nullptr) {
    std::vector<std::string> names;
    for (const KindInfo& k : kKinds)
      names.emplace_back(k.kind);
    std::string hint = closest(*kind, names);
    r.error(kind_node, kind_path,
            "unsupported kind \"" + *kind + "\"" +
                (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
    return;
  }
  if (*api_version != info->api_version) {
    r.error(child(doc, "apiVersion"), join(path, "apiVersion"),
            "kind " + *kind + " needs apiVersion " + std::string(info->api_version) + ", got \"" +
                *api_version + "\"");
    return;
  }
  const std::string mp = join(path, "metadata");
  const std::string sp = join(path, "spec");
  YAML::Node meta = child(doc, "metadata");
  YAML::Node spec = child(doc, "spec");
  if (*kind == "Node") {
    if (!r.check_keys(doc, path, {"apiVersion", "kind", "metadata", "spec", "status"})) return;
    out.nodes.emplace_back();
    parse_node_manifest(r, doc, path, out.nodes.back());
    return;
  }
  if (*kind == "PriorityClass") {
    if (!r.check_keys(doc, path,
                      {"apiVersion", "kind", "metadata", "value", "globalDefault", "description"},
                      {"preemptionPolicy"})) {
      return;
    }
    Entry<PriorityClassSpec> e;
    ObjectMeta m;
    parse_object_meta(r, meta, mp, m, e.at);
    e.object.name = m.name;
    if (r.require(doc, path, "value")) {
      e.object.value = r.get_int32(doc, path, "value").value_or(0);
      // pkg/apis/scheduling/validation: user classes are at most HighestUserDefinablePriority.
      if (e.object.value > 1'000'000'000 && m.name.rfind("system-", 0) != 0) {
        r.error(child(doc, "value"), join(path, "value"),
                "must not be greater than 1000000000 for a class not named system-*");
      }
    }
    e.object.global_default = r.get_bool(doc, path, "globalDefault").value_or(false);
    r.get_string(doc, path, "description");
    out.priority_classes.push_back(std::move(e));
    return;
  }
  if (!r.check_keys(doc, path, {"apiVersion", "kind", "metadata", "spec"}, {"status"})) return;
  ObjectMeta m;
  Origin name_at;
  parse_object_meta(r, meta, mp, m, name_at);
  if (!r.require(doc, path, "spec")) return;
  auto finish = [&](auto& vec, auto fill) {
    vec.emplace_back();
    auto& e = vec.back();
    e.at = name_at;
    e.object.metadata = m;
    fill(e);
  };
  if (*kind == "Pod") {
    Entry<Pod> e;
    e.at = name_at;
    e.object.name = m.name;
    e.object.namespace_ = m.namespace_;
    e.object.labels = m.labels;
    e.object.annotations = m.annotations;
    check_kubesim_annotations(r, child(meta, "annotations"), join(mp, "annotations"));
    e.object.spec = parse_pod_spec(r, spec, sp, e.refs);
    out.pods.push_back(std::move(e));
  } else if (*kind == "Deployment") {
    finish(out.deployments, [&](Entry<Deployment>& e) { parse_deployment(r, spec, sp, e); });
  } else if (*kind == "ReplicaSet") {
    finish(out.replica_sets, [&](Entry<ReplicaSet>& e) {
      if (!r.check_keys(spec, sp, {"replicas", "selector", "template"}, {"minReadySeconds"}))
        return;
      if (auto v = r.get_int32(spec, sp, "replicas")) e.object.replicas = *v;
      e.object.template_ = parse_template(r, spec, sp, e.refs, true);
      e.object.selector = parse_workload_selector(r, spec, sp, e.object.template_, "replicaset");
    });
  } else if (*kind == "DaemonSet") {
    finish(out.daemon_sets, [&](Entry<DaemonSet>& e) {
      if (!r.check_keys(spec, sp, {"selector", "template"},
                        {"updateStrategy", "minReadySeconds", "revisionHistoryLimit"})) {
        return;
      }
      e.object.template_ = parse_template(r, spec, sp, e.refs, true);
      e.object.selector = parse_workload_selector(r, spec, sp, e.object.template_, "daemonset");
    });
  } else if (*kind == "Job") {
    finish(out.jobs, [&](Entry<Job>& e) {
      if (!r.check_keys(
              spec, sp, {"completions", "parallelism", "backoffLimit", "template"},
              {"selector", "manualSelector", "activeDeadlineSeconds", "ttlSecondsAfterFinished",
               "completionMode", "suspend", "podFailurePolicy", "backoffLimitPerIndex",
               "maxFailedIndexes", "podReplacementPolicy", "successPolicy", "managedBy"})) {
        return;
      }
      if (auto v = r.get_int32(spec, sp, "completions")) e.object.completions = *v;
      if (auto v = r.get_int32(spec, sp, "parallelism")) e.object.parallelism = *v;
      if (auto v = r.get_int32(spec, sp, "backoffLimit")) e.object.backoff_limit = *v;
      e.object.template_ = parse_template(r, spec, sp, e.refs, false);
    });
  } else if (*kind == "Service") {
    check_service_annotations(r, child(meta, "annotations"), join(mp, "annotations"));
    finish(out.services, [&](Entry<Service>& e) { parse_service(r, spec, sp, e.object); });
  } else if (*kind == "PodDisruptionBudget") {
    finish(out.pod_disruption_budgets, [&](Entry<PodDisruptionBudget>& e) {
      if (!r.check_keys(spec, sp, {"selector", "minAvailable", "maxUnavailable"},
                        {"unhealthyPodEvictionPolicy"})) {
        return;
      }
      e.object.selector = parse_label_selector(r, child(spec, "selector"), join(sp, "selector"));
      e.object.min_available =
          parse_int_or_percent(r, child(spec, "minAvailable"), join(sp, "minAvailable"));
      e.object.max_unavailable =
          parse_int_or_percent(r, child(spec, "maxUnavailable"), join(sp, "maxUnavailable"));
      if (r.has(spec, "minAvailable") && r.has(spec, "maxUnavailable")) {
        r.error(child(spec, "maxUnavailable"), join(sp, "maxUnavailable"),
                "minAvailable and maxUnavailable cannot be both set");
      }
    });
  } else if (*kind == "HorizontalPodAutoscaler") {
    finish(out.horizontal_pod_autoscalers,
           [&](Entry<HorizontalPodAutoscaler>& e) { parse_hpa(r, spec, sp, e); });
  }
}

}  // namespace kubesim::scenario_detail
