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

// Requests (models/traffic, docs/traffic.md). Pods: how many requests the
// pod serves at once (a positive integer, default 1), and how many may wait
// in its FIFO queue (a non-negative integer; absent: unbounded).
inline constexpr const char* kAnnotationConcurrency = "kubesim.io/concurrency";
inline constexpr const char* kAnnotationQueueCapacity = "kubesim.io/queue-capacity";
// Services: the load-balancing policy of this Service, overriding the
// cluster's (random, round-robin, least-connections, power-of-d,
// source-hash), and d for power-of-d (an integer >= 1, default 2).
inline constexpr const char* kAnnotationLoadBalancer = "kubesim.io/load-balancer";
inline constexpr const char* kAnnotationLbChoices = "kubesim.io/lb-choices";

}  // namespace kubesim
