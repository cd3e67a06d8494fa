#include "analysis/traffic_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "analysis/event_log.h"
#include "analysis/number_format.h"
#include "models/objects/annotations.h"

namespace kubesim {
namespace {

double seconds(Duration d) {
  return static_cast<double>(d.count_micros()) / 1e6;
}

// kubesim.io/concurrency (the loader has checked it): absent or unreadable, 1.
int32_t concurrency_of(const Pod& p) {
  const auto it = p.annotations.find(kAnnotationConcurrency);
  if (it == p.annotations.end()) return 1;
  int32_t c = 1;
  const std::string& v = it->second;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), c);
  return ec == std::errc() && end == v.data() + v.size() && c >= 1 ? c : 1;
}

// Counts with fluid fractions round half away from zero (llround), and always
// through their running sums, so that the rounded parts add up to the rounded
// whole (docs/running.md, "Traffic").
int64_t rounded(double x) {
  return std::llround(x);
}

}  // namespace

LatencySummary latency_summary(const LogHistogram& h) {
  LatencySummary l;
  l.count = h.count();
  if (h.empty()) return l;
  l.mean = h.mean_seconds();
  l.p50 = h.quantile_seconds(0.5);
  l.p90 = h.quantile_seconds(0.9);
  l.p99 = h.quantile_seconds(0.99);
  l.p999 = h.quantile_seconds(0.999);
  l.max = seconds(h.max());
  return l;
}

std::string TrafficCollector::service_name(const TrafficSpec& t) {
  return t.namespace_ == "default" || t.namespace_.empty() ? t.service
                                                           : t.namespace_ + "/" + t.service;
}

TrafficCollector::TrafficCollector(ObserverBus& bus, const std::vector<TrafficSpec>& traffic,
                                   SimTime start, Duration interval)
    : start_(start), interval_(std::max(interval, Duration::micros(1))) {
  services_.resize(traffic.size());
  std::set<std::string> taken;
  for (std::size_t i = 0; i < traffic.size(); ++i) {
    Service& s = services_[i];
    // Two entries for one Service would share a JSON key: the second is
    // named after its index.
    s.name = service_name(traffic[i]);
    if (!taken.insert(s.name).second) s.name += fmt::format("#{}", i);
    s.last = s.f_last = start;
  }
  if (traffic.empty()) return;
  bus.topic<RequestArrivedRecord>().subscribe(
      [this](const RequestArrivedRecord& r) { on_arrived(r); });
  bus.topic<RequestEndedRecord>().subscribe([this](const RequestEndedRecord& r) { on_ended(r); });
  bus.topic<PodRequestRecord>().subscribe([this](const PodRequestRecord& r) { on_pod(r); });
  bus.topic<FluidTrafficRecord>().subscribe([this](const FluidTrafficRecord& r) { on_fluid(r); });
}

TrafficCollector::Service* TrafficCollector::service(uint32_t index) {
  return index < services_.size() ? &services_[index] : nullptr;
}

TrafficCollector::Row& TrafficCollector::row(Service& s, int64_t k) {
  const auto i = static_cast<std::size_t>(std::max<int64_t>(k, 0));
  if (i >= s.rows.size()) s.rows.resize(i + 1);
  return s.rows[i];
}

void TrafficCollector::close_interval() {
  for (Service& s : services_) {
    if (s.interval_latency.empty()) continue;
    Row& r = row(s, current_);
    r.p50 = s.interval_latency.quantile_seconds(0.5);
    r.p99 = s.interval_latency.quantile_seconds(0.99);
    s.interval_latency.clear();
  }
}

void TrafficCollector::advance(SimTime t) {
  if (t < interval_start(current_ + 1)) return;
  close_interval();
  // Intervals with no record in between have nothing to close: jump.
  current_ = (t - start_) / interval_;
}

void TrafficCollector::integrate(Service& s, SimTime t) {
  if (t <= s.last) return;
  s.in_flight_integral += s.in_flight * (t - s.last).count_micros();
  s.last = t;
}

