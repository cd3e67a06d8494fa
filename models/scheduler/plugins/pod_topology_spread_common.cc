// PodTopologySpread: constraint building and node inclusion
// (pkg/scheduler/framework/plugins/podtopologyspread/common.go, plugin.go).
#include "models/scheduler/plugins/pod_topology_spread_common.h"
#include "models/scheduler/plugins/pod_topology_spread.h"

namespace kubesim {
namespace pts_detail {
namespace {

// k8s.io/component-helpers/scheduling/corev1/nodeaffinity GetRequiredNodeAffinity(pod).Match:
// the nodeSelector and, when present, the required node affinity terms (ORed).
bool matches_required_node_affinity(const Pod& pod, const Node& node) {
  for (const auto& [k, v] : pod.spec.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return false;
  }
  const NodeAffinity& na = pod.spec.node_affinity;
  if (na.has_required && !matches_any(na.required, node.labels, node.name)) return false;
  return true;
}

// v1helper.FindMatchingUntoleratedTaint with helper.DoNotScheduleTaintsFilterFunc:
// only NoSchedule and NoExecute taints count.
bool has_untolerated_do_not_schedule_taint(const Pod& pod, const Node& node) {
  for (const Taint& t : node.taints) {
    if (t.effect != TaintEffect::kNoSchedule && t.effect != TaintEffect::kNoExecute) continue;
    if (!tolerates_any(pod.spec.tolerations, t)) return true;
  }
  return false;
}

// common.go mergeLabelSetWithSelector: SelectorFromSet(matchLabels) plus every
// requirement of the selector. A nil selector (labels.Nothing()) has no
// requirements to add, so the result is the label set alone.
LabelSelector merge_label_set_with_selector(const Labels& match_labels,
                                            const std::optional<LabelSelector>& s) {
  LabelSelector merged;
  merged.match_labels = match_labels;
  if (s) {
    // The selector's matchLabels become In requirements so that a key present in
    // both keeps both conditions (labels.Selector.Add ANDs requirements).
    for (const auto& [k, v] : s->match_labels) {
      merged.match_expressions.push_back(SelectorRequirement{k, SelectorOp::kIn, {v}});
    }
    for (const SelectorRequirement& r : s->match_expressions)
      merged.match_expressions.push_back(r);
  }
  return merged;
}

// countPodsMatchSelector's loop. The selector is checked before the
// terminating flag, which lies further into the Pod: most pods on a node
// belong to other workloads and fail the selector (one cache line fewer each).
int64_t count_matching_pods(const NodeInfo& info, const SpreadConstraint& c,
                            const std::string& ns) {
  int64_t count = 0;
  for (const Pod* p : info.pods) {
    if (p->namespace_ == ns && c.selects(p->labels) && !p->status.terminating) ++count;
  }
  return count;
}

}  // namespace

std::vector<SpreadConstraint> filter_constraints(
    const std::vector<TopologySpreadConstraint>& constraints, const Labels& pod_labels,
    WhenUnsatisfiable action) {
  // common.go filterTopologySpreadConstraints, with the MinDomains, NodeInclusionPolicy
  // and MatchLabelKeys features enabled (their defaults in v1.30-v1.35).
  std::vector<SpreadConstraint> result;
  for (const TopologySpreadConstraint& c : constraints) {
    if (c.when_unsatisfiable != action) continue;
    SpreadConstraint tsc;
    tsc.max_skew = c.max_skew;
    tsc.topology_key = c.topology_key;
    tsc.selector = c.label_selector;
    if (!c.match_label_keys.empty()) {
      Labels match_labels;
      for (const std::string& key : c.match_label_keys) {
        auto it = pod_labels.find(key);
        if (it != pod_labels.end()) match_labels[key] = it->second;
      }
      if (!match_labels.empty()) {
        tsc.selector = merge_label_set_with_selector(match_labels, c.label_selector);
      }
    }
    tsc.min_domains = c.min_domains.value_or(1);  // nil MinDomains is treated as 1
    tsc.node_affinity_policy = c.node_affinity_policy;
    tsc.node_taints_policy = c.node_taints_policy;
    result.push_back(std::move(tsc));
  }
  return result;
}

std::vector<SpreadConstraint> build_default_constraints(
    const std::vector<TopologySpreadConstraint>& defaults, const Pod& pod,
    WhenUnsatisfiable action) {
  std::vector<SpreadConstraint> constraints = filter_constraints(defaults, pod.labels, action);
  if (constraints.empty()) return {};
  // Simplification: kube-scheduler builds the selector from the Services,
  // ReplicationControllers, ReplicaSets and StatefulSets that select the pod
  // (helper.DefaultSelector). kubesim's plugins see only the snapshot, so a pod
  // that has an owner (pod.owner.kind non-empty) gets a selector made of its own
  // labels, which is what its controller's selector matches; a pod without an
  // owner gets no default constraints, as a pod matched by nothing does.
  if (pod.owner.kind.empty() || pod.labels.empty()) return {};  // selector.Empty()
  LabelSelector selector;
  selector.match_labels = pod.labels;
  for (SpreadConstraint& c : constraints)
    c.selector = selector;
  return constraints;
}

std::vector<SpreadConstraint> constraints_for(const Pod& pod,
                                              const std::vector<TopologySpreadConstraint>& defaults,
                                              WhenUnsatisfiable action) {
  if (!pod.spec.topology_spread_constraints.empty()) {
    return filter_constraints(pod.spec.topology_spread_constraints, pod.labels, action);
  }
  return build_default_constraints(defaults, pod, action);
}

bool node_has_all_topology_keys(const Labels& node_labels,
                                const std::vector<SpreadConstraint>& constraints) {
  for (const SpreadConstraint& c : constraints) {
    if (node_labels.find(c.topology_key) == node_labels.end()) return false;
  }
  return true;
}

bool matches_node_inclusion_policies(const SpreadConstraint& c, const Pod& pod, const Node& node) {
  if (c.node_affinity_policy == NodeInclusionPolicy::kHonor &&
      !matches_required_node_affinity(pod, node)) {
    return false;
  }
  if (c.node_taints_policy == NodeInclusionPolicy::kHonor &&
      has_untolerated_do_not_schedule_taint(pod, node)) {
    return false;
  }
  return true;
}

bool inclusion_policies_may_exclude(const SpreadConstraint& c, const Pod& pod) {
  const bool affinity_may_exclude =
      c.node_affinity_policy == NodeInclusionPolicy::kHonor &&
      (!pod.spec.node_selector.empty() || pod.spec.node_affinity.has_required);
  return affinity_may_exclude || c.node_taints_policy == NodeInclusionPolicy::kHonor;
}

int64_t count_pods_match_selector(const NodeInfo& info, const SpreadConstraint& c,
                                  const std::string& ns) {
  if (c.memo != nullptr) return c.memo->count(info, c, ns);
  return count_matching_pods(info, c, ns);
}

int64_t MatchCountMemo::count(const NodeInfo& info, const SpreadConstraint& c,
                              const std::string& ns) {
  const NodeId id = info.node->id;
  if (!id.valid() || info.generation == 0) return count_matching_pods(info, c, ns);
  if (by_node_.size() <= id.value) by_node_.resize(id.value + 1);
  Entry& e = by_node_[id.value];
  if (e.generation != info.generation || e.pods_version != info.node->pods_version) {
    e = Entry{info.generation, info.node->pods_version, count_matching_pods(info, c, ns)};
  }
  return e.count;
}

MatchCountMemo& MatchCountCache::memo(const SpreadConstraint& c, const std::string& ns) {
  std::string key = ns;
  key += '\n';
  if (!c.selector) {
    key += "<nothing>";
  } else {
    for (const auto& [k, v] : c.selector->match_labels) {
      key.append(k).append("=").append(v).append(";");
    }
    for (const SelectorRequirement& r : c.selector->match_expressions) {
      key.append(r.key).append(" ").append(std::to_string(static_cast<int>(r.op))).append(" ");
      for (const std::string& v : r.values)
        key.append(v).append(",");
      key.append(";");
    }
  }
  return memos_[key];
}

void MatchCountCache::trim(size_t max_selectors) {
  if (memos_.size() > max_selectors) memos_.clear();
}

const std::string* label_value(const Labels& labels, const std::string& key) {
  // Nodes carry a handful of labels. Walking them and comparing lengths first
  // costs about one string comparison (the match), where the map's find
  // compares strings in order at every level and once more for equality.
  // PreScore looks a key up on every node of the cluster.
  constexpr size_t kLinearScanMaxLabels = 8;
  if (labels.size() <= kLinearScanMaxLabels) {
    for (const auto& [k, v] : labels) {
      if (k.size() == key.size() && k == key) return &v;
    }
    return nullptr;
  }
  auto it = labels.find(key);
  return it == labels.end() ? nullptr : &it->second;
}

}  // namespace pts_detail

namespace {

// plugin.go systemDefaultConstraints.
std::vector<TopologySpreadConstraint> system_default_constraints() {
  TopologySpreadConstraint hostname;
  hostname.topology_key = kLabelHostname;
  hostname.when_unsatisfiable = WhenUnsatisfiable::kScheduleAnyway;
  hostname.max_skew = 3;
  TopologySpreadConstraint zone;
  zone.topology_key = kLabelZone;
  zone.when_unsatisfiable = WhenUnsatisfiable::kScheduleAnyway;
  zone.max_skew = 5;
  return {hostname, zone};
}

}  // namespace

PodTopologySpread::PodTopologySpread(const PluginArgs& args) {
  // plugin.go New: defaultingType System replaces the listed default constraints.
  if (args.spread_system_defaulting) {
    default_constraints_ = system_default_constraints();
    system_defaulted_ = true;
  } else {
    default_constraints_ = args.spread_default_constraints;
  }
}

std::unique_ptr<Plugin> make_pod_topology_spread(const PluginArgs& args) {
  return std::make_unique<PodTopologySpread>(args);
}

}  // namespace kubesim
