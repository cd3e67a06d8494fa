// spec.traffic and spec.cluster.kubeProxy: every key, the defaults, and every
// error with its file:line:column and key path (CSV traces' errors at the
// CSV's line), the call-graph cycle, and the traffic annotations of pods and
// Services.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <unistd.h>

#include "models/scenario/scenario.h"
#include "tests/scenario/load_errors.h"
#include "tests/support/scenario_text.h"

using kubesim::ArrivalSpec;
using kubesim::Duration;
using kubesim::KubeProxyConfig;
using kubesim::LoadBalancing;
using kubesim::TrafficSpec;
using kubesim_test::all_errors;
using kubesim_test::check_errors;
using kubesim_test::kFixtures;
using Process = kubesim::ArrivalSpec::Process;

namespace {

const kubesim::Scenario& traffic_scenario() {
  static const kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "traffic.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  return *r.scenario;
}

const TrafficSpec& entry(const std::string& service) {
  for (const TrafficSpec& t : traffic_scenario().traffic) {
    if (t.service == service) return t;
  }
  FAIL("no traffic entry " << service);
  throw;
}

kubesim::LoadResult load_text(const std::string& text) {
  return kubesim::testing::load_scenario_text(text, "traffic_parser");
}

const std::string& kHead = kubesim::testing::kScenarioHead;

}  // namespace

TEST_CASE("traffic: an entry with every key") {
  const TrafficSpec& web = entry("web");
  CHECK(web.where == kFixtures + "traffic.yaml:39");  // the line of `- service: web`
  CHECK(web.namespace_ == "default");
  CHECK_FALSE(web.fluid);
  CHECK(web.arrival.process == Process::kPoisson);
  CHECK(web.arrival.rate_per_second == 210);
  CHECK(web.service_time.in_seconds().kind() == kubesim::Distribution::Kind::kExponential);
  CHECK(web.service_time.mean() == Duration::millis(10));
  // A plain duration is fixed(duration).
  REQUIRE(web.cpu_per_request.has_value());
  CHECK(web.cpu_per_request->in_seconds().kind() == kubesim::Distribution::Kind::kDeterministic);
  CHECK(web.cpu_per_request->mean() == Duration::millis(8));
  CHECK(web.timeout == Duration::seconds(2));
  CHECK(web.retry_attempts == 2);
  CHECK(web.retry_backoff.mean() == Duration::millis(100));
  CHECK(web.clients == 50);
  CHECK(web.start == Duration::seconds(30));
  REQUIRE(web.calls.size() == 3);
  CHECK(web.calls[0].service == "api");
  CHECK(web.calls[0].probability == 0.5);
  CHECK(web.calls[0].parallel);
  CHECK(web.calls[1].service == "cache");
  CHECK(web.calls[1].probability == 1);  // default
  CHECK(web.calls[1].parallel);
  CHECK(web.calls[2].service == "db");
  CHECK_FALSE(web.calls[2].parallel);  // default: sequential
}

TEST_CASE("traffic: defaults of an entry") {
  const TrafficSpec& api = entry("api");
  const TrafficSpec defaults;
  CHECK(api.arrival.process == Process::kNone);  // no arrival: only called by others
  CHECK(api.namespace_ == "default");
  CHECK_FALSE(api.fluid);
  CHECK(api.start == Duration::zero());
  CHECK(api.clients == 1);
  CHECK_FALSE(api.cpu_per_request.has_value());  // the service time drawn
  CHECK_FALSE(api.timeout.has_value());          // never
  CHECK(api.retry_attempts == 0);
  CHECK(api.retry_backoff.mean() == Duration::zero());
  CHECK(defaults.service_time.mean() == Duration::millis(10));
  // lognormal(5ms, 0.5): mean = median * e^(sigma^2 / 2) = 5 ms * e^0.125.
  CHECK(api.service_time.in_seconds().mean() == Approx(0.005 * std::exp(0.125)).epsilon(1e-9));
  REQUIRE(api.calls.size() == 1);
  CHECK(api.calls[0].probability == 0.25);
  // empirical(samples/start.csv), relative to the scenario file: 0.5 s, 1.5 s,
  // 2000 ms -> mean 4/3 s.
  CHECK(entry("db").service_time.in_seconds().mean() == Approx(4.0 / 3).epsilon(1e-12));
  const TrafficSpec& bulk = entry("bulk");
  CHECK(bulk.namespace_ == "batch");
  CHECK_FALSE(bulk.fluid);  // mode: request
  CHECK(entry("feed").fluid);
  // `late`'s outside traffic starts at 1h.
  CHECK(entry("late").start == Duration::hours(1));
  CHECK(traffic_scenario().traffic.size() == 9);
}

