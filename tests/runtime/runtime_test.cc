// Whole runs through ClusterRuntime: the invariants, checked on the
// records the model publishes (the same ones the event log writes).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "analysis/event_log.h"
#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"
#include "tests/runtime/registries.h"

namespace kubesim {
namespace {

const std::string kSource = KUBESIM_SOURCE_DIR;

struct Run {
  std::unique_ptr<ClusterRuntime> rt;
  std::ostringstream log;
  std::unique_ptr<EventLog> event_log;
};

std::unique_ptr<Run> start(const std::string& path, std::optional<uint64_t> seed = {}) {
  LoadResult loaded = load_scenario(path);
  for (const LoadError& e : loaded.errors)
    FAIL(e.to_string());
  REQUIRE(loaded.scenario);
  const PluginRegistry& plugins = testing::builtin_plugins();
  const ProfileRegistry& profiles = testing::builtin_profiles();
  RunOptions options;
  options.seed = seed;
  auto rt = ClusterRuntime::create(std::move(*loaded.scenario), options, plugins, profiles);
  REQUIRE(rt);
  auto run = std::make_unique<Run>();
  run->rt = std::move(*rt);
  run->event_log =
      std::make_unique<EventLog>(run->rt->simulation().bus(), run->log, &run->rt->api().objects());
  return run;
}

std::string run_log(const std::string& path, uint64_t seed) {
  auto r = start(path, seed);
  r->rt->run();
  r->event_log->flush();
  return r->log.str();
}

TEST_CASE(
    "runtime: the DaemonSet covers nodes added later, the pending pod is bound after addNodes, "
    "the Job completes") {
  auto r = start(kSource + "/tests/runtime/fixtures/growth.yaml");
  std::map<std::string, SimTime> bound_at;  // pod name -> time bound
  std::set<std::string> agent_nodes;
  int job_succeeded = 0;
  SimTime job_complete = SimTime::max();
  r->rt->simulation().bus().topic<PodRecord>().subscribe([&](const PodRecord& rec) {
    if (rec.event == PodEvent::kScheduled) {
      bound_at[rec.pod->name] = rec.t;
      if (rec.pod->owner.kind == "DaemonSet") agent_nodes.insert(rec.node->name);
    }
    if (rec.event == PodEvent::kSucceeded && rec.pod->owner.kind == "Job") ++job_succeeded;
  });
  r->rt->simulation().bus().topic<WorkloadRecord>().subscribe([&](const WorkloadRecord& rec) {
    if (rec.event == WorkloadEvent::kJobComplete) job_complete = rec.t;
  });
  r->rt->run();

  const SimTime added = SimTime::zero() + Duration::minutes(10);
  // One agent per node: small-0, small-1 from the start, large-0, large-1 after 10m.
  CHECK(agent_nodes == std::set<std::string>{"small-0", "small-1", "large-0", "large-1"});
  // 6 cpu fits no small node (2 cpu): bound only after the large nodes exist,
  // within a few watch latencies and decisions of their addition.
  REQUIRE(bound_at.count("big") == 1);
  CHECK(bound_at["big"] > added);
  CHECK(bound_at["big"] < added + Duration::seconds(1));
  // completions 5: exactly five pods succeed, and the Job is complete.
  CHECK(job_succeeded == 5);
  CHECK(job_complete != SimTime::max());
  const Job& job = r->rt->api().objects().jobs.at(0);
  CHECK(job.status.succeeded == 5);
  CHECK(job.status.complete);
  CHECK(r->rt->api().rejected_writes() == 0);
}

TEST_CASE("runtime: no node is ever over-committed") {
  // After every bind, the requests of the node's active pods fit its allocatable.
  auto r = start(kSource + "/scenarios/quickstart.yaml");
  int binds = 0;
  r->rt->simulation().bus().topic<PodRecord>().subscribe([&](const PodRecord& rec) {
    if (rec.event != PodEvent::kScheduled) return;
    ++binds;
    const Resources& used = r->rt->api().node_requested(rec.node->id);
    CHECK(used.milli_cpu <= rec.node->allocatable.milli_cpu);
    CHECK(used.memory <= rec.node->allocatable.memory);
  });
  r->rt->run();
  CHECK(binds > 30);
}

TEST_CASE("runtime: the same seed gives a byte-identical event log, another seed a different one") {
  const std::string path = kSource + "/scenarios/quickstart.yaml";
  const std::string a = run_log(path, 42);
  const std::string b = run_log(path, 42);
  const std::string c = run_log(path, 43);
  CHECK(a.size() > 10'000);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("runtime: every shipped scenario runs without a rejected write") {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kSource + "/scenarios")) {
    const std::string p = entry.path().string();
    if (entry.path().extension() != ".yaml" || p.find("/manifests/") != std::string::npos) continue;
    INFO(p);
    auto r = start(p);
    int64_t created = 0;
    r->rt->simulation().bus().topic<PodRecord>().subscribe([&](const PodRecord& rec) {
      if (rec.event == PodEvent::kCreated) ++created;
    });
    CHECK(r->rt->run());
    CHECK(r->rt->simulation().now() == r->rt->end_time());
    CHECK(created > 0);
    CHECK(r->rt->api().rejected_writes() == 0);
  }
}

TEST_CASE("runtime: an interrupt stops the run between chunks") {
  auto r = start(kSource + "/scenarios/quickstart.yaml");
  std::atomic<bool> stop{true};
  CHECK_FALSE(r->rt->run(&stop));
  CHECK(r->rt->simulation().now() < r->rt->end_time());
}

}  // namespace
}  // namespace kubesim
