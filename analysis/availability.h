// Availability of the workloads a run serves: the fraction of time each
// Deployment (and ReplicaSet or DaemonSet without a Deployment) had a ready
// replica and had all the replicas it wants, its outages, how long failures
// took to repair (MTTR), and how long the cluster took to replace the pods of
// a failed node. docs/running.md defines every number.
//
//   AvailabilityCollector availability(sim.bus(), api.objects());  // before running
//   sim.run_until(end);
//   AvailabilitySummary a = availability.summary(sim.now());
//   std::cout << availability_table(a);   // "" when nothing failed
//   json["availability"] = availability_json(a);
//
// RunSummaryCollector owns one, so `kubesim run` reports these numbers in its
// summary. Every record costs O(1) (amortized); a node failure costs O(pods
// serving on the node).
//
// Serving is the kubelet's Ready condition as PodReady / PodNotReady report it.
// PodMarkedNotReady (the API's view of a dead node) is not a serving change.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/objects/cluster.h"
#include "models/records.h"
#include "sim/observer.h"
#include "sim/time.h"

namespace kubesim {

// [start, end): no replica of the workload was ready while it wanted some.
struct DowntimeInterval {
  SimTime start;
  SimTime end;
  bool operator==(const DowntimeInterval&) const = default;
};

// Times from a failure to its repair (docs/running.md, "Availability").
struct RepairStats {
  int64_t count = 0;             // failures repaired during the run
  std::optional<Duration> mean;  // empty when count == 0 (rounded down to 1 us)
  std::optional<Duration> p50;   // nearest rank, as the latency percentiles
  std::optional<Duration> max;
  int64_t open = 0;      // failures not repaired at the end: not in the times
  int64_t in_place = 0;  // repaired by the failed pod itself becoming ready again
  int64_t replaced = 0;  // repaired by another pod of the workload becoming ready
  int64_t covered = 0;   // the workload was back at its desired ready count first
  // Failures that left the desired number of replicas ready (a surplus pod,
  // e.g. an evicted pod whose replacement was already ready): nothing to
  // repair, not in the times. failures = count + open + absorbed.
  int64_t absorbed = 0;
};

struct WorkloadAvailability {
  std::string kind;  // "Deployment", "ReplicaSet", "DaemonSet"
  std::string name;  // namespace/name
  // The first time a replica was ready; the measurement window starts then
  // (the initial rollout is not downtime). Empty: never served, and the window
  // starts at the workload's creation.
  std::optional<SimTime> in_service_since;
  SimTime window_start;
  SimTime window_end;  // the summary's time, or when the workload was deleted
  bool deleted = false;
  int64_t desired = 0;  // at window_end
  int64_t ready = 0;    // at window_end
  // Fractions of the window (1 for an empty window).
  double availability_any = 1;   // ready >= 1, or desired == 0
  double availability_full = 1;  // ready >= desired
  // Every interval in the window with ready == 0 while desired > 0, in order;
  // one still open at window_end ends there.
  std::vector<DowntimeInterval> downtime;
  Duration downtime_total;
  RepairStats repair;
  int64_t failures = 0;   // a ready pod stopped serving, not because it was deleted on purpose
  int64_t restarts = 0;   // PodRestarted of its pods
  int64_t crashes = 0;    // PodCrashed
  int64_t evictions = 0;  // PodEvicted

  // Something a reader should see: a failure, a restart, a crash, an
  // eviction, downtime after it was in service, or time with fewer ready
  // replicas than desired (a stalled or slow rollout).
  bool eventful() const;
};

// One NodeCrashed or NodePartitioned (while the node was up and connected).
struct NodeFailure {
  std::string node;
  NodeEvent cause = NodeEvent::kCrashed;  // kCrashed or kPartitioned
  SimTime start;
  // Pods of the workloads above serving on the node at the failure (or that
  // stopped serving at that very instant).
  int64_t pods = 0;
  std::optional<Duration> first_back;  // the first of them is back (empty: none yet)
  std::optional<Duration> all_back;    // every one of them is back (empty: not yet)
};

struct NodeFailureStats {
  int64_t count = 0;      // node failures
  int64_t with_pods = 0;  // ... with at least one serving pod
  int64_t all_back = 0;   // ... of which every pod was back by the end
  // Over the failures with pods whose first (every) pod came back.
  std::optional<Duration> first_back_mean, first_back_max;
  std::optional<Duration> all_back_mean, all_back_max;
  std::vector<NodeFailure> failures;  // in order
};

struct AvailabilitySummary {
  std::vector<WorkloadAvailability> workloads;  // by name, then kind
  RepairStats repair;                           // every workload's failures pooled
  int64_t failures = 0;
  // Totals over every pod, those of Jobs and bare pods included.
  int64_t restarts = 0;
  int64_t crashes = 0;
  int64_t evictions = 0;
  // The lowest over the workloads (1 with no workload).
  double min_availability_any = 1;
  double min_availability_full = 1;
  NodeFailureStats node_failures;

