#include "cli/schedule_report.h"

#include <algorithm>

#include <fmt/core.h>

namespace kubesim::cli {
namespace {

std::string node_name(const Snapshot& s, int index) {
  return s.nodes()[index].node->name;
}

std::string pad(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string describe_requests(const Pod& pod) {
  const Resources r = pod_requests(pod.spec);
  std::string out = fmt::format("cpu {}m, memory {}Mi", r.milli_cpu, r.memory / (1024 * 1024));
  for (const auto& [name, v] : r.scalar)
    out += fmt::format(", {} {}", name, v);
  return out;
}

}  // namespace

std::string schedule_table(const Pod& pod, const Snapshot& snapshot, const ScheduleResult& r,
                           const Profile& profile) {
  std::string out = fmt::format("pod {}/{} (requests {}, priority {}), profile {}, {} nodes\n\n",
                                pod.namespace_, pod.name, describe_requests(pod), pod.spec.priority,
                                profile.name, snapshot.nodes().size());
  // Columns: node, then one per score plugin ("normalized x weight"), total.
  std::vector<std::string> plugins;
  for (const NodeVerdict& v : r.nodes) {
    for (const PluginScore& s : v.scores) {
      if (std::find(plugins.begin(), plugins.end(), s.plugin) == plugins.end()) {
        plugins.push_back(s.plugin);
      }
    }
  }
  size_t name_width = 4;
  for (const NodeVerdict& v : r.nodes)
    name_width = std::max(name_width, node_name(snapshot, v.node).size());
  std::vector<size_t> widths;
  std::string header = pad("NODE", name_width + 2);
  for (const std::string& p : plugins) {
    widths.push_back(std::max<size_t>(p.size(), 12) + 2);
    header += pad(p, widths.back());
  }
  header += "TOTAL";
  out += header + "\n";
  for (const NodeVerdict& v : r.nodes) {
    std::string line = pad(node_name(snapshot, v.node), name_width + 2);
    if (!v.feasible) {
      std::string reasons;
      for (const std::string& reason : v.reasons)
        reasons += (reasons.empty() ? "" : "; ") + reason;
      line += fmt::format("not feasible: {} ({})", reasons, v.failed_plugin);
    } else if (!v.scored) {
      line += "feasible (not scored)";
    } else {
      for (size_t i = 0; i < plugins.size(); ++i) {
        auto it = std::find_if(v.scores.begin(), v.scores.end(),
                               [&](const PluginScore& s) { return s.plugin == plugins[i]; });
        line += pad(it == v.scores.end()
                        ? "-"
                        : fmt::format("{} ({}) x{}", it->normalized, it->raw, it->weight),
                    widths[i]);
      }
      line += std::to_string(v.total);
    }
    out += line + (v.node == r.selected ? "   <- selected" : "") + "\n";
  }
  out += "\nscores: normalized (raw) x weight; total = sum of normalized x weight\n";
  if (r.selected >= 0) {
    int64_t best = 0;
    int tied = 0;
    for (const NodeVerdict& v : r.nodes) {
      if (v.node == r.selected) best = v.total;
    }
    for (const NodeVerdict& v : r.nodes)
      tied += v.feasible && v.scored && v.total == best;
    out += fmt::format("selected: {}", node_name(snapshot, r.selected));
    if (tied > 1)
      out += fmt::format(" (one of {} nodes tied at {}, chosen uniformly at random)", tied, best);
    out += "\n";
  } else {
    out += fmt::format("unschedulable: {}\n", r.message);
    if (r.preemption.node >= 0) {
      std::string victims;
      for (const Pod* p : r.preemption.victims) {
        victims += (victims.empty() ? "" : ", ") +
                   fmt::format("{}/{} (priority {})", p->namespace_, p->name, p->spec.priority);
      }
      out += fmt::format("preemption: would evict {} on {}, then the pod fits there\n", victims,
                         node_name(snapshot, r.preemption.node));
    } else if (profile.preemption) {
      out += "preemption: would not help (no lower-priority pods whose eviction makes room)\n";
    }
  }
  return out;
}

nlohmann::json schedule_json(const Pod& pod, const Snapshot& snapshot, const ScheduleResult& r) {
  nlohmann::json j;
  j["pod"] = pod.name;
  j["selected"] =
      r.selected >= 0 ? nlohmann::json(node_name(snapshot, r.selected)) : nlohmann::json();
  j["message"] = r.message;
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeVerdict& v : r.nodes) {
    nlohmann::json n;
    n["name"] = node_name(snapshot, v.node);
    n["feasible"] = v.feasible;
    n["reasons"] = v.reasons;
    if (!v.feasible) n["plugin"] = v.failed_plugin;
    nlohmann::json scores = nlohmann::json::object();
    for (const PluginScore& s : v.scores) {
      scores[s.plugin] = {{"raw", s.raw}, {"normalized", s.normalized}, {"weight", s.weight}};
    }
    n["scores"] = scores;
    n["total"] = v.total;
    nodes.push_back(n);
  }
  j["nodes"] = nodes;
  if (r.selected < 0) {
    nlohmann::json victims = nlohmann::json::array();
    for (const Pod* p : r.preemption.victims)
      victims.push_back(p->namespace_ + "/" + p->name);
    j["preemption"] = {
        {"node", r.preemption.node >= 0 ? nlohmann::json(node_name(snapshot, r.preemption.node))
                                        : nlohmann::json()},
        {"victims", victims}};
  }
  return j;
}

}  // namespace kubesim::cli
