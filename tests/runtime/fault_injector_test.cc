// FaultInjector: scheduled fault events and random fault processes call the
// machine-level targets at the exact times, and overlapping faults compose;
// ManualOperator: detection, one incident at a time, working hours.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "models/apiserver/api_server.h"
#include "models/faults/fault_injector.h"
#include "models/operator/manual_operator.h"
#include "models/runtime/timeline_runner.h"
#include "models/scenario/scenario.h"
#include "sim/simulation.h"

using namespace kubesim;

namespace {

Scenario load_fixture() {
  LoadResult r = load_scenario(KUBESIM_SOURCE_DIR "/tests/runtime/fixtures/faults_unit.yaml");
  for (const LoadError& e : r.errors)
    UNSCOPED_INFO(e.to_string());
  REQUIRE(r.scenario.has_value());
  return std::move(*r.scenario);
}

// "1h10m", "2h", "35m", "0s": hours and minutes (every time here is whole minutes).
std::string hm(Duration d) {
  const int64_t m = d.count_micros() / 60'000'000;
  if (m == 0) return "0s";
  std::string out;
  if (m >= 60) out += std::to_string(m / 60) + "h";
  if (m % 60 != 0) out += std::to_string(m % 60) + "m";
  return out;
}

std::string at(SimTime t) {
  return hm(t - SimTime::zero());
}

// A cluster with a FaultInjector whose targets log "time action target".
struct Rig {
  explicit Rig(Scenario s) : scenario(std::move(s)) {
    api = std::make_unique<ApiServer>(sim.context(), scenario.objects);
    FaultTargets t;
    t.crash_container = [this](PodId id, int32_t code, std::string_view cause) {
      const Pod& p = api->objects().pods[id.value];
      log.push_back(fmt::format("{} crash {} {} {}", at(sim.now()), p.name, code, cause));
      if (on_crash) on_crash(id);
    };
    t.node_down = [this](NodeId n) { node_log("down", n); };
    t.node_up = [this](NodeId n) { node_log("up", n); };
    t.partition = [this](NodeId n) { node_log("partition", n); };
    t.heal = [this](NodeId n) { node_log("heal", n); };
    t.crash_control_plane = [this](int32_t r) {
      log.push_back(fmt::format("{} cp-crash {}", at(sim.now()), r));
    };
    t.recover_control_plane = [this](int32_t r) {
      log.push_back(fmt::format("{} cp-recover {}", at(sim.now()), r));
    };
    faults = std::make_unique<FaultInjector>(*api, scenario, std::move(t));
    timeline = std::make_unique<TimelineRunner>(*api, scenario);
    timeline->set_fault_handler([this](const TimelineEvent& e) { faults->apply(e); });
    sim.bus().topic<NodeRecord>().subscribe([this](const NodeRecord& r) {
      records.push_back(
          fmt::format("{} {} {} {}", at(r.t), to_string(r.event), r.node->name, r.detail));
    });
  }
  void node_log(const char* what, NodeId n) {
    log.push_back(fmt::format("{} {} {}", at(sim.now()), what, api->objects().nodes[n.value].name));
  }
  void start() {
    faults->start();
    timeline->start();
  }
  void run_until(Duration d) { sim.run_until(SimTime::zero() + d); }

  Scenario scenario;
  Simulation sim{1};
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<FaultInjector> faults;
  std::unique_ptr<TimelineRunner> timeline;
  std::function<void(PodId)> on_crash;
  std::vector<std::string> log;
  std::vector<std::string> records;
};

}  // namespace