TEST_CASE("traffic: schedule, diurnal and bursty arrivals") {
  // Steps at 10m and 1h: the loader puts {0s, 0} in front (no arrivals before the first step).
  const ArrivalSpec& cache = entry("cache").arrival;
  CHECK(cache.process == Process::kSchedule);
  REQUIRE(cache.schedule.size() == 3);
  CHECK(cache.schedule[0].at == Duration::zero());
  CHECK(cache.schedule[0].rate == 0);
  CHECK(cache.schedule[1].at == Duration::minutes(10));
  CHECK(cache.schedule[1].rate == 5);
  CHECK(cache.schedule[2].at == Duration::hours(1));
  CHECK(cache.schedule[2].rate == 0.5);

  const ArrivalSpec& feed = entry("feed").arrival;
  CHECK(feed.process == Process::kDiurnal);
  CHECK(feed.peak == 100);
  CHECK(feed.trough == 10);
  CHECK(feed.peak_at == Duration::hours(14));
  CHECK(feed.period == Duration::hours(12));
  const ArrivalSpec& bulk = entry("bulk").arrival;  // defaults
  CHECK(bulk.peak == 8);
  CHECK(bulk.trough == 0);
  CHECK(bulk.peak_at == Duration::hours(12));
  CHECK(bulk.period == Duration::hours(24));

  const ArrivalSpec& late = entry("late").arrival;
  CHECK(late.process == Process::kBursty);
  CHECK(late.on_rate == 50);
  CHECK(late.off_rate == 0);  // default
  REQUIRE(late.on_duration.has_value());
  CHECK(late.on_duration->mean() == Duration::minutes(1));
  REQUIRE(late.off_duration.has_value());
  CHECK(late.off_duration->mean() == Duration::minutes(4));
}

TEST_CASE("traffic: replay traces of timestamps and of rates") {
  // traces/timestamps.csv: a header, a comment, a blank line; seconds or durations.
  const ArrivalSpec& trace = entry("trace").arrival;
  CHECK(trace.process == Process::kReplay);
  CHECK(trace.timestamps == std::vector<Duration>{Duration::millis(500), Duration::millis(1500),
                                                  Duration::seconds(2), Duration::millis(2250)});
  CHECK(trace.interval_rates.empty());
  CHECK_FALSE(trace.loop);
  CHECK(trace.interval == Duration::seconds(60));
  // traces/rates.csv: a header, then 10, 0, 2.5.
  const ArrivalSpec& rates = entry("rates").arrival;
  CHECK(rates.interval_rates == std::vector<double>{10, 0, 2.5});
  CHECK(rates.timestamps.empty());
  CHECK(rates.interval == Duration::minutes(5));
  CHECK(rates.loop);
}

TEST_CASE("traffic: kube-proxy mode, IPVS scheduler and propagation delay") {
  const KubeProxyConfig& kp = traffic_scenario().kube_proxy;
  CHECK(kp.mode == KubeProxyConfig::Mode::kIpvs);
  CHECK(kp.ipvs_scheduler == "lc");
  CHECK(kp.load_balancing == LoadBalancing::kLeastConnections);
  CHECK(kp.propagation_delay.mean() == Duration::seconds(2));
  CHECK(kp.propagation_delay.in_seconds().kind() == kubesim::Distribution::Kind::kExponential);

  // No kubeProxy: iptables (random), one sync at minSyncPeriod 1 s.
  const kubesim::LoadResult none = load_text(kHead + "spec: {duration: 1h}\n");
  INFO(all_errors(none.errors));
  REQUIRE(none.scenario.has_value());
  CHECK(none.scenario->kube_proxy.mode == KubeProxyConfig::Mode::kIptables);
  CHECK(none.scenario->kube_proxy.load_balancing == LoadBalancing::kRandom);
  CHECK(none.scenario->kube_proxy.propagation_delay.mean() == Duration::seconds(1));
  CHECK(none.scenario->traffic.empty());
}

