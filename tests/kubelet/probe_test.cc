// Probes, behaviours, crashes, node faults and the lazy probe timers. Every
// expected time is derived in a comment from test_config(): watch latency
// 5 ms, container start fixed 1 s, images cached on the node (no pulls).
#include <catch2/catch.hpp>

#include <random>

#include "models/kubelet/behavior.h"
#include "models/kubelet/prober.h"
#include "tests/kubelet/kubelet_test_cluster.h"

using namespace kubesim;
using namespace kubesim::kubelet_test;

namespace {

SimTime ms(int64_t v) {
  return KubeletTestCluster::at_ms(v);
}

Probe probe(int32_t period = 10, int32_t failure = 3, int32_t delay = 0, int32_t success = 1) {
  Probe p;
  p.enabled = true;
  p.period_seconds = period;
  p.failure_threshold = failure;
  p.initial_delay_seconds = delay;
  p.success_threshold = success;
  return p;
}

// A pod whose image is cached (no pull): bound at 0, seen (and its probe
// workers started) at 5 ms, running at 1.005 s.
Pod pod_with(std::string name, std::map<std::string, std::string> annotations = {},
             RestartPolicy policy = RestartPolicy::kAlways) {
  Pod p = KubeletTestCluster::make_pod(std::move(name), "app:1");
  p.annotations = std::move(annotations);
  p.spec.restart_policy = policy;
  return p;
}

// Every node has the image: no pulls.
void cache(KubeletTestCluster& c) {
  for (auto& n : c.objects.nodes)
    n.images.push_back({{"app:1"}, 100 * kMiB});
}

}  // namespace

TEST_CASE("kubelet: CrashLoopBackOff restarts crash-on-start containers at 0, 10, 20 ... 300 s") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  c.bind_now(pod_with("crash", {{kAnnotationBehavior, "crash-on-start"}}), c.node(0));
  c.run_for(Duration::seconds(1500));
  // Each run exits at its start. Start 1.005 s; restart k starts back-off(k)
  // + 1 s (container start) after exit k: back-offs 0, 10, 20, 40, 80, 160,
  // 300, 300 (each run lasts 0 s, far below the 10-minute reset).
  // Exits: 1.005, 2.005 (+0+1), 13.005 (+10+1), 34.005, 75.005, 156.005,
  // 317.005, 618.005, 919.005, ...
  const std::vector<SimTime> restarts = c.times(PodEvent::kRestarted, "crash");
  REQUIRE(restarts.size() >= 8);
  const std::vector<SimTime> expected{ms(2005),   ms(13005),  ms(34005),  ms(75005),
                                      ms(156005), ms(317005), ms(618005), ms(919005)};
  CHECK(std::vector<SimTime>(restarts.begin(), restarts.begin() + 8) == expected);
  // PodCrashed at each exit; PodBackOff for each delayed restart, with the delay.
  CHECK(c.details(PodEvent::kCrashed, "crash").front() == "exit code 1: crash-on-start");
  const auto backoffs = c.details(PodEvent::kBackOff, "crash");
  REQUIRE(backoffs.size() >= 7);
  CHECK(std::vector<std::string>(backoffs.begin(), backoffs.begin() + 7) ==
        std::vector<std::string>{"back-off 10s", "back-off 20s", "back-off 40s", "back-off 80s",
                                 "back-off 160s", "back-off 5m", "back-off 5m"});
  // Never ready: every run exits before anything can become ready.
  CHECK(c.times(PodEvent::kReady, "crash").empty());
}

TEST_CASE("kubelet: the back-off resets after 10 minutes of running (crash-after)") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  c.bind_now(pod_with("slow", {{kAnnotationBehavior, "crash-after: fixed(11m)"}}), c.node(0));
  c.run_for(Duration::minutes(40));
  // Runs from 1.005 s; exits 660 s later (661.005 s): first restart immediate
  // + 1 s -> 662.005 s. The next exit (1322.005 s) is 660 s after the last
  // restart, more than 2 x 300 s: the entry expired, immediate again.
  CHECK(c.times(PodEvent::kRestarted, "slow") ==
        std::vector<SimTime>{ms(662005), ms(1323005), ms(1984005)});
  CHECK(c.times(PodEvent::kBackOff, "slow").empty());
  CHECK(c.details(PodEvent::kCrashed, "slow").front() == "exit code 1: crash-after");
}

