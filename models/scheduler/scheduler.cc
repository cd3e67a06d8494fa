#include "models/scheduler/scheduler.h"

#include <algorithm>
#include <map>

#include <fmt/core.h>

namespace kubesim {

int32_t num_feasible_nodes_to_find(int32_t percentage, int32_t num_all_nodes) {
  // pkg/scheduler/schedule_one.go numFeasibleNodesToFind;
  // minFeasibleNodesToFind = 100, minFeasibleNodesPercentageToFind = 5.
  constexpr int32_t kMinFeasibleNodesToFind = 100;
  constexpr int32_t kMinFeasibleNodesPercentageToFind = 5;
  if (num_all_nodes < kMinFeasibleNodesToFind) return num_all_nodes;
  if (percentage == 0) {
    percentage = 50 - num_all_nodes / 125;
    if (percentage < kMinFeasibleNodesPercentageToFind)
      percentage = kMinFeasibleNodesPercentageToFind;
  }
  if (percentage >= 100) return num_all_nodes;
  const int32_t num_nodes = static_cast<int32_t>(int64_t{num_all_nodes} * percentage / 100);
  return num_nodes < kMinFeasibleNodesToFind ? kMinFeasibleNodesToFind : num_nodes;
}

Expected<std::unique_ptr<SchedulingFramework>> SchedulingFramework::create(
    const Profile& profile, const PluginRegistry& registry) {
  std::unique_ptr<SchedulingFramework> fw(new SchedulingFramework());
  fw->profile_ = profile;
  std::map<std::string, Plugin*> by_name;
  const auto instantiate = [&](const PluginEntry& entry) {
    Plugin*& p = by_name[entry.name];
    if (p == nullptr) {
      fw->owned_.push_back(entry.make(profile.args));
      p = fw->owned_.back().get();
    }
    return p;
  };
  for (const PluginWeight& pw : profile.multi_point) {
    if (registry.find(pw.name) == nullptr) {
      return Error{"unknown scheduler plugin \"" + pw.name + "\" in multiPoint"};
    }
  }
  const auto resolve = [&](uint32_t point, const char* point_name, const PluginSet& set,
                           std::vector<Instance>& out) -> Expected<bool> {
    const bool all_disabled =
        std::find(set.disabled.begin(), set.disabled.end(), "*") != set.disabled.end();
    for (const PluginWeight& pw : profile.multi_point) {
      const PluginEntry& entry = *registry.find(pw.name);
      if ((entry.extension_points & point) == 0 || all_disabled) continue;
      if (std::find(set.disabled.begin(), set.disabled.end(), pw.name) != set.disabled.end())
        continue;
      out.push_back(Instance{pw.name, instantiate(entry), pw.weight > 0 ? pw.weight : 1});
    }
    for (const PluginWeight& pw : set.enabled) {
      const PluginEntry* entry = registry.find(pw.name);
      if (entry == nullptr) return Error{"unknown scheduler plugin \"" + pw.name + "\""};
      if ((entry->extension_points & point) == 0) {
        return Error{"plugin \"" + pw.name + "\" does not implement " + point_name};
      }
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const Instance& i) { return i.name == pw.name; });
      const int32_t weight = pw.weight > 0 ? pw.weight : (it != out.end() ? it->weight : 1);
      if (it != out.end()) {
        it->weight = weight;
      } else {
        out.push_back(Instance{pw.name, instantiate(*entry), weight});
      }
    }
    return true;
  };
  if (auto r = resolve(kPreFilter, "preFilter", profile.pre_filter, fw->pre_filter_); !r)
    return r.error();
  if (auto r = resolve(kFilter, "filter", profile.filter, fw->filter_); !r) return r.error();
  if (auto r = resolve(kPreScore, "preScore", profile.pre_score, fw->pre_score_); !r)
    return r.error();
  if (auto r = resolve(kScore, "score", profile.score, fw->score_); !r) return r.error();
  return fw;
}