void TrafficCollector::on_arrived(const RequestArrivedRecord& r) {
  Service* s = service(r.service);
  if (s == nullptr) return;
  advance(r.t);
  integrate(*s, r.t);
  if (!s->first) s->first = r.t;
  ++s->arrived;
  if (r.external) ++s->external;
  ++s->in_flight;
  row(*s, current_).arrived += 1;
}

void TrafficCollector::on_ended(const RequestEndedRecord& r) {
  Service* s = service(r.service);
  if (s == nullptr) return;
  advance(r.t);
  integrate(*s, r.t);
  --s->in_flight;
  ++s->ended;
  s->attempts += r.attempts;
  Row& current = row(*s, current_);
  switch (r.outcome) {
    case RequestOutcome::kCompleted:
      ++s->completed;
      s->latency.add(r.latency);
      s->interval_latency.add(r.latency);
      current.completed += 1;
      return;
    case RequestOutcome::kTimeout:
      ++s->timeout;
      break;
    case RequestOutcome::kRejected:
      ++s->rejected;
      break;
    case RequestOutcome::kConnectionError:
      ++s->connection_error;
      break;
    case RequestOutcome::kDownstream:
      ++s->downstream;
      break;
  }
  s->failed_latency_us += r.latency.count_micros();
  current.failed += 1;
}

TrafficCollector::Entry& TrafficCollector::entry(const Pod& pod, uint32_t service) {
  const uint32_t id = pod.id.value;
  if (id >= pods_.size()) pods_.resize(static_cast<std::size_t>(id) + 1);
  PodSlot& slot = pods_[id];
  if (slot.pod == nullptr) {
    slot.pod = &pod;
    slot.concurrency = concurrency_of(pod);
  }
  uint32_t* link = &slot.entry;
  while (*link != UINT32_MAX) {
    Entry& e = entries_[*link];
    if (e.service == service) return e;
    link = &e.next;
  }
  *link = static_cast<uint32_t>(entries_.size());
  services_[service].entries.push_back(*link);
  Entry& e = entries_.emplace_back();
  e.pod = id;
  e.service = service;
  return e;
}

void TrafficCollector::on_pod(const PodRequestRecord& r) {
  if (service(r.service) == nullptr || r.pod == nullptr) return;
  Entry& e = entry(*r.pod, r.service);
  PodSlot& slot = pods_[e.pod];
  switch (r.event) {
    case PodRequestEvent::kAccepted:
      ++e.accepted;
      if (!slot.serving) {
        slot.serving = true;
        slot.first = r.t;
      }
      slot.last = std::max(slot.last, r.t);
      break;
    case PodRequestEvent::kRejected:
      ++e.rejected;
      break;
    case PodRequestEvent::kRefused:
      ++e.refused;
      break;
    case PodRequestEvent::kServed:
      ++e.served;
      e.busy_us += r.busy.count_micros();
      e.wait_us += r.wait.count_micros();
      e.cpu_seconds += r.cpu_seconds;
      e.latency.add(r.wait + r.busy);
      slot.last = std::max(slot.last, r.t);
      break;
    case PodRequestEvent::kAborted:
      ++e.aborted;
      slot.last = std::max(slot.last, r.t);
      break;
  }
}

