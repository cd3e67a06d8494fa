// KubeProxies: every node's kube-proxy, and the EndpointSlices they read.
//
// Endpoints (the EndpointSlice controller): a Service's endpoints are the pods
// its selector matches that are Ready and not terminating, as the controller
// learns of them through a pod watch (the API server's watch latency). Each
// change of a Service's list is a new version, stamped with its time.
//
// kube-proxy: node n's kube-proxy rewrites its rules lag(n) after a version
// is made; lag(n) is drawn once per node from KubeProxyConfig's
// propagation_delay (stream "kube-proxy/lag"). So at time t node n routes
// with the newest version made at or before t - lag(n): for a while it may
// send connections to a pod that is terminating or gone, and miss a new one.
// Views are computed when a connection asks for them: no event per node.
//
// Load balancing per Service: the annotation kubesim.io/load-balancer
// (kubesim.io/lb-choices for power-of-d), else the cluster's policy; ClientIP
// session affinity from the Service spec (last use + timeout, per node, as
// iptables' recent module and IPVS persistence keep it).
//
//   KubeProxies proxies(api, scenario.kube_proxy);
//   proxies.track(service_index);            // before start()
//   proxies.start();
//   PodId p = proxies.pick(node, service_index, client);   // invalid: no endpoint
//   ... proxies.closed(node, service_index, p);            // when the connection ends
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/traffic/traffic_spec.h"

namespace kubesim {

struct ServiceRouting {
  LoadBalancing policy = LoadBalancing::kRandom;
  int32_t choices = 2;  // power-of-d
  bool client_ip_affinity = false;
  Duration affinity_timeout = Duration::seconds(10800);
};

class KubeProxies {
 public:
  KubeProxies(ApiServer& api, const KubeProxyConfig& config);
  ~KubeProxies();
  KubeProxies(const KubeProxies&) = delete;
  KubeProxies& operator=(const KubeProxies&) = delete;

  // Tracks the endpoints of objects().services[service]; call before start().
  void track(uint32_t service);
  // The initial list: pods already Ready are endpoints from time zero, and
  // every node's view holds them.
  void start();
  // The EndpointSlice controller runs in kube-controller-manager, so only
  // while the control plane has a leader: without one the lists stay as they
  // are (kube-proxies keep routing with them); a new leader lists the pods
  // again and brings them up to date at once. Leading unless told otherwise.
  void set_endpoints_leader(bool has_leader);

  // The number of requests a pod holds now (queued or in service), for
  // power-of-d. Without it power-of-d counts the connections of the node.
  void set_load(std::function<int32_t(PodId)> load);

  // The endpoint for a new connection from `client` entering through node
  // `via`'s kube-proxy, by the Service's policy over that node's view; an
  // invalid PodId when the view is empty (connection refused). Counts the
  // connection as open on that node (least-connections).
  PodId pick(NodeId via, uint32_t service, uint64_t client);
  // A connection pick() returned has ended.
  void closed(NodeId via, uint32_t service, PodId pod);

  const ServiceRouting& routing(uint32_t service) const;
  // The endpoints now, as the EndpointSlice controller has them.
  const std::vector<PodId>& endpoints(uint32_t service) const;
  // Node `via`'s view now. Like endpoints(), valid until the Service's list
  // next changes: read it at once, do not keep it across events.
  const std::vector<PodId>& view(NodeId via, uint32_t service);
  // The node's propagation lag (drawn on first use).
  Duration lag(NodeId node);

 private:
  struct Impl;  // defined in kube_proxy.cc
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubesim
