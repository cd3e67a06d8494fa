// Fluid mode end to end (models/traffic/fluid_traffic.h): pods from the
// EndpointSlice, rates from the arrival process and from callers, one record
// per entry per step.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/objects/annotations.h"
#include "tests/traffic/fluid_test_cluster.h"

using namespace kubesim;
using namespace kubesim::fluid_test;

namespace {

// arrived - completed - failed equals the change of what is in flight, for
// each record and so over the run (from nothing in flight at the start).
void check_accounting(const std::vector<FluidTrafficRecord>& rs) {
  double before = 0;
  for (const FluidTrafficRecord& r : rs) {
    INFO("record [" << r.from << ", " << r.to << ")");
    const double failed = r.rejected + r.connection_errors;
    CHECK(r.arrived - r.completed - failed - (r.in_flight - before) ==
          Approx(0).margin(1e-9 * std::max(1.0, r.arrived)));
    before = r.in_flight;
  }
}

}  // namespace

TEST_CASE("fluid traffic: below capacity, throughput is lambda and latency is Erlang C") {
  // 4 pods with 2 workers, E[S] = 100 ms (mu = 10): lambda = 48 splits into
  // 12/s per pod, a = 1.2, rho = 0.6. M/M/2: C = 2 rho^2 / (1 + rho) = 0.45,
  // Wq = C / (c mu - lambda) = 0.45 / 8 = 0.05625 s, W = 0.15625 s.
  FluidTestCluster c;
  c.add_service("web");
  const uint32_t web = 0;  // the traffic entry
  std::vector<PodId> pods;
  for (int i = 0; i < 4; ++i)
    pods.push_back(c.add_pod("web", {{kAnnotationConcurrency, "2"}}));
  TrafficSpec t = FluidTestCluster::poisson("web", 48, "exponential(100ms)");
  t.cpu_per_request = dist("fixed(8ms)");
  c.boot({t});
  c.run_for(Duration::seconds(55));
  // cpu between steps: up to 55 s each pod completed 12 * 55 = 660 requests
  // less the L = lambda W = 12 * 0.15625 = 1.875 it holds now (reached
  // within a few W), at 8 ms of CPU each.
  for (PodId p : pods)
    CHECK(c.fluid->cpu_seconds(p) == Approx((660 - 1.875) * 0.008));
  c.run_for(Duration::seconds(45));

  const auto rs = c.records_of(web);
  REQUIRE(rs.size() == 10);  // [0, 10 s), ..., [90 s, 100 s)
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const FluidTrafficRecord& r = rs[i];
    INFO("step " << i);
    CHECK(r.from == SimTime::zero() + Duration::seconds(10) * static_cast<int64_t>(i));
    CHECK(r.to == r.from + Duration::seconds(10));
    CHECK(r.arrived == Approx(480));  // 48/s for 10 s
    CHECK(r.rejected == 0);
    CHECK(r.connection_errors == 0);
    CHECK(r.pods == 4);
    CHECK(r.workers == 8);
    // In flight: each pod holds L = lambda_i W = 1.875 (Little's law).
    CHECK(r.in_flight == Approx(4 * 1.875));
    CHECK(r.mean_latency_seconds == Approx(0.15625));
    // Throughput: lambda, but the first step keeps the 7.5 in flight.
    CHECK(r.completed == Approx(i == 0 ? 480 - 7.5 : 480));
    // Busy: the completions' work, lambda E[S] T = 48 * 0.1 * 10 = 48
    // worker-seconds (47.25 in the first step).
    CHECK(r.busy_worker_seconds == Approx(i == 0 ? 47.25 : 48));
  }
  check_accounting(rs);
}

TEST_CASE("fluid traffic: overload builds a backlog at lambda - c mu that drains afterwards") {
  // One pod, one worker, E[S] = 100 ms fixed (c mu = 10/s). 15/s for 20 s,
  // then 5/s. From empty x(t) = 1.5 (1 - e^{-10 t}) reaches c = 1 at
  // t_c = ln 3 / 10 = 0.10986 s (above c mu the queue has no steady state,
  // so the content follows the fluid limit); the backlog then grows at 5/s:
  // at 10 s x = 1 + 5 (10 - t_c) = 50.4507, at 20 s 100.4507. At 5/s it
  // drains at 5/s: 50.4507 at 30 s, and by 50 s the pod holds M/D/1's
  // L = lambda W, W = 0.1 + rho / (2 mu (1 - rho)) = 0.15 s: 0.75.
  FluidTestCluster c;
  c.add_service("web");
  const uint32_t web = 0;  // the traffic entry
  c.add_pod("web");
  c.boot({FluidTestCluster::schedule("web", {{Duration::zero(), 15}, {Duration::seconds(20), 5}},
                                     "fixed(100ms)")});
  c.run_for(Duration::seconds(60));
  const auto rs = c.records_of(web);
  REQUIRE(rs.size() == 6);
  const double tc = std::log(3.0) / 10;
  CHECK(rs[0].in_flight == Approx(1 + 5 * (10 - tc)));
  CHECK(rs[1].in_flight == Approx(1 + 5 * (20 - tc)));
  CHECK(rs[2].in_flight == Approx(1 + 5 * (20 - tc) - 50));
  CHECK(rs[4].in_flight == Approx(0.75));
  // Saturated steps complete c mu T = 100; step 2 ([10 s, 20 s)) saw a
  // backlog from 49.4507 to 99.4507, mean 74.4507, drained at 10/s: 7.445 s
  // of waiting plus E[S].
  CHECK(rs[1].completed == Approx(100));
  CHECK(rs[2].completed == Approx(100));
  CHECK(rs[1].mean_latency_seconds == Approx((49.4507 + 99.4507) / 2 / 10 + 0.1).epsilon(1e-5));
  CHECK(rs[1].busy_worker_seconds == Approx(10));
  check_accounting(rs);
}

TEST_CASE("fluid traffic: a bounded queue rejects as M/M/1/K does") {
  // One worker, E[S] = 100 ms exponential, queue capacity 10: K = 11. At
  // 15/s (rho = 1.5) M/M/1/K turns away P_K = (1 - rho) rho^K /
  // (1 - rho^{K+1}) = 0.33592 and holds L = rho / (1 - rho) - (K + 1)
  // rho^{K+1} / (1 - rho^{K+1}) = 9.0930 (Kleinrock vol. 1, sec. 3.6). The
  // pod is there within a few W = L / (15 (1 - P_K)) = 0.91 s, so in the
  // second step: 150 arrive, 150 P_K rejected, the rest complete after W.
  FluidTestCluster c;
  c.add_service("web");
  const uint32_t web = 0;  // the traffic entry
  c.add_pod("web", {{kAnnotationQueueCapacity, "10"}});
  c.boot({FluidTestCluster::poisson("web", 15, "exponential(100ms)")});
  c.run_for(Duration::seconds(20));
  const auto rs = c.records_of(web);
  REQUIRE(rs.size() == 2);
  const double rho = 1.5, k = 11;
  const double pk = (1 - rho) * std::pow(rho, k) / (1 - std::pow(rho, k + 1));
  const double l = rho / (1 - rho) - (k + 1) * std::pow(rho, k + 1) / (1 - std::pow(rho, k + 1));
  CHECK(rs[1].arrived == Approx(150));
  CHECK(rs[1].rejected == Approx(150 * pk));
  CHECK(rs[1].completed == Approx(150 * (1 - pk)));
  CHECK(rs[1].in_flight == Approx(l));
  CHECK(rs[1].mean_latency_seconds == Approx(l / (15 * (1 - pk))));
  check_accounting(rs);
}

TEST_CASE("fluid traffic: schedule steps change the rate at their instants") {
  // Steps every 5 s from the start at 2 s (rates 10, 30, 0, 20), with
  // 2 workers of 10 ms (never saturated): over [0, 10 s) nothing for 2 s,
  // then 10/s for 5 s and 30/s for 3 s: 50 + 90 = 140; over [10 s, 20 s)
  // 30/s for 2 s, 0 for 5 s, 20/s for 3 s: 60 + 60 = 120.
  FluidTestCluster c;
  c.add_service("web");
  const uint32_t web = 0;  // the traffic entry
  c.add_pod("web", {{kAnnotationConcurrency, "2"}});
  TrafficSpec t = FluidTestCluster::schedule("web",
                                             {{Duration::zero(), 10},
                                              {Duration::seconds(5), 30},
                                              {Duration::seconds(10), 0},
                                              {Duration::seconds(15), 20}},
                                             "exponential(10ms)");
  t.start = Duration::seconds(2);
  c.boot({t});
  c.run_for(Duration::seconds(20));
  const auto rs = c.records_of(web);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].arrived == Approx(140));
  CHECK(rs[1].arrived == Approx(120));
  // In flight at 20 s: L at 20/s on M/M/2 with mu = 100 (a = 0.2,
  // rho = 0.1): C = 2 rho^2 / (1 + rho) = 0.018182, W = 0.01 + C / (200 -
  // 20) = 0.010101 s, L = 20 W = 0.20202 (it relaxed for 3 s, ~300 W).
  CHECK(rs[1].in_flight == Approx(20 * (0.01 + (0.02 / 1.1) / 180)));
  check_accounting(rs);
}