void TrafficCollector::on_fluid(const FluidTrafficRecord& r) {
  Service* s = service(r.service);
  if (s == nullptr || r.to < r.from) return;
  s->fluid = true;
  if (!s->first || r.from < *s->first) s->first = std::max(r.from, start_);
  s->f_arrived += r.arrived;
  s->f_completed += r.completed;
  s->f_rejected += r.rejected;
  s->f_connection_error += r.connection_errors;
  s->f_latency_seconds += r.completed * r.mean_latency_seconds;
  s->f_busy_seconds += r.busy_worker_seconds;
  s->f_capacity_seconds += static_cast<double>(r.workers) * seconds(r.to - r.from);
  // In flight is known at the records' ends only: constant from the last
  // record's end to this one's start, linear across the record (trapezoid).
  const SimTime from = std::max(r.from, start_);
  if (from > s->f_last) s->f_integral += s->f_in_flight * seconds(from - s->f_last);
  if (r.to > from) s->f_integral += (s->f_in_flight + r.in_flight) / 2 * seconds(r.to - from);
  s->f_in_flight = r.in_flight;
  s->f_last = std::max(s->f_last, r.to);
  // The record's counts go to the intervals it overlaps, pro rata (rows of
  // past intervals included: their percentiles are request mode's only).
  const double failed = r.rejected + r.connection_errors;
  const auto index_of = [&](SimTime t) { return std::max<int64_t>((t - start_) / interval_, 0); };
  if (r.to == r.from) {
    Row& x = row(*s, index_of(r.from));
    x.arrived += r.arrived;
    x.completed += r.completed;
    x.failed += failed;
    return;
  }
  const double length = static_cast<double>((r.to - r.from).count_micros());
  for (int64_t k = index_of(r.from); k <= index_of(r.to - Duration::micros(1)); ++k) {
    const SimTime a = std::max(r.from, interval_start(k));
    const SimTime b = std::min(r.to, interval_start(k + 1));
    const double share = static_cast<double>((b - a).count_micros()) / length;
    Row& x = row(*s, k);
    x.arrived += r.arrived * share;
    x.completed += r.completed * share;
    x.failed += failed * share;
  }
}

