#include "analysis/run_summary.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/event_log.h"
#include "analysis/number_format.h"

namespace kubesim {
namespace {

constexpr uint8_t kBound = 1;  // milestones_ bits
constexpr uint8_t kReady = 2;

double fraction(int64_t requested, int64_t allocatable) {
  return allocatable > 0 ? static_cast<double>(requested) / static_cast<double>(allocatable) : 0.0;
}

template <class T>
T& grow_to(std::vector<T>& v, uint32_t index) {
  if (index >= v.size()) v.resize(static_cast<std::size_t>(index) + 1);
  return v[index];
}

}  // namespace

int64_t nearest_rank(const std::vector<int64_t>& sorted, int percent) {
  // rank = ceil(percent * n / 100), in integers so that p50 of 10 values is
  // the 5th exactly and p99 of 100 values the 99th.
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t rank = std::clamp<int64_t>((percent * n + 99) / 100, 1, n);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

LatencyStats latency_stats(std::vector<int64_t> micros) {
  LatencyStats s;
  s.count = static_cast<int64_t>(micros.size());
  if (micros.empty()) return s;
  std::sort(micros.begin(), micros.end());
  s.p50 = Duration::micros(nearest_rank(micros, 50));
  s.p99 = Duration::micros(nearest_rank(micros, 99));
  return s;
}

RunSummaryCollector::RunSummaryCollector(ObserverBus& bus, const ClusterObjects& objects,
                                         SimTime start, const std::vector<TrafficSpec>& traffic,
                                         Duration traffic_interval)
    : objects_(&objects),
      start_(start),
      last_(start),
      availability_(bus, objects, start),
      traffic_(bus, traffic, start, traffic_interval) {
  for (const Node& n : objects.nodes)
    if (!n.deleted) count_node(n);
  for (const Pod& p : objects.pods)
    if (p.active() && p.node.valid()) count_pod(p);
  bus.topic<PodRecord>().subscribe([this](const PodRecord& r) { on_pod(r); });
  bus.topic<NodeRecord>().subscribe([this](const NodeRecord& r) { on_node(r); });
  bus.topic<WorkloadRecord>().subscribe([this](const WorkloadRecord& r) { on_workload(r); });
  bus.topic<WriteRejectedRecord>().subscribe(
      [this](const WriteRejectedRecord& r) { on_write_rejected(r); });
}

RunSummaryCollector::Counted& RunSummaryCollector::slot(std::vector<Counted>& v, uint32_t index) {
  return grow_to(v, index);
}

void RunSummaryCollector::advance(SimTime t) {
  if (t <= last_) return;
  const auto dt = static_cast<double>((t - last_).count_micros());
  cpu_integral_ += fraction(requested_cpu_, allocatable_cpu_) * dt;
  memory_integral_ += fraction(requested_memory_, allocatable_memory_) * dt;
  last_ = t;
}

void RunSummaryCollector::count_pod(const Pod& p) {
  Counted& c = slot(pods_counted_, p.id.value);
  if (c.counted) return;
  const Resources r = pod_requests(p.spec);
  c = {r.milli_cpu, r.memory, true};
  requested_cpu_ += c.milli_cpu;
  requested_memory_ += c.memory;
}

void RunSummaryCollector::uncount_pod(const Pod& p) {
  Counted& c = slot(pods_counted_, p.id.value);
  if (!c.counted) return;
  requested_cpu_ -= c.milli_cpu;
  requested_memory_ -= c.memory;
  c = {};
}

void RunSummaryCollector::count_node(const Node& n) {
  Counted& c = slot(nodes_counted_, n.id.value);
  if (c.counted) return;
  c = {n.allocatable.milli_cpu, n.allocatable.memory, true};
  allocatable_cpu_ += c.milli_cpu;
  allocatable_memory_ += c.memory;
}

void RunSummaryCollector::uncount_node(const Node& n) {
  Counted& c = slot(nodes_counted_, n.id.value);
  if (!c.counted) return;
  allocatable_cpu_ -= c.milli_cpu;
  allocatable_memory_ -= c.memory;
  c = {};
}

void RunSummaryCollector::on_pod(const PodRecord& r) {
  advance(r.t);
  const Pod& p = *r.pod;
  uint8_t& seen = grow_to(milestones_, p.id.value);
  switch (r.event) {
    case PodEvent::kScheduled:
      if (!(seen & kBound)) {
        seen |= kBound;
        to_bind_us_.push_back((r.t - p.status.created).count_micros());
      }
      break;
    case PodEvent::kReady:
      if (!(seen & kReady)) {
        seen |= kReady;
        to_ready_us_.push_back((r.t - p.status.created).count_micros());
      }
      break;
    default:
      break;
  }
  // A pod counts against its node while it is bound and active, as the API
  // server's validation counts it. The terminal records uncount it whatever
  // the order in which a component publishes and writes.
  switch (r.event) {
    case PodEvent::kSucceeded:
    case PodEvent::kFailed:
    case PodEvent::kDeleted:
      uncount_pod(p);
      break;
    default:
      if (p.active() && p.node.valid()) {
        count_pod(p);
      } else {
        uncount_pod(p);
      }
  }
}

void RunSummaryCollector::on_node(const NodeRecord& r) {
  advance(r.t);
  if (r.event == NodeEvent::kAdded) count_node(*r.node);
  if (r.event == NodeEvent::kDeleted) uncount_node(*r.node);
}

void RunSummaryCollector::on_workload(const WorkloadRecord& r) {
  switch (r.event) {
    case WorkloadEvent::kRolloutStarted:
      ++rollouts_started_;
      break;
    case WorkloadEvent::kRolloutComplete:
      ++rollouts_completed_;
      break;
    case WorkloadEvent::kJobComplete:
      ++jobs_completed_;
      break;
    case WorkloadEvent::kJobFailed:
      ++jobs_failed_;
      break;
    default:
      break;
  }
}

void RunSummaryCollector::on_write_rejected(const WriteRejectedRecord&) {
  ++rejected_writes_;
}

RunSummary RunSummaryCollector::summary(SimTime now) const {
  RunSummary s;
  s.simulated = now;
  for (const Pod& p : objects_->pods) {
    ++s.pods.created;
    if (p.status.deleted) {
      ++s.pods.deleted;
      continue;
    }
    switch (p.phase) {
      case PodPhase::kPending:
        ++s.pods.pending;
        break;
      case PodPhase::kRunning:
        ++s.pods.running;
        break;
      case PodPhase::kSucceeded:
        ++s.pods.succeeded;
        break;
      case PodPhase::kFailed:
        ++s.pods.failed;
        break;
      case PodPhase::kUnknown:
        ++s.pods.unknown;
        break;
    }
  }
  s.to_bind = latency_stats(to_bind_us_);
  s.to_ready = latency_stats(to_ready_us_);

  std::vector<bool> in_use(objects_->nodes.size(), false);
  for (const Pod& p : objects_->pods) {
    if (p.node.valid() && p.active() && p.owner.kind != "DaemonSet") in_use[p.node.value] = true;
  }
  for (const Node& n : objects_->nodes) {
    if (n.deleted) continue;
    ++s.nodes;
    if (in_use[n.id.value]) ++s.nodes_in_use;
  }

  s.cpu.end = fraction(requested_cpu_, allocatable_cpu_);
  s.memory.end = fraction(requested_memory_, allocatable_memory_);
  const auto tail = static_cast<double>(std::max<int64_t>((now - last_).count_micros(), 0));
  const auto span = static_cast<double>(std::max<int64_t>((now - start_).count_micros(), 0));
  s.cpu.mean = span > 0 ? (cpu_integral_ + s.cpu.end * tail) / span : s.cpu.end;
  s.memory.mean = span > 0 ? (memory_integral_ + s.memory.end * tail) / span : s.memory.end;

  s.rejected_writes = rejected_writes_;
  s.rollouts_started = rollouts_started_;
  s.rollouts_completed = rollouts_completed_;
  s.jobs_completed = jobs_completed_;
  s.jobs_failed = jobs_failed_;
  s.availability = availability_.summary(now);
  s.traffic = traffic_.summary(now);
  return s;
}

// ---- Output ----

namespace {

std::string latency_text(const std::optional<Duration>& d) {
  return d ? to_string(*d) : "-";
}

std::string percent(double f) {
  return fmt::format("{:.1f}%", f * 100.0);
}

std::string wall_text(double seconds) {
  if (seconds < 1) return fmt::format("{:.1f} ms", seconds * 1e3);
  return fmt::format("{:.2f} s", seconds);
}

// Division, not a multiplication by 1e-6: the result is the double nearest
// to the exact quotient, so 7000 us prints as 0.007, not 0.006999999999999999.
double seconds(Duration d) {
  return static_cast<double>(d.count_micros()) / 1e6;
}

nlohmann::ordered_json seconds_or_null(const std::optional<Duration>& d) {
  if (!d) return nullptr;
  return seconds(*d);
}

// Exact seconds with thousands separators: "1,800", "120.001".
std::string exact_seconds(SimTime t) {
  const std::string text = format_seconds(t);
  const std::size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  const std::string rest = dot == std::string::npos ? "" : text.substr(dot);
  return with_thousands(std::stoll(whole)) + rest;
}

nlohmann::ordered_json latency_json(const LatencyStats& l) {
  nlohmann::ordered_json j;
  j["count"] = l.count;
  j["p50"] = seconds_or_null(l.p50);
  j["p99"] = seconds_or_null(l.p99);
  return j;
}

}  // namespace

std::string summary_table(const RunSummary& s) {
  // Labels in one column of this width, values after.
  constexpr int kLabel = 24;
  std::string out;
  auto row = [&](std::string_view label, const std::string& value) {
    out += fmt::format("  {:<{}}{}\n", label, kLabel, value);
  };
  out += fmt::format("kubesim run: {} (seed {}){}\n\n", s.scenario, s.seed,
                     s.interrupted ? ", INTERRUPTED" : "");
  // Seconds, and the duration in larger units when it has some: "1,800 s (30m)".
  const std::string in_units = to_string(s.simulated.since_start());
  row("simulated time", in_units.back() == 's'
                            ? exact_seconds(s.simulated) + " s"
                            : fmt::format("{} s ({})", exact_seconds(s.simulated), in_units));
  row("wall time", s.speedup() > 0 ? fmt::format("{} (speedup {}x)", wall_text(s.wall_seconds),
                                                 with_thousands(std::llround(s.speedup())))
                                   : wall_text(s.wall_seconds));
  row("events processed", with_thousands(static_cast<int64_t>(s.events_processed)));
  out += "\n";

  out += "  pods\n";
  row("  created", with_thousands(s.pods.created));
  row("  running", with_thousands(s.pods.running));
  row("  pending", with_thousands(s.pods.pending));
  row("  succeeded", with_thousands(s.pods.succeeded));
  row("  failed", with_thousands(s.pods.failed));
  if (s.pods.unknown > 0) row("  unknown", with_thousands(s.pods.unknown));
  row("  deleted", with_thousands(s.pods.deleted));
  out += "\n";

  // Columns at least 12 wide, wider for long latencies ("903.350628s").
  std::size_t col = 12;
  for (const LatencyStats* l : {&s.to_bind, &s.to_ready}) {
    col = std::max({col, latency_text(l->p50).size() + 2, latency_text(l->p99).size() + 2});
  }
  out += fmt::format("  {:<{}}{:<{}}{:<{}}{}\n", "scheduling latency", kLabel, "p50", col, "p99",
                     col, "pods");
  auto latency_row = [&](std::string_view label, const LatencyStats& l) {
    out += fmt::format("  {:<{}}{:<{}}{:<{}}{}\n", label, kLabel, latency_text(l.p50), col,
                       latency_text(l.p99), col, with_thousands(l.count));
  };
  latency_row("  created -> bound", s.to_bind);
  latency_row("  created -> ready", s.to_ready);
  out += "\n";

  out += fmt::format("  {:<{}}{:<12}{}\n", "requested / allocatable", kLabel, "end", "mean");
  out +=
      fmt::format("  {:<{}}{:<12}{}\n", "  cpu", kLabel, percent(s.cpu.end), percent(s.cpu.mean));
  out += fmt::format("  {:<{}}{:<12}{}\n", "  memory", kLabel, percent(s.memory.end),
                     percent(s.memory.mean));
  row("nodes in use",
      fmt::format("{} of {} (running a pod that is not a DaemonSet's)", s.nodes_in_use, s.nodes));
  out += "\n";

  row("rollouts",
      fmt::format("{} started, {} completed", s.rollouts_started, s.rollouts_completed));
  row("jobs", fmt::format("{} completed, {} failed", s.jobs_completed, s.jobs_failed));
  row("rejected writes", with_thousands(s.rejected_writes));
  if (const std::string section = traffic_table(s.traffic); !section.empty()) {
    out += "\n" + section;
  }
  if (const std::string section = availability_table(s.availability); !section.empty()) {
    out += "\n" + section;
  }
  out +=
      "\nlatency percentiles: nearest rank over every pod that got there; "
      "mean utilization: time-weighted\n";
  return out;
}

nlohmann::ordered_json summary_json(const RunSummary& s) {
  nlohmann::ordered_json j;
  j["scenario"] = s.scenario;
  j["seed"] = s.seed;
  j["simulated_seconds"] = s.simulated_seconds();
  j["wall_seconds"] = s.wall_seconds;
  j["speedup"] = s.speedup();
  j["events_processed"] = s.events_processed;
  j["pods"] = {{"created", s.pods.created}, {"running", s.pods.running},
               {"pending", s.pods.pending}, {"succeeded", s.pods.succeeded},
               {"failed", s.pods.failed},   {"unknown", s.pods.unknown},
               {"deleted", s.pods.deleted}};
  j["scheduling_latency_seconds"] = {{"to_bind", latency_json(s.to_bind)},
                                     {"to_ready", latency_json(s.to_ready)}};
  j["utilization"] = {{"cpu", {{"end", s.cpu.end}, {"mean", s.cpu.mean}}},
                      {"memory", {{"end", s.memory.end}, {"mean", s.memory.mean}}}};
  j["nodes"] = {{"total", s.nodes}, {"in_use", s.nodes_in_use}};
  j["rollouts"] = {{"started", s.rollouts_started}, {"completed", s.rollouts_completed}};
  j["jobs"] = {{"completed", s.jobs_completed}, {"failed", s.jobs_failed}};
  j["availability"] = availability_json(s.availability);
  if (!s.traffic.services.empty()) j["services"] = traffic_json(s.traffic);
  j["rejected_writes"] = s.rejected_writes;
  j["interrupted"] = s.interrupted;
  return j;
}

}  // namespace kubesim
