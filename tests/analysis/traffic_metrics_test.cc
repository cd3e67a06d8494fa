#include "analysis/traffic_metrics.h"

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "analysis/run_summary.h"
#include "models/objects/annotations.h"
#include "sim/observer.h"

using namespace kubesim;

namespace {

SimTime at_s(double s) {
  return SimTime::zero() + Duration::from_seconds(s);
}

Duration secs(double s) {
  return Duration::from_seconds(s);
}

TrafficSpec entry(std::string service, std::string namespace_ = "default") {
  TrafficSpec t;
  t.service = std::move(service);
  t.namespace_ = std::move(namespace_);
  return t;
}

// Publishes records as the traffic engine does, on a bus the collector
// listens to.
struct Feed {
  ObserverBus& bus;
  void arrived(double t, uint32_t service, bool external = true) {
    bus.topic<RequestArrivedRecord>().publish({at_s(t), service, external});
  }
  void ended(double t, uint32_t service, RequestOutcome outcome, double latency,
             int32_t attempts = 1) {
    bus.topic<RequestEndedRecord>().publish(
        {at_s(t), service, outcome, secs(latency), attempts, true});
  }
  void pod(double t, const Pod& p, PodRequestEvent event, double wait = 0, double busy = 0,
           double cpu = 0) {
    bus.topic<PodRequestRecord>().publish({at_s(t), 0, &p, event, secs(wait), secs(busy), cpu});
  }
};

Pod make_pod(uint32_t id, std::string name, std::string concurrency = "") {
  Pod p;
  p.id.value = id;
  p.name = std::move(name);
  p.phase = PodPhase::kRunning;
  if (!concurrency.empty()) p.annotations[kAnnotationConcurrency] = concurrency;
  return p;
}

}  // namespace

TEST_CASE("traffic metrics: counts, failures by reason, in flight, attempts, names") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web"), entry("api", "shop")});
  Feed f{bus};
  // web: six arrivals (the one at 5 s a call from upstream), five ends.
  f.arrived(1, 0);
  f.arrived(2, 0);
  f.ended(2, 0, RequestOutcome::kCompleted, 1.0);
  f.arrived(3, 0);
  f.arrived(4, 0);
  f.ended(4, 0, RequestOutcome::kTimeout, 2.0, 3);
  f.arrived(5, 0, /*external=*/false);
  f.ended(5, 0, RequestOutcome::kRejected, 0.5);
  f.arrived(6, 0);
  f.ended(7, 0, RequestOutcome::kConnectionError, 1.0, 2);
  f.ended(8, 0, RequestOutcome::kDownstream, 3.0);
  // api: one arrival, still in flight. A record of an unknown Service: ignored.
  f.arrived(1, 1);
  f.arrived(1, 7);
  f.ended(2, 7, RequestOutcome::kCompleted, 1.0);

  const TrafficSummary t = c.summary(at_s(10));
  REQUIRE(t.services.size() == 2);
  const ServiceTraffic& web = t.services[0];
  CHECK(web.name == "web");
  CHECK(t.services[1].name == "shop/api");  // outside the default namespace
  CHECK(web.arrived == 6);
  CHECK(web.external == 5);
  CHECK(web.completed == 1);
  CHECK(web.failed == 4);
  CHECK(web.failed_by_reason.timeout == 1);
  CHECK(web.failed_by_reason.rejected == 1);
  CHECK(web.failed_by_reason.connection_error == 1);
  CHECK(web.failed_by_reason.downstream == 1);
  CHECK(web.in_flight == 1);  // 6 - 1 - 4
  CHECK(web.attempts == 8);   // 1 + 3 + 1 + 2 + 1
  CHECK(web.retries == 3);    // 8 attempts for 5 requests
  // Rates over the Service's window, from its first arrival at 1 s to 10 s.
  CHECK(web.arrival_rate_per_second == Approx(6.0 / 9));  // 6 in 9 s
  CHECK(web.throughput_per_second == Approx(1.0 / 9));    // 1 in 9 s
  // Percentiles and mean of the completed only; failures separately
  // ((2 + 0.5 + 1 + 3) / 4), and all five for W ((1 + 6.5) / 5).
  CHECK(web.latency.count == 1);
  CHECK(*web.latency.mean == 1.0);
  CHECK(*web.latency.p50 == 1.0);  // one value: the estimate is clamped to it
  CHECK(*web.failed_latency_mean_seconds == Approx(1.625));
  CHECK(*web.time_in_system_mean_seconds == Approx(1.5));
  // In flight over time: [1,2) 1, [2,3) 1, [3,4) 2, [4,5) 2, [5,6) 2, [6,7) 3,
  // [7,8) 2, [8,10) 1: 15 request-seconds over the 9 s window.
  CHECK(web.in_flight_mean == Approx(15.0 / 9));
  const ServiceTraffic& api = t.services[1];
  CHECK(api.arrived == 1);
  CHECK(api.in_flight == 1);
  CHECK_FALSE(api.latency.p50);
  CHECK(api.in_flight_mean == Approx(1.0));  // one request over its whole window, 1 s to 10 s
}

