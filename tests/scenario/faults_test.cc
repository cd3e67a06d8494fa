// Fault events (spec.events), random fault processes (spec.faults), the
// controller set (spec.controllers) and the node-lifecycle and
// leader-election settings: parsed values and errors with their places.
#include <catch2/catch.hpp>

#include "models/scenario/scenario.h"
#include "tests/scenario/load_errors.h"

using kubesim::Duration;
using kubesim::FaultProcess;
using kubesim_test::all_errors;
using kubesim_test::check_errors;
using kubesim_test::kFixtures;
using Action = kubesim::TimelineEvent::Action;

namespace {

const kubesim::Scenario& faults_scenario() {
  static const kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "faults.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  return *r.scenario;
}

}  // namespace

TEST_CASE("faults: settings of the node lifecycle and of leader election") {
  const kubesim::RuntimeConfig& rt = faults_scenario().runtime;
  CHECK(rt.control_plane_replicas == 3);
  CHECK(rt.node_monitor_grace_period == Duration::seconds(40));
  CHECK(rt.node_monitor_period == Duration::seconds(5));  // default kept
  CHECK(rt.default_unreachable_toleration_seconds == 60);
  CHECK(rt.default_not_ready_toleration_seconds == 300);
  CHECK(rt.leader_lease_duration == Duration::seconds(30));
  CHECK(rt.leader_renew_deadline == Duration::seconds(20));
  CHECK(rt.leader_retry_period == Duration::seconds(4));
  CHECK(rt.node_lease_renew_interval == Duration::seconds(5));
  CHECK(rt.node_lease_duration == Duration::seconds(20));
}

TEST_CASE("faults: the controller set and its operator") {
  const kubesim::ControllerSetConfig& c = faults_scenario().controllers;
  CHECK(c.name == "manual");
  CHECK(c.detection.mean() == Duration::minutes(2));
  CHECK(c.response.mean() == Duration::minutes(10));
  CHECK_FALSE(c.on_call);
  CHECK(c.work_start == Duration::hours(8) + Duration::minutes(30));
  CHECK(c.work_end == Duration::hours(18));
  // Defaults: medians 5 min and 15 min (lognormal sigma 0.5: mean = median * e^(sigma^2/2)).
  const kubesim::ControllerSetConfig d;
  CHECK(d.name == "kubernetes");
  CHECK(d.detection.mean().to_seconds() == Approx(300 * std::exp(0.125)).epsilon(1e-6));
  CHECK(d.response.mean().to_seconds() == Approx(900 * std::exp(0.125)).epsilon(1e-6));
}

TEST_CASE("faults: random processes") {
  const std::vector<FaultProcess>& f = faults_scenario().faults;
  REQUIRE(f.size() == 4);
  CHECK(f[0].kind == FaultProcess::Kind::kContainerCrashes);
  CHECK(f[0].deployment == "api");
  CHECK(f[0].exit_code == 137);
  CHECK(f[0].time_to_failure.mean() == Duration::hours(2));
  CHECK(f[1].deployment.empty());
  CHECK(f[1].selector.match_labels.at("app") == "api");
  CHECK(f[1].exit_code == 1);
  CHECK(f[2].kind == FaultProcess::Kind::kNodeFailures);
  CHECK(f[2].pool == "web");
  CHECK_FALSE(f[2].partition);
  CHECK(f[2].time_to_failure.mean() == Duration::days(7));
  REQUIRE(f[2].time_to_repair.has_value());
  CHECK(f[3].pool.empty());
  CHECK(f[3].partition);
  CHECK_FALSE(f[3].time_to_repair.has_value());
  CHECK(f[3].where == kFixtures + "faults.yaml:38");
}

TEST_CASE("faults: scheduled fault events") {
  const auto& ev = faults_scenario().events;
  REQUIRE(ev.size() == 6);
  CHECK(ev[0].action == Action::kCrashPod);
  CHECK(ev[0].kind.empty());  // by selector
  CHECK(ev[0].selector.match_labels.at("app") == "api");
  CHECK(ev[0].count == 1);
  CHECK(ev[0].exit_code == 2);
  CHECK(ev[1].action == Action::kCrashNode);
  CHECK(ev[1].name == "web-0");
  CHECK(ev[1].recover_after == Duration::minutes(10));
  CHECK(ev[2].action == Action::kPartitionNode);
  CHECK(ev[2].recover_after == Duration::minutes(2));
  CHECK(ev[3].action == Action::kFailZone);
  CHECK(ev[3].zone == "b");
  CHECK_FALSE(ev[3].recover_after.has_value());
  CHECK(ev[4].action == Action::kCrashControlPlane);
  CHECK(ev[4].replica == 2);
  CHECK(ev[5].replica == -1);  // every replica
  CHECK_FALSE(ev[5].recover_after.has_value());
}

TEST_CASE("faults: errors name the place and the key") {
  check_errors(
      "faults_errors.yaml",
      {
          {"faults_errors.yaml", 8, 49, "spec.cluster.controlPlane.leaderElection",
           "leaseDuration must be greater than renewDeadline"},
          {"faults_errors.yaml", 11, 22, "spec.controllers.set", "did you mean \"manual\""},
          {"faults_errors.yaml", 11, 54, "spec.controllers.operator.workingHours", "HH:MM-HH:MM"},
          {"faults_errors.yaml", 13, 38, "spec.faults[0].containerCrashes.deployment",
           "no Deployment default/apii"},
          {"faults_errors.yaml", 14, 28, "spec.faults[1].nodeFailures.pool",
           "did you mean \"web\""},
          {"faults_errors.yaml", 14, 48, "spec.faults[1].nodeFailures.timeToFailure",
           "invalid distribution"},
          {"faults_errors.yaml", 17, 25, "spec.events[0].crashNode.node", "web-9"},
          {"faults_errors.yaml", 19, 24, "spec.events[1].failZone.zone",
           "no node is in zone \"c\""},
          {"faults_errors.yaml", 19, 41, "spec.events[1].failZone.recoverAfter", "greater than 0"},
          {"faults_errors.yaml", 21, 36, "spec.events[2].crashControlPlane.replica",
           "replicas is 2"},
          {"faults_errors.yaml", 23, 36, "spec.events[3].crashPod.selector", "not both"},
          {"faults_errors.yaml", 23, 69, "spec.events[3].crashPod.exitCode", "between 1 and 255"},
      });
}
