#include "models/scenario/traffic_parser.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>

#include "models/scenario/arrival_parser.h"

namespace kubesim::scenario_detail {
namespace {

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// Where an entry's keys were written, for the checks across entries.
struct EntryOrigins {
  Origin service;
  std::vector<Origin> calls;          // calls[j]
  std::vector<Origin> call_services;  // calls[j].service
};

// The Services that exist at some time of the run: declared, or applied by an event.
std::vector<std::pair<std::string, std::string>> known_services(const Scenario& s) {
  std::vector<std::pair<std::string, std::string>> out;
  // Declared Services only: kube-proxies and the traffic engine track their
  // Services from the start, so one created later by an `apply` event cannot
  // carry traffic.
  for (const Service& svc : s.objects.services)
    out.emplace_back(svc.metadata.namespace_, svc.metadata.name);
  return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string hint = closest(word, candidates);
  return hint.empty() ? "" : "; did you mean \"" + hint + "\"?";
}

void parse_calls(YamlReader& r, const YAML::Node& n, const std::string& path, TrafficSpec& t,
                 EntryOrigins& origins) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return;
  for (size_t j = 0; j < n.size(); ++j) {
    const std::string p = index(path, j);
    if (!r.check_keys(n[j], p, {"service", "probability", "mode"})) continue;
    if (!r.require(n[j], p, "service")) continue;
    auto service = r.get_string(n[j], p, "service");
    if (!service) continue;
    CallSpec c;
    c.service = *service;
    if (auto v = get_non_negative_number(r, n[j], p, "probability")) {
      if (*v <= 0 || *v > 1) {
        r.error(child(n[j], "probability"), join(p, "probability"), "must be in (0, 1]");
      }
      c.probability = *v;
    }
    if (auto v = r.get_enum(n[j], p, "mode", {"sequential", "parallel"})) {
      c.parallel = *v == "parallel";
    }
    t.calls.push_back(std::move(c));
    origins.calls.push_back(r.origin(n[j], p));
    origins.call_services.push_back(r.origin(child(n[j], "service"), join(p, "service")));
  }
}

void parse_retries(YamlReader& r, const YAML::Node& n, const std::string& path, TrafficSpec& t) {
  if (!r.check_keys(n, path, {"attempts", "backoff"})) return;
  if (auto v = r.get_int32(n, path, "attempts")) {
    if (*v < 0) {
      r.error(child(n, "attempts"), join(path, "attempts"), "must be greater than or equal to 0");
    }
    t.retry_attempts = *v;
  }
  if (auto d = get_duration_distribution(r, n, path, "backoff")) t.retry_backoff = *d;
}

// One spec.traffic[] entry; nullopt when its Service is not given.
std::optional<TrafficSpec> parse_entry(YamlReader& r, const YAML::Node& n, const std::string& path,
                                       const Scenario& s, EntryOrigins& origins) {
  if (!r.check_keys(n, path,
                    {"service", "namespace", "mode", "arrival", "start", "clients", "serviceTime",
                     "cpuPerRequest", "timeout", "retries", "calls"})) {
    return std::nullopt;
  }
  TrafficSpec t;
  t.where = r.file() + ":" + std::to_string(r.origin(n, path).line);
  if (auto v = r.get_string(n, path, "namespace")) t.namespace_ = *v;
  if (auto v = r.get_enum(n, path, "mode", {"request", "fluid"})) t.fluid = *v == "fluid";
  if (r.has(n, "arrival")) t.arrival = parse_arrival(r, child(n, "arrival"), join(path, "arrival"));
  if (auto v = r.get_duration(n, path, "start")) {
    if (*v < Duration::zero()) {
      r.error(child(n, "start"), join(path, "start"), "must be greater than or equal to 0");
    }
    t.start = *v;
  }
  if (auto v = r.get_int32(n, path, "clients")) {
    if (*v < 1) r.error(child(n, "clients"), join(path, "clients"), "must be at least 1");
    t.clients = *v;
  }
  if (auto d = get_duration_distribution(r, n, path, "serviceTime")) t.service_time = *d;
  if (auto d = get_duration_distribution(r, n, path, "cpuPerRequest")) t.cpu_per_request = *d;
  if (auto v = r.get_duration(n, path, "timeout")) {
    if (*v <= Duration::zero()) {
      r.error(child(n, "timeout"), join(path, "timeout"), "must be greater than 0");
    }
    t.timeout = *v;
  }
  if (r.has(n, "retries")) parse_retries(r, child(n, "retries"), join(path, "retries"), t);
  parse_calls(r, child(n, "calls"), join(path, "calls"), t, origins);
  // Fluid mode has rates, not requests: nothing to time out or retry
  // (docs/fluid-mode.md). Saying so beats ignoring the keys.
  if (t.fluid) {
    for (const char* key : {"timeout", "retries"}) {
      if (r.has(n, key)) {
        r.error(child(n, key), join(path, key),
                "not modelled in fluid mode (mode: fluid has no single requests to time out or "
                "retry)");
      }
    }
  }

  if (!r.require(n, path, "service")) return std::nullopt;
  auto service = r.get_string(n, path, "service");
  if (!service) return std::nullopt;
  t.service = *service;
  origins.service = r.origin(child(n, "service"), join(path, "service"));
  std::vector<std::string> names;  // of the entry's namespace, for the hint
  bool known = false;
  for (const auto& [ns, name] : known_services(s)) {
    if (ns != t.namespace_) continue;
    names.push_back(name);
    known = known || name == t.service;
  }
  if (!known) {
    r.error_at(origins.service,
               "no Service " + t.namespace_ + "/" + t.service +
                   " in spec.workloads (traffic needs its Service from the start)" +
                   did_you_mean(t.service, names));
  }
  return t;
}

// The call graph: one vertex per entry, one edge per call (its index in the
// caller's calls). vecS keeps vertices and out-edges in insertion order, so
// the search, and the cycles it reports, are the same in every run.
struct CallEdge {
  size_t call = 0;
};
using CallGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property, CallEdge>;

// Depth-first search: each back edge u -> v closes the cycle v -> ... -> u -> v
// along the tree edges (the search's stack), which `parent` records.
class CycleFinder : public boost::default_dfs_visitor {
 public:
  struct Cycle {
    size_t caller = 0, call = 0;   // the closing call: entries[caller].calls[call]
    std::vector<size_t> vertices;  // v, ..., u (the cycle, from its entry point)
  };
  CycleFinder(std::vector<size_t>& parent, std::vector<Cycle>& cycles)
      : parent_(&parent), cycles_(&cycles) {}