bool SchedulingFramework::run_pre_filter(CycleState& state, const Pod& pod,
                                         const Snapshot& snapshot,
                                         std::vector<const Instance*>& filters,
                                         ScheduleResult& result) {
  std::vector<const Plugin*> skipped;
  for (const Instance& in : pre_filter_) {
    Status st = in.plugin->pre_filter(state, pod, snapshot);
    if (st.skip()) {
      skipped.push_back(in.plugin);
      continue;
    }
    if (!st.ok()) {
      // A PreFilter rejection fails the pod on every node (schedule_one.go).
      st.plugin = in.name;
      const auto n = static_cast<int>(snapshot.nodes().size());
      result.nodes.clear();
      for (int i = 0; i < n; ++i) {
        NodeVerdict v;
        v.node = i;
        v.evaluated = true;
        v.failed_plugin = in.name;
        v.code = st.code;
        v.reasons = st.reasons;
        result.nodes.push_back(std::move(v));
      }
      result.evaluated_nodes = n;
      return false;
    }
  }
  filters.clear();
  for (const Instance& in : filter_) {
    if (std::find(skipped.begin(), skipped.end(), in.plugin) == skipped.end())
      filters.push_back(&in);
  }
  return true;
}

Status SchedulingFramework::run_filters(const CycleState& state, const Pod& pod,
                                        const NodeInfo& node,
                                        const std::vector<const Instance*>& filters) const {
  for (const Instance* in : filters) {
    Status st = in->plugin->filter(state, pod, node);
    if (!st.ok()) {
      st.plugin = in->name;
      return st;
    }
  }
  return {};
}

void SchedulingFramework::run_scores(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                                     std::vector<NodeVerdict*>& feasible, bool explain) {
  std::vector<const NodeInfo*> infos;
  infos.reserve(feasible.size());
  for (NodeVerdict* v : feasible)
    infos.push_back(&snapshot.nodes()[v->node]);
  std::vector<const Plugin*> skipped;
  for (const Instance& in : pre_score_) {
    const Status st = in.plugin->pre_score(state, pod, snapshot, infos);
    if (st.skip()) skipped.push_back(in.plugin);
  }
  std::vector<int64_t> raw(feasible.size());
  std::vector<int64_t> normalized;  // reused by every plugin
  std::vector<int64_t> totals;      // resized, not sized at construction: GCC 12 warns
  totals.resize(feasible.size());   // (-Wfree-nonheap-object, a false positive)
  bool scored = false;
  for (const Instance& in : score_) {
    if (std::find(skipped.begin(), skipped.end(), in.plugin) != skipped.end()) continue;
    for (size_t i = 0; i < feasible.size(); ++i)
      raw[i] = in.plugin->score(state, pod, *infos[i]);
    normalized.assign(raw.begin(), raw.end());
    in.plugin->normalize_scores(state, pod, normalized);
    for (size_t i = 0; i < feasible.size(); ++i)
      totals[i] += normalized[i] * in.weight;
    // Per-plugin scores are kept only to explain (they cost an allocation each).
    if (explain) {
      for (size_t i = 0; i < feasible.size(); ++i)
        feasible[i]->scores.push_back(PluginScore{in.name, raw[i], normalized[i], in.weight});
    }
    scored = true;
  }
  if (!scored) return;
  for (size_t i = 0; i < feasible.size(); ++i) {
    feasible[i]->total += totals[i];
    feasible[i]->scored = true;
  }
}

int SchedulingFramework::select_host(const std::vector<NodeVerdict*>& feasible, RandomStream& rng) {
  switch (profile_.selection) {
    case HostSelection::kFirstFit:
    case HostSelection::kRoundRobin:
      return feasible.front()->node;
    case HostSelection::kRandom:
      return feasible[rng.uniform_int(feasible.size())]->node;
    case HostSelection::kHighestScore:
      break;
  }
  // schedule_one.go selectHost: reservoir sampling among the maximum totals,
  // so each top-scoring node is chosen with equal probability.
  int selected = feasible.front()->node;
  int64_t max_score = feasible.front()->total;
  uint64_t count_of_max = 1;
  for (size_t i = 1; i < feasible.size(); ++i) {
    const int64_t s = feasible[i]->total;
    if (s > max_score) {
      max_score = s;
      selected = feasible[i]->node;
      count_of_max = 1;
    } else if (s == max_score) {
      ++count_of_max;
      if (rng.uniform_int(count_of_max) == 0) selected = feasible[i]->node;
    }
  }
  return selected;
}

