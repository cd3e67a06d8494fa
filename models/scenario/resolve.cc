#include "models/scenario/resolve.h"

#include <deque>
#include <utility>

namespace kubesim::scenario_detail {
namespace {

std::string where(const Origin& o) {
  return o.file + ":" + std::to_string(o.line) + ":" + std::to_string(o.column);
}

template <class T, class KeyFn>
void check_duplicates(YamlReader& r, const std::vector<Entry<T>>& entries, const std::string& kind,
                      KeyFn key) {
  std::map<std::string, const Origin*> seen;
  for (const Entry<T>& e : entries) {
    std::string k = key(e.object);
    if (k.empty() || k == "/" || k.back() == '/') continue;  // a missing name is reported already
    auto [it, fresh] = seen.emplace(k, &e.at);
    if (!fresh) {
      r.error_at(e.at, "duplicate " + kind + " \"" + k + "\" (first defined at " +
                           where(*it->second) + ")");
    }
  }
}

template <class T>
std::string namespaced(const T& o) {
  return o.metadata.namespace_ + "/" + o.metadata.name;
}

template <class T>
std::deque<T> objects_of(std::vector<Entry<T>>& entries) {
  std::deque<T> out;
  for (Entry<T>& e : entries)
    out.push_back(std::move(e.object));
  return out;
}

// A bound pod must fit its node (the kubelet's admission, pkg/kubelet/lifecycle/predicate.go).
void check_bound_pods_fit(YamlReader& r, const std::vector<Entry<Pod>>& pods,
                          const ClusterObjects& objects) {
  std::vector<Resources> used(objects.nodes.size());
  for (const Entry<Pod>& e : pods) {
    const Pod& p = e.object;
    if (!p.node.valid() || !e.refs.node_name) continue;
    const Node& n = objects.nodes[p.node.value];
    Resources& u = used[p.node.value];
    u.add(pod_requests(p.spec));
    u.pods += 1;
    std::vector<std::string> short_of;
    if (u.pods > n.allocatable.pods) short_of.push_back("Too many pods");
    for (const char* name : {"cpu", "memory", "ephemeral-storage"}) {
      if (resource_amount(u, name) > resource_amount(n.allocatable, name)) {
        short_of.push_back(std::string("Insufficient ") + name);
      }
    }
    for (const auto& [name, v] : u.scalar) {
      if (v > n.allocatable.scalar_value(name)) short_of.push_back("Insufficient " + name);
    }
    if (!short_of.empty()) {
      std::string reasons;
      for (const std::string& s : short_of)
        reasons += (reasons.empty() ? "" : ", ") + s;
      r.error_at(*e.refs.node_name, "pod \"" + p.namespace_ + "/" + p.name +
                                        "\" does not fit on node \"" + n.name + "\": " + reasons);
      u.subtract(pod_requests(p.spec));
      u.pods -= 1;
    }
  }
}

}  // namespace

std::map<std::string, int32_t> builtin_priority_classes() {
  return {{"system-cluster-critical", 2'000'000'000}, {"system-node-critical", 2'000'001'000}};
}

void resolve_priority(YamlReader& r, PodSpec& spec, const PodSpecRefs& refs,
                      const std::map<std::string, int32_t>& classes,
                      const std::optional<std::string>& global_default) {
  // plugin/pkg/admission/priority/admission.go: the class gives the priority;
  // without a class, the globalDefault class does. (kubesim also accepts a bare
  // spec.priority without a class, which the admission plugin would reject.)
  if (spec.priority_class_name.empty()) {
    if (global_default && !refs.priority) {
      spec.priority_class_name = *global_default;
      spec.priority = classes.at(*global_default);
    }
    return;
  }
  auto it = classes.find(spec.priority_class_name);
  if (it == classes.end()) {
    std::vector<std::string> names;
    for (const auto& [name, v] : classes)
      names.push_back(name);
    std::string hint = closest(spec.priority_class_name, names);
    r.error_at(*refs.priority_class, "no PriorityClass with name \"" + spec.priority_class_name +
                                         "\" was found" +
                                         (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
    return;
  }
  if (refs.priority && spec.priority != it->second) {
    r.error_at(*refs.priority, "the integer value of priority (" + std::to_string(spec.priority) +
                                   ") must not be provided in pod spec; the PriorityClass \"" +
                                   it->first + "\" gives " + std::to_string(it->second));
  }
  spec.priority = it->second;
}

void resolve_objects(YamlReader& r, std::vector<Entry<Node>> nodes, ManifestSet m, Scenario& out) {
  // Priority classes.
  out.priority_classes = builtin_priority_classes();
  std::map<std::string, const Origin*> class_at;
  for (const Entry<PriorityClassSpec>& e : m.priority_classes) {
    const PriorityClassSpec& pc = e.object;
    if (pc.name.empty()) continue;
    if (out.priority_classes.count(pc.name)) {
      r.error_at(e.at, "duplicate PriorityClass \"" + pc.name + "\"" +
                           (class_at.count(pc.name)
                                ? " (first defined at " + where(*class_at[pc.name]) + ")"
                                : " (a built-in class)"));
      continue;
    }
    out.priority_classes[pc.name] = pc.value;
    class_at[pc.name] = &e.at;
    if (pc.global_default) {
      if (out.global_default_priority_class) {
        r.error_at(e.at, "globalDefault is already set by PriorityClass \"" +
                             *out.global_default_priority_class + "\"");
      } else {
        out.global_default_priority_class = pc.name;
      }
    }
  }

  // Nodes: pools and cluster.nodes, then Node manifests.
  for (Entry<Node>& e : m.nodes) {
    if (!e.object.labels.count(kLabelHostname)) e.object.labels[kLabelHostname] = e.object.name;
    nodes.push_back(std::move(e));
  }
  check_duplicates(r, nodes, "node", [](const Node& n) { return n.name; });
  for (Entry<Node>& e : nodes)
    out.objects.add_node(std::move(e.object));

  // Pods.
  check_duplicates(r, m.pods, "Pod", [](const Pod& p) { return p.namespace_ + "/" + p.name; });
  std::vector<std::string> node_names;
  for (const Node& n : out.objects.nodes)
    node_names.push_back(n.name);
  for (Entry<Pod>& e : m.pods) {
    Pod& p = e.object;
    resolve_priority(r, p.spec, e.refs, out.priority_classes, out.global_default_priority_class);
    if (p.spec.node_name.empty()) continue;
    const Node* node = out.objects.find_node(p.spec.node_name);
    if (node == nullptr) {
      std::string hint = closest(p.spec.node_name, node_names);
      r.error_at(*e.refs.node_name, "node \"" + p.spec.node_name + "\" not found" +
                                        (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
      continue;
    }
    p.node = node->id;
    p.phase = PodPhase::kRunning;
  }
  check_bound_pods_fit(r, m.pods, out.objects);

  // Workloads.
  auto resolve_templates = [&](auto& entries) {
    for (auto& e : entries) {
      resolve_priority(r, e.object.template_.spec, e.refs, out.priority_classes,
                       out.global_default_priority_class);
    }
  };
  check_duplicates(r, m.deployments, "Deployment", namespaced<Deployment>);
  check_duplicates(r, m.replica_sets, "ReplicaSet", namespaced<ReplicaSet>);
  check_duplicates(r, m.daemon_sets, "DaemonSet", namespaced<DaemonSet>);
  check_duplicates(r, m.jobs, "Job", namespaced<Job>);
  check_duplicates(r, m.services, "Service", namespaced<Service>);
  check_duplicates(r, m.pod_disruption_budgets, "PodDisruptionBudget",
                   namespaced<PodDisruptionBudget>);
  check_duplicates(r, m.horizontal_pod_autoscalers, "HorizontalPodAutoscaler",
                   namespaced<HorizontalPodAutoscaler>);
  resolve_templates(m.deployments);
  resolve_templates(m.replica_sets);
  resolve_templates(m.daemon_sets);
  resolve_templates(m.jobs);
  for (const Entry<HorizontalPodAutoscaler>& e : m.horizontal_pod_autoscalers) {
    const HorizontalPodAutoscaler& h = e.object;
    if (h.target_name.empty()) continue;
    bool found = false;
    std::vector<std::string> names;
    auto search = [&](const auto& entries) {
      for (const auto& t : entries) {
        if (t.object.metadata.namespace_ != h.metadata.namespace_) continue;
        names.push_back(t.object.metadata.name);
        found = found || t.object.metadata.name == h.target_name;
      }
    };
    if (h.target_kind == "Deployment") search(m.deployments);
    if (h.target_kind == "ReplicaSet") search(m.replica_sets);
    if (!found) {
      std::string hint = closest(h.target_name, names);
      r.error_at(e.target_at, h.target_kind + " \"" + h.metadata.namespace_ + "/" + h.target_name +
                                  "\" not found" +
                                  (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
    }
  }

  for (Entry<Pod>& e : m.pods)
    out.objects.add_pod(std::move(e.object));
  out.objects.deployments = objects_of(m.deployments);
  out.objects.replica_sets = objects_of(m.replica_sets);
  out.objects.daemon_sets = objects_of(m.daemon_sets);
  out.objects.jobs = objects_of(m.jobs);
  out.objects.services = objects_of(m.services);
  out.objects.pod_disruption_budgets = objects_of(m.pod_disruption_budgets);
  out.objects.horizontal_pod_autoscalers = objects_of(m.horizontal_pod_autoscalers);
}

}  // namespace kubesim::scenario_detail