TrafficSummary TrafficCollector::summary(SimTime now) const {
  TrafficSummary t;
  t.start = start_;
  t.end = now;
  t.interval = interval_;
  for (const Service& s : services_) {
    const double window = std::max(seconds(now - s.first.value_or(now)), 0.0);
    auto per_second = [&](double x) { return window > 0 ? x / window : 0.0; };
    ServiceTraffic out;
    out.name = s.name;
    out.fluid = s.fluid;
    // Completed and failed are rounded on their own (as the time series
    // rounds them, so that its rows add up to these totals and are never
    // negative); the failure reasons split the failed count through running
    // sums in the order timeout, rejected, connection error, downstream.
    const double completed = static_cast<double>(s.completed) + s.f_completed;
    const double to_timeout = static_cast<double>(s.timeout);
    const double to_rejected = to_timeout + static_cast<double>(s.rejected) + s.f_rejected;
    const double to_connection =
        to_rejected + static_cast<double>(s.connection_error) + s.f_connection_error;
    const double failed = to_connection + static_cast<double>(s.downstream);
    out.completed = rounded(completed);
    out.failed_by_reason.timeout = rounded(to_timeout);
    out.failed_by_reason.rejected = rounded(to_rejected) - rounded(to_timeout);
    out.failed_by_reason.connection_error = rounded(to_connection) - rounded(to_rejected);
    out.failed_by_reason.downstream = rounded(failed) - rounded(to_connection);
    out.failed = rounded(failed);
    const double arrived = static_cast<double>(s.arrived) + s.f_arrived;
    out.arrived = std::max(rounded(arrived), out.completed + out.failed);
    out.in_flight = out.arrived - out.completed - out.failed;
    out.external = s.external;
    out.attempts = s.attempts;
    out.retries = s.attempts - s.ended;
    out.arrival_rate_per_second = per_second(arrived);
    out.throughput_per_second = per_second(completed);

    out.latency_histogram = s.latency;
    out.latency = latency_summary(s.latency);
    out.latency.count = out.completed;
    if (completed > 0)
      out.latency.mean = (seconds(s.latency.sum()) + s.f_latency_seconds) / completed;
    const int64_t failed_requests = s.ended - s.completed;
    if (failed_requests > 0) {
      out.failed_latency_mean_seconds =
          static_cast<double>(s.failed_latency_us) / static_cast<double>(failed_requests) / 1e6;
    }
    // Fluid failures are turned away at once: latency 0.
    if (const double ended = completed + failed; ended > 0) {
      out.time_in_system_mean_seconds =
          (seconds(s.latency.sum()) + static_cast<double>(s.failed_latency_us) / 1e6 +
           s.f_latency_seconds) /
          ended;
    }
    const double request_integral =
        static_cast<double>(s.in_flight_integral +
                            s.in_flight * std::max<int64_t>((now - s.last).count_micros(), 0)) /
        1e6;
    const double fluid_integral =
        s.f_integral + s.f_in_flight * std::max(seconds(now - s.f_last), 0.0);
    out.in_flight_mean = per_second(request_integral + fluid_integral);

    double busy = s.f_busy_seconds, capacity = s.f_capacity_seconds;
    std::vector<int64_t> accepted;
    for (const uint32_t i : s.entries) {
      const Entry& e = entries_[i];
      const PodSlot& slot = pods_[e.pod];
      PodTraffic p;
      p.pod = slot.pod->key();
      p.concurrency = slot.concurrency;
      p.accepted = e.accepted;
      p.rejected = e.rejected;
      p.refused = e.refused;
      p.served = e.served;
      p.aborted = e.aborted;
      p.in_flight = e.accepted - e.served - e.aborted;
      p.busy_seconds = static_cast<double>(e.busy_us) / 1e6;
      p.cpu_seconds = e.cpu_seconds;
      if (slot.serving) {
        const SimTime end = slot.pod->active() ? std::max(now, slot.last) : slot.last;
        p.window_seconds = seconds(end - slot.first);
      }
      const double worker_seconds = p.window_seconds * slot.concurrency;
      if (worker_seconds > 0) p.utilization = p.busy_seconds / worker_seconds;
      if (p.window_seconds > 0) {
        p.throughput_per_second = static_cast<double>(e.served) / p.window_seconds;
      }
      if (e.served > 0) {
        p.wait_mean_seconds = static_cast<double>(e.wait_us) / static_cast<double>(e.served) / 1e6;
      }
      p.latency = latency_summary(e.latency);
      busy += p.busy_seconds;
      capacity += worker_seconds;
      if (e.accepted > 0) accepted.push_back(e.accepted);
      out.pods.push_back(std::move(p));
    }
    std::sort(out.pods.begin(), out.pods.end(),
              [](const PodTraffic& a, const PodTraffic& b) { return a.pod < b.pod; });
    if (capacity > 0) out.utilization = busy / capacity;

    if (!accepted.empty()) {
      const auto n = static_cast<double>(accepted.size());
      double sum = 0, max = 0;
      for (const int64_t a : accepted) {
        sum += static_cast<double>(a);
        max = std::max(max, static_cast<double>(a));
      }
      const double mean = sum / n;
      double squares = 0;
      for (const int64_t a : accepted)
        squares += (static_cast<double>(a) - mean) * (static_cast<double>(a) - mean);
      out.load_share = {static_cast<int64_t>(accepted.size()), max / mean,
                        std::sqrt(squares / n) / mean};
    }
    t.services.push_back(std::move(out));
  }

  // The time series: every interval from the start to `now`, the last one
  // possibly shorter.
  if (services_.empty() || now <= start_) return t;
  const int64_t intervals =
      ((now - start_).count_micros() + interval_.count_micros() - 1) / interval_.count_micros();
  // Running sums rounded separately for completed and failed, so that each
  // row's counts (differences of monotone rounded sums) are never negative.
  struct Running {
    double arrived = 0, completed = 0, failed = 0;
    int64_t arrived_r = 0, completed_r = 0, failed_r = 0;
  };
  std::vector<Running> running(services_.size());
  t.series.reserve(static_cast<std::size_t>(intervals) * services_.size());
  for (int64_t k = 0; k < intervals; ++k) {
    const SimTime from = interval_start(k);
    const SimTime to = std::min(interval_start(k + 1), now);
    for (std::size_t i = 0; i < services_.size(); ++i) {
      const Service& s = services_[i];
      const Row r = static_cast<std::size_t>(k) < s.rows.size() ? s.rows[k] : Row{};
      Running& run = running[i];
      run.arrived += r.arrived;
      run.completed += r.completed;
      run.failed += r.failed;
      const int64_t completed_r = rounded(run.completed), failed_r = rounded(run.failed);
      const int64_t ended_r = completed_r + failed_r;
      const int64_t arrived_r = std::max(rounded(run.arrived), ended_r);
      TrafficInterval row;
      row.start = from;
      row.end = to;
      row.service = static_cast<uint32_t>(i);
      row.arrived = arrived_r - run.arrived_r;
      row.completed = completed_r - run.completed_r;
      row.failed = failed_r - run.failed_r;
      row.in_flight = arrived_r - ended_r;
      row.throughput_per_second = r.completed / seconds(to - from);
      if (k == current_ && !s.interval_latency.empty()) {  // still open
        row.p50_seconds = s.interval_latency.quantile_seconds(0.5);
        row.p99_seconds = s.interval_latency.quantile_seconds(0.99);
      } else {
        row.p50_seconds = r.p50;
        row.p99_seconds = r.p99;
      }
      run.arrived_r = arrived_r;
      run.completed_r = completed_r;
      run.failed_r = failed_r;
      t.series.push_back(row);
    }
  }
  return t;
}