  void tree_edge(CallGraph::edge_descriptor e, const CallGraph& g) {
    (*parent_)[boost::target(e, g)] = boost::source(e, g);
  }
  void back_edge(CallGraph::edge_descriptor e, const CallGraph& g) {
    const size_t u = boost::source(e, g), v = boost::target(e, g);
    Cycle c;
    c.caller = u;
    c.call = g[e].call;
    for (size_t w = u; w != v; w = (*parent_)[w])
      c.vertices.push_back(w);
    c.vertices.push_back(v);
    std::reverse(c.vertices.begin(), c.vertices.end());
    cycles_->push_back(std::move(c));
  }

 private:
  std::vector<size_t>* parent_;
  std::vector<Cycle>* cycles_;
};

// Checks across entries: one per Service, called Services have an entry of
// the same mode, and the call graph has no cycle.
void check_entries(YamlReader& r, const std::vector<TrafficSpec>& entries,
                   const std::vector<EntryOrigins>& origins) {
  std::map<std::pair<std::string, std::string>, size_t> by_service;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto [it, fresh] = by_service.emplace(std::pair{entries[i].namespace_, entries[i].service}, i);
    if (!fresh) {
      r.error_at(origins[i].service, "duplicate traffic entry for Service " +
                                         entries[i].namespace_ + "/" + entries[i].service +
                                         " (first at line " +
                                         std::to_string(origins[it->second].service.line) + ")");
    }
  }
  CallGraph g(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const TrafficSpec& t = entries[i];
    for (size_t j = 0; j < t.calls.size(); ++j) {
      const Origin& at = origins[i].call_services[j];
      auto callee = by_service.find({t.namespace_, t.calls[j].service});
      if (callee == by_service.end()) {
        std::vector<std::string> names;
        for (const TrafficSpec& other : entries) {
          if (other.namespace_ == t.namespace_) names.push_back(other.service);
        }
        r.error_at(at, "no traffic entry for Service " + t.namespace_ + "/" + t.calls[j].service +
                           "; a called Service needs one (without `arrival` if it is only called)" +
                           did_you_mean(t.calls[j].service, names));
        continue;
      }
      const TrafficSpec& target = entries[callee->second];
      if (target.fluid != t.fluid) {
        // Fluid entries carry rates, request entries single requests: a call
        // from one to the other has no meaning.
        r.error_at(at, std::string("a ") + (t.fluid ? "fluid" : "request") +
                           "-mode entry cannot call Service " + target.service +
                           ", whose mode is " + (target.fluid ? "fluid" : "request"));
      }
      boost::add_edge(i, callee->second, CallEdge{j}, g);
    }
  }
  std::vector<size_t> parent(entries.size());
  std::vector<CycleFinder::Cycle> cycles;
  boost::depth_first_search(g, boost::visitor(CycleFinder(parent, cycles)));
  for (const CycleFinder::Cycle& c : cycles) {
    std::string names;
    for (size_t v : c.vertices)
      names += entries[v].service + " -> ";
    names += entries[c.vertices.front()].service;
    r.error_at(origins[c.caller].calls[c.call], "call graph has a cycle: " + names);
  }
}