TEST_CASE("faults: scheduled fault events act at their times and compose") {
  Scenario s = load_fixture();
  s.faults.clear();
  Rig rig(std::move(s));
  rig.start();
  rig.run_until(Duration::hours(6));
  // Node web-0 (zone a), web-1 (b), web-2 (a), web-3 (b): pools alternate zones.
  const std::vector<std::string> want{
      "1h down web-0",          // crashNode, recoverAfter 10m
                                // 1h5m: crashNode of a node already down: nothing
      "1h10m up web-0",         //
      "2h down web-1",          // failZone b, store order
      "2h down web-3",          //
      "2h30m partition web-2",  // healAfter 5m
      "2h35m heal web-2",       //
      "3h up web-1",            // failZone recoverAfter 1h
      "3h up web-3",            //
  };
  REQUIRE(rig.log.size() == want.size() + 3);
  for (size_t i = 0; i < want.size(); ++i)
    CHECK(rig.log[i] == want[i]);
  // crashPod count 1 of the two app=x pods (p0, p1): one of them, exit code 2.
  CHECK_THAT(rig.log[8], Catch::Matches("4h crash p[01] 2 crashPod event"));
  CHECK(rig.log[9] == "5h cp-crash -1");
  CHECK(rig.log[10] == "5h2m cp-recover -1");
  // What happened to the machines is published, with the cause.
  REQUIRE(rig.records.size() == 8);
  CHECK(rig.records[0] == "1h NodeCrashed web-0 crashNode event");
  CHECK(rig.records[2] == "2h NodeCrashed web-1 zone b");
  CHECK(rig.records[4] == "2h30m NodePartitioned web-2 partitionNode event");
  CHECK(rig.records[7] == "3h NodeRecovered web-3 zone b");
  CHECK(rig.faults->node_state(NodeId{0}) == FaultInjector::NodeState::kUp);
}

TEST_CASE("faults: random processes draw from the start of each run") {
  Scenario s = load_fixture();
  s.events.clear();
  Rig rig(std::move(s));
  // A stand-in kubelet: a crashed container is reported and restarts 1 min later.
  rig.on_crash = [&rig](PodId id) {
    const Pod* p = &rig.api->objects().pods[id.value];
    auto& topic = rig.sim.bus().topic<PodRecord>();
    topic.publish({rig.sim.now(), PodEvent::kCrashed, p});
    rig.sim.schedule(Duration::minutes(1), [&topic, &rig, p] {
      topic.publish({rig.sim.now(), PodEvent::kRestarted, p});
    });
  };
  rig.start();
  rig.run_until(Duration::hours(24));
  std::vector<std::string> p0, nodes;
  for (const std::string& line : rig.log) {
    if (line.find(" crash p0 ") != std::string::npos) p0.push_back(line);
    if (line.find(" crash ") == std::string::npos) nodes.push_back(line);
  }
  // containerCrashes fixed(30m) from each (re)start, restart 1 min after the
  // crash: crashes at 30 + 31k minutes. The one due at 10h19m (k = 19) is void:
  // web-0 fails at 10h and the stand-in never restarts it, so k = 0..18.
  REQUIRE(p0.size() == 19);
  for (int k = 0; k < 19; ++k)
    CHECK(p0[k] == fmt::format("{} crash p0 3 spec.faults[1]", hm(Duration::minutes(30 + 31 * k))));
  // `other` (app=y) never crashes.
  for (const std::string& line : rig.log)
    CHECK(line.find("crash other") == std::string::npos);
  // nodeFailures fixed(10h) / fixed(10m): down at 10h, up at 10h10m, down at
  // 20h10m, up at 20h20m, for every node of the pool, in store order.
  REQUIRE(nodes.size() == 16);
  for (int i = 0; i < 4; ++i) {
    CHECK(nodes[i] == fmt::format("10h down web-{}", i));
    CHECK(nodes[4 + i] == fmt::format("10h10m up web-{}", i));
    CHECK(nodes[8 + i] == fmt::format("20h10m down web-{}", i));
    CHECK(nodes[12 + i] == fmt::format("20h20m up web-{}", i));
  }
}