TEST_CASE("fluid traffic: without endpoints every arrival is a connection error") {
  FluidTestCluster c;
  c.add_service("web");
  const uint32_t web = 0;  // the traffic entry
  c.boot({FluidTestCluster::poisson("web", 7, "fixed(10ms)")});
  c.run_for(Duration::seconds(10));
  const auto rs = c.records_of(web);
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].arrived == Approx(70));
  CHECK(rs[0].connection_errors == Approx(70));
  CHECK(rs[0].completed == 0);
  CHECK(rs[0].pods == 0);
  CHECK(rs[0].in_flight == 0);
}

TEST_CASE("fluid traffic: calls add load downstream, and hold the caller's worker") {
  // front: 2 pods, 1 worker each, E[S] = 10 ms fixed, 20/s; each request
  // calls back with probability 0.5 (sequential). back: 1 pod, E[S] = 20 ms
  // fixed, so it gets 0.5 * 20 = 10/s (rho = 0.2), and M/D/1 gives
  // W_back = 0.02 + rho / (2 mu (1 - rho)) = 0.02 + 0.2 / 80 = 0.0225 s.
  FluidTestCluster c;
  c.add_service("front");
  c.add_service("back");
  c.add_pod("front");
  c.add_pod("front");
  c.add_pod("back");
  TrafficSpec f = FluidTestCluster::poisson("front", 20, "fixed(10ms)");
  f.calls.push_back({.service = "back", .probability = 0.5, .parallel = false});
  // The callee first in the list: entries run callers first regardless.
  c.boot({FluidTestCluster::called("back", "fixed(20ms)"), f});
  const uint32_t back = 0, front = 1;  // the traffic entries
  c.run_for(Duration::seconds(40));
  const auto fr = c.records_of(front), br = c.records_of(back);
  REQUIRE(fr.size() == 4);
  REQUIRE(br.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("step " << i);
    // What back receives is half of what front completed in the same step.
    CHECK(br[i].arrived == Approx(0.5 * fr[i].completed));
  }
  // Front's pods fill up from empty in the first step, to L = 10 W_f each,
  // W_f = 0.02 + 0.2 * 0.02 / (2 * 0.8) = 0.0225 s (hold 0.02, rho 0.2,
  // M/D/1): front completes 200 - 0.45, and back gets half: 99.775, at
  // 9.9775/s, rho1 = 0.199550, so W1 = 0.02 + rho1 0.02 / (2 (1 - rho1)).
  // In the second step front's hold is h2 = 0.01 + 0.5 W1 and its pods
  // settle at 10 W_f2 each (M/D/1 with that hold): front completes
  // 2 * 10 * (W_f2 - 0.0225) fewer, and back gets half as many fewer.
  const double rho1 = 0.99775 / 5;
  const double w1 = 0.02 + rho1 * 0.02 / (2 * (1 - rho1));
  const double h2 = 0.01 + 0.5 * w1, rho2 = 10 * h2;
  const double wf2 = h2 + rho2 * h2 / (2 * (1 - rho2));
  CHECK(br[0].arrived == Approx(99.775));
  CHECK(br[1].arrived == Approx(100 - 10 * (wf2 - 0.0225)).epsilon(1e-10));
  // From the third step on the hold is steady (to 1e-6): 200 and 100.
  CHECK(br[2].arrived == Approx(100).epsilon(1e-6));
  CHECK(br[2].mean_latency_seconds == Approx(0.0225).epsilon(1e-6));
  // From the third step on, front's worker is held for E[S] + 0.5 W_back =
  // 0.01 + 0.01125 = 0.02125 s (back's latency of the step before): busy =
  // 200 * 0.02125 = 4.25 worker-seconds, and per pod (10/s, rho = 0.2125,
  // Cs^2 of the hold 0) Pollaczek-Khinchine gives W = 0.02125 + rho 0.02125
  // / (2 (1 - rho)) = 0.0241171875 s.
  CHECK(fr[3].busy_worker_seconds == Approx(200 * 0.02125).epsilon(1e-6));
  CHECK(fr[3].mean_latency_seconds ==
        Approx(0.02125 + 0.2125 * 0.02125 / (2 * 0.7875)).epsilon(1e-6));
  // The first step's hold used back's service time for its latency:
  // 0.01 + 0.5 * 0.02.
  CHECK(fr[0].busy_worker_seconds == Approx(0.02 * fr[0].completed));
  check_accounting(fr);
  check_accounting(br);
}

