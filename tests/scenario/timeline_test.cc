// spec.events (the timeline) and node pools: parsing every action, time
// order, addNodes continuing the loader's names and zones, apply, and the
// errors with their line:column and key path.
#include <catch2/catch.hpp>

#include <string>

#include "models/scenario/node_pool.h"
#include "models/scenario/scenario.h"
#include "tests/scenario/load_errors.h"

using kubesim::Duration;
using kubesim::TimelineEvent;
using kubesim_test::all_errors;
using kubesim_test::check_errors;
using kubesim_test::kFixtures;
using Action = kubesim::TimelineEvent::Action;

namespace {

const kubesim::Scenario& events_scenario() {
  static const kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "events.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  return *r.scenario;
}

std::string zone(const kubesim::Node& n) {
  return n.labels.at("topology.kubernetes.io/zone");
}

}  // namespace

TEST_CASE("timeline: events are kept in time order, stable among equal times") {
  const kubesim::Scenario& s = events_scenario();
  CHECK_FALSE(s.deferred.count("spec.events"));
  // Written order: 30m 10m 10m 20m 5m 6m 15m 16m 40m 41m 45m 50m 1h.
  REQUIRE(s.events.size() == 13);
  const int minutes[] = {5, 6, 10, 10, 15, 16, 20, 30, 40, 41, 45, 50, 60};
  const Action actions[] = {Action::kRollout, Action::kRollout,  Action::kAddNodes, Action::kCordon,
                            Action::kApply,   Action::kApply,    Action::kAddNodes, Action::kScale,
                            Action::kDrain,   Action::kUncordon, Action::kDelete,   Action::kScale,
                            Action::kDelete};
  for (size_t i = 0; i < s.events.size(); ++i) {
    INFO("event " << i << " from " << s.events[i].where);
    CHECK(s.events[i].at == Duration::minutes(minutes[i]));
    CHECK(s.events[i].action == actions[i]);
  }
  // The two 10m events: addNodes (line 42) stays before cordon (line 44).
  CHECK(s.events[2].where == kFixtures + "events.yaml:42");
  CHECK(s.events[3].where == kFixtures + "events.yaml:44");
}

TEST_CASE("timeline: scale, rollout, delete and node actions name their target") {
  const kubesim::Scenario& s = events_scenario();
  const TimelineEvent& image = s.events[0];
  CHECK(image.kind == "Deployment");
  CHECK(image.name == "api");
  CHECK(image.namespace_ == "default");
  CHECK(image.container == "main");  // not given: the first container
  CHECK(image.image == "example/api:2");
  CHECK_FALSE(image.requests.has_value());

  const TimelineEvent& sidecar = s.events[1];
  CHECK(sidecar.container == "sidecar");
  CHECK_FALSE(sidecar.image.has_value());
  REQUIRE(sidecar.requests.has_value());
  CHECK(sidecar.requests->milli_cpu == 100);
  CHECK(sidecar.requests->memory == 64LL << 20);
  CHECK(sidecar.annotations.at("kubesim.io/run-time") == "exponential(10m)");
  CHECK(sidecar.labels.at("version") == "2");

  const TimelineEvent& cordon = s.events[3];
  CHECK(cordon.kind == "Node");
  CHECK(cordon.name == "web-3");         // created by the addNodes just before
  CHECK(s.events[8].name == "extra-0");  // drain: a node applied at 15m

  const TimelineEvent& scale = s.events[7];
  CHECK(scale.kind == "Deployment");
  CHECK(scale.replicas == 5);
  const TimelineEvent& scale_rs = s.events[11];
  CHECK(scale_rs.kind == "ReplicaSet");
  CHECK(scale_rs.name == "cache");
  CHECK(scale_rs.namespace_ == "infra");
  CHECK(scale_rs.replicas == 0);

  const TimelineEvent& del = s.events[10];
  CHECK(del.kind == "Deployment");
  CHECK(del.name == "batch");  // applied at 15m
  CHECK(s.events[12].kind == "Node");
  CHECK(s.events[12].name == "web-4");  // added at 20m
}