TEST_CASE("kubelet: a readiness probe with an initial delay gates Ready") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  Pod p = pod_with("web");
  p.spec.containers[0].readiness_probe = probe(10, 3, 5);
  c.bind_now(p, c.node(0));
  c.run_for(Duration::seconds(60));
  // The container starts at 1.005 s; the manual run then is inside the 5 s
  // initial delay but restarts the ticker: ticks 11.005 s, 21.005 s...
  // Elapsed 10 s >= 5 s at 11.005 s: first probe succeeds -> Ready.
  CHECK(c.first(PodEvent::kStarted, "web") == ms(1005));
  CHECK(c.times(PodEvent::kReady, "web") == std::vector<SimTime>{ms(11005)});
}

TEST_CASE("kubelet: a readiness probe without delay runs as the container starts") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  Pod p = pod_with("web", {{kAnnotationBehavior, "slow-start: fixed(25s)"}});
  p.spec.containers[0].readiness_probe = probe(10, 3);
  c.bind_now(p, c.node(0));
  c.run_for(Duration::seconds(60));
  // Manual run at 1.005 s fails (slow start until 26.005 s); ticks 11.005,
  // 21.005 fail (3 failures in a row: PodUnhealthy at 21.005 s), 31.005
  // succeeds -> Ready.
  CHECK(c.times(PodEvent::kUnhealthy, "web") == std::vector<SimTime>{ms(21005)});
  CHECK(c.times(PodEvent::kReady, "web") == std::vector<SimTime>{ms(31005)});
}

TEST_CASE("kubelet: never-ready pods run but never become Ready") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  Pod p = pod_with("nr", {{kAnnotationBehavior, "never-ready"}});
  p.spec.containers[0].readiness_probe = probe();
  const PodId id = c.bind_now(p, c.node(0));
  c.run_for(Duration::minutes(10));
  CHECK(c.times(PodEvent::kReady, "nr").empty());
  CHECK(c.pod(id).phase == PodPhase::kRunning);
  // Failures at 1.005 (manual), 11.005, 21.005: threshold reached once.
  CHECK(c.times(PodEvent::kUnhealthy, "nr") == std::vector<SimTime>{ms(21005)});
}

TEST_CASE("kubelet: a hung container is killed at the liveness failure threshold") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  Pod p = pod_with("hang", {{kAnnotationBehavior, "hang-after: fixed(32s)"}});
  p.spec.containers[0].liveness_probe = probe(10, 3);
  c.bind_now(p, c.node(0));
  c.run_for(Duration::seconds(100));
  // Liveness worker from 5 ms: ticks 0.005, 10.005, 20.005, ... The
  // container starts at 1.005 s and hangs at 33.005 s. Failures at 40.005,
  // 50.005, 60.005: the third kills it (shutdown 0 s -> exit code 143 at
  // once), first restart immediate + 1 s start -> 61.005 s.
  CHECK(c.times(PodEvent::kUnhealthy, "hang") == std::vector<SimTime>{ms(60005)});
  CHECK(c.times(PodEvent::kKilling, "hang") == std::vector<SimTime>{ms(60005)});
  CHECK(c.details(PodEvent::kKilling, "hang") ==
        std::vector<std::string>{"Container main failed liveness probe, will be restarted"});
  CHECK(c.details(PodEvent::kCrashed, "hang") ==
        std::vector<std::string>{"exit code 143: Liveness probe failed"});
  CHECK(c.first(PodEvent::kRestarted, "hang") == ms(61005));
  // Ready at start (no readiness probe), not ready at the kill, ready again.
  CHECK(c.times(PodEvent::kNotReady, "hang") == std::vector<SimTime>{ms(60005)});
  CHECK(c.times(PodEvent::kReady, "hang") == std::vector<SimTime>{ms(1005), ms(61005)});
}

TEST_CASE("kubelet: the startup probe gates readiness, which runs as startup succeeds") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  Pod p = pod_with("st", {{kAnnotationBehavior, "slow-start: fixed(14s)"}});
  p.spec.containers[0].startup_probe = probe(5, 30);
  p.spec.containers[0].readiness_probe = probe(10, 3);
  c.bind_now(p, c.node(0));
  c.run_for(Duration::seconds(60));
  // Startup ticks from 5 ms every 5 s: 5.005, 10.005 fail (ok from 15.005),
  // 15.005 succeeds -> started; readiness runs at once (succeeds) -> Ready.
  CHECK(c.times(PodEvent::kReady, "st") == std::vector<SimTime>{ms(15005)});
}