TEST_CASE("traffic: each kube-proxy mode and IPVS scheduler gives its load balancing") {
  // iptables and nftables choose uniformly at random; IPVS rr and wrr are
  // round-robin (kubesim's endpoints have equal weights), lc and wlc least
  // connections, sh and mh a hash of the source. ipvs without a scheduler: rr
  // (pkg/proxy/ipvs/proxier.go defaultScheduler).
  using Mode = KubeProxyConfig::Mode;
  const auto [yaml, mode, scheduler,
              lb] = GENERATE(table<std::string, Mode, std::string, LoadBalancing>({
      {"{mode: iptables}", Mode::kIptables, "rr", LoadBalancing::kRandom},
      {"{mode: nftables}", Mode::kNftables, "rr", LoadBalancing::kRandom},
      {"{mode: ipvs}", Mode::kIpvs, "rr", LoadBalancing::kRoundRobin},
      {"{mode: ipvs, ipvs: {scheduler: rr}}", Mode::kIpvs, "rr", LoadBalancing::kRoundRobin},
      {"{mode: ipvs, ipvs: {scheduler: wrr}}", Mode::kIpvs, "wrr", LoadBalancing::kRoundRobin},
      {"{mode: ipvs, ipvs: {scheduler: lc}}", Mode::kIpvs, "lc", LoadBalancing::kLeastConnections},
      {"{mode: ipvs, ipvs: {scheduler: wlc}}", Mode::kIpvs, "wlc",
       LoadBalancing::kLeastConnections},
      {"{mode: ipvs, ipvs: {scheduler: sh}}", Mode::kIpvs, "sh", LoadBalancing::kSourceHash},
      {"{mode: ipvs, ipvs: {scheduler: mh}}", Mode::kIpvs, "mh", LoadBalancing::kSourceHash},
  }));
  const kubesim::LoadResult r =
      load_text(kHead + "spec:\n  cluster:\n    kubeProxy: " + yaml + "\n");
  INFO(yaml << "\n" << all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  CHECK(r.scenario->kube_proxy.mode == mode);
  CHECK(r.scenario->kube_proxy.ipvs_scheduler == scheduler);
  CHECK(r.scenario->kube_proxy.load_balancing == lb);
}

TEST_CASE("traffic: errors in entries, arrivals and across entries") {
  check_errors(
      "traffic_errors.yaml",
      {
          {"traffic_errors.yaml", 10, 16, "spec.traffic[0].service", "did you mean \"web\""},
          {"traffic_errors.yaml", 11, 7, "spec.traffic[0].arrivals", "did you mean \"arrival\""},
          {"traffic_errors.yaml", 13, 13, "spec.traffic[1].mode",
           "expected one of: request, fluid"},
          {"traffic_errors.yaml", 14, 14, "spec.traffic[1].start", "invalid duration \"-1s\""},
          {"traffic_errors.yaml", 15, 16, "spec.traffic[1].clients", "must be at least 1"},
          {"traffic_errors.yaml", 16, 20, "spec.traffic[1].serviceTime", "invalid distribution"},
          {"traffic_errors.yaml", 17, 22, "spec.traffic[1].cpuPerRequest",
           "or a plain duration such as 10ms"},
          {"traffic_errors.yaml", 18, 16, "spec.traffic[1].timeout", "must be greater than 0"},
          {"traffic_errors.yaml", 19, 27, "spec.traffic[1].retries.attempts",
           "greater than or equal to 0"},
          {"traffic_errors.yaml", 19, 31, "spec.traffic[1].retries.backof",
           "did you mean \"backoff\""},
          {"traffic_errors.yaml", 20, 43, "spec.traffic[1].calls[0].probability",
           "must be in (0, 1]"},
          // db's entry is in namespace `other`: default/dbb has no entry, and
          // the nearest name in default is the (misspelt) first entry's.
          {"traffic_errors.yaml", 20, 57, "spec.traffic[1].calls[1].service",
           "no traffic entry for Service default/dbb"},
          {"traffic_errors.yaml", 20, 68, "spec.traffic[1].calls[1].mode",
           "expected one of: sequential, parallel"},
          {"traffic_errors.yaml", 22, 26, "spec.traffic[2].arrival.process",
           "did you mean \"poisson\""},
          {"traffic_errors.yaml", 23, 16, "spec.traffic[3].service",
           "duplicate traffic entry for Service default/api (first at line 21)"},
          {"traffic_errors.yaml", 24, 50, "spec.traffic[3].arrival.ratePerSecond",
           "greater than or equal to 0"},
          {"traffic_errors.yaml", 25, 16, "spec.traffic[4].service", "no Service other/db"},
          {"traffic_errors.yaml", 27, 77, "spec.traffic[4].arrival.steps[1].at",
           "1m is not after the previous step's 1m"},
          {"traffic_errors.yaml", 27, 96, "spec.traffic[4].arrival.steps[1].ratePerSecond",
           "expected a number, got the string \"x\""},
          {"traffic_errors.yaml", 28, 16, "spec.traffic[5].service",
           "duplicate traffic entry for Service default/web (first at line 12)"},
          {"traffic_errors.yaml", 29, 52, "spec.traffic[5].arrival.trough",
           "must not be greater than the peak"},
          {"traffic_errors.yaml", 29, 63, "spec.traffic[5].arrival.peakAt", "invalid duration"},
          {"traffic_errors.yaml", 29, 76, "spec.traffic[5].arrival.period", "greater than 0"},
          {"traffic_errors.yaml", 30, 16, "spec.traffic[6].service", "duplicate"},
          {"traffic_errors.yaml", 31, 16, "spec.traffic[6].arrival",
           "missing required key \"onDuration\""},
          // Quoted: a string, not a number.
          {"traffic_errors.yaml", 31, 42, "spec.traffic[6].arrival.onRate",
           "expected a number, got the string \"5\""},
          {"traffic_errors.yaml", 31, 60, "spec.traffic[6].arrival.offDuration",
           "must have a mean greater than 0"},
          {"traffic_errors.yaml", 32, 16, "spec.traffic[7].service", "duplicate"},
          {"traffic_errors.yaml", 33, 40, "spec.traffic[7].arrival.file",
           "cannot open replay file"},
          {"traffic_errors.yaml", 33, 65, "spec.traffic[7].arrival.format",
           "expected one of: timestamps, rates"},
          {"traffic_errors.yaml", 33, 81, "spec.traffic[7].arrival.interval", "greater than 0"},
          {"traffic_errors.yaml", 34, 16, "spec.traffic[8].service", "duplicate"},
          {"traffic_errors.yaml", 35, 43, "spec.traffic[8].arrival.steps",
           "expected at least one step"},
          {"traffic_errors.yaml", 36, 7, "spec.traffic[9]", "missing required key \"service\""},
      });
}

TEST_CASE("traffic: a cycle in the call graph is an error naming it") {
  // web -> api -> db -> web closes at db's second call; log calls itself. A
  // request-mode entry cannot call a fluid-mode one, and a fluid one has no
  // timeout.
  check_errors(
      "traffic_cycle.yaml",
      {
          {"traffic_cycle.yaml", 13, 41, "spec.traffic[0].calls[1].service",
           "a request-mode entry cannot call Service log, whose mode is fluid"},
          {"traffic_cycle.yaml", 17, 25, "spec.traffic[2].calls[0].service",
           "cannot call Service log"},
          {"traffic_cycle.yaml", 17, 31, "spec.traffic[2].calls[1]",
           "call graph has a cycle: web -> api -> db -> web"},
          {"traffic_cycle.yaml", 20, 15, "spec.traffic[3].calls[0]",
           "call graph has a cycle: log -> log"},
          // Fluid mode has no single requests to time out.
          {"traffic_cycle.yaml", 21, 16, "spec.traffic[3].timeout", "not modelled in fluid mode"},
      });
}

TEST_CASE("traffic: errors in replay traces name the CSV's line") {
  check_errors(
      "traffic_replay_errors.yaml",
      {
          {"traffic_replay_errors.yaml", 22, 40, "spec.traffic[4].arrival.file",
           "holds no timestamps"},
          {"traffic_replay_errors.yaml", 24, 63, "spec.traffic[5].arrival.loop",
           "must span a positive time"},
          {"traces/bad_rate.csv", 2, 1, "spec.traffic[2].arrival.file",
           "a rate must be greater than or equal to 0, got -1"},
          {"traces/bad_rate_text.csv", 3, 2, "spec.traffic[3].arrival.file",
           "expected a rate (requests per second), got \"fast\""},
          // Line 1 is a header; line 3's first field is not an offset.
          {"traces/bad_timestamp.csv", 3, 1, "spec.traffic[0].arrival.file",
           "expected an arrival offset (seconds, or a duration such as 1.5s), got \"soon\""},
          {"traces/unsorted.csv", 2, 3, "spec.traffic[1].arrival.file",
           "timestamps must be in order: 500ms is before the previous 1s"},
      });
}

TEST_CASE("traffic: errors in kubeProxy") {
  check_errors("kube_proxy_errors.yaml",
               {
                   {"kube_proxy_errors.yaml", 8, 25, "spec.cluster.kubeProxy.ipvs.scheduler",
                    "IPVS scheduler \"dh\" is not modelled; supported: rr, wrr, lc, wlc, sh, mh"},
                   {"kube_proxy_errors.yaml", 8, 29, "spec.cluster.kubeProxy.ipvs.weight",
                    "unknown key \"weight\""},
                   {"kube_proxy_errors.yaml", 9, 25, "spec.cluster.kubeProxy.propagationDelay",
                    "invalid distribution \"soon\""},
                   {"kube_proxy_errors.yaml", 10, 7, "spec.cluster.kubeProxy.syncPeriod",
                    "unknown key \"syncPeriod\""},
               });
  // Line 6 of each text below (kHead is 3 lines, then spec:, cluster:,
  // kubeProxy); the value starts at column 16, after "    kubeProxy: ".
  const auto [yaml, column, path, message] =
      GENERATE(table<std::string, int, std::string, std::string>({
          {"{ipvs: {scheduler: lc}}", 23, "spec.cluster.kubeProxy.ipvs", "only with `mode: ipvs`"},
          {"{mode: nftables, ipvs: {scheduler: lc}}", 39, "spec.cluster.kubeProxy.ipvs",
           "only with `mode: ipvs`"},
          {"{mode: ipvs, ipvs: {scheduler: rrr}}", 47, "spec.cluster.kubeProxy.ipvs.scheduler",
           "unknown IPVS scheduler \"rrr\"; supported: rr, wrr, lc, wlc, sh, mh; did you mean "
           "\"rr\"?"},
          {"{mode: userspace}", 23, "spec.cluster.kubeProxy.mode",
           "expected one of: iptables, ipvs, nftables"},
      }));
  const kubesim::LoadResult r =
      load_text(kHead + "spec:\n  cluster:\n    kubeProxy: " + yaml + "\n");
  INFO(yaml << "\n" << all_errors(r.errors));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 6);
  CHECK(r.errors[0].column == column);
  CHECK(r.errors[0].path == path);
  CHECK_THAT(r.errors[0].message, Catch::Contains(message));
}

