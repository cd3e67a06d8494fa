#include "models/proxy/kube_proxy.h"

#include <algorithm>

#include "models/proxy/balancers.h"
#include "models/proxy/endpoints.h"
#include "models/proxy/service_routing.h"

namespace kubesim {

struct KubeProxies::Impl {
  // What one node's kube-proxy keeps for one Service: only for pairs that
  // carried a connection, so 5000 nodes x 100 Services cost nothing unused.
  struct NodeService {
    RoundRobinCursor cursor;
    ConnectionCounts connections;
    // ClientIP affinity, per client: the pod last picked (with its join
    // number, to find it in a view) and when.
    struct Affinity {
      PodId pod;
      uint64_t join = 0;
      SimTime last_used;
    };
    std::unordered_map<uint64_t, Affinity> affinity;  // lookup only
  };

  Impl(ApiServer& a, const KubeProxyConfig& c)
      : api(a),
        config(c),
        endpoints(a),
        lag_rng(&a.context().rng("kube-proxy/lag")),
        pick_rng(&a.context().rng("kube-proxy/pick")) {}

  // Draws the lags of nodes up to `node`, in node order, so that a node's
  // lag does not depend on which node asked first.
  Duration lag(NodeId node) {
    while (lags.size() <= node.value) {
      const Duration l = config.propagation_delay.sample(*lag_rng);
      lags.push_back(l);
      if (l > max_lag) {
        max_lag = l;
        endpoints.set_horizon(max_lag);
      }
    }
    return lags[node.value];
  }

  bool tracked(uint32_t service) const { return endpoints.tracked(service); }

  const EndpointView& view(NodeId via, uint32_t service) {
    return endpoints.history(service).at(api.now() - lag(via));
  }

  NodeService& state(NodeId via, uint32_t service) {
    return per_node[(static_cast<uint64_t>(via.value) << 32) | service];
  }
  NodeService* find_state(NodeId via, uint32_t service) {
    const auto it = per_node.find((static_cast<uint64_t>(via.value) << 32) | service);
    return it == per_node.end() ? nullptr : &it->second;
  }

  bool counts_connections(const ServiceRouting& r) const {
    return r.policy == LoadBalancing::kLeastConnections ||
           (r.policy == LoadBalancing::kPowerOfD && !load);
  }

  size_t pick_by_policy(const ServiceRouting& r, const EndpointView& v, NodeService* ns,
                        uint64_t client) {
    switch (r.policy) {
      case LoadBalancing::kRandom:
        return pick_random(v, *pick_rng);
      case LoadBalancing::kRoundRobin:
        return pick_round_robin(v, ns->cursor);
      case LoadBalancing::kLeastConnections:
        return pick_least_connections(v, ns->connections);
      case LoadBalancing::kPowerOfD:
        if (load) return pick_power_of_d(v, r.choices, load, *pick_rng);
        return pick_power_of_d(
            v, r.choices, [ns](PodId p) { return ns->connections.of(p); }, *pick_rng);
      case LoadBalancing::kSourceHash:
        return pick_source_hash(v, client);
    }
    return 0;
  }

  PodId pick(NodeId via, uint32_t service, uint64_t client) {
    if (!tracked(service)) return PodId{};
    const ServiceRouting& r = routing[service];
    const EndpointView& v = view(via, service);
    if (v.pods.empty()) return PodId{};  // iptables: REJECT "has no endpoints"
    const bool stateless =
        (r.policy == LoadBalancing::kRandom || r.policy == LoadBalancing::kSourceHash ||
         (r.policy == LoadBalancing::kPowerOfD && load)) &&
        !r.client_ip_affinity;
    NodeService* ns = stateless ? nullptr : &state(via, service);
    if (!r.client_ip_affinity) {
      const size_t i = pick_by_policy(r, v, ns, client);
      if (counts_connections(r)) ns->connections.opened(v.pods[i]);
      return v.pods[i];
    }
    // pkg/proxy/iptables/proxier.go: per endpoint, "-m recent --name <chain>
    // --rcheck --seconds <timeout> --reap" jumps to the endpoint the client
    // used within the timeout, and the endpoint chain's "--set" stamps each
    // new connection; IPVS persistence (--persistent <timeout>) and nftables'
    // affinity sets with a timeout behave alike. An endpoint gone from the
    // view has no rule left, so the client is balanced anew.
    const SimTime now = api.now();
    auto [it, fresh] = ns->affinity.try_emplace(client);
    NodeService::Affinity& a = it->second;
    int64_t i = -1;
    if (!fresh && now - a.last_used <= r.affinity_timeout) i = v.find(a.pod, a.join);
    if (i < 0) i = static_cast<int64_t>(pick_by_policy(r, v, ns, client));
    const auto k = static_cast<size_t>(i);
    a = NodeService::Affinity{v.pods[k], v.joins[k], now};
    if (counts_connections(r)) ns->connections.opened(v.pods[k]);
    return v.pods[k];
  }

  ApiServer& api;
  KubeProxyConfig config;
  Endpoints endpoints;
  RandomStream* lag_rng;
  RandomStream* pick_rng;
  std::vector<Duration> lags;  // by node index
  Duration max_lag = Duration::zero();
  std::vector<ServiceRouting> routing;  // by service index
  std::function<int32_t(PodId)> load;
  std::unordered_map<uint64_t, NodeService> per_node;  // (node << 32 | service); lookup only
};

KubeProxies::KubeProxies(ApiServer& api, const KubeProxyConfig& config)
    : impl_(std::make_unique<Impl>(api, config)) {}

KubeProxies::~KubeProxies() = default;

void KubeProxies::track(uint32_t service) {
  Impl& m = *impl_;
  if (service >= m.routing.size()) m.routing.resize(service + 1);
  m.routing[service] = service_routing(m.api.objects().services[service], m.config);
  m.endpoints.track(service);
}

void KubeProxies::start() {
  // Every node there now has its lag drawn (the same draws as on demand, in
  // node order), so that versions are kept exactly as long as some node can
  // still see them. A node added later draws on first use; if its lag is
  // longer than every earlier one, it sees the oldest version kept.
  const auto nodes = static_cast<uint32_t>(impl_->api.objects().nodes.size());
  if (nodes > 0) impl_->lag(NodeId{nodes - 1});
  impl_->endpoints.start();
}

void KubeProxies::set_endpoints_leader(bool has_leader) {
  impl_->endpoints.set_leader(has_leader);
}

void KubeProxies::set_load(std::function<int32_t(PodId)> load) {
  impl_->load = std::move(load);
}

PodId KubeProxies::pick(NodeId via, uint32_t service, uint64_t client) {
  return impl_->pick(via, service, client);
}

void KubeProxies::closed(NodeId via, uint32_t service, PodId pod) {
  if (Impl::NodeService* ns = impl_->find_state(via, service)) ns->connections.closed(pod);
}

const ServiceRouting& KubeProxies::routing(uint32_t service) const {
  static const ServiceRouting kUntracked;
  return impl_->tracked(service) ? impl_->routing[service] : kUntracked;
}

const std::vector<PodId>& KubeProxies::endpoints(uint32_t service) const {
  static const std::vector<PodId> kNone;
  return impl_->tracked(service) ? impl_->endpoints.history(service).current().pods : kNone;
}

const std::vector<PodId>& KubeProxies::view(NodeId via, uint32_t service) {
  static const std::vector<PodId> kNone;
  return impl_->tracked(service) ? impl_->view(via, service).pods : kNone;
}

Duration KubeProxies::lag(NodeId node) {
  return impl_->lag(node);
}

}  // namespace kubesim