TEST_CASE("operator: alerts after the detection delay, one incident at a time") {
  Scenario s = load_fixture();
  s.faults.clear();
  s.events.clear();
  Simulation sim(1);
  ApiServer api(sim.context(), s.objects);
  ControllerSetConfig config;
  config.name = "manual";
  config.detection = DurationDistribution::fixed(Duration::minutes(5));
  config.response = DurationDistribution::fixed(Duration::minutes(15));
  std::vector<std::string> log;
  std::vector<bool> down(4, false);
  OperatorActions actions;
  actions.restart_pod = [&](PodId id) {
    log.push_back(fmt::format("{} restart {}", at(sim.now()), api.objects().pods[id.value].name));
  };
  actions.replace_node = [&](NodeId n) {
    down[n.value] = false;
    log.push_back(fmt::format("{} replace {}", at(sim.now()), api.objects().nodes[n.value].name));
  };
  actions.node_is_down = [&](NodeId n) { return down[n.value]; };
  ManualOperator op(api, config, actions);
  op.start();
  std::vector<std::string> records;
  sim.bus().topic<OperatorRecord>().subscribe([&](const OperatorRecord& r) {
    records.push_back(fmt::format("{} {} {}", at(r.t), to_string(r.event), r.target));
  });
  const Pod* p0 = &api.objects().pods[0];     // on web-0
  const Pod* p1 = &api.objects().pods[1];     // on web-1
  const Pod* other = &api.objects().pods[2];  // on web-1
  auto& pods = sim.bus().topic<PodRecord>();
  sim.schedule_at(SimTime::zero(), [&] { pods.publish({sim.now(), PodEvent::kCrashed, p0}); });
  sim.schedule_at(SimTime::zero() + Duration::minutes(1), [&] {
    pods.publish({sim.now(), PodEvent::kCrashed, p1});
  });
  // A second crash of p0 while its incident is open adds nothing.
  sim.schedule_at(SimTime::zero() + Duration::minutes(2), [&] {
    pods.publish({sim.now(), PodEvent::kCrashed, p0});
  });
  // web-1 dies at 1h: one incident; `other` crashing there adds none.
  sim.schedule_at(SimTime::zero() + Duration::hours(1), [&] {
    down[1] = true;
    sim.bus().topic<NodeRecord>().publish(
        {sim.now(), NodeEvent::kCrashed, &api.objects().nodes[1]});
    pods.publish({sim.now(), PodEvent::kCrashed, other});
  });
  sim.run_until(SimTime::zero() + Duration::hours(3));
  // p0: alert 5m, fixed 5m + 15m = 20m. p1: alert 6m, waits for the operator
  // until 20m, fixed 35m. web-1: alert 1h5m, fixed 1h20m: machine replaced and
  // both of its pods (p1, other) started.
  const std::vector<std::string> want{"20m restart p0", "35m restart p1", "1h20m replace web-1",
                                      "1h20m restart p1", "1h20m restart other"};
  CHECK(log == want);
  const std::vector<std::string> want_records{
      "5m OperatorAlert pod default/p0",      "5m OperatorWorkStart pod default/p0",
      "6m OperatorAlert pod default/p1",      "20m OperatorRepaired pod default/p0",
      "20m OperatorWorkStart pod default/p1", "35m OperatorRepaired pod default/p1",
      "1h5m OperatorAlert node web-1",        "1h5m OperatorWorkStart node web-1",
      "1h20m OperatorRepaired node web-1"};
  CHECK(records == want_records);
  CHECK(op.incidents_open() == 0);
}

TEST_CASE("operator: without on-call, alerts wait for working hours") {
  Scenario s = load_fixture();
  Simulation sim(1);
  ApiServer api(sim.context(), s.objects);
  ControllerSetConfig config;
  config.on_call = false;
  config.work_start = Duration::hours(9);
  config.work_end = Duration::hours(17);
  ManualOperator op(api, config, {});
  const SimTime day = SimTime::zero();
  CHECK(op.working_time(day + Duration::hours(3)) == day + Duration::hours(9));
  CHECK(op.working_time(day + Duration::hours(12)) == day + Duration::hours(12));
  // 17:00 is after hours: the next day at 09:00.
  CHECK(op.working_time(day + Duration::hours(17)) == day + Duration::hours(33));
  CHECK(op.working_time(day + Duration::hours(40)) == day + Duration::hours(40));
  config.on_call = true;
  ManualOperator on_call(api, config, {});
  CHECK(on_call.working_time(day + Duration::hours(3)) == day + Duration::hours(3));
}
