// Records the model publishes on the observer bus (DESIGN.md: models keep no
// statistics; analysis subscribes). Pointers refer to objects in the API
// server's store, which outlive the run; string_views are valid only during
// the publish call.
//
//   sim.bus().topic<PodRecord>().subscribe([&](const PodRecord& r) { ... });
#pragma once

#include <cstdint>
#include <string_view>

#include "models/objects/node.h"
#include "models/objects/pod.h"
#include "models/objects/workloads.h"
#include "sim/time.h"

namespace kubesim {

// The pod's life, in the order it usually happens. Names in the event log
// are "Pod" + the enumerator without k (PodCreated, PodScheduled, ...).
enum class PodEvent : uint8_t {
  kCreated,            // API server: object created (pending)
  kScheduled,          // API server: bound to a node
  kFailedScheduling,   // scheduler: no node fits (detail: Kubernetes' FitError text)
  kAdmissionRejected,  // kubelet: admission failed on the node (detail: reason)
  kPulling,            // kubelet: image pull started (detail: image)
  kPulled,             // kubelet: image pull finished (detail: image)
  kStarted,            // kubelet: containers started, phase Running
  kReady,              // kubelet: Ready condition true
  kNotReady,           // kubelet: Ready condition false
  kRestarted,          // kubelet: container restarted in place (restartPolicy)
  kSucceeded,          // kubelet: all containers exited 0, phase Succeeded
  kFailed,             // kubelet: phase Failed (detail: reason)
  kTerminating,        // API server: deletion requested (deletionTimestamp set)
  kDeleted,            // API server: object removed
  // Failures and self-healing (docs/failures.md).
  kCrashed,         // kubelet: a container exited with an error (detail: "exit code N", cause)
  kUnhealthy,       // kubelet: a probe reached its failureThreshold (detail: probe kind)
  kKilling,         // kubelet: killing a container (liveness/startup failure; detail: why)
  kBackOff,         // kubelet: restart delayed by CrashLoopBackOff (detail: the back-off)
  kMarkedNotReady,  // node lifecycle controller: Ready set false in the API (node unreachable)
  kEvicted,         // taint eviction controller: deleted for a NoExecute taint (detail: taint)
};
const char* to_string(PodEvent e);  // "PodCreated", ...

struct PodRecord {
  SimTime t;
  PodEvent event;
  const Pod* pod;
  const Node* node = nullptr;  // the pod's node, if bound
  std::string_view detail = {};
};

enum class NodeEvent : uint8_t {
  kAdded,
  kCordoned,
  kUncordoned,
  kDrained,
  kDeleted,
  // What happened to the machine (faults): the truth, not the API's view.
  kCrashed,      // machine and kubelet down, containers gone
  kRecovered,    // machine back: the kubelet starts again
  kPartitioned,  // kubelet alive but cut off from the control plane
  kHealed,       // partition over
  // The node lifecycle controller's view (detail: the condition's reason).
  kNotReady,   // Ready condition Unknown (no heartbeat) or False
  kReady,      // Ready condition True again
  kTainted,    // NoExecute taint added (detail: the taint key)
  kUntainted,  // NoExecute taint removed (detail: the taint key)
};
const char* to_string(NodeEvent e);  // "NodeAdded", ...

struct NodeRecord {
  SimTime t;
  NodeEvent event;
  const Node* node;
  std::string_view detail = {};
};

// Controller-level happenings of Deployments, ReplicaSets, DaemonSets and Jobs.
enum class WorkloadEvent : uint8_t {
  kCreated,
  kScaled,                    // desired replicas changed: from -> to
  kRolloutStarted,            // Deployment: new revision `to` (from the previous)
  kRolloutComplete,           // Deployment: all replicas updated and available
  kProgressDeadlineExceeded,  // Deployment: no progress for progressDeadlineSeconds
  kJobComplete,               // Job: `to` completions reached
  kJobFailed,                 // Job: backoffLimit exceeded (detail: reason)
  kDeleted,
};
const char* to_string(WorkloadEvent e);  // "WorkloadCreated", "Scaled", ...

struct WorkloadRecord {
  SimTime t;
  WorkloadEvent event;
  std::string_view kind;  // "Deployment", "ReplicaSet", "DaemonSet", "Job"
  const ObjectMeta* meta;
  int64_t from = 0;
  int64_t to = 0;
  std::string_view detail = {};
};

// A write the API server refused (validation or conflict).
struct WriteRejectedRecord {
  SimTime t;
  std::string_view operation;  // "bind", "update", ...
  std::string_view object;     // "default/web-7d4b9-abcde"
  std::string_view reason;
};

// Control-plane replicas and leader election (models/controlplane).
enum class ControlPlaneEvent : uint8_t {
  kReplicaCrashed,
  kReplicaRecovered,
  kLeaderLost,     // no replica holds the lease: nothing is scheduled or reconciled
  kLeaderElected,  // a replica acquired the lease (replica: which)
};
const char* to_string(ControlPlaneEvent e);  // "ControlPlaneReplicaCrashed", ...

struct ControlPlaneRecord {
  SimTime t;
  ControlPlaneEvent event;
  int32_t replica = -1;
  std::string_view detail = {};
};

// The human operator of the manual controller set (models/operator).
enum class OperatorEvent : uint8_t {
  kAlert,      // a failure is noticed (after the detection delay)
  kWorkStart,  // the operator starts working on it
  kRepaired,   // container restarted or machine replaced by hand
};
const char* to_string(OperatorEvent e);  // "OperatorAlert", ...

struct OperatorRecord {
  SimTime t;
  OperatorEvent event;
  std::string_view target;  // "pod default/web-abc12" or "node worker-3"
  std::string_view detail = {};
};

// A spec.events[] entry applied to the cluster.
struct TimelineRecord {
  SimTime t;
  std::string_view action;       // "scale", "rollout", ...
  std::string_view description;  // "deployment default/web to 10 replicas"
};

// ---- Request traffic (models/traffic, docs/traffic.md) ----
// `service` is the index of the Service's spec.traffic[] entry.

// How a request (all its attempts) ended.
enum class RequestOutcome : uint8_t {
  kCompleted,
  kTimeout,          // the client's timeout expired (on the last attempt)
  kRejected,         // the pod's queue was full
  kConnectionError,  // no endpoint, or the pod was not there, terminating or crashed
  kDownstream,       // a call to a downstream Service failed
};
const char* to_string(RequestOutcome o);  // "completed", "timeout", "rejected", ...

// A request arrived at a Service: from outside (a retry is not a new
// request) or as a call from an upstream request.
struct RequestArrivedRecord {
  SimTime t;
  uint32_t service;
  bool external;
};

// A request ended; latency counts from its arrival, retries and downstream
// calls included.
struct RequestEndedRecord {
  SimTime t;
  uint32_t service;
  RequestOutcome outcome;
  Duration latency;
  int32_t attempts;  // 1 + retries
  bool external;
};

// What happened to one attempt at one pod.
enum class PodRequestEvent : uint8_t {
  kAccepted,  // queued or taken by a worker
  kRejected,  // queue full
  kRefused,   // the pod accepts no connection (not running, terminating, gone)
  kServed,    // a worker finished it: wait = time queued, busy = service time
  kAborted,   // the container stopped with it queued or in service
};

struct PodRequestRecord {
  SimTime t;
  uint32_t service;
  const Pod* pod;
  PodRequestEvent event;
  Duration wait = Duration::zero();
  Duration busy = Duration::zero();
  double cpu_seconds = 0;  // kServed: the CPU seconds of the work
};

// Fluid mode: what one Service did over [from, to), in expected values.
struct FluidTrafficRecord {
  SimTime from, to;
  uint32_t service;
  double arrived = 0;
  double completed = 0;
  double rejected = 0;           // queue capacity exceeded
  double connection_errors = 0;  // arrivals while the Service has no endpoint
  double busy_worker_seconds = 0;
  double mean_latency_seconds = 0;  // of the requests completed in the interval
  double in_flight = 0;             // at `to`
  int32_t pods = 0;                 // endpoints serving during the interval
  int32_t workers = 0;              // their workers in all
};

}  // namespace kubesim
