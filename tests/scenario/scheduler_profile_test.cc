// spec.scheduler -> the scheduler's Profile: built-in names, and
// KubeSchedulerConfiguration profiles merged over the default plugins.
#include <algorithm>

#include <catch2/catch.hpp>

#include "models/scenario/scenario.h"
#include "models/scenario/scheduler_profile.h"
#include "models/scheduler/scheduler.h"

namespace {

const std::string kRoot = KUBESIM_SOURCE_DIR;

std::vector<std::string> score_plugins(const kubesim::ScheduleResult& r) {
  std::vector<std::string> out;
  for (const auto& s : r.nodes.front().scores)
    out.push_back(s.plugin + "x" + std::to_string(s.weight));
  return out;
}

}  // namespace

TEST_CASE("scenario: scheduler profiles resolve by name and by schedulerName") {
  using namespace kubesim;
  const LoadResult r = load_scenario(kRoot + "/scenarios/experiments/bin-packing-vs-spread.yaml");
  REQUIRE(r.scenario.has_value());
  PluginRegistry plugins;
  ProfileRegistry profiles;
  register_builtin_plugins(plugins);
  register_builtin_profiles(profiles);

  // The file's first profile (schedulerName default-scheduler): MostAllocated,
  // with NodeResourcesBalancedAllocation disabled at Score. The default
  // weights of the other score plugins stay (default_plugins.go).
  auto custom = resolve_scheduler_profile(r.scenario->scheduler, profiles);
  REQUIRE(custom.ok());
  CHECK(custom->args.fit_strategy == ScoringStrategy::kMostAllocated);
  auto fw = SchedulingFramework::create(*custom, plugins);
  REQUIRE(fw.ok());
  Snapshot s = Snapshot::build(r.scenario->objects);
  Pod pod;
  pod.name = "p";
  pod.spec.containers.push_back(Container{"c", "busybox", {}, {}, {}, false, false, {}, {}, {}});
  RandomStream rng(1);
  const ScheduleResult res = (*fw)->schedule(pod, s, rng, /*explain=*/true);
  REQUIRE(res.selected >= 0);
  const std::vector<std::string> scored = score_plugins(res);
  CHECK(std::find(scored.begin(), scored.end(), "NodeResourcesFitx1") != scored.end());
  CHECK(std::find(scored.begin(), scored.end(), "TaintTolerationx3") != scored.end());
  for (const std::string& p : scored)
    CHECK(p.rfind("NodeResourcesBalancedAllocation", 0) != 0);

  // The second profile is chosen by a pod's schedulerName.
  auto spread = resolve_scheduler_profile(r.scenario->scheduler, profiles, "", "spread-scheduler");
  REQUIRE(spread.ok());
  CHECK(spread->args.fit_strategy == ScoringStrategy::kLeastAllocated);
  CHECK_FALSE(resolve_scheduler_profile(r.scenario->scheduler, profiles, "", "nobody").ok());

  // --profile overrides the scenario; unknown names are errors listing the profiles.
  auto first_fit = resolve_scheduler_profile(r.scenario->scheduler, profiles, "first-fit");
  REQUIRE(first_fit.ok());
  CHECK(first_fit->selection == HostSelection::kFirstFit);
  auto bad = resolve_scheduler_profile(r.scenario->scheduler, profiles, "fastest");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("bin-packing") != std::string::npos);
}
