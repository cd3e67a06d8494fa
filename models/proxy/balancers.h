// The load-balancing policies of kube-proxy: each picks one endpoint of a
// node's view (a non-empty EndpointHistory::Version) and returns its index.
// They are a few lines each and share the view, so they live together; the
// state they keep (a cursor, connection counts) belongs to the caller, per
// node and Service. docs/kube-proxy.md explains each with its source.
//
//   size_t i = pick_round_robin(view, cursor);
//   PodId pod = view.pods[i];
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "models/proxy/endpoint_history.h"
#include "sim/random.h"

namespace kubesim {

using EndpointView = EndpointHistory::Version;

// iptables / nftables: uniform over the view.
size_t pick_random(const EndpointView& view, RandomStream& rng);

// IPVS rr: where the last pick was, as its join number.
struct RoundRobinCursor {
  bool placed = false;  // false: at the list head (ip_vs_rr_init_svc)
  uint64_t join = 0;
};
size_t pick_round_robin(const EndpointView& view, RoundRobinCursor& cursor);

// The connections one node's kube-proxy has open to each pod.
class ConnectionCounts {
 public:
  int32_t of(PodId pod) const {
    const auto it = open_.find(pod.value);
    return it == open_.end() ? 0 : it->second;
  }
  bool empty() const { return open_.empty(); }
  void opened(PodId pod) { ++open_[pod.value]; }
  // Ignores a pod with none open.
  void closed(PodId pod);

 private:
  std::unordered_map<uint32_t, int32_t> open_;  // > 0 only; lookup only
};

// IPVS lc: the fewest open connections, the first in list order on a tie.
size_t pick_least_connections(const EndpointView& view, const ConnectionCounts& counts);

// Power of d choices (Mitzenmacher 2001): d draws with replacement, the
// smallest load(pod). Ties go to the first of the tied draws: the draws are
// independent and identically distributed, so in any outcome every order of
// them is equally likely, and the first tied draw is a uniformly random one
// of the tied draws, with no further draw.
template <class Load>
size_t pick_power_of_d(const EndpointView& view, int32_t d, Load&& load, RandomStream& rng) {
  const uint64_t n = view.pods.size();
  size_t chosen = 0;
  int64_t best = 0;
  for (int32_t k = 0; k < d; ++k) {
    const auto i = static_cast<size_t>(rng.uniform_int(n));
    const int64_t l = load(view.pods[i]);
    if (k == 0 || l < best) {
      chosen = i;
      best = l;
    }
  }
  return chosen;
}

// IPVS sh: a fixed hash of the client, so one client goes to one pod while
// the view stays the same.
size_t pick_source_hash(const EndpointView& view, uint64_t client);

}  // namespace kubesim
