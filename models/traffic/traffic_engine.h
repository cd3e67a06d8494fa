// TrafficEngine: requests from outside and between Services, served by pods
// (DESIGN.md "Traffic"; docs/traffic.md).
//
// Request mode, per traffic entry: outside arrivals (ArrivalProcess) from
// client i enter through the kube-proxy of node i mod N (the next node up, if
// that one is down); kube-proxy picks a pod (KubeProxies). Each pod has
// kubesim.io/concurrency workers and a FIFO queue (kubesim.io/queue-capacity;
// full: rejected). A worker serves a request for a service-time draw and burns
// its CPU seconds; then the request makes its downstream calls (sequential or
// parallel), holding the worker, and answers. The client's timeout and
// retries apply per attempt. A pod that is not there, terminating or whose
// app does not listen refuses the connection; a container that stops fails
// the requests it holds (connection error); a hung app answers nothing.
// Fluid entries (TrafficSpec::fluid) are run by FluidTraffic.
//
// Records: RequestArrivedRecord, RequestEndedRecord, PodRequestRecord,
// FluidTrafficRecord (models/records.h).
//
//   auto engine = TrafficEngine::create(api, kubelets, proxies, scenario.traffic);
//   (*engine)->start();   // after the kubelets and kube-proxies have started
#pragma once

#include <memory>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/kubelet/kubelet.h"
#include "models/proxy/kube_proxy.h"
#include "models/traffic/traffic_spec.h"
#include "sim/expected.h"

namespace kubesim {

class TrafficEngine {
 public:
  // Errors: an entry's Service is not in objects().services.
  // Tracks every entry's Service with `proxies`.
  static Expected<std::unique_ptr<TrafficEngine>> create(ApiServer& api, Kubelets& kubelets,
                                                         KubeProxies& proxies,
                                                         const std::vector<TrafficSpec>& traffic);
  ~TrafficEngine();
  TrafficEngine(const TrafficEngine&) = delete;
  TrafficEngine& operator=(const TrafficEngine&) = delete;

  void start();

  // The CPU seconds the pod's work has burned up to now (a counter, as
  // cAdvisor's container_cpu_usage_seconds_total; work in progress counts pro
  // rata). The metrics source of the autoscaler.
  double cpu_seconds(PodId pod) const;
  // Requests in the pod now (queued and in service).
  int32_t requests_in(PodId pod) const;
  // Requests of traffic entry `entry` alive now: arrived and not yet ended
  // (at a pod, waiting for a retry, or in a downstream call). Request mode
  // only; 0 for a fluid entry.
  int64_t requests_in_flight(uint32_t entry) const;

 private:
  struct Impl;  // defined in traffic_engine.cc
  explicit TrafficEngine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubesim
