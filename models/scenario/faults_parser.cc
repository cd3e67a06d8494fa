#include "models/scenario/faults_parser.h"

#include <algorithm>
#include <cstdio>

#include "models/scenario/pod_spec_parser.h"
#include "models/scenario/sample_file.h"

namespace kubesim::scenario_detail {
namespace {

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// map[key], a duration distribution ("exponential(2h)", "weibull(1.5, 7d)", ...).
std::optional<DurationDistribution> get_distribution(YamlReader& r, const YAML::Node& map,
                                                     const std::string& path,
                                                     std::string_view key) {
  auto text = r.get_string(map, path, key);
  if (!text) return std::nullopt;
  auto d = parse_duration_distribution(*text, sample_file_loader(r.scenario_file()));
  if (!d) {
    r.error(child(map, key), join(path, key), d.error().message);
    return std::nullopt;
  }
  return *d;
}

void parse_container_crashes(YamlReader& r, const YAML::Node& n, const std::string& path,
                             const Scenario& s, FaultProcess& f) {
  f.kind = FaultProcess::Kind::kContainerCrashes;
  if (!r.check_keys(n, path,
                    {"deployment", "selector", "namespace", "timeToFailure", "exitCode"})) {
    return;
  }
  const bool by_name = r.has(n, "deployment"), by_selector = r.has(n, "selector");
  if (by_name && by_selector) {
    r.error(child(n, "selector"), join(path, "selector"),
            "give `deployment` or `selector`, not both");
  } else if (!by_name && !by_selector) {
    r.error(n, path, "missing required key \"deployment\" (or \"selector\")");
  }
  if (auto v = r.get_string(n, path, "namespace")) f.namespace_ = *v;
  if (by_selector)
    f.selector = parse_label_selector(r, child(n, "selector"), join(path, "selector"));
  if (by_name) {
    if (auto v = r.get_string(n, path, "deployment")) {
      f.deployment = *v;
      const auto& ds = s.objects.deployments;
      const bool known = std::any_of(ds.begin(), ds.end(), [&](const Deployment& d) {
        return d.metadata.name == *v && d.metadata.namespace_ == f.namespace_;
      });
      if (!known) {
        std::vector<std::string> names;
        for (const Deployment& d : ds)
          names.push_back(d.metadata.name);
        const std::string hint = closest(*v, names);
        r.error(child(n, "deployment"), join(path, "deployment"),
                "no Deployment " + f.namespace_ + "/" + *v + " in spec.workloads" +
                    (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
      }
    }
  }
  if (r.require(n, path, "timeToFailure")) {
    if (auto d = get_distribution(r, n, path, "timeToFailure")) f.time_to_failure = *d;
  }
  if (auto v = r.get_int32(n, path, "exitCode")) {
    if (*v < 1 || *v > 255) {
      r.error(child(n, "exitCode"), join(path, "exitCode"), "must be between 1 and 255");
    }
    f.exit_code = *v;
  }
}

void parse_node_failures(YamlReader& r, const YAML::Node& n, const std::string& path,
                         const Scenario& s, FaultProcess& f) {
  f.kind = FaultProcess::Kind::kNodeFailures;
  if (!r.check_keys(n, path, {"pool", "mode", "timeToFailure", "timeToRepair"})) return;
  if (auto v = r.get_string(n, path, "pool")) {
    f.pool = *v;
    std::vector<std::string> names;
    for (const Scenario::NodePool& p : s.node_pools)
      names.push_back(p.name);
    if (std::find(names.begin(), names.end(), *v) == names.end()) {
      const std::string hint = closest(*v, names);
      r.error(child(n, "pool"), join(path, "pool"),
              "no node pool \"" + *v + "\" in spec.cluster.nodePools" +
                  (hint.empty() ? "" : "; did you mean \"" + hint + "\"?"));
    }
  }
  if (auto v = r.get_enum(n, path, "mode", {"crash", "partition"})) f.partition = *v == "partition";
  if (r.require(n, path, "timeToFailure")) {
    if (auto d = get_distribution(r, n, path, "timeToFailure")) f.time_to_failure = *d;
  }
  if (auto d = get_distribution(r, n, path, "timeToRepair")) f.time_to_repair = *d;
}

// "HH:MM" -> time of day.
std::optional<Duration> parse_clock(std::string_view text) {
  int h = 0, m = 0;
  char tail = 0;
  const std::string s(text);
  if (std::sscanf(s.c_str(), "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
      (h == 24 && m != 0) || s.size() != 5) {
    return std::nullopt;
  }
  return Duration::hours(h) + Duration::minutes(m);
}

}  // namespace

void parse_faults(YamlReader& r, const YAML::Node& n, const std::string& path, Scenario& s) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string p = index(path, i);
    const YAML::Node& e = n[i];
    if (!r.expect_map(e, p)) continue;
    if (!r.check_keys(e, p, {"containerCrashes", "nodeFailures"})) continue;
    if (e.size() != 1) {
      r.error(e, p, "each entry has exactly one of `containerCrashes`, `nodeFailures`");
      continue;
    }
    FaultProcess f;
    f.where = r.file() + ":" + std::to_string(r.origin(e, p).line);
    if (r.has(e, "containerCrashes")) {
      parse_container_crashes(r, child(e, "containerCrashes"), join(p, "containerCrashes"), s, f);
    } else {
      parse_node_failures(r, child(e, "nodeFailures"), join(p, "nodeFailures"), s, f);
    }
    s.faults.push_back(std::move(f));
  }
}

void parse_controllers(YamlReader& r, const YAML::Node& n, const std::string& path,
                       ControllerSetConfig& out) {
  if (!r.check_keys(n, path, {"set", "operator"})) return;
  if (auto v = r.get_enum(n, path, "set", {"kubernetes", "manual"})) out.name = *v;
  const YAML::Node op = child(n, "operator");
  const std::string op_path = join(path, "operator");
  if (!r.has(n, "operator")) return;
  if (!r.check_keys(op, op_path, {"detection", "response", "onCall", "workingHours"})) return;
  if (auto d = get_distribution(r, op, op_path, "detection")) out.detection = *d;
  if (auto d = get_distribution(r, op, op_path, "response")) out.response = *d;
  if (auto v = r.get_bool(op, op_path, "onCall")) out.on_call = *v;
  if (auto v = r.get_string(op, op_path, "workingHours")) {
    // "09:00-17:00"
    const auto dash = v->find('-');
    std::optional<Duration> from, to;
    if (dash != std::string::npos) {
      from = parse_clock(std::string_view(*v).substr(0, dash));
      to = parse_clock(std::string_view(*v).substr(dash + 1));
    }
    if (!from || !to || *from >= *to) {
      r.error(child(op, "workingHours"), join(op_path, "workingHours"),
              "expected \"HH:MM-HH:MM\" with the start before the end, e.g. \"09:00-17:00\"");
    } else {
      out.work_start = *from;
      out.work_end = *to;
    }
  }
}

}  // namespace kubesim::scenario_detail