  // A workload is eventful or a node failed.
  bool eventful() const;
};

class AvailabilityCollector {
 public:
  // Subscribes to the records and takes the workloads and ready pods from
  // `objects`, which must outlive the collector. Time before `start` is not
  // measured.
  AvailabilityCollector(ObserverBus& bus, const ClusterObjects& objects,
                        SimTime start = SimTime::zero());
  AvailabilityCollector(const AvailabilityCollector&) = delete;
  AvailabilityCollector& operator=(const AvailabilityCollector&) = delete;

  // The numbers at `now` (no earlier than the last record seen).
  AvailabilitySummary summary(SimTime now) const;

  // The handlers, public so that a test can feed records without a bus.
  void on_pod(const PodRecord& r);
  void on_node(const NodeRecord& r);
  void on_workload(const WorkloadRecord& r);
  void on_timeline(const TimelineRecord& r);

 private:
  enum class Kind : uint8_t { kDeployment, kReplicaSet, kDaemonSet };
  struct Episode {  // a failure waiting for its repair
    uint32_t pod;
    SimTime start;
  };
  struct NodePending {  // a pod of a failed node waiting to be back
    int32_t failure;
    uint32_t pod;
  };
  struct Workload {
    Kind kind;
    uint32_t index;  // in the kind's store
    SimTime created;
    SimTime last;  // integrated up to here
    bool in_service = false;
    SimTime in_service_since;
    bool ended = false;  // deleted: the window ended at `last`
    int64_t desired = 0;
    int64_t ready = 0;
    // Microseconds of the window, and of it with ready >= 1 (or desired 0),
    // and with ready >= desired.
    int64_t window_us = 0, any_us = 0, full_us = 0;
    bool down = false;  // an open downtime interval since down_since
    SimTime down_since;
    std::vector<DowntimeInterval> downtime;
    int64_t downtime_us = 0;
    std::deque<Episode> episodes;  // open failures, oldest first; stale entries skipped
    int64_t open_episodes = 0;
    std::vector<int64_t> repair_us;
    int64_t in_place = 0, replaced = 0, covered = 0, absorbed = 0;
    std::deque<NodePending> node_pending;  // oldest first; stale entries skipped
    int64_t failures = 0, restarts = 0, crashes = 0, evictions = 0;
  };
  struct PodState {
    int32_t workload = -2;  // slot; -1: none (Job, bare pod); -2: not resolved yet
    bool ready = false;
    bool evicted = false;
    bool episode_open = false;
    SimTime episode_start;
    uint32_t node = UINT32_MAX;  // where it serves, while ready
    uint32_t pos_on_node = 0;    // in serving_on_node_[node]
    int32_t node_failure = -1;   // the node failure it is waiting in
  };
  struct NodeFailureState {
    uint32_t node;
    NodeEvent cause;
    SimTime start;
    std::vector<uint32_t> pods;
    int64_t remaining = 0;
    std::optional<SimTime> first_back, all_back;
  };
  struct NodeState {
    std::vector<uint32_t> serving;  // ready pods of workloads on the node
    SimTime stopped_at;             // failures at this instant on the node:
    std::vector<uint32_t> stopped;  // pods that stopped serving then
    bool down = false;
    int32_t failure = -1;  // the last node failure
  };

  PodState& pod_state(const Pod& p);
  NodeState& node_state(uint32_t node);
  int32_t workload_of(const Pod& p);
  int32_t slot(Kind kind, uint32_t index);
  int64_t desired_in_store(const Workload& w) const;
  void discover();
  void refresh(int32_t w, SimTime t);
  void set_desired(int32_t w, SimTime t, int64_t desired);
  void end_window(int32_t w, SimTime t);
  void advance(Workload& w, SimTime t);
  void settle(Workload& w, SimTime t);  // downtime intervals and covered failures
  void close_downtime(Workload& w, SimTime t);
  void close_episode(Workload& w, uint32_t pod, SimTime t);
  void became_ready(const Pod& p, PodState& s, Workload& w, uint32_t node, SimTime t);
  void stopped_serving(const Pod& p, PodState& s, Workload& w, bool failure, SimTime t);
  void back(int32_t failure, uint32_t pod, SimTime t);
  int32_t find_by_key(Kind kind, const std::string& key);

  const ClusterObjects* objects_;
  SimTime start_;
  std::vector<Workload> workloads_;
  std::vector<int32_t> deployment_slot_, replica_set_slot_, daemon_set_slot_;
  std::size_t deployments_seen_ = 0, replica_sets_seen_ = 0, daemon_sets_seen_ = 0;
  // Lookup by "namespace/name" for owner references without a store index.
  std::unordered_map<std::string, uint32_t> by_key_[3];
  std::size_t keyed_[3] = {0, 0, 0};
  std::vector<PodState> pods_;
  std::vector<NodeState> nodes_;
  std::vector<NodeFailureState> node_failures_;
  int64_t restarts_ = 0, crashes_ = 0, evictions_ = 0;
};

// The per-workload section of the summary table: one row per eventful
// workload, a line for the others, and the node failures. "" when nothing is
// eventful (a run without failures keeps its short table).
std::string availability_table(const AvailabilitySummary& a);
// summary.json's "availability" (keys in the order docs/running.md lists them).
nlohmann::ordered_json availability_json(const AvailabilitySummary& a);

}  // namespace kubesim