TEST_CASE("traffic metrics: Little's law holds exactly when the system starts and ends empty") {
  // A FIFO single server computed here (Poisson arrivals at 1/s, exponential
  // service of mean 0.8 s, in whole microseconds). Over [0, T] with the
  // system empty at both ends, the integral of the number in system is the
  // sum of the sojourn times, so L = integral / T = (n / T) (sum / n) =
  // lambda W: the collector's L and lambda W may differ only by the rounding
  // of their doubles.
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> gap(1.0), work(1.0 / 0.8);
  struct Event {
    int64_t t;
    bool end;
    int64_t latency;
  };
  std::vector<Event> events;
  int64_t arrival = 0, free_at = 0;
  for (int i = 0; i < 2'000; ++i) {
    arrival += std::llround(gap(rng) * 1e6) + 1;
    const int64_t start = std::max(arrival, free_at);
    free_at = start + std::llround(work(rng) * 1e6);
    events.push_back({arrival, false, 0});
    events.push_back({free_at, true, free_at - arrival});
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.t < b.t; });
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")});
  for (const Event& e : events) {
    const SimTime t = SimTime::from_micros(e.t);
    if (e.end) {
      bus.topic<RequestEndedRecord>().publish(
          {t, 0, RequestOutcome::kCompleted, Duration::micros(e.latency), 1, true});
    } else {
      bus.topic<RequestArrivedRecord>().publish({t, 0, true});
    }
  }
  const ServiceTraffic s = c.summary(SimTime::from_micros(free_at)).services[0];
  CHECK(s.in_flight == 0);
  CHECK(s.in_flight_mean ==
        Approx(s.arrival_rate_per_second * *s.time_in_system_mean_seconds).epsilon(1e-12));
  // The sojourns are far from constant, so a wrong integral could not match.
  CHECK(*s.latency.p99 > 3 * *s.latency.p50);
}