TEST_CASE("traffic: concurrency, queue capacity and load-balancer annotations are checked") {
  const std::string pod = "spec.workloads[0].metadata.annotations.";
  const std::string tmpl = "spec.workloads[1].spec.template.metadata.annotations.";
  auto svc = [](int i) {
    return "spec.workloads[" + std::to_string(i) + "].metadata.annotations.";
  };
  check_errors(
      "traffic_annotations.yaml",
      {
          {"traffic_annotations.yaml", 10, 47, pod + "kubesim.io/concurrency",
           "must be at least 1, got 0"},
          {"traffic_annotations.yaml", 10, 79, pod + "kubesim.io/queue-capacity",
           "must be at least 0, got -1"},
          {"traffic_annotations.yaml", 20, 51, tmpl + "kubesim.io/concurrency",
           "expected an integer >= 1, got \"two\""},
          {"traffic_annotations.yaml", 26, 49, svc(2) + "kubesim.io/load-balancer",
           "did you mean \"least-connections\""},
          {"traffic_annotations.yaml", 26, 90, svc(2) + "kubesim.io/lb-choices",
           "must be at least 1, got 0"},
          {"traffic_annotations.yaml", 32, 46, svc(3) + "kubesim.io/lb-choices",
           "only with kubesim.io/load-balancer: power-of-d"},
          {"traffic_annotations.yaml", 38, 85, svc(4) + "kubesim.io/lb-choices",
           "power-of-d, not round-robin"},
          // Unquoted, once: annotations are strings (as in Kubernetes).
          {"traffic_annotations.yaml", 44, 84, svc(5) + "kubesim.io/lb-choices", "quote it: \"2\""},
      });
  // Valid values load and stay on the objects for the model to read.
  const kubesim::Scenario& s = traffic_scenario();
  CHECK(s.objects.pods.at(0).annotations.at("kubesim.io/concurrency") == "4");
  CHECK(s.objects.services.at(0).metadata.annotations.at("kubesim.io/lb-choices") == "3");
}

