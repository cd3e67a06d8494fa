// NodeUnschedulable, NodeName and NodePorts filters, reproducing
//   pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go
//   pkg/scheduler/framework/plugins/nodename/node_name_test.go
//   pkg/scheduler/framework/plugins/nodeports/node_ports_test.go
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/scheduler/plugins/node_name.h"
#include "models/scheduler/plugins/node_ports.h"
#include "models/scheduler/plugins/node_unschedulable.h"
#include "test_cluster.h"

using namespace kubesim;
using namespace kubesim::plugin_test;

namespace {

Status filter_one(Plugin& plugin, const Pod& pod, Node node, std::vector<Pod> existing = {}) {
  PluginTestCluster cluster;
  const std::string name = node.name;
  cluster.add_node(std::move(node));
  for (Pod& p : existing) {
    p.spec.node_name = name;
    p.phase = PodPhase::kRunning;
    cluster.add_pod(std::move(p));
  }
  return run_filter(plugin, pod, cluster.snapshot()).at(0);
}

}  // namespace

TEST_CASE("scheduler: NodeUnschedulable: matches node_unschedulable_test.go") {
  auto plugin = make_node_unschedulable(PluginArgs{});
  Toleration tolerate_unschedulable;
  tolerate_unschedulable.key = "node.kubernetes.io/unschedulable";
  tolerate_unschedulable.op = TolerationOp::kExists;
  tolerate_unschedulable.effect = TaintEffect::kNoSchedule;
  const auto node = [](bool unschedulable) {
    Node n = make_node("node");
    n.unschedulable = unschedulable;
    return n;
  };
  SECTION("Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)") {
    const Status s = filter_one(*plugin, PodBuilder(), node(true));
    CHECK(s.code == StatusCode::kUnschedulableAndUnresolvable);
    CHECK(s.reasons == std::vector<std::string>{"node(s) were unschedulable"});
  }
  SECTION("Schedule pod to normal node") {
    CHECK(filter_one(*plugin, PodBuilder(), node(false)).ok());
  }
  SECTION("Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)") {
    CHECK(filter_one(*plugin, PodBuilder().toleration(tolerate_unschedulable), node(true)).ok());
  }
  SECTION("Schedule pod with toleration to normal node") {
    CHECK(filter_one(*plugin, PodBuilder().toleration(tolerate_unschedulable), node(false)).ok());
  }
}

TEST_CASE("scheduler: NodeName: matches node_name_test.go") {
  auto plugin = make_node_name(PluginArgs{});
  const auto pod_for = [](const std::string& node_name) {
    Pod p = PodBuilder();
    p.spec.node_name = node_name;  // the incoming pod asks for this node
    return p;
  };
  SECTION("no host specified") {
    CHECK(filter_one(*plugin, PodBuilder(), make_node("foo")).ok());
  }
  SECTION("host matches") {
    CHECK(filter_one(*plugin, pod_for("foo"), make_node("foo")).ok());
  }
  SECTION("host doesn't match") {
    const Status s = filter_one(*plugin, pod_for("bar"), make_node("foo"));
    CHECK(s.code == StatusCode::kUnschedulableAndUnresolvable);
    CHECK(s.reasons == std::vector<std::string>{"node(s) didn't match the requested node name"});
  }
}

TEST_CASE("scheduler: NodePorts: matches node_ports_test.go") {
  // newPod("m1", "TCP/127.0.0.1/8080", ...): one container with those host ports.
  const auto pod = [](std::vector<ContainerPort> ports) {
    return Pod(PodBuilder().host_ports(ports));
  };
  const auto p = host_port;
  struct PortCase {
    std::string name;
    std::vector<ContainerPort> want;
    std::vector<ContainerPort> existing;
    bool fits;
  };
  const std::vector<PortCase> cases = {
      {"other port", {p("UDP", "127.0.0.1", 8080)}, {p("UDP", "127.0.0.1", 9090)}, true},
      {"same udp port", {p("UDP", "127.0.0.1", 8080)}, {p("UDP", "127.0.0.1", 8080)}, false},
      {"same tcp port", {p("TCP", "127.0.0.1", 8080)}, {p("TCP", "127.0.0.1", 8080)}, false},
      {"different host ip", {p("TCP", "127.0.0.1", 8080)}, {p("TCP", "127.0.0.2", 8080)}, true},
      {"different protocol", {p("UDP", "127.0.0.1", 8080)}, {p("TCP", "127.0.0.1", 8080)}, true},
      {"second udp port conflict",
       {p("UDP", "127.0.0.1", 8000), p("UDP", "127.0.0.1", 8080)},
       {p("UDP", "127.0.0.1", 8080)},
       false},
      {"first tcp port conflict",
       {p("TCP", "127.0.0.1", 8001), p("UDP", "127.0.0.1", 8080)},
       {p("TCP", "127.0.0.1", 8001), p("UDP", "127.0.0.1", 8081)},
       false},
      {"first tcp port conflict due to 0.0.0.0 hostIP",
       {p("TCP", "0.0.0.0", 8001)},
       {p("TCP", "127.0.0.1", 8001)},
       false},
      {"TCP hostPort conflict due to 0.0.0.0 hostIP",
       {p("TCP", "10.0.10.10", 8001), p("TCP", "0.0.0.0", 8001)},
       {p("TCP", "127.0.0.1", 8001)},
       false},
      {"second tcp port conflict to 0.0.0.0 hostIP",
       {p("TCP", "127.0.0.1", 8001)},
       {p("TCP", "0.0.0.0", 8001)},
       false},
      {"second different protocol",
       {p("UDP", "127.0.0.1", 8001)},
       {p("TCP", "0.0.0.0", 8001)},
       true},
      {"UDP hostPort conflict due to 0.0.0.0 hostIP",
       {p("UDP", "127.0.0.1", 8001)},
       {p("TCP", "0.0.0.0", 8001), p("UDP", "0.0.0.0", 8001)},
       false},
  };
  auto plugin = make_node_ports(PluginArgs{});
  SECTION("nothing running: PreFilter skips a pod without host ports") {
    PluginTestCluster cluster;
    cluster.add_node(make_node("m1"));
    CycleState state;
    CHECK(plugin->pre_filter(state, PodBuilder(), cluster.snapshot()).skip());
  }
  for (const PortCase& c : cases) {
    SECTION(c.name) {
      const Status s = filter_one(*plugin, pod(c.want), make_node("m1"), {pod(c.existing)});
      CHECK(s.ok() == c.fits);
      if (!c.fits) {
        CHECK(s.code == StatusCode::kUnschedulable);
        CHECK(s.reasons == std::vector<std::string>{
                               "node(s) didn't have free ports for the requested pod ports"});
      }
    }
  }
}
