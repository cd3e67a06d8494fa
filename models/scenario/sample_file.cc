#include "models/scenario/sample_file.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

namespace kubesim {
namespace {

std::string trim(std::string s) {
  const char* space = " \t\r";
  size_t b = s.find_first_not_of(space);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(space);
  return s.substr(b, e - b + 1);
}

// One sample in seconds: a duration, or a plain non-negative number of seconds.
std::optional<double> parse_sample(const std::string& text) {
  if (auto d = parse_duration(text)) return d->to_seconds();
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

}  // namespace

SampleLoader sample_file_loader(const std::string& scenario_file) {
  namespace fs = std::filesystem;
  fs::path base = fs::path(scenario_file).parent_path();
  return [base](std::string_view name) -> Expected<std::vector<double>> {
    fs::path p(name);
    const std::string file = (p.is_absolute() ? p : base / p).lexically_normal().string();
    std::ifstream in(file);
    if (!in) return Error{"cannot open samples file " + file};
    std::vector<double> samples;
    std::string line;
    int number = 0;
    bool first = true;
    while (std::getline(in, line)) {
      ++number;
      std::string field = trim(line.substr(0, line.find(',')));
      if (field.empty() || field[0] == '#') continue;
      auto v = parse_sample(field);
      if (!v && first) {
        first = false;  // a CSV header
        continue;
      }
      first = false;
      if (!v) {
        return Error{file + ":" + std::to_string(number) +
                     ": expected a duration or seconds, got \"" + field + "\""};
      }
      samples.push_back(*v);
    }
    if (samples.empty()) return Error{"samples file " + file + " holds no samples"};
    return samples;
  };
}

}  // namespace kubesim