TEST_CASE("traffic: malformed traffic sections give errors, never exceptions") {
  const std::string services =
      "  workloads: [{apiVersion: v1, kind: Service, metadata: {name: web}, spec: {}}]\n";
  const std::string body = GENERATE(
      as<std::string>{}, "  traffic: {service: web}\n", "  traffic: [1, [2], null]\n",
      "  traffic: [{service: [web]}]\n", "  traffic: [{service: web, calls: {a: 1}}]\n",
      "  traffic: [{service: web, calls: [1, {service: [x]}, {}]}]\n",
      "  traffic: [{service: web, arrival: 3}]\n", "  traffic: [{service: web, arrival: {}}]\n",
      "  traffic: [{service: web, arrival: {process: [poisson]}}]\n",
      "  traffic: [{service: web, arrival: {process: schedule, steps: [1, {at: [1]}]}}]\n",
      "  traffic: [{service: web, arrival: {process: replay, file: [x]}}]\n",
      "  traffic: [{service: web, arrival: {process: bursty, onDuration: 1, offDuration: [1]}}]\n",
      "  traffic: [{service: web, retries: 2, serviceTime: {a: 1}}]\n",
      "  traffic: [{service: web, arrival: {process: poisson, ratePerSecond: .inf}}]\n",
      "  cluster: {kubeProxy: [ipvs]}\n", "  cluster: {kubeProxy: {ipvs: 3, mode: ipvs}}\n");
  const kubesim::LoadResult r = load_text(kHead + "spec:\n" + services + body);
  INFO(body << all_errors(r.errors));
  CHECK_FALSE(r.scenario.has_value());
  CHECK_FALSE(r.errors.empty());
  for (const kubesim::LoadError& e : r.errors) {
    CHECK(e.line > 0);
    CHECK_THAT(e.message, !Catch::Contains("internal error"));
  }
}

TEST_CASE("traffic: a Service created later by an apply event cannot carry traffic") {
  // kube-proxies and the traffic engine track their Services from the start
  // (ClusterRuntime builds them before the first event).
  const kubesim::LoadResult r =
      load_text(kHead +
                "spec:\n"
                "  events:\n"
                "    - at: 1m\n"
                "      apply:\n"
                "        manifests:\n"
                "          - {apiVersion: v1, kind: Service, metadata: {name: late}, spec: {}}\n"
                "  traffic:\n"
                "    - service: late\n");
  INFO(all_errors(r.errors));
  CHECK_FALSE(r.scenario.has_value());
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].path == "spec.traffic[0].service");
  CHECK(r.errors[0].line == 11);  // kHead (3) + 7 lines + 1
  CHECK_THAT(r.errors[0].message, Catch::Contains("traffic needs its Service from the start"));
}
