// Request traffic and kube-proxy, as a scenario configures them
// (spec.traffic[] and spec.cluster.kubeProxy; models/scenario/traffic_parser.h
// reads them, docs/traffic.md explains them). Every default is here.
//
//   traffic:
//     - service: web
//       arrival: {process: poisson, ratePerSecond: 210}
//       serviceTime: exponential(10ms)
//       cpuPerRequest: 8ms
//       timeout: 2s
//       retries: {attempts: 2, backoff: exponential(100ms)}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/distribution.h"
#include "sim/time.h"

namespace kubesim {

// How a kube-proxy picks one of a Service's endpoints for a new connection.
enum class LoadBalancing : uint8_t {
  kRandom,            // iptables (probability 1/(n-i) per rule) and nftables: uniform
  kRoundRobin,        // IPVS rr (and wrr: kubesim's endpoints have equal weights)
  kLeastConnections,  // IPVS lc (and wlc): fewest connections this node's IPVS holds
  kPowerOfD,          // kubesim: d endpoints at random, the one with fewest requests in it
  kSourceHash,        // IPVS sh and mh: a hash of the client address
};
const char* to_string(LoadBalancing lb);  // "random", "round-robin", ...

// spec.cluster.kubeProxy.
struct KubeProxyConfig {
  enum class Mode : uint8_t { kIptables, kIpvs, kNftables };
  Mode mode = Mode::kIptables;
  std::string ipvs_scheduler = "rr";  // ipvs.scheduler (mode ipvs only)
  // The cluster's policy, from mode and ipvs.scheduler.
  LoadBalancing load_balancing = LoadBalancing::kRandom;
  // From an EndpointSlice change (as the watchers see it) to the node's rules
  // being rewritten. Drawn once per node: each node's kube-proxy lags by its
  // own draw. Default: one sync at kube-proxy's default minSyncPeriod (1 s,
  // pkg/proxy/apis/config/v1alpha1/defaults.go).
  DurationDistribution propagation_delay = DurationDistribution::fixed(Duration::seconds(1));
};

// How requests of one traffic entry arrive from outside the cluster.
struct ArrivalSpec {
  enum class Process : uint8_t {
    kNone,      // no outside arrivals: the Service is only called by others
    kPoisson,   // rate_per_second
    kSchedule,  // Poisson with a piecewise-constant rate (schedule)
    kDiurnal,   // Poisson with rate trough + (peak - trough) * (1 + cos(2 pi (t - peak_at) /
                // period)) / 2
    kBursty,    // on/off: Poisson at on_rate during on periods, off_rate during off periods
    kReplay,    // the timestamps of a CSV, or per-interval rates of a CSV (Poisson within)
  };
  Process process = Process::kNone;
  double rate_per_second = 0;  // poisson
  // schedule: from `at` on, the rate is `rate` (first entry at 0; sorted).
  struct Step {
    Duration at;
    double rate = 0;
  };
  std::vector<Step> schedule;
  // diurnal
  double peak = 0, trough = 0;
  Duration peak_at = Duration::hours(12);
  Duration period = Duration::hours(24);
  // bursty: the process starts in an on period.
  double on_rate = 0, off_rate = 0;
  std::optional<DurationDistribution> on_duration, off_duration;
  // replay: either arrival times (offsets from the start, sorted) or rates per
  // interval (`interval` long each, from the start); `loop` repeats the trace.
  std::vector<Duration> timestamps;
  std::vector<double> interval_rates;
  Duration interval = Duration::seconds(60);
  bool loop = false;
};

// One downstream call a request makes after its own work.
struct CallSpec {
  std::string service;  // a Service with a traffic entry, same namespace
  double probability = 1;
  bool parallel = false;  // parallel: issued together with the other parallel calls
};

// One spec.traffic[] entry: the requests of one Service, and the work each does.
struct TrafficSpec {
  std::string where;  // "file:line" of the entry, for messages
  std::string service;
  std::string namespace_ = "default";
  // Request mode (single requests) or fluid mode (rates).
  bool fluid = false;
  ArrivalSpec arrival;
  Duration start = Duration::zero();  // outside arrivals begin here
  // Clients are the source addresses: session affinity and IPVS sh hash them,
  // and client i enters the cluster through the kube-proxy of node i mod N.
  int32_t clients = 1;
  // The pod's time to serve one request once a worker takes it, and the CPU
  // seconds it burns (absent: equal to the service time drawn).
  DurationDistribution service_time = DurationDistribution::fixed(Duration::millis(10));
  std::optional<DurationDistribution> cpu_per_request;
  // The client gives up after `timeout` (absent: never) and retries a failed
  // request up to retry_attempts more times, after a draw of retry_backoff.
  std::optional<Duration> timeout;
  int32_t retry_attempts = 0;
  DurationDistribution retry_backoff = DurationDistribution::fixed(Duration::zero());
  std::vector<CallSpec> calls;  // the loader has checked that the graph is acyclic
};

}  // namespace kubesim