// ---- Output ----

namespace {

// Three significant digits (the percentiles are good to 1%) in us, ms or s.
std::string short_seconds(const std::optional<double>& s) {
  if (!s) return "-";
  if (*s == 0) return "0";
  const char* unit = "s";
  double v = *s;
  if (v < 1e-3) {
    v *= 1e6;
    unit = "us";
  } else if (v < 1) {
    v *= 1e3;
    unit = "ms";
  }
  const int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return fmt::format("{:.{}f}{}", v, decimals, unit);
}

nlohmann::ordered_json number_or_null(const std::optional<double>& v) {
  if (!v) return nullptr;
  return *v;
}

nlohmann::ordered_json latency_json(const LatencySummary& l) {
  nlohmann::ordered_json j;
  j["mean"] = number_or_null(l.mean);
  j["p50"] = number_or_null(l.p50);
  j["p90"] = number_or_null(l.p90);
  j["p99"] = number_or_null(l.p99);
  j["p999"] = number_or_null(l.p999);
  j["max"] = number_or_null(l.max);
  return j;
}

nlohmann::ordered_json pod_json(const PodTraffic& p) {
  nlohmann::ordered_json j;
  j["pod"] = p.pod;
  j["concurrency"] = p.concurrency;
  j["accepted"] = p.accepted;
  j["rejected"] = p.rejected;
  j["refused"] = p.refused;
  j["served"] = p.served;
  j["aborted"] = p.aborted;
  j["in_flight"] = p.in_flight;
  j["busy_seconds"] = p.busy_seconds;
  j["cpu_seconds"] = p.cpu_seconds;
  j["window_seconds"] = p.window_seconds;
  j["utilization"] = p.utilization;
  j["throughput_per_second"] = p.throughput_per_second;
  j["wait_mean_seconds"] = number_or_null(p.wait_mean_seconds);
  j["latency_seconds"] = latency_json(p.latency);
  return j;
}

}  // namespace