TEST_CASE("kubelet: a startup failure kills the container") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  Pod p = pod_with("st", {{kAnnotationBehavior, "slow-start: fixed(1h)"}});
  p.spec.containers[0].startup_probe = probe(10, 3);
  c.bind_now(p, c.node(0));
  c.run_for(Duration::seconds(40));
  // Ticks 10.005, 20.005, 30.005 fail -> kill at 30.005, restart 31.005.
  CHECK(c.times(PodEvent::kKilling, "st") == std::vector<SimTime>{ms(30005)});
  CHECK(c.first(PodEvent::kRestarted, "st") == ms(31005));
}

TEST_CASE("kubelet: crash_container exits now and restarts with the back-off") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  const PodId id = c.bind_now(pod_with("web"), c.node(0));
  c.run_for(Duration::seconds(10));
  c.kubelets->crash_container(id, 2, "oom");
  c.run_for(Duration::seconds(10));
  // Crash at 10 s: first restart immediate + 1 s.
  CHECK(c.details(PodEvent::kCrashed, "web") == std::vector<std::string>{"exit code 2: oom"});
  CHECK(c.times(PodEvent::kRestarted, "web") == std::vector<SimTime>{ms(11000)});
  CHECK(c.pod(id).status.restarts == 1);
}

TEST_CASE("kubelet: node_down stops everything without API writes; node_up restarts") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  const PodId id = c.bind_now(pod_with("web"), c.node(0));
  c.run_for(Duration::seconds(10));
  const int64_t rv = c.pod(id).resource_version;
  c.kubelets->node_down(c.node(0));
  CHECK(c.kubelets->node_is_down(c.node(0)));
  CHECK(c.details(PodEvent::kNotReady, "web") == std::vector<std::string>{"NodeDown"});
  CHECK(c.pod(id).status.ready);  // nobody told the API
  CHECK(c.pod(id).resource_version == rv);
  // A pod bound while down waits for the kubelet.
  c.bind_now(pod_with("late"), c.node(0));
  c.run_for(Duration::seconds(20));
  CHECK(c.times(PodEvent::kStarted, "late").empty());
  c.kubelets->node_up(c.node(0));  // at 30 s
  c.run_for(Duration::seconds(10));
  // Restarted after one container start (1 s); the late pod is admitted.
  CHECK(c.times(PodEvent::kRestarted, "web") == std::vector<SimTime>{ms(31000)});
  CHECK(c.first(PodEvent::kStarted, "late") == ms(31000));
  CHECK(c.pod(id).status.ready);
  CHECK(c.pod(id).status.restarts == 1);
}

TEST_CASE("kubelet: a partitioned kubelet holds its writes and relists at heal") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  const PodId a =
      c.bind_now(pod_with("a", {{kAnnotationBehavior, "crash-after: fixed(20s)"}}), c.node(0));
  const PodId b = c.bind_now(pod_with("b"), c.node(0));
  c.run_for(Duration::seconds(10));
  c.kubelets->partition(c.node(0));
  c.api->delete_pod(b);  // the kubelet does not hear of it
  c.run_for(Duration::seconds(30));
  // a crashed at 21.005 s and restarted at 22.005 s locally: records, no writes.
  CHECK(c.times(PodEvent::kRestarted, "a") == std::vector<SimTime>{ms(22005)});
  CHECK(c.pod(a).status.restarts == 0);
  CHECK(c.pod(b).status.terminating);
  CHECK(!c.pod(b).status.deleted);
  c.kubelets->heal(c.node(0));  // at 40 s
  CHECK(c.pod(a).status.restarts == 1);
  c.run_for(Duration::seconds(1));
  CHECK(c.pod(b).status.deleted);  // killed (shutdown 0 s) and removed
}

