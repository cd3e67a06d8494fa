// The downstream calls of each traffic entry, resolved to the callee's entry
// and cut into the groups a request makes one after the other: a sequential
// call is a group of its own; a run of consecutive parallel calls is one
// group, issued together. A request goes to its next group when every call
// of the current one has ended (docs/traffic.md).
//
//   calls: [{service: a}, {service: b, mode: parallel}, {service: c, mode: parallel}, {service: d}]
//   -> groups [a] [b, c] [d]
//
// The loader checks that the graph is acyclic (a cycle is a load error);
// here a call must name a Service with a traffic entry in the caller's
// namespace.
#pragma once

#include <cstdint>
#include <vector>

#include "models/traffic/traffic_spec.h"
#include "sim/expected.h"

namespace kubesim::traffic {

struct PlannedCall {
  uint32_t callee = 0;  // index of the callee's traffic entry
  double probability = 1;
};
using CallGroup = std::vector<PlannedCall>;

// Per entry of `traffic`, its call groups in order. The callee is the first
// entry of the called Service in the caller's namespace.
Expected<std::vector<std::vector<CallGroup>>> plan_calls(const std::vector<TrafficSpec>& traffic);

}  // namespace kubesim::traffic