// The IPVS schedulers kube-proxy accepts (pkg/proxy/apis/config/validation/
// validation.go, validateIPVSSchedulerMethod; mh since v1.31), and those of
// them kubesim models.
constexpr std::string_view kIpvsSchedulers[] = {"rr", "wrr", "lc",  "wlc", "lblc", "lblcr",
                                                "sh", "dh",  "sed", "nq",  "mh"};
constexpr std::string_view kModelledIpvsSchedulers[] = {"rr", "wrr", "lc", "wlc", "sh", "mh"};

std::optional<LoadBalancing> ipvs_policy(std::string_view scheduler) {
  if (scheduler == "rr" || scheduler == "wrr") return LoadBalancing::kRoundRobin;
  if (scheduler == "lc" || scheduler == "wlc") return LoadBalancing::kLeastConnections;
  if (scheduler == "sh" || scheduler == "mh") return LoadBalancing::kSourceHash;
  return std::nullopt;
}

}  // namespace

void parse_traffic(YamlReader& r, const YAML::Node& n, const std::string& path, Scenario& s) {
  if (!n.IsDefined() || n.IsNull() || !r.expect_seq(n, path)) return;
  std::vector<TrafficSpec> entries;
  std::vector<EntryOrigins> origins;
  for (size_t i = 0; i < n.size(); ++i) {
    EntryOrigins o;
    if (auto t = parse_entry(r, n[i], index(path, i), s, o)) {
      entries.push_back(std::move(*t));
      origins.push_back(std::move(o));
    }
  }
  check_entries(r, entries, origins);
  s.traffic = std::move(entries);
}

void parse_kube_proxy(YamlReader& r, const YAML::Node& n, const std::string& path,
                      KubeProxyConfig& out) {
  if (!r.check_keys(n, path, {"mode", "ipvs", "propagationDelay"})) return;
  using Mode = KubeProxyConfig::Mode;
  if (auto v = r.get_enum(n, path, "mode", {"iptables", "ipvs", "nftables"})) {
    out.mode = *v == "ipvs" ? Mode::kIpvs : *v == "nftables" ? Mode::kNftables : Mode::kIptables;
  }
  // iptables and nftables pick an endpoint uniformly at random
  // (pkg/proxy/iptables/proxier.go: probability 1/(n-i) for rule i;
  // pkg/proxy/nftables/proxier.go: numgen random mod n).
  out.load_balancing = LoadBalancing::kRandom;
  if (out.mode == Mode::kIpvs) {
    // pkg/proxy/ipvs/proxier.go: an empty scheduler means defaultScheduler = "rr".
    out.ipvs_scheduler = "rr";
    out.load_balancing = LoadBalancing::kRoundRobin;
  }
  const YAML::Node ipvs = child(n, "ipvs");
  const std::string ip = join(path, "ipvs");
  if (!r.has(n, "ipvs")) {
    // keep the defaults
  } else if (out.mode != Mode::kIpvs) {
    r.error(ipvs, ip, "only with `mode: ipvs`");
  } else if (r.check_keys(ipvs, ip, {"scheduler"})) {
    if (auto v = r.get_string(ipvs, ip, "scheduler")) {
      std::string supported;
      for (std::string_view m : kModelledIpvsSchedulers)
        supported += (supported.empty() ? "" : ", ") + std::string(m);
      const auto& known = kIpvsSchedulers;
      if (auto lb = ipvs_policy(*v)) {
        out.ipvs_scheduler = *v;
        out.load_balancing = *lb;
      } else if (std::find(std::begin(known), std::end(known), *v) != std::end(known)) {
        r.error(child(ipvs, "scheduler"), join(ip, "scheduler"),
                "IPVS scheduler \"" + *v + "\" is not modelled; supported: " + supported);
      } else {
        std::vector<std::string> names(std::begin(kModelledIpvsSchedulers),
                                       std::end(kModelledIpvsSchedulers));
        r.error(child(ipvs, "scheduler"), join(ip, "scheduler"),
                "unknown IPVS scheduler \"" + *v + "\"; supported: " + supported +
                    did_you_mean(*v, names));
      }
    }
  }
  if (auto d = get_duration_distribution(r, n, path, "propagationDelay")) {
    out.propagation_delay = *d;
  }
}

}  // namespace kubesim::scenario_detail
