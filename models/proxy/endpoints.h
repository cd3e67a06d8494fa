// Endpoints: the EndpointSlice controller for the tracked Services, as far as
// kube-proxy reads it: which pods serve each Service, version by version.
//
// A pod is an endpoint of a Service when the Service's selector (a set of
// labels) is a subset of the pod's labels, they share a namespace, and the
// pod is bound, Ready, not terminating and not finished or deleted
// (staging/src/k8s.io/endpointslice/utils.go podToEndpoint: ready = serving
// && !terminating; util/controller_utils.go ShouldPodBeInEndpoints). The
// controller learns of a pod's change through its pod watch, so the list
// changes one watch latency after the write.
//
//   Endpoints eps(api);         // registers the pod watch
//   eps.track(service);
//   eps.start();                // the initial list
//   eps.history(service).at(t) ...
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/proxy/endpoint_history.h"

namespace kubesim {

// The pod may serve traffic: bound, Ready, not terminating, not finished or deleted.
bool pod_is_serving_endpoint(const Pod& p);
// The Service's selector picks the pod. A Service without a selector gets no
// endpoints from the controller (endpointslice_controller.go syncService).
bool service_selects(const Service& s, const Pod& p);

class Endpoints {
 public:
  explicit Endpoints(ApiServer& api);
  Endpoints(const Endpoints&) = delete;
  Endpoints& operator=(const Endpoints&) = delete;

  // Tracks objects().services[service]. After start(), its list is taken at
  // once and is visible to every reader from the beginning.
  void track(uint32_t service);
  bool tracked(uint32_t service) const;
  // Takes the initial list of every tracked Service.
  void start();
  // Without a leader no pod event is handled; a new leader resyncs every
  // tracked Service with the store now (KubeProxies::set_endpoints_leader).
  void set_leader(bool has_leader);

  const EndpointHistory& history(uint32_t service) const { return histories_[service]; }
  // No reader asks for a time earlier than now - horizon: older versions go.
  void set_horizon(Duration horizon) { horizon_ = horizon; }

 private:
  void on_pod(const WatchEvent& e);
  // The tracked Services that select pod i, by index (computed once: kubesim
  // never relabels a pod).
  const std::vector<uint32_t>& services_of(uint32_t pod);
  // The initial list of one Service: pods serving now hold from the beginning.
  void list(uint32_t service);
  // Brings pod i's membership in its Services up to the store's state at now.
  void sync(uint32_t pod);

  ApiServer& api_;
  bool started_ = false;
  bool leading_ = true;
  Duration horizon_ = Duration::zero();
  std::vector<EndpointHistory> histories_;  // by service index
  std::vector<uint8_t> is_tracked_;         // by service index
  // Tracked Services by namespace and the first pair of their selector: a
  // pod's candidates are filed under its namespace and one of its labels
  // (lookup only).
  std::unordered_map<std::string, std::vector<uint32_t>> by_label_;
  std::vector<uint8_t> pod_matched_;                // by pod index: services_of_ computed
  std::vector<std::vector<uint32_t>> services_of_;  // by pod index
};

}  // namespace kubesim
