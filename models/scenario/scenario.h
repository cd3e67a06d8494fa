// Scenario files: YAML -> spec -> validate -> a resolved Scenario (DESIGN.md,
// "Scenario files"). Loading never throws; every problem is a LoadError
// "file:line:column: key.path: message", and all errors of a file are collected.
//
//   LoadResult r = load_scenario("scenarios/quickstart.yaml");
//   if (!r.scenario) {
//     for (const LoadError& e : r.errors) std::cerr << e.to_string() << "\n";
//     return 2;
//   }
//   const ClusterObjects& objects = r.scenario->objects;  // nodes, pods, workloads
//
// docs/scenario-reference.md describes every key and default.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/node/node.h>

#include "models/objects/cluster.h"
#include "models/scheduler/framework.h"
#include "models/traffic/traffic_spec.h"
#include "sim/distribution.h"
#include "sim/time.h"

namespace kubesim {

struct LoadError {
  std::string file;
  int line = 0;      // 1-based; 0 when the error concerns the whole file
  int column = 0;    // 1-based
  std::string path;  // key path, e.g. spec.cluster.nodePools[0].capacity.cpu
  std::string message;
  // "file:line:col: key.path: message" (parts that are unknown are left out).
  std::string to_string() const;
};

// One plugin in a KubeSchedulerConfiguration plugin set.
struct PluginRef {
  std::string name;
  std::optional<int32_t> weight;  // score weight, when given
};

// `enabled` / `disabled` of one extension point.
struct PluginSetSpec {
  std::vector<PluginRef> enabled;
  std::vector<std::string> disabled;  // "*": every default plugin of this point
};

// One entry of KubeSchedulerConfiguration.profiles, as written.
struct ProfileSpec {
  std::string scheduler_name = "default-scheduler";
  PluginSetSpec multi_point, pre_filter, filter, post_filter, pre_score, score;
  PluginArgs args;                           // pluginConfig, defaults where absent
  int32_t percentage_of_nodes_to_score = 0;  // 0: adaptive (kube-scheduler's default)
};

struct SchedulerConfig {
  std::string profile;  // a built-in profile (ProfileRegistry), or empty
  std::vector<ProfileSpec> profiles;
  int32_t percentage_of_nodes_to_score = 0;  // top-level value; profiles may override
  int32_t pod_initial_backoff_seconds = 1;   // kube-scheduler's queue back-off
  int32_t pod_max_backoff_seconds = 10;
};

// How the control plane and the kubelets behave in time
// (spec.cluster.controlPlane, spec.cluster.kubelet, spec.cluster.registry;
// models/scenario/runtime_parser.h).
struct RuntimeConfig {
  // API server -> watchers (controllers, scheduler, kubelets).
  Duration watch_latency = Duration::millis(5);
  // kube-scheduler: time of one scheduling decision.
  Duration scheduling_latency = Duration::millis(2);
  // kubelet: from images present to containers running.
  DurationDistribution container_start = DurationDistribution::fixed(Duration::seconds(1));
  // kubelet image pulls: registry bandwidth per node (a node may override)
  // and fixed per-pull overhead (manifest, layers' metadata).
  int64_t image_pull_bytes_per_second = 50LL << 20;
  Duration image_pull_overhead = Duration::millis(500);
  // Images the registry serves: name -> size in bytes, and the size of any other.
  // registry.images first; then images listed on nodes (pools, cluster.nodes,
  // Node manifests, applied Node manifests) with a size, for other names.
  std::map<std::string, int64_t> image_sizes;
  int64_t default_image_size = 100LL << 20;

  // Every periodic loop (probes, heartbeats, node monitor) simulated tick by
  // tick instead of lazily (--naive-timers); the event log is identical.
  bool naive_timers = false;

  // Node heartbeats and the node lifecycle controller (KUBERNETES.md).
  // kubelet --node-status-update-frequency: the lease is renewed this often.
  Duration node_lease_renew_interval = Duration::seconds(10);
  // kubelet --node-lease-duration-seconds.
  Duration node_lease_duration = Duration::seconds(40);
  // kube-controller-manager --node-monitor-period and --node-monitor-grace-period.
  Duration node_monitor_period = Duration::seconds(5);
  Duration node_monitor_grace_period = Duration::seconds(50);
  // kube-apiserver --default-not-ready-toleration-seconds and
  // --default-unreachable-toleration-seconds (DefaultTolerationSeconds admission).
  int64_t default_not_ready_toleration_seconds = 300;
  int64_t default_unreachable_toleration_seconds = 300;

  // Control-plane replicas (kube-controller-manager and kube-scheduler each
  // run one per replica) and their leader election (client-go
  // leaderelection, component-base defaults).
  int32_t control_plane_replicas = 1;
  Duration leader_lease_duration = Duration::seconds(15);
  Duration leader_renew_deadline = Duration::seconds(10);
  Duration leader_retry_period = Duration::seconds(2);
};

// spec.controllers: which controller set runs the cluster.
//   kubernetes: kubelet restarts, node lifecycle eviction, ReplicaSets &c.
//   manual: a human operator (models/operator) restarts crashed containers
//           and replaces failed machines, one at a time; nothing automatic.
struct ControllerSetConfig {
  std::string name = "kubernetes";
  // manual: time from a failure to the operator noticing it, and from
  // starting work to the fix.
  DurationDistribution detection{*Distribution::lognormal(300, 0.5)};  // median 5 min
  DurationDistribution response{*Distribution::lognormal(900, 0.5)};   // median 15 min
  // Working hours (time of day, from t = 0 as midnight); outside them and
  // without on-call, alerts wait for the next start of working hours.
  bool on_call = true;
  Duration work_start = Duration::hours(9);
  Duration work_end = Duration::hours(17);
};

// One spec.faults[] entry: a random failure process (models/faults).
struct FaultProcess {
  enum class Kind {
    kContainerCrashes,  // each running pod of the target crashes after a time-to-failure draw
    kNodeFailures,      // each node of the target fails and is repaired, alternately
  };
  Kind kind = Kind::kContainerCrashes;
  std::string where;  // "file:line" of the entry
  // containerCrashes: the pods of a Deployment (name) or of a label selector.
  std::string deployment;
  LabelSelector selector;
  std::string namespace_ = "default";
  int32_t exit_code = 1;
  // nodeFailures: the nodes of a pool ("" for every node); crash or partition.
  std::string pool;
  bool partition = false;
  // Time from a (re)start to the next failure; time from a failure to the
  // repair (nodeFailures; none: the node stays down).
  DurationDistribution time_to_failure = DurationDistribution::fixed(Duration::hours(1));
  std::optional<DurationDistribution> time_to_repair;
};

// One spec.events[] entry: an action applied to the cluster at a time
// (models/scenario/timeline_parser.h). The loader has checked that every
// name refers to an object that exists at that time (declared, or applied or
// added by an earlier event, and not deleted by one).
struct TimelineEvent {
  enum class Action {
    kScale,
    kRollout,
    kApply,
    kDelete,
    kAddNodes,
    kCordon,
    kUncordon,
    kDrain,
    // Faults (docs/failures.md).
    kCrashPod,           // name, or selector (+ namespace_): every matching pod
    kCrashNode,          // name; recover_after
    kPartitionNode,      // name; recover_after (healAfter)
    kFailZone,           // zone; recover_after
    kCrashControlPlane,  // replica (-1: all); recover_after
  };
  Duration at;
  Action action = Action::kScale;
  std::string where;  // "file:line" of the entry, for messages
  // Target of scale (kind Deployment or ReplicaSet), rollout (Deployment),
  // delete (Deployment, ReplicaSet, DaemonSet, Job, Pod, Node), cordon,
  // uncordon, drain (Node). Empty for apply and addNodes.
  std::string kind;
  std::string name;
  std::string namespace_ = "default";  // unused for nodes
  int32_t replicas = 0;                // scale
  // rollout: changes to the pod template (a new revision).
  std::string container;  // the loader fills in the first container's name when not given
  std::optional<std::string> image;
  std::optional<Resources> requests;  // milli_cpu and memory, both given (explicit requests)
  std::map<std::string, std::string> annotations;  // merged into the template's
  std::map<std::string, std::string> labels;       // merged into the template's
  // faults
  LabelSelector selector;                 // crashPod by selector (empty: by name)
  int32_t exit_code = 1;                  // crashPod
  std::optional<Duration> recover_after;  // crashNode, partitionNode, failZone, crashControlPlane
  std::string zone;                       // failZone
  int32_t replica = -1;                   // crashControlPlane: -1 for all
  // addNodes
  std::string pool;
  int32_t count = 0;
  // apply: objects to create (nodes, pods, deployments, replica sets, daemon
  // sets, jobs, services, PDBs, HPAs); priorities resolved, hostname labels
  // set, ids not assigned (the API server assigns them). A pod with
  // spec.node_name is created bound to that node (node id and phase unset).
  ClusterObjects objects;
};

struct Scenario {
  std::string name;
  std::string file;
  uint64_t seed = 1;
  Duration duration = Duration::hours(1);
  SchedulerConfig scheduler;  // neither profile nor profiles given: profile "default"
  // Nodes (pools first, pool by pool, then cluster.nodes, then Node manifests),
  // pods (bound ones have node set and phase Running), and workloads.
  ClusterObjects objects;
  // PriorityClass name -> value: the built-ins and those the scenario defines.
  std::map<std::string, int32_t> priority_classes;
  std::optional<std::string> global_default_priority_class;
  RuntimeConfig runtime;
  // Node pools, for addNodes: the template of a pool's nodes (name, zones).
  // make_pool_node (models/scenario/node_pool.h) builds the next node.
  struct NodePool {
    std::string name;
    Node node;  // a template: name, id and zone label are set per node
    std::vector<std::string> zones;
    int32_t count = 0;  // nodes created so far (names pool-0 .. pool-(count-1))
  };
  std::vector<NodePool> node_pools;
  std::vector<TimelineEvent> events;  // spec.events, in time order (stable)
  ControllerSetConfig controllers;    // spec.controllers
  std::vector<FaultProcess> faults;   // spec.faults
  std::vector<TrafficSpec> traffic;   // spec.traffic
  KubeProxyConfig kube_proxy;         // spec.cluster.kubeProxy
  // Sections kubesim does not interpret yet (spec.outputs,
  // spec.cluster.provider), keyed by their path, as written.
  std::map<std::string, YAML::Node> deferred;
  // Kubernetes fields that kubesim accepts but does not model (for --verbose).
  std::vector<LoadError> ignored_fields;
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set iff errors is empty
  std::vector<LoadError> errors;
};

LoadResult load_scenario(const std::string& path);

// One Pod manifest file (for `kubesim schedule --pod`), with the same error
// rules. priorityClassName resolves against the built-in classes and, when
// given, the classes of `cluster`.
struct PodLoadResult {
  std::optional<Pod> pod;  // set iff errors is empty
  std::vector<LoadError> errors;
  std::vector<LoadError> ignored_fields;
};
PodLoadResult load_pod(const std::string& path, const Scenario* cluster = nullptr);

}  // namespace kubesim
