// Controller objects: Deployment, ReplicaSet, DaemonSet, Job, Service,
// PodDisruptionBudget, HorizontalPodAutoscaler (the parts kubesim models).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/objects/labels.h"
#include "models/objects/pod.h"

namespace kubesim {

struct ObjectMeta {
  std::string name;
  std::string namespace_ = "default";
  Labels labels;
  std::map<std::string, std::string> annotations;
  OwnerRef owner;                // a ReplicaSet's Deployment
  int64_t resource_version = 0;  // of the last write (API server)
  int64_t generation = 1;        // bumped by every spec change
  SimTime created;
  bool deleted = false;  // removed from the store; the slot is a tombstone

  std::string key() const { return namespace_ + "/" + name; }
};

struct PodTemplate {
  ObjectMeta metadata;
  PodSpec spec;
};

// An int or a percentage ("25%"), as intstr.IntOrString.
struct IntOrPercent {
  int32_t value = 0;
  bool percent = false;
};

struct Deployment {
  ObjectMeta metadata;
  int32_t replicas = 1;
  LabelSelector selector;
  PodTemplate template_;
  IntOrPercent max_surge{25, true};
  IntOrPercent max_unavailable{25, true};
  int32_t progress_deadline_seconds = 600;
  int32_t revision_history_limit = 10;
  int32_t min_ready_seconds = 0;
  bool recreate = false;  // strategy.type Recreate
  bool paused = false;

  // apps/v1 DeploymentStatus, written by the deployment controller.
  struct Status {
    int64_t observed_generation = 0;
    int32_t replicas = 0;  // non-terminated pods of all its ReplicaSets
    int32_t updated_replicas = 0;
    int32_t ready_replicas = 0;
    int32_t available_replicas = 0;
    int32_t unavailable_replicas = 0;
    int64_t revision = 0;                     // of the newest ReplicaSet
    bool progress_deadline_exceeded = false;  // Progressing=False, ProgressDeadlineExceeded
    bool complete = false;                    // Progressing=True, NewReplicaSetAvailable
    SimTime last_progress;                    // Progressing condition's lastUpdateTime
  } status;
};

struct ReplicaSet {
  ObjectMeta metadata;  // owner: its Deployment, if any
  int32_t replicas = 1;
  LabelSelector selector;
  PodTemplate template_;
  int32_t min_ready_seconds = 0;

  // apps/v1 ReplicaSetStatus, written by the replica set controller.
  struct Status {
    int64_t observed_generation = 0;
    int32_t replicas = 0;  // non-terminated pods
    int32_t ready_replicas = 0;
    int32_t available_replicas = 0;
  } status;
};

struct DaemonSet {
  ObjectMeta metadata;
  LabelSelector selector;
  PodTemplate template_;

  struct Status {
    int32_t desired_number_scheduled = 0;
    int32_t current_number_scheduled = 0;
    int32_t number_ready = 0;
  } status;
};

struct Job {
  ObjectMeta metadata;
  int32_t completions = 1;
  int32_t parallelism = 1;
  int32_t backoff_limit = 6;
  PodTemplate template_;

  // batch/v1 JobStatus, written by the job controller.
  struct Status {
    int32_t active = 0;
    int32_t succeeded = 0;
    int32_t failed = 0;
    bool complete = false;          // condition Complete
    bool failed_condition = false;  // condition Failed (BackoffLimitExceeded)
    SimTime start_time;
    SimTime completion_time;
  } status;
};

struct ServicePort {
  std::string name;
  int32_t port = 0;
  int32_t target_port = 0;
  std::string protocol = "TCP";
};

struct Service {
  ObjectMeta metadata;
  Labels selector;
  std::vector<ServicePort> ports;
  bool session_affinity_client_ip = false;
  int32_t session_affinity_timeout_seconds = 10800;
};

struct PodDisruptionBudget {
  ObjectMeta metadata;
  LabelSelector selector;
  std::optional<IntOrPercent> min_available;
  std::optional<IntOrPercent> max_unavailable;
};

struct MetricTarget {
  std::string resource;                        // "cpu" or "memory"
  std::optional<int32_t> average_utilization;  // percent of requests
  std::optional<int64_t> average_value;        // milli for cpu, bytes for memory
};

struct HorizontalPodAutoscaler {
  ObjectMeta metadata;
  std::string target_kind;  // "Deployment", ...
  std::string target_name;
  int32_t min_replicas = 1;
  int32_t max_replicas = 1;
  std::vector<MetricTarget> metrics;
};

}  // namespace kubesim
