#include "models/scenario/annotations.h"

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "models/kubelet/behavior.h"
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
    }
  }
}

}  // namespace kubesim::scenario_detail
