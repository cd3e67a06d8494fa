// NodeLifecycleController: kube-controller-manager's node-lifecycle-controller
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go, v1.30+; the
// taint eviction itself is TaintEvictionController). docs/node-lifecycle.md
// walks through a node failure with the default timings.
//
//   NodeLifecycleController nlc(api, scenario.runtime);   // registers the watches
//   nlc.start();              // at t = 0 (= set_leader(true))
//
// monitorNodeHealth runs every node_monitor_period from the controller's
// start (wait.UntilWithContext). For each node:
//   - tryUpdateNodeHealth: probeTimestamp is the controller's own time at the
//     pass that first sees a newer lease renewTime (or a new status from the
//     kubelet); the lease informer sees a renewal one watch latency after it.
//     When now > probeTimestamp + node_monitor_grace_period, the Ready
//     condition becomes Unknown ("NodeStatusUnknown": NodeNotReady record).
//   - On the transition from Ready, MarkPodsNotReady: every ready pod on the
//     node gets Ready false in the API (PodMarkedNotReady record).
//   - processTaintBaseEviction: Unknown -> the node joins its zone's
//     rate-limited tainting queue for node.kubernetes.io/unreachable:NoExecute
//     (False, from a kubelet reporting NotReady: not-ready:NoExecute); True ->
//     both taints removed (NodeUntainted) and the node leaves the queue.
//   - handleDisruption: zone states (Normal, PartialDisruption when more than
//     2 nodes and >= unhealthyZoneThreshold of the zone are not Ready,
//     FullDisruption when none is Ready) set each zone queue's rate:
//     evictionLimiterQPS (Normal; FullDisruption while another zone is not
//     fully disrupted), secondaryEvictionLimiterQPS in a partially disrupted
//     zone of more than largeClusterSizeThreshold nodes, else 0. When every
//     zone is fully disrupted all NoExecute taints of the controller are
//     removed and tainting stops; on leaving that mode every probeTimestamp
//     is reset to now.
// doNoExecuteTaintingPass runs every 100 ms (scheduler.NodeEvictionPeriod):
// per zone (in key order), while the zone's token bucket (burst 1,
// x/time/rate arithmetic with the float32 QPS) grants a token, the queue's
// head gets the taint for its current Ready condition (NodeTainted). All
// queued nodes share the last pass as ProcessAt (the pass removes and
// re-adds every untainted one), so kubesim breaks the tie by node id. At an
// instant with both, the tainting pass runs before the monitor pass.
//
// The NoSchedule taints of TaintNodesByCondition (doNoScheduleTaintingPass)
// follow the Ready condition when a node's watch event arrives:
// unreachable:NoSchedule for Unknown, not-ready:NoSchedule for False.
//
// Lazy but exact (DESIGN.md): by default a monitor pass runs only at the ticks
// where it can change something -- the tick at which a stopped kubelet's node
// is first stale (from the last renewal before the stop, the watch latency,
// the pass phase and probeTimestamp), the first tick after a node is added or
// deleted or its kubelet posts a status, and the ticks after such a pass --
// and a tainting pass only at the 100 ms ticks where a queue is non-empty and
// its bucket has a token. RuntimeConfig::naive_timers runs every tick of both
// loops; the records are identical. (If the renew interval exceeded the grace
// period, live nodes could go stale between renewals: the monitor then ticks
// every period in both modes.)
//
// Not modelled: nodeStartupGracePeriod (nodes always carry a Ready
// condition), the 5-minute status heartbeats (the lease is the heartbeat),
// memory/disk/PID pressure conditions, API errors and their retries,
// processPod (a pod just bound is never ready, so marking it is a no-op).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/controllers/taint_eviction_controller.h"
#include "models/scenario/scenario.h"

namespace kubesim {

enum class ZoneState : uint8_t { kInitial, kNormal, kFullDisruption, kPartialDisruption };
const char* to_string(ZoneState s);  // "Initial", "Normal", ...

// kube-controller-manager's node lifecycle flags (cmd/kube-controller-manager/
// app/options/nodelifecyclecontroller.go, config/v1alpha1/defaults.go).
struct NodeLifecycleSettings {
  Duration node_monitor_period = Duration::seconds(5);
  Duration node_monitor_grace_period = Duration::seconds(50);
  float eviction_limiter_qps = 0.1F;             // --node-eviction-rate
  float secondary_eviction_limiter_qps = 0.01F;  // --secondary-node-eviction-rate
  int32_t large_cluster_size_threshold = 50;     // --large-cluster-size-threshold
  float unhealthy_zone_threshold = 0.55F;        // --unhealthy-zone-threshold
  // The kubelets' renew interval (decides whether lazy passes are exact).
  Duration node_lease_renew_interval = Duration::seconds(10);
  bool naive_timers = false;

  static NodeLifecycleSettings from(const RuntimeConfig& config);
};

class NodeLifecycleController {
 public:
  NodeLifecycleController(ApiServer& api, const RuntimeConfig& config);
  NodeLifecycleController(ApiServer& api, NodeLifecycleSettings settings);
  NodeLifecycleController(const NodeLifecycleController&) = delete;
  NodeLifecycleController& operator=(const NodeLifecycleController&) = delete;