TEST_CASE("kubelet: with auto restart off, containers stay down until restart_pod") {
  KubeletTestCluster c;
  cache(c);
  c.boot();
  c.kubelets->set_auto_restart(false);
  Pod p = pod_with("m", {{kAnnotationBehavior, "hang-after: fixed(30s)"}});
  p.spec.containers[0].liveness_probe = probe(10, 3);
  const PodId id = c.bind_now(p, c.node(0));
  c.run_for(Duration::seconds(120));
  // Hung at 31.005 s; liveness failures 40.005, 50.005, 60.005: Unhealthy,
  // no kill. The pod stays Running (Ready: it has no readiness probe).
  CHECK(c.times(PodEvent::kUnhealthy, "m") == std::vector<SimTime>{ms(60005)});
  CHECK(c.times(PodEvent::kKilling, "m").empty());
  CHECK(c.pod(id).phase == PodPhase::kRunning);
  c.kubelets->crash_container(id, 1, "crash");
  c.run_for(Duration::seconds(60));
  CHECK(c.times(PodEvent::kRestarted, "m").empty());
  CHECK(!c.pod(id).status.ready);
  CHECK(c.kubelets->containers_running(id) == 0);
  c.kubelets->restart_pod(id);  // at 180 s
  c.run_for(Duration::seconds(5));
  CHECK(c.times(PodEvent::kRestarted, "m") == std::vector<SimTime>{ms(181000)});
  CHECK(c.pod(id).status.ready);
}

TEST_CASE("behavior: parse and reject") {
  auto b = parse_container_behavior("slow-start: fixed(20s); hang-after: exponential(1h)");
  REQUIRE(b);
  CHECK(b->slow_start.has_value());
  CHECK(b->hang_after.has_value());
  CHECK(!b->crash_on_start);
  CHECK(parse_container_behavior("never-ready")->never_ready);
  CHECK(!parse_container_behavior("hang"));
  CHECK(!parse_container_behavior("crash-after"));
  CHECK(!parse_container_behavior("never-ready: 1s"));
  CHECK(!parse_container_behavior("crash-after: fixed(1x)"));
  CHECK(!parse_container_behavior("never-ready; never-ready"));
}

TEST_CASE("prober: next_effect equals stepping every tick") {
  // Random probes and answers: the first tick with an effect found by
  // stepping equals next_effect, and skip_quiet's counters match.
  std::mt19937_64 gen(7);
  for (int trial = 0; trial < 3000; ++trial) {
    const auto kind = static_cast<ProbeKind>(gen() % 3);
    Probe spec = probe(1 + static_cast<int32_t>(gen() % 12), 1 + static_cast<int32_t>(gen() % 4),
                       static_cast<int32_t>(gen() % 15),
                       kind == ProbeKind::kReadiness ? 1 + static_cast<int32_t>(gen() % 3) : 1);
    const SimTime start =
        SimTime::zero() + Duration::micros(static_cast<int64_t>(gen() % 20'000'000));
    ProbeWorker w = ProbeWorker::start(spec, kind, start);
    ProbeView v;
    v.running = true;
    v.started_at = start + Duration::micros(static_cast<int64_t>(gen() % 30'000'000));
    v.started = kind != ProbeKind::kStartup;
    v.ready = kind == ProbeKind::kReadiness && gen() % 2;
    v.answers.ok_from = v.started_at + Duration::micros(static_cast<int64_t>(gen() % 60'000'000));
    v.answers.hang_at =
        gen() % 3 ? v.started_at + Duration::micros(static_cast<int64_t>(gen() % 200'000'000))
                  : SimTime::max();
    v.answers.never_ok = gen() % 5 == 0;
    ProbeWorker stepped = w;
    SimTime found = SimTime::max();
    for (int k = 0; k < 400; ++k) {
      const SimTime t = stepped.next_tick();
      ProbeWorker before = stepped;
      const ProbeTick r = stepped.tick(v, t);
      if (w.effect(v, r)) {
        found = t;
        stepped = before;
        break;
      }
    }
    const SimTime predicted = w.next_effect(v);
    if (found == SimTime::max()) {
      CHECK(predicted > w.next_tick() + w.period() * 399);
      continue;
    }
    REQUIRE(predicted == found);
    ProbeWorker jumped = w;
    jumped.skip_quiet(v, found);
    const ProbeTick a = jumped.tick(v, found);
    const ProbeTick b = stepped.tick(v, found);
    CHECK(a.run == b.run);
    CHECK(a.set == b.set);
    CHECK(a.success == b.success);
  }
}

