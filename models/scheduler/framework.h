// The scheduling framework of kube-scheduler (pkg/scheduler/framework/
// interface.go): a Snapshot of the cluster, per-node NodeInfo, per-cycle
// CycleState, plugin Status, and the one Plugin interface every plugin
// implements. Plugins are read-only: they return decisions and scores; the
// scheduler applies them (STYLE.md rule 4).
//
//   class MyPlugin : public Plugin {
//     std::string_view name() const override { return "MyPlugin"; }
//     uint32_t extension_points() const override { return kFilter; }
//     Status filter(const CycleState&, const Pod& pod, const NodeInfo& n) const override {
//       return n.pods.size() < 10 ? Status{} : Status::unschedulable("too busy");
//     }
//   };
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/objects/cluster.h"

namespace kubesim {

// pkg/scheduler/framework/interface.go: Code.
enum class StatusCode { kSuccess, kError, kUnschedulable, kUnschedulableAndUnresolvable, kSkip };

struct Status {
  StatusCode code = StatusCode::kSuccess;
  std::vector<std::string> reasons;  // Kubernetes' wording, e.g. "Insufficient cpu"
  std::string plugin;                // set by the framework on failure

  bool ok() const { return code == StatusCode::kSuccess; }
  bool skip() const { return code == StatusCode::kSkip; }
  static Status unschedulable(std::string reason) {
    return Status{StatusCode::kUnschedulable, {std::move(reason)}, {}};
  }
  static Status unresolvable(std::string reason) {
    return Status{StatusCode::kUnschedulableAndUnresolvable, {std::move(reason)}, {}};
  }
  static Status skipped() { return Status{StatusCode::kSkip, {}, {}}; }
  static Status error(std::string reason) {
    return Status{StatusCode::kError, {std::move(reason)}, {}};
  }
};

struct HostPort {
  std::string ip;  // "0.0.0.0" when unset
  std::string protocol;
  int32_t port = 0;
};

// pkg/scheduler/framework/types.go: NodeInfo.
struct NodeInfo {
  const Node* node = nullptr;
  std::vector<const Pod*> pods;
  std::vector<const Pod*> pods_with_affinity;                // any pod (anti-)affinity
  std::vector<const Pod*> pods_with_required_anti_affinity;  // required anti-affinity
  Resources requested;                                       // sum of pod_requests of its pods
  Resources non_zero_requested;  // cpu/memory with the 100m / 200Mi defaults
  std::vector<HostPort> used_ports;
  // Changes (to a value never used before) whenever pods are added or removed;
  // 0 for a NodeInfo built by hand. Plugins key memos on it.
  uint64_t generation = 0;
  // Position in its Snapshot's nodes(), -1 for a NodeInfo built by hand. Lets
  // PreScore keep per-node data in flat vectors that Score reads back.
  int index = -1;

  void add_pod(const Pod* p);
  void remove_pod(const Pod* p);
};

// Non-zero defaults (pkg/scheduler/util/pod_resources.go):
inline constexpr int64_t kDefaultMilliCpuRequest = 100;                // 0.1 core
inline constexpr int64_t kDefaultMemoryRequest = 200LL * 1024 * 1024;  // 200 MiB
// The pod's cpu/memory request with the non-zero defaults applied per container.
Resources non_zero_requests(const PodSpec& spec);

// pkg/scheduler/framework/types.go: ImageStateSummary.
struct ImageState {
  int64_t size_bytes = 0;
  int32_t num_nodes = 0;
};

// The scheduler's view of the cluster: nodes in a fixed order with their
// bound pods. Pods and nodes are borrowed from a ClusterObjects that outlives it.
class Snapshot {
 public:
  static Snapshot build(const ClusterObjects& objects);

  // Incremental maintenance, for the scheduler's cache in a run. Deleted
  // nodes are dropped by building a new snapshot.
  int add_node(const Node& n);  // returns its index
  void add_pod(const Pod& p);   // p.node must be in the snapshot
  void remove_pod(const Pod& p);
  // Recomputes image_states() after nodes' images changed.
  void refresh_image_states();
  // The same after one node's images changed: O(images of that node).
  void refresh_node_images(int index);
  // Index into nodes() of a node id, or -1.
  int index_of(NodeId id) const { return id.value < by_id_.size() ? by_id_[id.value] : -1; }

  std::vector<NodeInfo>& nodes() { return nodes_; }
  const std::vector<NodeInfo>& nodes() const { return nodes_; }
  // Index into nodes(), or -1.
  int index_of(const std::string& node_name) const;
  // Images by name (every name of every node image), with node counts.
  const std::map<std::string, ImageState>& image_states() const { return image_states_; }
  // NodeInfos that hold a pod with (anti-)affinity terms.
  std::vector<const NodeInfo*> have_pods_with_affinity() const;
  std::vector<const NodeInfo*> have_pods_with_required_anti_affinity() const;