TEST_CASE("traffic metrics: per pod counts, utilization with concurrency, load share") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")});
  Feed f{bus};
  std::deque<Pod> pods;
  pods.push_back(make_pod(0, "web-a", "2"));
  pods.push_back(make_pod(1, "web-b"));  // no annotation: 1 worker
  pods.push_back(make_pod(2, "web-c", "1"));
  const Pod &a = pods[0], &b = pods[1], &cc = pods[2];
  // web-a: 3 accepted at 0 s, served with waits 0, 2, 4 s and service times
  // 10, 20, 20 s (50 busy seconds), 1 CPU second each.
  for (int i = 0; i < 3; ++i)
    f.pod(0, a, PodRequestEvent::kAccepted);
  f.pod(10, a, PodRequestEvent::kServed, 0, 10, 1);
  f.pod(22, a, PodRequestEvent::kServed, 2, 20, 1);
  f.pod(24, a, PodRequestEvent::kServed, 4, 20, 1);
  // web-b: 6 accepted from 10 s, 4 served (2.5 s each: 10 busy seconds), 2
  // lost when it stopped at 60 s; then it is deleted.
  for (int i = 0; i < 6; ++i)
    f.pod(10 + i, b, PodRequestEvent::kAccepted);
  for (int i = 0; i < 4; ++i)
    f.pod(20 + i, b, PodRequestEvent::kServed, 0, 2.5);
  f.pod(60, b, PodRequestEvent::kAborted);
  f.pod(60, b, PodRequestEvent::kAborted);
  pods[1].status.deleted = true;
  // web-c: never accepted an attempt.
  f.pod(30, cc, PodRequestEvent::kRejected);
  f.pod(31, cc, PodRequestEvent::kRejected);
  f.pod(32, cc, PodRequestEvent::kRefused);

  const ServiceTraffic s = c.summary(at_s(100)).services[0];
  REQUIRE(s.pods.size() == 3);
  const PodTraffic& pa = s.pods[0];
  CHECK(pa.pod == "default/web-a");
  CHECK(pa.concurrency == 2);
  CHECK(pa.accepted == 3);
  CHECK(pa.served == 3);
  CHECK(pa.in_flight == 0);
  CHECK(pa.busy_seconds == Approx(50));
  CHECK(pa.cpu_seconds == Approx(3));
  CHECK(pa.window_seconds == Approx(100));          // first attempt at 0, still active at 100
  CHECK(pa.utilization == Approx(0.25));            // 50 / (2 workers x 100 s)
  CHECK(pa.throughput_per_second == Approx(0.03));  // 3 served in 100 s
  CHECK(*pa.wait_mean_seconds == Approx(2));        // (0 + 2 + 4) / 3
  // Time in the pod: 10, 22, 24 s; the median is rank 2.
  CHECK(*pa.latency.p50 == Approx(22).epsilon(LogHistogram::kRelativeAccuracy));
  CHECK(*pa.latency.max == 24);

  const PodTraffic& pb = s.pods[1];
  CHECK(pb.concurrency == 1);
  CHECK(pb.accepted == 6);
  CHECK(pb.served == 4);
  CHECK(pb.aborted == 2);
  CHECK(pb.in_flight == 0);
  CHECK(pb.window_seconds == Approx(50));  // deleted: from 10 s to its last record at 60 s
  CHECK(pb.utilization == Approx(0.2));    // 10 / (1 x 50)

  const PodTraffic& pc = s.pods[2];
  CHECK(pc.rejected == 2);
  CHECK(pc.refused == 1);
  CHECK(pc.window_seconds == 0);
  CHECK(pc.utilization == 0);

  // Over the pods that accepted: counts 3 and 6, mean 4.5, max / mean = 4/3,
  // population standard deviation 1.5, cv = 1.5 / 4.5 = 1/3.
  CHECK(s.load_share.pods == 2);
  CHECK(s.load_share.max_over_mean == Approx(4.0 / 3));
  CHECK(s.load_share.cv == Approx(1.0 / 3));
  // Busy (50 + 10) over worker-seconds (2 x 100 + 1 x 50).
  CHECK(s.utilization == Approx(60.0 / 250));
}

TEST_CASE("traffic metrics: equal counts give load share 1 and cv 0") {
  // Round-robin's promise: the same count on every pod.
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")});
  Feed f{bus};
  std::deque<Pod> pods;
  for (uint32_t i = 0; i < 4; ++i)
    pods.push_back(make_pod(i, "web-" + std::to_string(i)));
  for (int round = 0; round < 5; ++round)
    for (const Pod& p : pods)
      f.pod(round, p, PodRequestEvent::kAccepted);
  const ServiceTraffic s = c.summary(at_s(10)).services[0];
  CHECK(s.load_share.pods == 4);
  CHECK(s.load_share.max_over_mean == 1);
  CHECK(s.load_share.cv == 0);
}