namespace {

// A random cluster run: 3 nodes, 12 pods with random probes and behaviours,
// random crashes, node faults and deletions. Returns every record as text.
std::vector<std::string> random_run(uint64_t seed, bool naive) {
  RuntimeConfig cfg = test_config();
  cfg.naive_timers = naive;
  cfg.container_start = *parse_duration_distribution("uniform(500ms, 2s)");
  KubeletTestCluster c(3, cfg);
  cache(c);
  std::mt19937_64 gen(seed);
  auto pick = [&](int n) { return static_cast<int>(gen() % static_cast<uint64_t>(n)); };
  c.boot();
  const char* behaviours[] = {"",
                              "never-ready",
                              "crash-on-start",
                              "crash-after: exponential(2m)",
                              "hang-after: exponential(3m)",
                              "slow-start: uniform(5s, 40s)",
                              "slow-start: uniform(1s, 30s); hang-after: exponential(5m)",
                              "crash-after: uniform(30s, 5m); slow-start: fixed(12s)"};
  std::vector<PodId> ids;
  for (int k = 0; k < 12; ++k) {
    std::map<std::string, std::string> a;
    const char* b = behaviours[pick(8)];
    if (*b) a[kAnnotationBehavior] = b;
    if (pick(4) == 0) a[kAnnotationShutdownTime] = "uniform(0s, 5s)";
    Pod p = pod_with("p" + std::to_string(k), a, static_cast<RestartPolicy>(pick(5) == 0 ? 1 : 0));
    if (pick(2))
      p.spec.containers.push_back(p.spec.containers[0]), p.spec.containers[1].name = "side";
    for (Container& ct : p.spec.containers) {
      if (pick(2)) ct.readiness_probe = probe(1 + pick(10), 1 + pick(4), pick(12), 1 + pick(3));
      if (pick(2)) ct.liveness_probe = probe(1 + pick(10), 1 + pick(4), pick(12));
      if (pick(3) == 0) ct.startup_probe = probe(1 + pick(5), 1 + pick(10), pick(5));
    }
    ids.push_back(
        c.bind_at(Duration::millis(pick(20000)), p, c.node(static_cast<uint32_t>(pick(3)))));
  }
  // Faults at random times (scheduled before the run, the same in both modes).
  for (int k = 0; k < 10; ++k) {
    const Duration at = Duration::millis(1000 + pick(600000));
    const int what = pick(6);
    const PodId id = ids[static_cast<std::size_t>(pick(12))];
    const NodeId node{static_cast<uint32_t>(pick(3))};
    const Duration len = Duration::millis(1000 + pick(120000));
    auto* kl = c.kubelets.get();
    switch (what) {
      case 0:
        c.sim.schedule_at(KubeletTestCluster::at(at),
                          [kl, id] { kl->crash_container(id, 3, "fault"); });
        break;
      case 1:
        c.sim.schedule_at(KubeletTestCluster::at(at), [kl, node] { kl->node_down(node); });
        c.sim.schedule_at(KubeletTestCluster::at(at + len), [kl, node] { kl->node_up(node); });
        break;
      case 2:
        c.sim.schedule_at(KubeletTestCluster::at(at), [kl, node] { kl->partition(node); });
        c.sim.schedule_at(KubeletTestCluster::at(at + len), [kl, node] { kl->heal(node); });
        break;
      case 3:
        c.delete_at(at, id);
        break;
      case 4:
        c.sim.schedule_at(KubeletTestCluster::at(at), [kl, id] { kl->restart_pod(id); });
        break;
      default:
        break;
    }
  }
  c.run_for(Duration::minutes(15));
  std::vector<std::string> out;
  for (const Record& r : c.records)
    out.push_back(std::to_string(r.t.count_micros()) + " " + to_string(r.event) + " " + r.pod +
                  " " + r.detail);
  return out;
}

}  // namespace

TEST_CASE("kubelet: lazy and naive probe timers publish identical records") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    INFO("seed " << seed);
    const auto lazy = random_run(seed, false);
    const auto naive = random_run(seed, true);
    REQUIRE(lazy.size() == naive.size());
    for (std::size_t k = 0; k < lazy.size(); ++k) {
      INFO("record " << k);
      REQUIRE(lazy[k] == naive[k]);
    }
  }
}
