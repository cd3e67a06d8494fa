// TrafficCollector: the request metrics of a run, per Service and per pod
// (issue 6 "Metrics"; docs/running.md, "Traffic", defines every number).
// It listens to RequestArrivedRecord, RequestEndedRecord, PodRequestRecord and
// FluidTrafficRecord (models/records.h); the traffic models keep no statistics.
//
//   TrafficCollector traffic(sim.bus(), scenario.traffic, sim.now());  // before running
//   sim.run_until(end);
//   TrafficSummary t = traffic.summary(sim.now());
//   std::cout << traffic_table(t);             // "" without traffic
//   json["services"] = traffic_json(t);        // leave the key out when t.services is empty
//   write(dir / "traffic.csv", traffic_csv(t));  // the time series
//
// RunSummaryCollector owns one (given the scenario's traffic), so `kubesim
// run` reports these numbers in its summary and writes traffic.csv.
//
// Services are the spec.traffic[] entries (records carry the entry's index),
// named "<name>" in the default namespace and "<namespace>/<name>" elsewhere.
// Every record costs O(1) and allocates nothing beyond the amortized growth of
// vectors (a latency histogram's range, a new pod's slot, a new interval's row);
// an interval boundary costs O(Services x buckets) for its percentiles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/log_histogram.h"
#include "models/records.h"
#include "models/traffic/traffic_spec.h"
#include "sim/observer.h"
#include "sim/time.h"

namespace kubesim {

// The mean and percentiles (nearest rank, within 1%: LogHistogram) of some
// latencies, in seconds; empty when count == 0.
struct LatencySummary {
  int64_t count = 0;
  std::optional<double> mean, p50, p90, p99, p999, max;
};
LatencySummary latency_summary(const LogHistogram& h);

// Requests that failed, by how (RequestOutcome).
struct FailedByReason {
  int64_t timeout = 0;
  int64_t rejected = 0;
  int64_t connection_error = 0;
  int64_t downstream = 0;
};

// How evenly a Service's attempts spread over the pods that accepted at least
// one of them: max / mean and the coefficient of variation (population
// standard deviation / mean) of the accepted counts. Both 0 when pods == 0.
struct LoadShare {
  int64_t pods = 0;
  double max_over_mean = 0;
  double cv = 0;
};

// One pod's part in one Service's traffic (a pod selected by two Services has
// a row under each, and its utilization is split between them).
struct PodTraffic {
  std::string pod;  // namespace/name
  int32_t concurrency = 1;
  int64_t accepted = 0;  // attempts queued or taken by a worker
  int64_t rejected = 0;  // queue full
  int64_t refused = 0;   // connection refused
  int64_t served = 0;
  int64_t aborted = 0;      // lost when the container stopped
  int64_t in_flight = 0;    // accepted - served - aborted
  double busy_seconds = 0;  // service time of the served attempts
  double cpu_seconds = 0;
  // From the pod's first attempt to the summary's time, or to its last attempt
  // when the pod is no longer active.
  double window_seconds = 0;
  double utilization = 0;                   // busy / (concurrency x window)
  double throughput_per_second = 0;         // served / window
  std::optional<double> wait_mean_seconds;  // in the queue, of the served
  LatencySummary latency;                   // wait + service time, of the served
};

struct ServiceTraffic {
  std::string name;
  // Rounded as docs/running.md says when fluid records add fractions;
  // in_flight = arrived - completed - failed always.
  int64_t arrived = 0;
  int64_t external = 0;  // of the arrived: from outside (the rest are calls)
  int64_t completed = 0;
  int64_t failed = 0;  // the sum of failed_by_reason
  int64_t in_flight = 0;
  FailedByReason failed_by_reason;
  // Of the ended requests in request mode: attempts made, and retries =
  // attempts - requests.
  int64_t attempts = 0;
  int64_t retries = 0;
  // Over the Service's traffic window, from its first arrival to the end.
  double arrival_rate_per_second = 0;  // arrived / window (lambda)
  double throughput_per_second = 0;    // completed / window
  // Of the completed requests: the percentiles from request mode only (fluid
  // mode has no distribution), the mean from both.
  LatencySummary latency;
  LogHistogram latency_histogram;
  std::optional<double> failed_latency_mean_seconds;
  // The mean latency of every ended request, failed or not: W of Little's law.
  std::optional<double> time_in_system_mean_seconds;
  // The time-average of in-flight requests over the window: L of Little's law.
  double in_flight_mean = 0;
  // Busy worker-seconds / worker-seconds of the pods (and fluid endpoints)
  // that served it.
  double utilization = 0;
  LoadShare load_share;
  std::vector<PodTraffic> pods;  // the pods that saw an attempt, by name
  bool fluid = false;            // fluid records contributed
};

// One row of the time series: one Service over [start, end).
struct TrafficInterval {
  SimTime start, end;
  uint32_t service = 0;
  int64_t arrived = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t in_flight = 0;  // at `end`
  double throughput_per_second = 0;
  std::optional<double> p50_seconds, p99_seconds;  // of the interval's completed (request mode)
};

struct TrafficSummary {
  SimTime start, end;
  Duration interval;
  std::vector<ServiceTraffic> services;  // in spec.traffic order
  std::vector<TrafficInterval> series;   // by time, then service
};

class TrafficCollector {
 public:
  // Subscribes to the records (not when `traffic` is empty) and copies the
  // Services' names. Time before `start` is not measured; the time series has
  // one row per Service every `interval` from `start` (at least 1 us).
  TrafficCollector(ObserverBus& bus, const std::vector<TrafficSpec>& traffic,
                   SimTime start = SimTime::zero(), Duration interval = Duration::seconds(10));
  TrafficCollector(const TrafficCollector&) = delete;
  TrafficCollector& operator=(const TrafficCollector&) = delete;

