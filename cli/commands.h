// The subcommands of kubesim, each returning the process exit code
// (0 ok, 1 internal error, 2 bad input; kubesim run: 130 when interrupted).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kubesim::cli {

inline constexpr int kExitBadInput = 2;

// kubesim validate SCENARIO...: "FILE: ok" per valid file, else its errors.
int run_validate(const std::vector<std::string>& files, bool verbose);

// kubesim policies: profiles and plugins with one-line descriptions.
int run_policies();

struct ScheduleOptions {
  std::string cluster;  // scenario file
  std::string pod;      // pod manifest
  std::string profile;  // built-in profile overriding the scenario's
  std::string output = "table";
  uint64_t seed = 0;  // 0: the scenario's seed
};
// kubesim schedule: one explained scheduling decision.
int run_schedule(const ScheduleOptions& options);

struct RunCommandOptions {
  std::string scenario;          // scenario file
  std::optional<uint64_t> seed;  // default: the scenario's
  std::string until;             // a duration; "" for the scenario's
  std::string scheduler;         // built-in profile for every pod, "" for the scenario's
  std::string controllers;       // controller set (kubernetes, manual), "" for the scenario's
  bool naive_timers = false;     // simulate every tick of every periodic loop
  std::string out;               // "" for kubesim-out/<scenario name>[-<controllers>]
  bool quiet = false;            // print nothing on success
  std::string output = "table";  // or "json"
};
// kubesim run: run a scenario; write events.jsonl and summary.json (docs/running.md).
int run_scenario(const RunCommandOptions& options);

}  // namespace kubesim::cli
