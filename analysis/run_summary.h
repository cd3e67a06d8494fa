// RunSummary: the numbers a run ends with (pods by phase, scheduling
// latency percentiles, requested-resource utilization, rollouts, jobs,
// availability, request traffic per Service, rejected writes), computed by a
// collector that listens to the records.
// docs/running.md explains every number and the JSON keys.
//
//   RunSummaryCollector collector(sim.bus(), api.objects(), sim.now(), scenario.traffic);
//   sim.run_until(end);
//   RunSummary s = collector.summary(sim.now());
//   s.scenario = "quickstart";  s.wall_seconds = 0.2;  ...  // what the caller knows
//   std::cout << summary_table(s);
//   std::cout << summary_json(s).dump(2);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/availability.h"
#include "analysis/traffic_metrics.h"
#include "models/objects/cluster.h"
#include "models/records.h"
#include "sim/observer.h"
#include "sim/time.h"

namespace kubesim {

// Exact nearest-rank percentiles (no interpolation) of the latencies of
// every pod that reached the milestone.
struct LatencyStats {
  int64_t count = 0;            // pods that reached it
  std::optional<Duration> p50;  // empty when count == 0
  std::optional<Duration> p99;
};

// Requested resources of active bound pods / allocatable of existing nodes,
// as a fraction (0.25 = 25%).
struct UtilizationStats {
  double end = 0;   // at the summary's time
  double mean = 0;  // time-weighted mean of the fraction from the start
};

struct RunSummary {
  // Filled by the caller (the collector does not know them).
  std::string scenario;
  uint64_t seed = 0;
  double wall_seconds = 0;
  uint64_t events_processed = 0;
  bool interrupted = false;

  // Filled by the collector.
  SimTime simulated;  // the time the summary describes
  // Every pod the run has seen (declared in the scenario or created while
  // running), by its phase now; pods removed from the store count as deleted
  // whatever their last phase. created = the sum of the other six.
  struct Pods {
    int64_t created = 0;
    int64_t running = 0;
    int64_t pending = 0;
    int64_t succeeded = 0;
    int64_t failed = 0;
    int64_t unknown = 0;
    int64_t deleted = 0;
  } pods;
  LatencyStats to_bind;   // pod created -> bound to a node (PodScheduled)
  LatencyStats to_ready;  // pod created -> first Ready (PodReady)
  UtilizationStats cpu;
  UtilizationStats memory;
  // Nodes now (not deleted), and those running at least one active pod that
  // is not a DaemonSet's: how tightly the scheduler packs (bin-packing vs spread).
  int64_t nodes = 0;
  int64_t nodes_in_use = 0;
  int64_t rejected_writes = 0;
  int64_t rollouts_started = 0;
  int64_t rollouts_completed = 0;
  int64_t jobs_completed = 0;
  int64_t jobs_failed = 0;
  // Per workload: time with a ready replica, downtime, MTTR, node failures
  // (analysis/availability.h).
  AvailabilitySummary availability;
  // Per Service of spec.traffic: requests, latency, load share, and the time
  // series (analysis/traffic_metrics.h). No Services without traffic.
  TrafficSummary traffic;

  double simulated_seconds() const { return static_cast<double>(simulated.count_micros()) / 1e6; }
  // Simulated seconds per wall-clock second; 0 when no wall time was measured.
  double speedup() const { return wall_seconds > 0 ? simulated_seconds() / wall_seconds : 0; }
};

class RunSummaryCollector {
 public:
  // Subscribes to the records and takes the initial state (nodes, bound pods)
  // from `objects`, which must outlive the collector; `start` is the time the
  // utilization mean and the availability and traffic measurements start
  // from. `traffic` (the scenario's spec.traffic, copied as needed) names the
  // Services of the request records; `traffic_interval` is the time series'
  // step.
  RunSummaryCollector(ObserverBus& bus, const ClusterObjects& objects,
                      SimTime start = SimTime::zero(), const std::vector<TrafficSpec>& traffic = {},
                      Duration traffic_interval = Duration::seconds(10));
  RunSummaryCollector(const RunSummaryCollector&) = delete;
  RunSummaryCollector& operator=(const RunSummaryCollector&) = delete;

  // The summary at `now` (no earlier than the last record seen). Pod counts
  // are read from the store, everything else from the records.
  RunSummary summary(SimTime now) const;

  // The handlers, public so that a test can feed records without a bus (the
  // availability collector listens on the bus only).
  void on_pod(const PodRecord& r);
  void on_node(const NodeRecord& r);
  void on_workload(const WorkloadRecord& r);
  void on_write_rejected(const WriteRejectedRecord& r);

  const TrafficCollector& traffic() const { return traffic_; }

 private:
  struct Counted {
    int64_t milli_cpu = 0;
    int64_t memory = 0;
    bool counted = false;
  };
  void advance(SimTime t);  // integrates the utilization up to t
  void count_pod(const Pod& p);
  void uncount_pod(const Pod& p);
  void count_node(const Node& n);
  void uncount_node(const Node& n);
  static Counted& slot(std::vector<Counted>& v, uint32_t index);

  const ClusterObjects* objects_;
  SimTime start_;
  SimTime last_;
  // Sums over active bound pods and existing nodes, and what each added.
  int64_t requested_cpu_ = 0, requested_memory_ = 0;
  int64_t allocatable_cpu_ = 0, allocatable_memory_ = 0;
  std::vector<Counted> pods_counted_, nodes_counted_;
  // Integrals of the utilization fractions over time (fraction x microseconds).
  double cpu_integral_ = 0, memory_integral_ = 0;
  // Milestones, per pod id.
  std::vector<uint8_t> milestones_;
  std::vector<int64_t> to_bind_us_, to_ready_us_;
  int64_t rejected_writes_ = 0;
  int64_t rollouts_started_ = 0, rollouts_completed_ = 0;
  int64_t jobs_completed_ = 0, jobs_failed_ = 0;
  AvailabilityCollector availability_;
  TrafficCollector traffic_;
};

// The value of rank ceil(percent / 100 * n) (1-based, at least 1) of the
// ascending `sorted`, which must not be empty: the nearest-rank method.
int64_t nearest_rank(const std::vector<int64_t>& sorted, int percent);

// Latency stats of `micros` (any order).
LatencyStats latency_stats(std::vector<int64_t> micros);

// A table for people (aligned, with units) and the JSON of summary.json
// (keys in the order docs/running.md lists them; "services" only when the
// run has traffic).
std::string summary_table(const RunSummary& s);
nlohmann::ordered_json summary_json(const RunSummary& s);

}  // namespace kubesim