TEST_CASE("traffic metrics: fluid fractions round through running sums") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")});
  auto& fluid = bus.topic<FluidTrafficRecord>();
  // [0, 10): 1 arrival, half completed, half rejected. Completed and failed
  // round on their own (so that the series never goes negative):
  // completed = round(0.5) = 1, failed = round(0.5) = 1.
  fluid.publish({at_s(0), at_s(10), 0, 1.0, 0.5, 0.5, 0.0, 0.25, 0.5, 0.0, 1, 2});
  // [10, 20): 20 arrivals, 18 completed (mean 0.25 s), 0.75 rejected, 0.5
  // connection errors, 0.75 in flight at 20 s.
  fluid.publish({at_s(10), at_s(20), 0, 20.0, 18.0, 0.75, 0.5, 9.0, 0.25, 0.75, 1, 2});

  const TrafficSummary t = c.summary(at_s(20));
  const ServiceTraffic& s = t.services[0];
  CHECK(s.fluid);
  // Sums: arrived 21, completed 18.5 -> 19; failed: rejected 1.25, + connection
  // 0.5 -> 1.75 -> 2, split as rejected round(1.25) = 1, connection
  // round(1.75) - 1 = 1; in flight 21 - 19 - 2 = 0.
  CHECK(s.arrived == 21);
  CHECK(s.completed == 19);
  CHECK(s.failed_by_reason.rejected == 1);
  CHECK(s.failed_by_reason.connection_error == 1);
  CHECK(s.failed == 2);
  CHECK(s.in_flight == 0);
  CHECK(s.arrived == s.completed + s.failed + s.in_flight);
  CHECK(s.throughput_per_second == Approx(18.5 / 20));
  // Mean latency (0.5 x 0.5 + 18 x 0.25) / 18.5; no percentiles in fluid mode.
  CHECK(*s.latency.mean == Approx(4.75 / 18.5));
  CHECK_FALSE(s.latency.p50);
  // W counts fluid failures with latency 0: 4.75 / 20.25.
  CHECK(*s.time_in_system_mean_seconds == Approx(4.75 / 20.25));
  // Busy 0.25 + 9 over 2 workers x 20 s.
  CHECK(s.utilization == Approx(9.25 / 40));
  // In flight: 0 over the first record, 0 -> 0.75 linearly over the second
  // (3.75 request-seconds): L = 3.75 / 20.
  CHECK(s.in_flight_mean == Approx(0.1875));

  // The series rounds the same running sums, so its rows add up to the totals
  // and are never negative. Row 0: completed 1, failed 1, so arrived is
  // raised to max(round(1), 2) = 2 (rounding cannot make a request vanish);
  // row 1: arrived 21 - 2, completed 19 - 1, failed 2 - 1, in flight 0.
  REQUIRE(t.series.size() == 2);
  CHECK(t.series[0].arrived == 2);
  CHECK(t.series[0].completed == 1);
  CHECK(t.series[0].failed == 1);
  CHECK(t.series[0].in_flight == 0);
  CHECK(t.series[1].arrived == 19);
  CHECK(t.series[1].completed == 18);  // round(18.5) - round(0.5)
  CHECK(t.series[1].failed == 1);
  CHECK(t.series[1].in_flight == 0);
  CHECK(t.series[0].arrived + t.series[1].arrived == s.arrived);
  CHECK(t.series[0].failed + t.series[1].failed == s.failed);
  CHECK(t.series[1].throughput_per_second == Approx(1.8));  // 18 in 10 s, unrounded
}

TEST_CASE("traffic metrics: a fluid record spanning intervals is split pro rata") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")}, SimTime::zero(), Duration::seconds(10));
  // [5, 25) over intervals [0,10), [10,20), [20,30): 5, 10 and 5 of its 20 s.
  bus.topic<FluidTrafficRecord>().publish(
      {at_s(5), at_s(25), 0, 8.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1, 1});
  const TrafficSummary t = c.summary(at_s(30));
  REQUIRE(t.series.size() == 3);
  CHECK(t.series[0].arrived == 2);
  CHECK(t.series[1].arrived == 4);
  CHECK(t.series[2].arrived == 2);
  CHECK(t.series[1].throughput_per_second == Approx(0.4));
}

TEST_CASE("traffic metrics: the time series per interval, and its CSV") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")}, SimTime::zero(), Duration::seconds(10));
  Feed f{bus};
  f.arrived(1, 0);
  f.ended(3, 0, RequestOutcome::kCompleted, 2);
  f.arrived(5, 0);
  f.arrived(9, 0);
  f.ended(10, 0, RequestOutcome::kCompleted, 5);  // at the boundary: the next interval's
  f.ended(12, 0, RequestOutcome::kTimeout, 3);
  f.arrived(21, 0);
  f.arrived(22, 0);
  f.ended(24, 0, RequestOutcome::kCompleted, 2);  // in the interval still open at 25 s

  const TrafficSummary t = c.summary(at_s(25));
  REQUIRE(t.series.size() == 3);
  // [0,10): 3 arrived, 1 completed (2 s), 2 in flight at 10 s.
  CHECK(t.series[0].start == at_s(0));
  CHECK(t.series[0].end == at_s(10));
  CHECK(t.series[0].arrived == 3);
  CHECK(t.series[0].completed == 1);
  CHECK(t.series[0].failed == 0);
  CHECK(t.series[0].in_flight == 2);
  CHECK(t.series[0].throughput_per_second == Approx(0.1));
  // One latency in the interval: the estimate is clamped to it, exactly.
  CHECK(*t.series[0].p50_seconds == 2);
  CHECK(*t.series[0].p99_seconds == 2);
  // [10,20): the request of 5 s completed at 10 s, the one of 9 s timed out.
  CHECK(t.series[1].arrived == 0);
  CHECK(t.series[1].completed == 1);
  CHECK(t.series[1].failed == 1);
  CHECK(t.series[1].in_flight == 0);
  CHECK(*t.series[1].p50_seconds == 5);
  // [20,25): the last interval ends at the summary's time.
  CHECK(t.series[2].end == at_s(25));
  CHECK(t.series[2].arrived == 2);
  CHECK(t.series[2].completed == 1);
  CHECK(t.series[2].in_flight == 1);
  CHECK(t.series[2].throughput_per_second == Approx(0.2));  // 1 in 5 s
  CHECK(*t.series[2].p50_seconds == 2);

  CHECK(traffic_csv(t) ==
        "time_seconds,service,arrived,completed,failed,in_flight,throughput_per_second,"
        "p50_seconds,p99_seconds\n"
        "10,web,3,1,0,2,0.1,2,2\n"
        "20,web,0,1,1,0,0.1,5,5\n"
        "25,web,2,1,0,1,0.2,2,2\n");
}

