#include "models/scenario/annotations.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "models/kubelet/behavior.h"
#include "models/traffic/traffic_spec.h"
#include "sim/distribution.h"

namespace kubesim::scenario_detail {
namespace {

// A plain scalar YAML reads as a number or boolean: as_string has reported it already.
bool reported_as_not_string(const YAML::Node& v) {
  if (v.Tag() != "?") return false;
  const std::string& s = v.Scalar();
  if (s == "true" || s == "false" || s == "True" || s == "False" || s == "TRUE" || s == "FALSE") {
    return true;
  }
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

// A decimal integer >= min (the whole value), else an error at the value.
void check_integer(YamlReader& r, const YAML::Node& value, const std::string& path, int64_t min) {
  const std::string& s = value.Scalar();
  const std::string_view digits = std::string_view(s).substr(!s.empty() && s[0] == '-' ? 1 : 0);
  const bool integer =
      !digits.empty() && digits.size() <= 18 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!integer) {
    r.error(value, path, "expected an integer >= " + std::to_string(min) + ", got \"" + s + "\"");
  } else if (std::stoll(s) < min) {
    r.error(value, path, "must be at least " + std::to_string(min) + ", got " + s);
  }
}

// The policies kubesim.io/load-balancer names (to_string(LoadBalancing)).
constexpr LoadBalancing kPolicies[] = {LoadBalancing::kRandom, LoadBalancing::kRoundRobin,
                                       LoadBalancing::kLeastConnections, LoadBalancing::kPowerOfD,
                                       LoadBalancing::kSourceHash};

}  // namespace

void check_kubesim_annotations(YamlReader& r, const YAML::Node& annotations,
                               const std::string& path) {
  if (!annotations.IsDefined() || !annotations.IsMap()) return;
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    if (!it->first.IsScalar() || !it->second.IsScalar()) continue;
    const std::string key = it->first.Scalar();
    const YAML::Node value = it->second;
    const std::string p = join(path, key);
    if (key == kAnnotationRunTime || key == kAnnotationShutdownTime) {
      if (reported_as_not_string(value)) continue;
      // The kubelet parses these strings again at run time, without a file loader.
      const SampleLoader no_files = [](std::string_view) -> Expected<std::vector<double>> {
        return Error{"empirical(FILE) is not supported in annotations yet"};
      };
      auto d = parse_duration_distribution(value.Scalar(), no_files);
      if (!d) r.error(value, p, d.error().message);
    } else if (key == kAnnotationBehavior) {
      if (reported_as_not_string(value)) continue;
      auto b = parse_container_behavior(value.Scalar());
      if (!b) r.error(value, p, b.error().message);
    } else if (key == kAnnotationFailureProbability) {
      const std::string& s = value.Scalar();
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v)) {
        r.error(value, p, "expected a probability (a number in [0, 1]), got \"" + s + "\"");
      } else if (v < 0 || v > 1) {
        r.error(value, p, "must be in [0, 1], got " + s);
      }
    } else if (key == kAnnotationConcurrency || key == kAnnotationQueueCapacity) {
      if (reported_as_not_string(value)) continue;
      check_integer(r, value, p, key == kAnnotationConcurrency ? 1 : 0);
    }
  }
}

void check_service_annotations(YamlReader& r, const YAML::Node& annotations,
                               const std::string& path) {
  if (!annotations.IsDefined() || !annotations.IsMap()) return;
  std::string policy;  // as written, when valid
  // Not a YAML::Node: assigning to one would write into the document.
  std::optional<Origin> choices;
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    if (!it->first.IsScalar() || !it->second.IsScalar()) continue;
    const std::string key = it->first.Scalar();
    const YAML::Node value = it->second;
    const std::string p = join(path, key);
    if (key == kAnnotationLoadBalancer) {
      if (reported_as_not_string(value)) continue;
      std::vector<std::string> names;
      for (LoadBalancing lb : kPolicies)
        names.emplace_back(to_string(lb));
      if (std::find(names.begin(), names.end(), value.Scalar()) != names.end()) {
        policy = value.Scalar();
        continue;
      }
      std::string message =
          "unsupported load balancer \"" + value.Scalar() + "\"; expected one of: ";
      for (size_t i = 0; i < names.size(); ++i)
        message += (i ? ", " : "") + names[i];
      const std::string hint = closest(value.Scalar(), names);
      if (!hint.empty()) message += " (did you mean \"" + hint + "\"?)";
      r.error(value, p, message);
      policy = "?";  // reported
    } else if (key == kAnnotationLbChoices) {
      if (reported_as_not_string(value)) continue;
      check_integer(r, value, p, 1);
      choices = r.origin(value, p);
    }
  }
  if (choices && policy.empty()) {
    r.error_at(*choices, std::string("only with ") + kAnnotationLoadBalancer + ": power-of-d");
  } else if (choices && policy != "?" && policy != to_string(LoadBalancing::kPowerOfD)) {
    r.error_at(*choices,
               std::string("only with ") + kAnnotationLoadBalancer + ": power-of-d, not " + policy);
  }
}

}  // namespace kubesim::scenario_detail
