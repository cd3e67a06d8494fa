#include <fmt/core.h>

#include "cli/commands.h"
#include "models/scenario/scenario.h"

namespace kubesim::cli {

int run_validate(const std::vector<std::string>& files, bool verbose) {
  int rc = 0;
  for (const std::string& file : files) {
    const LoadResult r = load_scenario(file);
    if (!r.errors.empty()) {
      for (const LoadError& e : r.errors)
        fmt::print(stderr, "{}\n", e.to_string());
      rc = kExitBadInput;
      continue;
    }
    fmt::print("{}: ok ({} nodes, {} pods)\n", file, r.scenario->objects.nodes.size(),
               r.scenario->objects.pods.size());
    if (verbose) {
      for (const LoadError& ignored : r.scenario->ignored_fields) {
        fmt::print("  ignored (not modelled): {}\n", ignored.to_string());
      }
    }
  }
  return rc;
}

}  // namespace kubesim::cli