std::string traffic_table(const TrafficSummary& t) {
  if (t.services.empty()) return "";
  struct Line {
    std::vector<std::string> cells;
  };
  const std::vector<std::string> header{"requests", "arrived",   "completed",
                                        "failed",   "in flight", "per s",
                                        "p50",      "p99",       "load max/mean"};
  std::vector<std::vector<std::string>> rows;
  for (const ServiceTraffic& s : t.services) {
    rows.push_back(
        {"  " + s.name, with_thousands(s.arrived), with_thousands(s.completed),
         with_thousands(s.failed), with_thousands(s.in_flight),
         fmt::format("{:.1f}", s.throughput_per_second), short_seconds(s.latency.p50),
         short_seconds(s.latency.p99),
         s.load_share.pods > 0
             ? fmt::format("{:.2f} ({} pods)", s.load_share.max_over_mean, s.load_share.pods)
             : "-"});
  }
  // The first column as wide as the summary's labels (24), wider for long
  // names; the others at least 10, two spaces apart.
  std::vector<std::size_t> width(header.size(), 10);
  width[0] = 24;
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = std::max(width[c], header[c].size() + 2);
    for (const auto& r : rows)
      width[c] = std::max(width[c], r[c].size() + 2);
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l = "  ";
    for (std::size_t c = 0; c < cells.size(); ++c)
      l += c + 1 < cells.size() ? fmt::format("{:<{}}", cells[c], width[c]) : cells[c];
    out += l + "\n";
  };
  line(header);
  for (const auto& r : rows)
    line(r);
  out +=
      "  per s: completed per second; p50, p99: latency of the completed, within 1%; load: "
      "max/mean of attempts per pod\n";
  return out;
}

nlohmann::ordered_json traffic_json(const TrafficSummary& t) {
  nlohmann::ordered_json services = nlohmann::ordered_json::object();
  for (const ServiceTraffic& s : t.services) {
    nlohmann::ordered_json j;
    j["requests"] = {{"arrived", s.arrived},   {"completed", s.completed},
                     {"failed", s.failed},     {"in_flight", s.in_flight},
                     {"external", s.external}, {"attempts", s.attempts},
                     {"retries", s.retries}};
    j["failed_by_reason"] = {{"timeout", s.failed_by_reason.timeout},
                             {"rejected", s.failed_by_reason.rejected},
                             {"connection_error", s.failed_by_reason.connection_error},
                             {"downstream", s.failed_by_reason.downstream}};
    j["latency_seconds"] = latency_json(s.latency);
    j["failed_latency_mean_seconds"] = number_or_null(s.failed_latency_mean_seconds);
    j["time_in_system_mean_seconds"] = number_or_null(s.time_in_system_mean_seconds);
    j["arrival_rate_per_second"] = s.arrival_rate_per_second;
    j["throughput_per_second"] = s.throughput_per_second;
    j["in_flight_mean"] = s.in_flight_mean;
    j["utilization"] = s.utilization;
    nlohmann::ordered_json share;
    share["pods"] = s.load_share.pods;
    share["max_over_mean"] =
        s.load_share.pods > 0 ? nlohmann::ordered_json(s.load_share.max_over_mean) : nullptr;
    share["cv"] = s.load_share.pods > 0 ? nlohmann::ordered_json(s.load_share.cv) : nullptr;
    j["load_share"] = share;
    j["fluid"] = s.fluid;
    nlohmann::ordered_json pods = nlohmann::ordered_json::array();
    for (const PodTraffic& p : s.pods)
      pods.push_back(pod_json(p));
    j["pods"] = pods;
    services[s.name] = j;
  }
  return services;
}

std::string traffic_csv(const TrafficSummary& t) {
  std::string out =
      "time_seconds,service,arrived,completed,failed,in_flight,throughput_per_second,"
      "p50_seconds,p99_seconds\n";
  auto optional_number = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.6g}", *v) : std::string();
  };
  for (const TrafficInterval& r : t.series) {
    out += fmt::format("{},{},{},{},{},{},{:.6g},{},{}\n", format_seconds(r.end),
                       t.services[r.service].name, r.arrived, r.completed, r.failed, r.in_flight,
                       r.throughput_per_second, optional_number(r.p50_seconds),
                       optional_number(r.p99_seconds));
  }
  return out;
}

}  // namespace kubesim
