#include "models/kubelet/behavior.h"

#include <string>
#include <vector>

namespace kubesim {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

constexpr const char* kExpected =
    "(expected crash-on-start, never-ready, crash-after, hang-after or slow-start)";

}  // namespace

Expected<ContainerBehavior> parse_container_behavior(std::string_view text) {
  ContainerBehavior b;
  if (trim(text).empty()) return b;  // "": behaves normally (a rollout can clear it)
  std::vector<std::string> seen;
  while (true) {
    const std::size_t semi = text.find(';');
    const std::string_view item = trim(text.substr(0, semi));
    const std::size_t colon = item.find(':');
    const std::string name(trim(item.substr(0, colon)));
    const std::string_view arg =
        colon == std::string_view::npos ? std::string_view{} : trim(item.substr(colon + 1));
    for (const std::string& s : seen) {
      if (s == name) return Error{"behavior \"" + name + "\" given twice"};
    }
    seen.push_back(name);
    if (name == "crash-on-start" || name == "never-ready") {
      if (colon != std::string_view::npos)
        return Error{"behavior \"" + name + "\" takes no argument, got \"" + std::string(arg) +
                     "\""};
      (name == "crash-on-start" ? b.crash_on_start : b.never_ready) = true;
    } else if (name == "crash-after" || name == "hang-after" || name == "slow-start") {
      if (arg.empty())
        return Error{"behavior \"" + name + "\" needs a duration distribution, e.g. \"" + name +
                     ": exponential(1h)\""};
      const SampleLoader no_files = [](std::string_view) -> Expected<std::vector<double>> {
        return Error{"empirical(FILE) is not supported in annotations yet"};
      };
      auto d = parse_duration_distribution(arg, no_files);
      if (!d) return Error{"behavior \"" + name + "\": " + d.error().message};
      auto& slot = name == "crash-after"  ? b.crash_after
                   : name == "hang-after" ? b.hang_after
                                          : b.slow_start;
      slot = std::move(*d);
    } else {
      return Error{"unknown behavior \"" + name + "\" " + kExpected};
    }
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return b;
}

}  // namespace kubesim