TEST_CASE("traffic metrics: an interval without records has a row of zeros") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web"), entry("api")}, SimTime::zero(), Duration::seconds(10));
  Feed f{bus};
  f.arrived(1, 0);
  f.ended(35, 0, RequestOutcome::kCompleted, 34);
  const TrafficSummary t = c.summary(at_s(40));
  // 4 intervals x 2 Services, by time then Service.
  REQUIRE(t.series.size() == 8);
  CHECK(t.series[1].service == 1);
  CHECK(t.series[2].start == at_s(10));
  CHECK(t.series[2].in_flight == 1);  // web's request, still in flight at 20 s
  CHECK(t.series[4].in_flight == 1);
  CHECK_FALSE(t.series[4].p50_seconds);
  CHECK(t.series[6].completed == 1);
  CHECK(*t.series[6].p50_seconds == 34);
  CHECK(t.series[7].arrived == 0);
}

TEST_CASE("traffic metrics: JSON keys and the table line") {
  ObserverBus bus;
  TrafficCollector c(bus, {entry("web")});
  Feed f{bus};
  f.arrived(1, 0);
  f.ended(1.25, 0, RequestOutcome::kCompleted, 0.25);
  const nlohmann::ordered_json j = traffic_json(c.summary(at_s(10)));
  REQUIRE(j.contains("web"));
  const auto& web = j["web"];
  for (const char* k : {"arrived", "completed", "failed", "in_flight"})
    CHECK(web["requests"].contains(k));
  for (const char* k : {"mean", "p50", "p90", "p99", "p999"})
    CHECK(web["latency_seconds"].contains(k));
  CHECK(web["requests"]["completed"] == 1);
  CHECK(web["latency_seconds"]["mean"].get<double>() == 0.25);
  CHECK(web["failed_by_reason"]["timeout"] == 0);
  CHECK(web["load_share"]["max_over_mean"].is_null());                   // no pod record
  CHECK(web["throughput_per_second"].get<double>() == Approx(1.0 / 9));  // 1 in 1 s .. 10 s

  const std::string table = traffic_table(c.summary(at_s(10)));
  CHECK_THAT(table, Catch::Contains("requests"));
  CHECK_THAT(table, Catch::Contains("250ms"));
  CHECK(traffic_table(TrafficSummary{}).empty());
  CHECK(traffic_json(TrafficSummary{}).empty());
}

TEST_CASE("run summary: \"services\" after \"availability\", only with traffic") {
  ObserverBus bus;
  ClusterObjects objects;
  RunSummaryCollector without(bus, objects);
  const nlohmann::ordered_json none = summary_json(without.summary(at_s(10)));
  CHECK_FALSE(none.contains("services"));
  CHECK_THAT(summary_table(without.summary(at_s(10))),
             !Catch::Contains("in flight"));  // no traffic section

  RunSummaryCollector with(bus, objects, SimTime::zero(), {entry("web")}, Duration::seconds(5));
  Feed f{bus};
  f.arrived(1, 0);
  f.ended(2, 0, RequestOutcome::kCompleted, 1);
  f.arrived(3, 0);
  const RunSummary s = with.summary(at_s(10));
  const nlohmann::ordered_json j = summary_json(s);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items())
    keys.push_back(k);
  const auto at = std::find(keys.begin(), keys.end(), "services");
  REQUIRE(at != keys.end());
  CHECK(*(at - 1) == "availability");
  CHECK(j["services"]["web"]["requests"]["arrived"] == 2);
  CHECK(j["services"]["web"]["requests"]["in_flight"] == 1);
  CHECK_THAT(summary_table(s), Catch::Contains("in flight"));
  // The collector's time series step: 10 s in 5 s intervals.
  CHECK(s.traffic.series.size() == 2);
  CHECK(with.traffic().summary(at_s(10)).services[0].arrived == 2);
}