 private:
  std::vector<NodeInfo> nodes_;
  std::map<std::string, ImageState> image_states_;
  // The image names each node (by index) counts in image_states_.
  std::vector<std::vector<std::string>> counted_images_;
  std::map<std::string, int> index_;
  std::vector<int> by_id_;  // NodeId -> index, -1 if absent
};

// Per-cycle data that PreFilter/PreScore compute for Filter/Score.
class StateData {
 public:
  virtual ~StateData() = default;
};

// Names one kind of per-cycle data (Kubernetes' state keys, e.g.
// "PreScoreNodeResourcesFit"). Filter and Score read the state once per node,
// so CycleState tells keys apart by address, not by comparing names: define
// each key once, at namespace scope, and always pass that object.
//
//   constexpr StateKey kPreScoreKey{"PreScoreNodeResourcesFit"};
//   state.write(kPreScoreKey, std::make_unique<MyState>());
//   const MyState* s = state.read<MyState>(kPreScoreKey);
struct StateKey {
  std::string_view name;
};

class CycleState {
 public:
  void write(const StateKey& key, std::unique_ptr<StateData> data) {
    for (Entry& e : entries_) {
      if (e.key == &key) {
        e.data = std::move(data);
        return;
      }
    }
    entries_.push_back(Entry{&key, std::move(data)});
  }
  template <class T>
  const T* read(const StateKey& key) const {
    return static_cast<const T*>(find(key));
  }
  template <class T>
  T* mutable_read(const StateKey& key) {
    return static_cast<T*>(find(key));
  }
  // A temporary key would never be found again.
  void write(const StateKey&&, std::unique_ptr<StateData>) = delete;
  template <class T>
  const T* read(const StateKey&&) const = delete;
  template <class T>
  T* mutable_read(const StateKey&&) = delete;

 private:
  struct Entry {
    const StateKey* key;
    std::unique_ptr<StateData> data;
  };
  StateData* find(const StateKey& key) const {
    for (const Entry& e : entries_) {
      if (e.key == &key) return e.data.get();
    }
    return nullptr;
  }
  // A handful of entries per cycle (one per plugin and extension point): a
  // linear search beats a map.
  std::vector<Entry> entries_;
};

// Score bounds (framework.MinNodeScore / MaxNodeScore).
inline constexpr int64_t kMaxNodeScore = 100;
inline constexpr int64_t kMinNodeScore = 0;

enum ExtensionPoint : uint32_t {
  kPreFilter = 1u << 0,
  kFilter = 1u << 1,
  kPreScore = 1u << 2,
  kScore = 1u << 3,
};

// The one interface of a scheduler plugin. A plugin declares the extension
// points it implements and overrides those methods. Hooks run in
// kube-scheduler's order: PreFilter (once per cycle), Filter (per node),
// PreScore (once, with the feasible nodes), Score (per feasible node),
// NormalizeScore (once, over all scores).
class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view name() const = 0;
  virtual uint32_t extension_points() const = 0;

  // Skip (Status::skipped()) means: the plugin has nothing to check for this
  // pod, and its Filter is not called.
  virtual Status pre_filter(CycleState&, const Pod&, const Snapshot&) { return {}; }
  virtual Status filter(const CycleState&, const Pod&, const NodeInfo&) const { return {}; }
  // Skip: the plugin's Score is not called and it adds nothing.
  virtual Status pre_score(CycleState&, const Pod&, const Snapshot&,
                           std::span<const NodeInfo* const> feasible) {
    (void)feasible;
    return {};
  }
  virtual int64_t score(const CycleState&, const Pod&, const NodeInfo&) const { return 0; }
  // Rewrites scores (parallel to the scored nodes) into [0, 100]; no-op by default.
  virtual void normalize_scores(const CycleState&, const Pod&, std::vector<int64_t>& scores) const {
    (void)scores;
  }
};

// Plugin configuration (KubeSchedulerConfiguration pluginConfig), resolved.
struct ResourceWeight {
  std::string name;
  int64_t weight = 1;
};
struct ShapePoint {
  int64_t utilization = 0;  // 0..100
  int64_t score = 0;        // 0..10 in the configuration
};
enum class ScoringStrategy { kLeastAllocated, kMostAllocated, kRequestedToCapacityRatio };

struct PluginArgs {
  // NodeResourcesFitArgs (pkg/scheduler/apis/config/v1/defaults.go)
  ScoringStrategy fit_strategy = ScoringStrategy::kLeastAllocated;
  std::vector<ResourceWeight> fit_resources{{"cpu", 1}, {"memory", 1}};
  std::vector<ShapePoint> fit_shape;  // RequestedToCapacityRatio only
  // NodeResourcesBalancedAllocationArgs
  std::vector<ResourceWeight> balanced_resources{{"cpu", 1}, {"memory", 1}};
  // PodTopologySpreadArgs: defaultingType System uses the system defaults.
  bool spread_system_defaulting = true;
  std::vector<TopologySpreadConstraint> spread_default_constraints;
  // InterPodAffinityArgs
  int32_t hard_pod_affinity_weight = 1;
};

}  // namespace kubesim
