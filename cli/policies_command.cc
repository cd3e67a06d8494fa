#include <algorithm>

#include <fmt/core.h>

#include "cli/commands.h"
#include "cli/registries.h"

namespace kubesim::cli {
namespace {

std::string points(uint32_t p) {
  std::string out;
  for (const auto& [bit, name] : {std::pair{kPreFilter, "PreFilter"}, std::pair{kFilter, "Filter"},
                                  std::pair{kPreScore, "PreScore"}, std::pair{kScore, "Score"}}) {
    if (p & bit) out += (out.empty() ? "" : ",") + std::string(name);
  }
  return out;
}

}  // namespace

int run_policies() {
  const Registries r = make_registries();
  size_t width = 0;
  for (const auto& e : r.profiles.entries())
    width = std::max(width, e.name.size());
  for (const auto& e : r.plugins.entries())
    width = std::max(width, e.name.size());
  fmt::print("Profiles (spec.scheduler.profile, kubesim schedule --profile):\n");
  for (const ProfileEntry& e : r.profiles.entries()) {
    fmt::print("  {:<{}}  {}\n", e.name, width, e.description);
  }
  fmt::print("\nPlugins (KubeSchedulerConfiguration plugins.<point>.enabled):\n");
  for (const PluginEntry& e : r.plugins.entries()) {
    fmt::print("  {:<{}}  {} [{}]\n", e.name, width, e.description, points(e.extension_points));
  }
  fmt::print("  {:<{}}  {} [PostFilter]\n", "DefaultPreemption", width,
             "evicts lower-priority pods so that an unschedulable pod fits (what-if)");
  return 0;
}

}  // namespace kubesim::cli
