#include "models/records.h"

namespace kubesim {

const char* to_string(PodEvent e) {
  switch (e) {
    case PodEvent::kCreated:
      return "PodCreated";
    case PodEvent::kScheduled:
      return "PodScheduled";
    case PodEvent::kFailedScheduling:
      return "PodFailedScheduling";
    case PodEvent::kAdmissionRejected:
      return "PodAdmissionRejected";
    case PodEvent::kPulling:
      return "PodPulling";
    case PodEvent::kPulled:
      return "PodPulled";
    case PodEvent::kStarted:
      return "PodStarted";
    case PodEvent::kReady:
      return "PodReady";
    case PodEvent::kNotReady:
      return "PodNotReady";
    case PodEvent::kRestarted:
      return "PodRestarted";
    case PodEvent::kSucceeded:
      return "PodSucceeded";
    case PodEvent::kFailed:
      return "PodFailed";
    case PodEvent::kTerminating:
      return "PodTerminating";
    case PodEvent::kDeleted:
      return "PodDeleted";
    case PodEvent::kCrashed:
      return "PodCrashed";
    case PodEvent::kUnhealthy:
      return "PodUnhealthy";
    case PodEvent::kKilling:
      return "PodKilling";
    case PodEvent::kBackOff:
      return "PodBackOff";
    case PodEvent::kMarkedNotReady:
      return "PodMarkedNotReady";
    case PodEvent::kEvicted:
      return "PodEvicted";
  }
  return "?";
}

const char* to_string(NodeEvent e) {
  switch (e) {
    case NodeEvent::kAdded:
      return "NodeAdded";
    case NodeEvent::kCordoned:
      return "NodeCordoned";
    case NodeEvent::kUncordoned:
      return "NodeUncordoned";
    case NodeEvent::kDrained:
      return "NodeDrained";
    case NodeEvent::kDeleted:
      return "NodeDeleted";
    case NodeEvent::kCrashed:
      return "NodeCrashed";
    case NodeEvent::kRecovered:
      return "NodeRecovered";
    case NodeEvent::kPartitioned:
      return "NodePartitioned";
    case NodeEvent::kHealed:
      return "NodeHealed";
    case NodeEvent::kNotReady:
      return "NodeNotReady";
    case NodeEvent::kReady:
      return "NodeReady";
    case NodeEvent::kTainted:
      return "NodeTainted";
    case NodeEvent::kUntainted:
      return "NodeUntainted";
  }
  return "?";
}

const char* to_string(WorkloadEvent e) {
  switch (e) {
    case WorkloadEvent::kCreated:
      return "WorkloadCreated";
    case WorkloadEvent::kScaled:
      return "Scaled";
    case WorkloadEvent::kRolloutStarted:
      return "RolloutStarted";
    case WorkloadEvent::kRolloutComplete:
      return "RolloutComplete";
    case WorkloadEvent::kProgressDeadlineExceeded:
      return "ProgressDeadlineExceeded";
    case WorkloadEvent::kJobComplete:
      return "JobComplete";
    case WorkloadEvent::kJobFailed:
      return "JobFailed";
    case WorkloadEvent::kDeleted:
      return "WorkloadDeleted";
  }
  return "?";
}

const char* to_string(ControlPlaneEvent e) {
  switch (e) {
    case ControlPlaneEvent::kReplicaCrashed:
      return "ControlPlaneReplicaCrashed";
    case ControlPlaneEvent::kReplicaRecovered:
      return "ControlPlaneReplicaRecovered";
    case ControlPlaneEvent::kLeaderLost:
      return "LeaderLost";
    case ControlPlaneEvent::kLeaderElected:
      return "LeaderElected";
  }
  return "?";
}

const char* to_string(OperatorEvent e) {
  switch (e) {
    case OperatorEvent::kAlert:
      return "OperatorAlert";
    case OperatorEvent::kWorkStart:
      return "OperatorWorkStart";
    case OperatorEvent::kRepaired:
      return "OperatorRepaired";
  }
  return "?";
}

const char* to_string(RequestOutcome o) {
  switch (o) {
    case RequestOutcome::kCompleted:
      return "completed";
    case RequestOutcome::kTimeout:
      return "timeout";
    case RequestOutcome::kRejected:
      return "rejected";
    case RequestOutcome::kConnectionError:
      return "connection_error";
    case RequestOutcome::kDownstream:
      return "downstream";
  }
  return "?";
}

}  // namespace kubesim
