// kubesim: command-line entry point. Parses flags and dispatches to a
// subcommand; every user error is one line on stderr and exit code 2.
#include <exception>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/demo.h"

namespace {

constexpr int kUsageError = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kubesim: a discrete-event simulator of Kubernetes-style container orchestration"};
  app.set_version_flag("--version", "kubesim " KUBESIM_VERSION);
  app.require_subcommand(0, 1);

  kubesim::cli::DemoOptions demo;
  CLI::App* demo_cmd =
      app.add_subcommand("demo", "Run an M/M/1 queue on the bare engine and compare with theory");
  demo_cmd->add_option("--seed", demo.seed, "Root random seed");
  demo_cmd->add_option("--lambda", demo.arrival_rate, "Arrival rate per second");
  demo_cmd->add_option("--mu", demo.service_rate, "Service rate per second");
  demo_cmd->add_option("--duration", demo.duration, "Simulated time, e.g. 1h, 1d");

  std::vector<std::string> validate_files;
  bool verbose = false;
  CLI::App* validate_cmd =
      app.add_subcommand("validate", "Load and check scenario files; print ok or every error");
  validate_cmd->add_option("scenario", validate_files, "Scenario files")->required();
  validate_cmd->add_flag("--verbose", verbose, "Also list Kubernetes fields that are not modelled");

  CLI::App* policies_cmd = app.add_subcommand("policies", "List scheduler profiles and plugins");

  kubesim::cli::ScheduleOptions schedule;
  CLI::App* schedule_cmd = app.add_subcommand(
      "schedule", "Explain one scheduling decision for a pod on a scenario's cluster");
  schedule_cmd
      ->add_option("--cluster", schedule.cluster,
                   "Scenario whose nodes and bound pods form the cluster")
      ->required();
  schedule_cmd->add_option("--pod", schedule.pod, "Pod manifest (YAML)")->required();
  schedule_cmd->add_option("--profile", schedule.profile,
                           "Built-in profile (see kubesim policies)");
  schedule_cmd->add_option("--output", schedule.output, "table or json");
  schedule_cmd->add_option("--seed", schedule.seed,
                           "Seed for the tie-break (default: the scenario's)");

  kubesim::cli::RunCommandOptions run;
  uint64_t run_seed = 0;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run a scenario; write events.jsonl and summary.json, print the summary");
  run_cmd->add_option("scenario", run.scenario, "Scenario file")->required();
  CLI::Option* run_seed_option =
      run_cmd->add_option("--seed", run_seed, "Root random seed (default: the scenario's)");
  run_cmd->add_option("--until", run.until,
                      "Simulated time to stop at, e.g. 10m (default: the scenario's duration)");
  run_cmd->add_option("--scheduler", run.scheduler,
                      "Built-in profile for every pod (see kubesim policies)");
  run_cmd->add_option("--controllers", run.controllers,
                      "Controller set: kubernetes or manual (default: the scenario's "
                      "spec.controllers)");
  run_cmd->add_flag("--naive-timers", run.naive_timers,
                    "Simulate every tick of probes, heartbeats and election loops (same events, "
                    "slower; for checking)");
  run_cmd->add_option("--out", run.out,
                      "Output directory (default: kubesim-out/<scenario name>, plus "
                      "-<controllers> with --controllers)");
  run_cmd->add_flag("--quiet", run.quiet, "Print nothing on success");
  run_cmd->add_option("--output", run.output, "Summary format: table or json");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "kubesim: error: {} (see kubesim --help)\n", e.what());
    return kUsageError;
  }

  try {
    if (*demo_cmd) return kubesim::cli::run_demo(demo);
    if (*validate_cmd) return kubesim::cli::run_validate(validate_files, verbose);
    if (*policies_cmd) return kubesim::cli::run_policies();
    if (*schedule_cmd) return kubesim::cli::run_schedule(schedule);
    if (*run_cmd) {
      if (run_seed_option->count() > 0) run.seed = run_seed;
      return kubesim::cli::run_scenario(run);
    }
    fmt::print("{}", app.help());
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "kubesim: internal error: {}\n", e.what());
    return 1;
  }
}
