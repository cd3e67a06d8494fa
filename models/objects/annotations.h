// The kubesim.io/ annotations of pods (and pod templates) that the model
// interprets. The scenario loader checks their values with file:line:column
// (models/scenario/annotations.h); the kubelet reads them at run time.
#pragma once

namespace kubesim {

// How long the pod's containers run once started (a duration distribution);
// absent: until deleted.
inline constexpr const char* kAnnotationRunTime = "kubesim.io/run-time";
// How long the containers take to stop once the pod is deleted (a duration
// distribution).
inline constexpr const char* kAnnotationShutdownTime = "kubesim.io/shutdown-time";
// Probability in [0, 1] that a run ends in failure rather than success.
inline constexpr const char* kAnnotationFailureProbability = "kubesim.io/failure-probability";

}  // namespace kubesim