TEST_CASE("fluid traffic: a pod that leaves keeps draining, a crashed one fails what it holds") {
  // 2 pods, 1 worker, E[S] = 10 ms fixed, 60/s: 30/s each (rho = 0.3),
  // each holding M/D/1's L = 30 W, W = 0.01 + 0.3 * 0.01 / (2 * 0.7).
  FluidTestCluster c;
  c.add_service("web");
  const uint32_t web = 0;  // the traffic entry
  const PodId a = c.add_pod("web");
  const PodId b = c.add_pod("web", {{kAnnotationShutdownTime, "fixed(2s)"}});
  c.boot({FluidTestCluster::poisson("web", 60, "fixed(10ms)")});
  const uint32_t web_service = 0;
  // When the EndpointSlice drops each pod (a few watch latencies after the
  // fact: the kubelet's and the API's writes each take one).
  std::map<PodId, SimTime> dropped;
  c.c.api->watch(Kind::kPod, [&](const WatchEvent&) {
    const auto& eps = c.proxies->endpoints(web_service);
    for (PodId p : {a, b})
      if (!dropped.count(p) && std::find(eps.begin(), eps.end(), p) == eps.end())
        dropped[p] = c.c.sim.now();
  });
  c.at(Duration::seconds(12), [&] { c.c.kubelets->crash_container(a, 1, "test"); });
  c.at(Duration::seconds(25), [&] { c.c.api->delete_pod(b); });
  c.run_for(Duration::seconds(40));
  const auto rs = c.records_of(web);
  REQUIRE(rs.size() == 4);
  REQUIRE(dropped.size() == 2);
  const double l = 30 * (0.01 + 0.003 / 1.4);
  // a crashes at 12 s: its L fails at once, and its share, 30/s, is refused
  // until the EndpointSlice drops it.
  const double a_refused =
      30 * (dropped[a] - (SimTime::zero() + Duration::seconds(12))).to_seconds();
  CHECK(a_refused > 0);
  CHECK(rs[1].connection_errors == Approx(l + a_refused));
  CHECK(rs[1].pods == 2);
  // b is deleted at 25 s; terminating, it refuses its share until dropped,
  // but what it holds drains (its container runs 2 s more): nothing of its
  // L fails.
  const double b_refused =
      30 * (dropped[b] - (SimTime::zero() + Duration::seconds(25))).to_seconds();
  CHECK(b_refused > 0);
  CHECK(rs[2].connection_errors == Approx(b_refused));
  // a alone from then on: 60/s, M/D/1 at rho = 0.6,
  // W = 0.01 + 0.6 / (2 * 100 * 0.4) = 0.0175 s; it holds 60 W = 1.05.
  CHECK(rs[3].pods == 1);
  CHECK(rs[3].mean_latency_seconds == Approx(0.0175));
  CHECK(rs[3].in_flight == Approx(1.05));
  CHECK(rs[3].completed == Approx(600));
  check_accounting(rs);
}

TEST_CASE("fluid traffic: a machine that dies fails what its pods hold and refuses their share") {
  // One pod, E[S] = 10 ms fixed, 50/s: it holds M/D/1's L = 50 W,
  // W = 0.01 + 0.5 * 0.01 / (2 * 0.5) = 0.015 s: 0.75. At 15 s its node goes
  // down: the 0.75 fail, and with no node lifecycle controller here the pod
  // stays in the EndpointSlice, so the 50/s of the last 5 s are refused: 250.
  // Completed: 500 arrived - 250.75 failed - (0 - 0.75 in flight) = 250.
  FluidTestCluster c;
  c.add_service("web");
  c.add_pod("web");
  c.boot({FluidTestCluster::poisson("web", 50, "fixed(10ms)")});
  c.at(Duration::seconds(15), [&] { c.c.kubelets->node_down(NodeId{0}); });
  c.run_for(Duration::seconds(20));
  const auto rs = c.records_of(0);
  REQUIRE(rs.size() == 2);
  CHECK(rs[1].connection_errors == Approx(250.75));
  CHECK(rs[1].completed == Approx(250));
  CHECK(rs[1].in_flight == 0);
  check_accounting(rs);
}

