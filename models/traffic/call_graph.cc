#include "models/traffic/call_graph.h"

#include <limits>
#include <string>

namespace kubesim::traffic {

namespace {
constexpr uint32_t kNoEntry = std::numeric_limits<uint32_t>::max();
}  // namespace

Expected<std::vector<std::vector<CallGroup>>> plan_calls(const std::vector<TrafficSpec>& traffic) {
  std::vector<std::vector<CallGroup>> plans(traffic.size());
  for (std::size_t i = 0; i < traffic.size(); ++i) {
    const TrafficSpec& caller = traffic[i];
    bool in_parallel_run = false;
    for (const CallSpec& call : caller.calls) {
      uint32_t callee = kNoEntry;
      for (std::size_t j = 0; j < traffic.size() && callee == kNoEntry; ++j) {
        if (traffic[j].service == call.service && traffic[j].namespace_ == caller.namespace_)
          callee = static_cast<uint32_t>(j);
      }
      if (callee == kNoEntry) {
        return Error{caller.where + ": traffic of Service \"" + caller.service + "\" calls \"" +
                     call.service + "\", which has no traffic entry in namespace \"" +
                     caller.namespace_ + "\""};
      }
      if (!call.parallel || !in_parallel_run) plans[i].emplace_back();
      plans[i].back().push_back(PlannedCall{callee, call.probability});
      in_parallel_run = call.parallel;
    }
  }
  return plans;
}

}  // namespace kubesim::traffic
