#include "models/proxy/balancers.h"

#include <algorithm>

namespace kubesim {

size_t pick_random(const EndpointView& view, RandomStream& rng) {
  // pkg/proxy/iptables/proxier.go writeServiceToEndpointRules: rule i of n
  // jumps with "--probability 1/(n-i)", the last always; endpoint i is taken
  // with probability prod_{j<i} (1 - 1/(n-j)) * 1/(n-i) = 1/n. nftables
  // (pkg/proxy/nftables/proxier.go) uses "numgen random mod n" into a vmap:
  // also uniform. One uniform draw gives the same distribution.
  return static_cast<size_t>(rng.uniform_int(view.pods.size()));
}

size_t pick_round_robin(const EndpointView& view, RoundRobinCursor& cursor) {
  // net/netfilter/ipvs/ip_vs_rr.c: sched_data points at the last server
  // picked; ip_vs_rr_schedule takes the next one in list order, wrapping.
  // When that server leaves, ip_vs_rr_del_dest moves the pointer back to the
  // previous entry, so the next pick is the server that followed it: in
  // join order, the first entry joined after the cursor.
  size_t i = 0;
  if (cursor.placed) {
    const auto it = std::lower_bound(view.joins.begin(), view.joins.end(), cursor.join);
    i = static_cast<size_t>(it - view.joins.begin());
    if (it != view.joins.end() && *it == cursor.join) ++i;
    if (i == view.joins.size()) i = 0;
  }
  cursor.placed = true;
  cursor.join = view.joins[i];
  return i;
}

void ConnectionCounts::closed(PodId pod) {
  const auto it = open_.find(pod.value);
  if (it == open_.end()) return;
  if (--it->second <= 0) open_.erase(it);
}

size_t pick_least_connections(const EndpointView& view, const ConnectionCounts& counts) {
  // net/netfilter/ipvs/ip_vs_lc.c: the smallest ip_vs_dest_conn_overhead
  // (activeconns << 8 + inactconns; kubesim keeps no TIME_WAIT connections,
  // so the active ones), "if (!least || doh < loh)": the first on a tie.
  if (counts.empty()) return 0;
  size_t least = 0;
  int32_t fewest = counts.of(view.pods[0]);
  for (size_t i = 1; i < view.pods.size() && fewest > 0; ++i) {
    const int32_t c = counts.of(view.pods[i]);
    if (c < fewest) {
      least = i;
      fewest = c;
    }
  }
  return least;
}

size_t pick_source_hash(const EndpointView& view, uint64_t client) {
  // net/netfilter/ipvs/ip_vs_sh.c hashes the source address into a table of
  // buckets filled with the servers in turn; a bucket's server is fixed while
  // the list is. splitmix64 of the client mod n has the same properties:
  // deterministic per client and close to uniform over clients.
  return static_cast<size_t>(splitmix64(client) % view.pods.size());
}

}  // namespace kubesim