std::string SchedulingFramework::fit_error(const ScheduleResult& result, int num_nodes) {
  // framework/types.go FitError.Error(): "0/N nodes are available: " and the
  // sorted histogram of reasons, "K reason".
  std::map<std::string, int> histogram;
  for (const NodeVerdict& v : result.nodes) {
    if (!v.evaluated || v.feasible) continue;
    for (const std::string& r : v.reasons)
      ++histogram[r];
  }
  std::vector<std::string> parts;
  for (const auto& [reason, count] : histogram)
    parts.push_back(fmt::format("{} {}", count, reason));
  std::sort(parts.begin(), parts.end());
  std::string msg = fmt::format("0/{} nodes are available", num_nodes);
  if (!parts.empty()) {
    msg += ": ";
    for (size_t i = 0; i < parts.size(); ++i)
      msg += (i ? ", " : "") + parts[i];
  }
  return msg + ".";
}

ScheduleResult SchedulingFramework::schedule(const Pod& pod, Snapshot& snapshot, RandomStream& rng,
                                             bool explain) {
  ScheduleResult result;
  const auto num_nodes = static_cast<int32_t>(snapshot.nodes().size());
  if (num_nodes == 0) {
    result.message = "0/0 nodes are available.";
    return result;
  }
  CycleState state;
  std::vector<const Instance*> filters;
  if (!run_pre_filter(state, pod, snapshot, filters, result)) {
    result.message = fit_error(result, num_nodes);
    if (profile_.preemption) result.preemption = preempt(pod, snapshot, result);
    return result;
  }

  // Filter, starting at the rotating index, until enough feasible nodes are
  // found (findNodesThatPassFilters). Explain mode and the alternative
  // policies look at every node.
  const bool all = explain || profile_.selection != HostSelection::kHighestScore;
  const int32_t to_find =
      all ? num_nodes
          : num_feasible_nodes_to_find(profile_.percentage_of_nodes_to_score, num_nodes);
  size_t start = 0;
  if (profile_.selection == HostSelection::kHighestScore) start = next_start_node_;
  if (profile_.selection == HostSelection::kRoundRobin) start = round_robin_next_;
  result.nodes.reserve(all ? num_nodes : to_find);
  int32_t processed = 0;
  for (int32_t k = 0; k < num_nodes && result.feasible_nodes < to_find; ++k) {
    const auto i = static_cast<int>((start + k) % num_nodes);
    NodeVerdict& v = result.nodes.emplace_back();
    v.node = i;
    v.evaluated = true;
    Status st = run_filters(state, pod, snapshot.nodes()[i], filters);
    v.feasible = st.ok();
    if (!v.feasible) {
      v.code = st.code;
      v.failed_plugin = std::move(st.plugin);
      v.reasons = std::move(st.reasons);
    } else {
      ++result.feasible_nodes;
    }
    ++processed;
    if (profile_.selection == HostSelection::kFirstFit && v.feasible && !explain) break;
  }
  result.evaluated_nodes = processed;
  if (profile_.selection == HostSelection::kHighestScore) {
    next_start_node_ = (next_start_node_ + processed) % num_nodes;
  }

  std::vector<NodeVerdict*> feasible;
  for (NodeVerdict& v : result.nodes) {
    if (v.feasible) feasible.push_back(&v);
  }
  if (feasible.empty()) {
    result.message = fit_error(result, num_nodes);
    if (profile_.preemption) result.preemption = preempt(pod, snapshot, result);
    if (explain)
      std::sort(result.nodes.begin(), result.nodes.end(),
                [](const NodeVerdict& a, const NodeVerdict& b) { return a.node < b.node; });
    return result;
  }
  // One feasible node: kube-scheduler takes it without scoring.
  if (feasible.size() > 1 || explain) run_scores(state, pod, snapshot, feasible, explain);
  result.selected = feasible.size() == 1 ? feasible.front()->node : select_host(feasible, rng);
  if (profile_.selection == HostSelection::kRoundRobin) {
    round_robin_next_ = (static_cast<size_t>(result.selected) + 1) % num_nodes;
  }
  if (explain) {
    std::sort(result.nodes.begin(), result.nodes.end(),
              [](const NodeVerdict& a, const NodeVerdict& b) { return a.node < b.node; });
  }
  return result;
}

}  // namespace kubesim