TEST_CASE("fluid traffic: bursty on/off periods switch the rate") {
  // On 3 s at 100/s, off 7 s at 0, fixed: every 10 s step sees 300.
  FluidTestCluster c;
  c.add_service("web");
  c.add_pod("web", {{kAnnotationConcurrency, "4"}});
  TrafficSpec t = FluidTestCluster::poisson("web", 0, "exponential(10ms)");
  t.arrival.process = ArrivalSpec::Process::kBursty;
  t.arrival.on_rate = 100;
  t.arrival.off_rate = 0;
  t.arrival.on_duration = dist("fixed(3s)");
  t.arrival.off_duration = dist("fixed(7s)");
  c.boot({t});
  c.run_for(Duration::seconds(30));
  const auto rs = c.records_of(0);
  REQUIRE(rs.size() == 3);
  for (const auto& r : rs)
    CHECK(r.arrived == Approx(300));
  // 7 s after the burst the pod has long drained: in flight ~ 0.
  CHECK(rs[2].in_flight == Approx(0).margin(1e-6));
}

TEST_CASE("fluid traffic: random bursty periods are the same for the same seed") {
  // Exponential on/off periods come from the stream "traffic/web/fluid":
  // two runs with seed 7 publish identical records; seed 8 differs.
  const auto arrivals = [](uint64_t seed) {
    FluidTestCluster c(1, seed);
    c.add_service("web");
    c.add_pod("web", {{kAnnotationConcurrency, "4"}});
    TrafficSpec t = FluidTestCluster::poisson("web", 0, "exponential(10ms)");
    t.arrival.process = ArrivalSpec::Process::kBursty;
    t.arrival.on_rate = 100;
    t.arrival.off_rate = 10;
    t.arrival.on_duration = dist("exponential(4s)");
    t.arrival.off_duration = dist("exponential(6s)");
    c.boot({t});
    c.run_for(Duration::seconds(200));
    std::vector<double> out;
    for (const auto& r : c.records_of(0))
      out.push_back(r.arrived);
    return out;
  };
  const std::vector<double> a = arrivals(7);
  CHECK(a == arrivals(7));
  CHECK(a != arrivals(8));
  // Each step's arrivals lie between all-off (100) and all-on (1000), and
  // over 200 s (about 20 cycles) both kinds of period occurred.
  double total = 0;
  for (double x : a) {
    CHECK(x >= 100 - 1e-9);
    CHECK(x <= 1000 + 1e-9);
    total += x;
  }
  CHECK(total > 100 * 20);
  CHECK(total < 1000 * 20);
}

TEST_CASE("fluid traffic: a diurnal rate is held at each step's middle") {
  // peak 100 at t = 0, trough 0, period 40 s: rate(t) = 50 (1 + cos(2 pi t /
  // 40)). Steps of 10 s take the rate at 5 s, 15 s, ...: 50 (1 + cos(pi / 4))
  // * 10 = 853.55 for the first, 50 (1 + cos(3 pi / 4)) * 10 = 146.45 for
  // the second.
  FluidTestCluster c;
  c.add_service("web");
  c.add_pod("web", {{kAnnotationConcurrency, "4"}});
  TrafficSpec t = FluidTestCluster::poisson("web", 0, "exponential(10ms)");
  t.arrival.process = ArrivalSpec::Process::kDiurnal;
  t.arrival.peak = 100;
  t.arrival.trough = 0;
  t.arrival.peak_at = Duration::zero();
  t.arrival.period = Duration::seconds(40);
  c.boot({t});
  c.run_for(Duration::seconds(20));
  const auto rs = c.records_of(0);
  REQUIRE(rs.size() == 2);
  const double pi = std::acos(-1.0);
  CHECK(rs[0].arrived == Approx(500 * (1 + std::cos(pi / 4))));
  CHECK(rs[1].arrived == Approx(500 * (1 + std::cos(3 * pi / 4))));
}
