// The subcommands of kubesim, each returning the process exit code
// (0 ok, 1 internal error, 2 bad input).
#pragma once

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

}  // namespace kubesim::cli