  // The numbers at `now` (no earlier than the last record seen).
  TrafficSummary summary(SimTime now) const;

  // "<name>", or "<namespace>/<name>" outside the default namespace.
  static std::string service_name(const TrafficSpec& t);

  // The handlers, public so that a test can feed records without a bus.
  // Records of an unknown Service index are ignored.
  void on_arrived(const RequestArrivedRecord& r);
  void on_ended(const RequestEndedRecord& r);
  void on_pod(const PodRequestRecord& r);
  void on_fluid(const FluidTrafficRecord& r);

 private:
  // Per interval: counts (fractional with fluid records) and percentiles.
  struct Row {
    double arrived = 0, completed = 0, failed = 0;
    std::optional<double> p50, p99;
  };
  struct Service {
    std::string name;
    int64_t arrived = 0, external = 0, completed = 0;
    int64_t timeout = 0, rejected = 0, connection_error = 0, downstream = 0;
    int64_t attempts = 0, ended = 0;
    int64_t failed_latency_us = 0;
    // The first arrival (request or fluid): rates count from here, not from
    // the start of the run, since traffic often begins later.
    std::optional<SimTime> first;
    LogHistogram latency;
    // In flight now, and its integral (request x microseconds) up to `last`.
    int64_t in_flight = 0;
    int64_t in_flight_integral = 0;
    SimTime last;
    // Fluid mode: expected values.
    bool fluid = false;
    double f_arrived = 0, f_completed = 0, f_rejected = 0, f_connection_error = 0;
    double f_latency_seconds = 0;                       // completed x mean latency
    double f_busy_seconds = 0, f_capacity_seconds = 0;  // worker-seconds
    double f_in_flight = 0, f_integral = 0;             // request x seconds, up to f_last
    SimTime f_last;
    LogHistogram interval_latency;
    std::vector<Row> rows;          // rows[k]: interval k
    std::vector<uint32_t> entries;  // in entries_: its pods
  };
  struct Entry {  // one (pod, Service)
    uint32_t pod = 0;
    uint32_t service = 0;
    uint32_t next = UINT32_MAX;  // the pod's next entry
    int64_t accepted = 0, rejected = 0, refused = 0, served = 0, aborted = 0;
    int64_t busy_us = 0, wait_us = 0;
    double cpu_seconds = 0;
    LogHistogram latency;
  };
  struct PodSlot {
    const Pod* pod = nullptr;
    int32_t concurrency = 1;
    bool serving = false;         // accepted an attempt, first at `first`
    SimTime first, last;          // last: its last accepted, served or aborted attempt
    uint32_t entry = UINT32_MAX;  // the first of its entries
  };

  Service* service(uint32_t index);
  void advance(SimTime t);  // closes the intervals that end at or before t
  void close_interval();
  Row& row(Service& s, int64_t k);
  void integrate(Service& s, SimTime t);
  Entry& entry(const Pod& pod, uint32_t service);
  SimTime interval_start(int64_t k) const { return start_ + interval_ * k; }

  SimTime start_;
  Duration interval_;
  int64_t current_ = 0;  // the open interval
  std::vector<Service> services_;
  std::vector<Entry> entries_;
  std::vector<PodSlot> pods_;  // by pod id
};

// One line per Service for the summary table; "" without Services.
std::string traffic_table(const TrafficSummary& t);
// summary.json's "services": {"<name>": {...}} in spec.traffic order (keys in
// the order docs/running.md lists them).
nlohmann::ordered_json traffic_json(const TrafficSummary& t);
// traffic.csv: a header, then one line per row of t.series.
std::string traffic_csv(const TrafficSummary& t);

}  // namespace kubesim