  // At t = 0: set_leader(true).
  void start();
  // false: no pass runs and the controller forgets its state. true: starts
  // as a newly elected kube-controller-manager: a monitor pass now (every
  // node is new to it: its NoExecute taints are removed and probeTimestamp
  // is now, so an outage of the control plane does not evict everything),
  // then passes every period from now.
  void set_leader(bool has_leader);
  bool leader() const { return leader_; }

  static constexpr Duration kNodeEvictionPeriod = Duration::millis(100);
  static constexpr int32_t kEvictionRateLimiterBurst = 1;

  // ---- Read-only views, for tests ----
  // nodetopology.GetZoneKey: region + ":\0:" + zone, "" without either label.
  static std::string zone_key(const Node& n);
  std::optional<ZoneState> zone_state(std::string_view key) const;
  // Nodes waiting in the zone's tainting queue.
  std::size_t queued(std::string_view key) const;
  uint64_t monitor_passes() const { return monitor_passes_; }
  uint64_t tainting_passes() const { return tainting_passes_; }

 private:
  // flowcontrol.NewTokenBucketRateLimiter(qps, 1) over golang.org/x/time/rate;
  // qps 0 is flowcontrol.NewFakeNeverRateLimiter.
  struct TokenBucket {
    float qps = 0;
    double tokens = 1;
    SimTime last;
    double tokens_at(SimTime t) const;
    bool would_accept(SimTime t) const;
    bool try_accept(SimTime t);
  };
  // scheduler.RateLimitedTimedQueue: the heap (here ordered by node id, see
  // above) and the UniqueQueue's set.
  struct TaintQueue {
    TokenBucket limiter;
    std::set<uint32_t> heap;
    std::set<uint32_t> members;
    bool add(uint32_t n);
    bool remove(uint32_t n);
    void remove_from_queue(uint32_t n) { heap.erase(n); }
    void swap_limiter(float qps, SimTime now);
  };
  struct Health {  // nodeHealthData
    bool has = false;
    SimTime probe;
    bool has_lease = false;
    SimTime lease;         // savedLease.spec.renewTime
    SimTime status_write;  // when the saved status was written
  };
  struct ReadyView {  // the Ready condition as the node informer shows it
    NodeReadyStatus status = NodeReadyStatus::kTrue;
    SimTime written;
  };

  void on_node(const WatchEvent& e);
  void on_lease(const WatchEvent& e);
  void on_pod(const WatchEvent& e);

  // The driver: one pending event runs the tainting pass and/or the monitor
  // pass due at its instant.
  void schedule_driver();
  void drive();
  void request_monitor(SimTime t);
  SimTime next_taint_tick() const;
  SimTime tick_at_or_after(SimTime x) const;  // monitor grid
  SimTime taint_tick_at_or_after(SimTime x) const;

  void monitor_pass();
  void tainting_pass();
  void handle_disruption(const std::map<std::string, std::vector<NodeReadyStatus>>& zones,
                         const std::vector<uint32_t>& nodes);
  bool visible(uint32_t n, SimTime t) const;
  ReadyView ready_view(uint32_t n, SimTime t) const;
  void set_ready(uint32_t n, NodeReadyStatus s, std::string_view reason);
  void add_zone(const std::string& key);
  bool mark_for_tainting(uint32_t n, NodeReadyStatus s);
  void mark_reachable(uint32_t n);
  void swap_taint(uint32_t n, const char* add, const char* remove);
  void mark_pods_not_ready(uint32_t n);
  bool has_taint(uint32_t n, std::string_view key) const;
  float reduced_qps(int zone_size) const;
  void set_limiter(const std::string& zone, int zone_size, ZoneState s);
  // Lazy: the first tick at which the node would be found stale, if any.
  std::optional<SimTime> stale_tick(uint32_t n) const;
  void request_stale_checks();
  Health& health(uint32_t n);

  ApiServer& api_;
  NodeLifecycleSettings settings_;
  Duration watch_latency_;
  bool lazy_monitor_;  // else the monitor ticks every period
  bool lazy_taint_;

  bool leader_ = false;
  SimTime origin_;       // leader start: both loops' phase
  uint32_t listed_ = 0;  // nodes in the store at leader start
  EventToken driver_;
  SimTime driver_at_ = SimTime::max();
  SimTime last_drive_ = SimTime::max();  // instant of the last drive() (taint slot used)
  std::set<SimTime> monitor_requests_;
  SimTime next_naive_monitor_;
  SimTime next_naive_taint_;

  std::vector<Health> health_;  // by node id
  std::vector<uint8_t> known_;  // knownNodeSet
  std::vector<ReadyView> own_;  // the controller's own view of Ready (its writes)
  std::map<std::string, ZoneState> zone_states_;
  std::map<std::string, TaintQueue> tainters_;  // zoneNoExecuteTainter
  PodsByNode pods_;
  uint64_t monitor_passes_ = 0;
  uint64_t tainting_passes_ = 0;
};

}  // namespace kubesim