TEST_CASE("timeline: apply creates the objects of an included file or inline manifests") {
  const kubesim::Scenario& s = events_scenario();
  const kubesim::ClusterObjects& included = s.events[4].objects;
  REQUIRE(included.deployments.size() == 1);
  const kubesim::Deployment& batch = included.deployments[0];
  CHECK(batch.metadata.name == "batch");
  CHECK(batch.replicas == 3);
  // priorityClassName important, a class of the scenario: 1000.
  CHECK(batch.template_.spec.priority == 1000);
  REQUIRE(included.nodes.size() == 1);
  CHECK(included.nodes[0].name == "extra-0");
  CHECK(included.nodes[0].labels.at("kubernetes.io/hostname") == "extra-0");
  CHECK_FALSE(included.nodes[0].id.valid());  // the API server assigns ids

  const kubesim::ClusterObjects& inline_objects = s.events[5].objects;
  REQUIRE(inline_objects.pods.size() == 1);
  const kubesim::Pod& pod = inline_objects.pods[0];
  CHECK(pod.name == "one-off");
  CHECK(pod.spec.priority == 2'000'000'000);  // system-cluster-critical
  CHECK(pod.spec.node_name == "extra-0");
  // The applied node's image gives a size: redis:7, 3000 bytes.
  CHECK(s.runtime.image_sizes.at("redis:7") == 3000);
}

TEST_CASE("timeline: addNodes continues the pool's names and round-robin zones") {
  const kubesim::Scenario& s = events_scenario();
  // Pool web: zones [a, b, c], 2 nodes at load (web-0 a, web-1 b).
  REQUIRE(s.node_pools.size() == 2);
  CHECK(s.events[2].pool == "web");
  CHECK(s.events[2].count == 2);
  CHECK(s.events[6].count == 1);
  kubesim::Scenario::NodePool web = s.node_pools[0];
  CHECK(web.name == "web");
  CHECK(web.count == 2);
  CHECK(web.zones == std::vector<std::string>{"a", "b", "c"});
  // The events add web-2 (2 % 3 = zone c), web-3 (a), then web-4 (b).
  kubesim::Node n2 = kubesim::make_pool_node(web);
  kubesim::Node n3 = kubesim::make_pool_node(web);
  kubesim::Node n4 = kubesim::make_pool_node(web);
  CHECK(web.count == 5);
  CHECK(n2.name == "web-2");
  CHECK(zone(n2) == "c");
  CHECK(n3.name == "web-3");
  CHECK(zone(n3) == "a");
  CHECK(n4.name == "web-4");
  CHECK(zone(n4) == "b");
  CHECK(n4.labels.at("kubernetes.io/hostname") == "web-4");
  CHECK(n4.labels.at("tier") == "web");
  CHECK(n4.pool == "web");
  CHECK(n4.capacity.milli_cpu == 4000);
  CHECK(n4.allocatable.memory == 8LL << 30);
  CHECK_FALSE(n4.id.valid());

  kubesim::Scenario::NodePool gpu = s.node_pools[1];
  CHECK(gpu.count == 1);
  kubesim::Node g1 = kubesim::make_pool_node(gpu);
  CHECK(g1.name == "gpu-1");
  CHECK(zone(g1) == "x");  // the pool's own zones
}

TEST_CASE("timeline: the loader builds pool nodes with make_pool_node") {
  const kubesim::Scenario& s = events_scenario();
  kubesim::Scenario::NodePool web = s.node_pools[0];
  web.count = 0;
  for (size_t i = 0; i < 2; ++i) {
    kubesim::Node n = kubesim::make_pool_node(web);
    n.id = s.objects.nodes[i].id;
    CHECK(n.name == s.objects.nodes[i].name);
    CHECK(n.labels == s.objects.nodes[i].labels);
    CHECK(n.capacity == s.objects.nodes[i].capacity);
  }
}

TEST_CASE("timeline: every kind of mistake is an error at its line and column") {
  const std::string f = "bad_events.yaml";
  check_errors(
      f,
      {{f, 20, 16, "spec.events[0].scael", "unknown event kind \"scael\"; did you mean \"scale\"?"},
       {f, 21, 55, "spec.events[1].cordon",
        "an event has exactly one action; this one already has \"scale\""},
       {f, 22, 12, "spec.events[2].at", "at 2h is after the end of the run (spec.duration 1h)"},
       // Checked in time order: the (faulty) delete of web-0 at 10m comes first.
       {f, 22, 31, "spec.events[2].cordon.node",
        "node \"web-0\" was deleted by the event at " + kFixtures + f + ":41"},
       {f, 23, 36, "spec.events[3].scale.deployment",
        "Deployment \"default/apu\" not found; did you mean \"api\"?"},
       {f, 24, 31, "spec.events[4].cordon.node",
        "node \"web-1\" not found; did you mean \"web-0\"?"},
       {f, 25, 33, "spec.events[5].addNodes.pool",
        "node pool \"wbe\" not found; did you mean \"web\"?"},
       {f, 27, 36, "spec.events[7].scale.deployment",
        "Deployment \"default/api\" was deleted by the event at " + kFixtures + f + ":26"},
       {f, 28, 25, "spec.events[8].rollout", "a rollout needs at least one change"},
       {f, 29, 54, "spec.events[9].rollout.container",
        "container \"mian\" not found in Deployment \"default/api\"; did you mean \"main\"?"},
       {f, 35, 30, "spec.events[10].apply.manifests[0].metadata.name",
        "duplicate Deployment \"default/api\" (declared in the scenario)"},
       {f, 41, 62, "spec.events[11].delete.namespace", "nodes have no namespace"},
       // Applied at 12m, after this 11m event.
       {f, 42, 37, "spec.events[12].scale.deployment", "Deployment \"default/later\" not found"},
       {f, 54, 7, "spec.events[14]", "missing action: one of scale, rollout, apply"},
       {f, 55, 54, "spec.events[15].rollout.labels",
        "`selector` does not match template `labels` after this rollout"},
       {f, 56, 34, "spec.events[16].apply.include",
        "included file \"manifests/nope.yaml\" does not exist"},
       {f, 57, 110, "spec.events[17].apply.manifests[0].metadata.name",
        "a PriorityClass cannot be applied by an event"},
       {f, 58, 7, "spec.events[18]", "missing required key \"at\""}});
}
