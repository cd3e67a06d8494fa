// ContainerBehavior: what a pod's containers do once started, from the pod
// (template) annotation kubesim.io/behavior. It decides probe outcomes and
// crashes; the probes' handlers (httpGet, exec, ...) are not modelled.
//
//   kubesim.io/behavior: "crash-after: exponential(1h)"
//   kubesim.io/behavior: "slow-start: uniform(20s, 40s); hang-after: weibull(1.5, 6h)"
//
// Items, separated by ';' (each at most once; "" means none):
//   crash-on-start      every run exits with code 1 right after it starts
//   never-ready         the readiness probe always fails
//   crash-after: D      every run exits with code 1 after a draw of D
//   hang-after: D       after a draw of D the container stops answering: its
//                       liveness, readiness and startup probes fail until it is
//                       restarted (it keeps running)
//   slow-start: D       every probe fails until a draw of D after the start
// D is a duration distribution (sim/distribution.h); empirical(FILE) is not
// accepted (the kubelet reads no files).
#pragma once

#include <optional>
#include <string_view>

#include "sim/distribution.h"
#include "sim/expected.h"

namespace kubesim {

// The annotation's name (with the other kubesim.io/ pod annotations in
// models/objects/annotations.h in spirit; kept here with its parser).
inline constexpr const char* kAnnotationBehavior = "kubesim.io/behavior";

struct ContainerBehavior {
  bool crash_on_start = false;
  bool never_ready = false;
  std::optional<DurationDistribution> crash_after;
  std::optional<DurationDistribution> hang_after;
  std::optional<DurationDistribution> slow_start;
};

// Parses the annotation's value; errors name the item, e.g.
// `unknown behavior "hang" (expected crash-on-start, never-ready, crash-after,
// hang-after or slow-start)`.
Expected<ContainerBehavior> parse_container_behavior(std::string_view text);

}  // namespace kubesim
