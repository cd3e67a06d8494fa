// kubesim run: load a scenario, run it, write the event log, summary.json and
// (with traffic) traffic.csv atomically, print the summary. docs/running.md is
// the user's guide.
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>

#include <fmt/core.h>

#include "analysis/atomic_file.h"
#include "analysis/event_log.h"
#include "analysis/run_summary.h"
#include "cli/commands.h"
#include "cli/registries.h"
#include "models/runtime/cluster_runtime.h"
#include "models/scenario/scenario.h"

namespace kubesim::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kExitInternal = 1;
constexpr int kExitInterrupted = 130;  // 128 + SIGINT, as shells report it

// A signal handler can reach only static storage, so this flag is the one
// piece of process-wide state: SIGINT sets it, the run loop reads it.
std::atomic<bool> g_interrupt_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "a signal handler needs a lock-free flag");

extern "C" void on_sigint(int) {
  g_interrupt_requested.store(true, std::memory_order_relaxed);
}

// Installs the SIGINT handler for its lifetime. SA_RESETHAND: a second Ctrl-C
// gets the default action and ends the process at once.
class SigintGuard {
 public:
  SigintGuard() {
    g_interrupt_requested.store(false);
    struct sigaction action {};
    action.sa_handler = on_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;
    installed_ = sigaction(SIGINT, &action, &previous_) == 0;
  }
  ~SigintGuard() {
    if (installed_) sigaction(SIGINT, &previous_, nullptr);
  }
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;

 private:
  struct sigaction previous_ {};
  bool installed_ = false;
};

int usage_error(const std::string& message) {
  fmt::print(stderr, "kubesim: error: {}\n", message);
  return kExitBadInput;
}

void print_summary(const RunSummary& s, const RunCommandOptions& o) {
  if (o.quiet) return;
  if (o.output == "json") {
    fmt::print("{}\n", summary_json(s).dump(2));
  } else {
    fmt::print("{}", summary_table(s));
  }
}

}  // namespace

int run_scenario(const RunCommandOptions& o) {
  // Flags first: a bad flag is reported before anything is loaded or written.
  if (o.output != "table" && o.output != "json") {
    return usage_error(fmt::format("--output: expected table or json, got \"{}\"", o.output));
  }
  std::optional<Duration> until;
  if (!o.until.empty()) {
    auto d = parse_duration(o.until);
    if (!d) return usage_error("--until: " + d.error().message);
    until = *d;
  }
  const Registries registries = make_registries();
  if (!o.scheduler.empty() && registries.profiles.find(o.scheduler) == nullptr) {
    return usage_error(fmt::format("--scheduler: unknown profile \"{}\" (known: {})", o.scheduler,
                                   registries.profiles.names()));
  }

  if (!o.controllers.empty() && o.controllers != "kubernetes" && o.controllers != "manual") {
    return usage_error(
        fmt::format("--controllers: expected kubernetes or manual, got \"{}\"", o.controllers));
  }

  LoadResult loaded = load_scenario(o.scenario);
  for (const LoadError& e : loaded.errors)
    fmt::print(stderr, "{}\n", e.to_string());
  if (!loaded.scenario) return kExitBadInput;
  const std::string name =
      !loaded.scenario->name.empty() ? loaded.scenario->name : fs::path(o.scenario).stem().string();

  RunOptions options;
  options.seed = o.seed;
  options.until = until;
  options.scheduler_profile = o.scheduler;
  options.controllers = o.controllers;
  options.naive_timers = o.naive_timers;
  auto created = ClusterRuntime::create(std::move(*loaded.scenario), options, registries.plugins,
                                        registries.profiles);
  if (!created) return usage_error(fmt::format("{}: {}", o.scenario, created.error().message));
  ClusterRuntime& rt = **created;

  // Two runs of one scenario with different controller sets keep both outputs.
  const std::string dir_name = o.controllers.empty() ? name : name + "-" + o.controllers;
  const fs::path out_dir = o.out.empty() ? fs::path("kubesim-out") / dir_name : fs::path(o.out);
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    return usage_error(
        fmt::format("--out: cannot create directory {}: {}", out_dir.string(), ec.message()));
  }
  auto events_file = AtomicFile::open(out_dir / "events.jsonl");
  if (!events_file) return usage_error("--out: " + events_file.error().message);

  // Declared after the runtime and the file: destroyed first, so no handler
  // outlives what it writes to.
  EventLog event_log(rt.simulation().bus(), events_file->stream(), &rt.api().objects());
  RunSummaryCollector collector(rt.simulation().bus(), rt.api().objects(), rt.simulation().now(),
                                rt.scenario().traffic);

  bool completed = false;
  const auto wall_start = std::chrono::steady_clock::now();
  {
    SigintGuard guard;
    completed = rt.run(&g_interrupt_requested);
  }
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - wall_start;

  RunSummary summary = collector.summary(rt.simulation().now());
  summary.scenario = name;
  summary.seed = rt.seed();
  summary.wall_seconds = wall.count();
  summary.events_processed = rt.simulation().events_processed();
  summary.interrupted = !completed;

  if (!completed) {
    events_file->discard();
    print_summary(summary, o);
    fmt::print(stderr, "kubesim: interrupted at {} simulated; nothing written\n",
               to_string(rt.simulation().now().since_start()));
    return kExitInterrupted;
  }

  event_log.flush();
  if (auto done = events_file->commit(); !done) {
    fmt::print(stderr, "kubesim: error: {}\n", done.error().message);
    return kExitInternal;
  }
  if (auto done =
          write_file_atomically(out_dir / "summary.json", summary_json(summary).dump(2) + "\n");
      !done) {
    fmt::print(stderr, "kubesim: error: {}\n", done.error().message);
    return kExitInternal;
  }
  // The time series of the Services' requests. A run without traffic removes
  // the file an earlier run may have left, so that the directory holds this
  // run's files only.
  const fs::path traffic_path = out_dir / "traffic.csv";
  if (!summary.traffic.services.empty()) {
    if (auto done = write_file_atomically(traffic_path, traffic_csv(summary.traffic)); !done) {
      fmt::print(stderr, "kubesim: error: {}\n", done.error().message);
      return kExitInternal;
    }
  } else {
    fs::remove(traffic_path, ec);
  }
  print_summary(summary, o);
  return 0;
}

}  // namespace kubesim::cli
