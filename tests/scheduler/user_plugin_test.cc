// The "Adding a plugin" example of docs/scheduler.md, compiled and run: a user
// plugin registered next to the built-ins decides where pods go.
#include <algorithm>

#include <catch2/catch.hpp>

#include "models/scheduler/registry.h"
#include "models/scheduler/scheduler.h"

namespace {

// Prefers nodes with fewer pods: raw score = pods on the node, normalized so
// that the emptiest node gets 100.
class FewestPods : public kubesim::Plugin {
 public:
  std::string_view name() const override { return "FewestPods"; }
  uint32_t extension_points() const override { return kubesim::kScore; }
  int64_t score(const kubesim::CycleState&, const kubesim::Pod&,
                const kubesim::NodeInfo& node) const override {
    return static_cast<int64_t>(node.pods.size());
  }
  void normalize_scores(const kubesim::CycleState&, const kubesim::Pod&,
                        std::vector<int64_t>& scores) const override {
    int64_t max = 0;
    for (int64_t s : scores)
      max = std::max(max, s);
    for (int64_t& s : scores)
      s = max == 0 ? 100 : 100 - 100 * s / max;
  }
};

void add_my_plugin(kubesim::PluginRegistry& plugins, kubesim::ProfileRegistry& profiles) {
  plugins.add({"FewestPods", "prefers nodes with fewer pods", kubesim::kScore,
               [](const kubesim::PluginArgs&) { return std::make_unique<FewestPods>(); }});
  profiles.add({"fewest-pods", "the default filters; FewestPods decides", [] {
                  kubesim::Profile p = kubesim::default_profile();
                  p.name = "fewest-pods";
                  p.pre_score.disabled = {"*"};
                  p.score.disabled = {"*"};
                  p.score.enabled = {{"FewestPods", 1}};
                  return p;
                }});
}

}  // namespace

TEST_CASE("scheduler: a user plugin registered as documented decides placement") {
  using namespace kubesim;
  PluginRegistry plugins;
  ProfileRegistry profiles;
  register_builtin_plugins(plugins);
  register_builtin_profiles(profiles);
  add_my_plugin(plugins, profiles);

  // Three equal nodes holding 2, 0 and 1 pods: FewestPods scores them
  // 100 - 100*2/2 = 0, 100, 100 - 100*1/2 = 50, so node-1 wins outright.
  ClusterObjects c;
  for (int i = 0; i < 3; ++i) {
    Node n;
    n.name = "node-" + std::to_string(i);
    n.labels[kLabelHostname] = n.name;
    n.allocatable = Resources{8000, 32LL << 30, 0, 110, {}};
    n.capacity = n.allocatable;
    c.add_node(n);
  }
  for (const char* node : {"node-0", "node-0", "node-2"}) {
    Pod p;
    p.name = std::string("p-") + std::to_string(c.pods.size());
    p.spec.node_name = node;
    p.spec.containers.push_back(Container{"c", "busybox", {}, {}, {}, false, false, {}, {}, {}});
    c.add_pod(p);
  }
  Snapshot s = Snapshot::build(c);
  auto fw = SchedulingFramework::create(profiles.find("fewest-pods")->make(), plugins);
  REQUIRE(fw.ok());
  Pod pod;
  pod.name = "new";
  pod.spec.containers.push_back(Container{"c", "busybox", {}, {}, {}, false, false, {}, {}, {}});
  RandomStream rng(1);
  const ScheduleResult r = (*fw)->schedule(pod, s, rng, /*explain=*/true);
  CHECK(r.selected == 1);
  REQUIRE(r.nodes[0].scores.size() == 1);
  CHECK(r.nodes[0].scores[0].normalized == 0);
  CHECK(r.nodes[1].scores[0].normalized == 100);
  CHECK(r.nodes[2].scores[0].normalized == 50);
}
