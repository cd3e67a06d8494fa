// FluidTraffic: the traffic entries with `mode: fluid`, as rates instead of
// single requests (DESIGN.md: for very large runs).
//
// Per entry, the outside rate lambda(t) (ArrivalProcess::rate_at; bursty:
// on/off periods drawn from the entry's stream), plus its callers' completion
// rates times the call probabilities, is split evenly over the Service's
// endpoints (KubeProxies::endpoints; in the fluid limit every policy shares
// evenly among identical pods). Each pod is a fluid queue with c workers:
// below capacity its content follows the M/M/c steady state (Erlang C,
// Allen-Cunneen for other service times; M/M/c/K with a queue capacity),
// above it the backlog grows at lambda - c mu and drains afterwards. The
// state changes at rate steps, endpoint changes and every `step`; one
// FluidTrafficRecord per entry per step. docs/fluid-mode.md has the model,
// its formulas and what it leaves out (timeouts and retries are load errors).
//
//   FluidTraffic fluid(api, proxies, scenario.traffic, /*entries=*/{0, 2}, service_index);
//   fluid.start();
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/proxy/kube_proxy.h"
#include "models/traffic/traffic_spec.h"

namespace kubesim {

class FluidTraffic {
 public:
  // `entries`: the indexes of the fluid entries of `traffic`;
  // `service_index[i]`: traffic[i]'s Service in objects().services.
  FluidTraffic(ApiServer& api, KubeProxies& proxies, const std::vector<TrafficSpec>& traffic,
               std::vector<uint32_t> entries, std::vector<uint32_t> service_index,
               Duration step = Duration::seconds(10));
  ~FluidTraffic();
  FluidTraffic(const FluidTraffic&) = delete;
  FluidTraffic& operator=(const FluidTraffic&) = delete;

  void start();
  // CPU seconds burned by the pod's share of fluid work up to now.
  double cpu_seconds(PodId pod) const;

 private:
  struct Impl;  // defined in fluid_traffic.cc
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubesim
