#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/registries.h"
#include "cli/schedule_report.h"
#include "models/scenario/scenario.h"
#include "models/scenario/scheduler_profile.h"
#include "models/scheduler/scheduler.h"

namespace kubesim::cli {

int run_schedule(const ScheduleOptions& o) {
  if (o.output != "table" && o.output != "json") {
    fmt::print(stderr, "kubesim: error: --output: expected table or json, got \"{}\"\n", o.output);
    return kExitBadInput;
  }
  const LoadResult cluster = load_scenario(o.cluster);
  for (const LoadError& e : cluster.errors)
    fmt::print(stderr, "{}\n", e.to_string());
  if (!cluster.scenario) return kExitBadInput;
  const PodLoadResult pod = load_pod(o.pod, &*cluster.scenario);
  for (const LoadError& e : pod.errors)
    fmt::print(stderr, "{}\n", e.to_string());
  if (!pod.pod) return kExitBadInput;

  const Registries registries = make_registries();
  auto profile =
      resolve_scheduler_profile(cluster.scenario->scheduler, registries.profiles, o.profile);
  if (!profile) {
    fmt::print(stderr, "kubesim: error: --profile: {}\n", profile.error().message);
    return kExitBadInput;
  }
  auto framework = SchedulingFramework::create(*profile, registries.plugins);
  if (!framework) {
    fmt::print(stderr, "{}: spec.scheduler: {}\n", o.cluster, framework.error().message);
    return kExitBadInput;
  }
  Snapshot snapshot = Snapshot::build(cluster.scenario->objects);
  RandomStream rng(derive_stream_seed(o.seed != 0 ? o.seed : cluster.scenario->seed, "scheduler"));
  const ScheduleResult result = (*framework)->schedule(*pod.pod, snapshot, rng, /*explain=*/true);
  if (o.output == "json") {
    fmt::print("{}\n", schedule_json(*pod.pod, snapshot, result).dump(2));
  } else {
    fmt::print("{}", schedule_table(*pod.pod, snapshot, result, *profile));
  }
  return 0;
}

}  // namespace kubesim::cli
