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

}  // namespace kubesim
