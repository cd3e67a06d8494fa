#include "models/scenario/arrival_parser.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "models/scenario/sample_file.h"

namespace kubesim::scenario_detail {
namespace {

using Process = ArrivalSpec::Process;

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// A finite number, the whole text; nullopt otherwise.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

void parse_poisson(YamlReader& r, const YAML::Node& n, const std::string& path, ArrivalSpec& a) {
  if (!r.check_keys(n, path, {"process", "ratePerSecond"})) return;
  if (r.require(n, path, "ratePerSecond")) {
    a.rate_per_second = get_non_negative_number(r, n, path, "ratePerSecond").value_or(0);
  }
}

// steps: [{at, ratePerSecond}], strictly increasing in `at`. Before the
// first step the rate is 0: a first step after 0s gets a {0s, 0} step in
// front, so that ArrivalSpec::schedule always starts at 0.
void parse_schedule(YamlReader& r, const YAML::Node& n, const std::string& path, ArrivalSpec& a) {
  if (!r.check_keys(n, path, {"process", "steps"})) return;
  if (!r.require(n, path, "steps")) return;
  const YAML::Node steps = child(n, "steps");
  const std::string sp = join(path, "steps");
  if (!r.expect_seq(steps, sp)) return;
  if (steps.size() == 0) {
    r.error(steps, sp, "expected at least one step");
    return;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string p = index(sp, i);
    if (!r.check_keys(steps[i], p, {"at", "ratePerSecond"})) continue;
    ArrivalSpec::Step step;
    const bool has_at = r.require(steps[i], p, "at");
    const bool has_rate = r.require(steps[i], p, "ratePerSecond");
    if (has_rate) step.rate = get_non_negative_number(r, steps[i], p, "ratePerSecond").value_or(0);
    if (!has_at) continue;
    auto at = r.get_duration(steps[i], p, "at");
    if (!at) continue;
    step.at = *at;
    if (*at < Duration::zero()) {
      r.error(child(steps[i], "at"), join(p, "at"), "must be greater than or equal to 0");
      continue;
    }
    if (!a.schedule.empty() && *at <= a.schedule.back().at) {
      r.error(child(steps[i], "at"), join(p, "at"),
              "steps must be in increasing order of `at`: " + to_string(*at) +
                  " is not after the previous step's " + to_string(a.schedule.back().at));
      continue;
    }
    if (a.schedule.empty() && *at > Duration::zero()) {
      a.schedule.push_back(ArrivalSpec::Step{Duration::zero(), 0});
    }
    a.schedule.push_back(step);
  }
}

void parse_diurnal(YamlReader& r, const YAML::Node& n, const std::string& path, ArrivalSpec& a) {
  if (!r.check_keys(n, path, {"process", "peak", "trough", "peakAt", "period"})) return;
  if (r.require(n, path, "peak")) a.peak = get_non_negative_number(r, n, path, "peak").value_or(0);
  if (auto v = get_non_negative_number(r, n, path, "trough")) {
    a.trough = *v;
    if (r.has(n, "peak") && a.trough > a.peak) {
      r.error(child(n, "trough"), join(path, "trough"), "must not be greater than the peak");
    }
  }
  if (auto v = r.get_duration(n, path, "peakAt")) {
    if (*v < Duration::zero()) {
      r.error(child(n, "peakAt"), join(path, "peakAt"), "must be greater than or equal to 0");
    }
    a.peak_at = *v;
  }
  if (auto v = r.get_duration(n, path, "period")) {
    if (*v <= Duration::zero()) {
      r.error(child(n, "period"), join(path, "period"), "must be greater than 0");
    }
    a.period = *v;
  }
}

void parse_bursty(YamlReader& r, const YAML::Node& n, const std::string& path, ArrivalSpec& a) {
  if (!r.check_keys(n, path, {"process", "onRate", "offRate", "onDuration", "offDuration"})) {
    return;
  }
  if (r.require(n, path, "onRate"))
    a.on_rate = get_non_negative_number(r, n, path, "onRate").value_or(0);
  if (auto v = get_non_negative_number(r, n, path, "offRate")) a.off_rate = *v;
  // Periods of mean 0 would switch forever without time passing.
  for (auto [key, out] :
       {std::pair{"onDuration", &a.on_duration}, {"offDuration", &a.off_duration}}) {
    if (!r.require(n, path, key)) continue;
    auto d = get_duration_distribution(r, n, path, key);
    if (!d) continue;
    if (d->mean() <= Duration::zero()) {
      r.error(child(n, key), join(path, key), "must have a mean greater than 0");
    }
    *out = *d;
  }
}

std::string trim(const std::string& s) {
  const char* space = " \t\r";
  const size_t b = s.find_first_not_of(space);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(space) - b + 1);
}

// An arrival offset: a duration ("1.5s") or a number of seconds ("1.5"), >= 0.
std::optional<Duration> parse_offset(const std::string& text) {
  if (auto d = parse_duration(text))
    return *d >= Duration::zero() ? std::optional(*d) : std::nullopt;
  auto v = parse_number(text);
  if (!v || *v < 0) return std::nullopt;
  return Duration::from_seconds(*v);
}

// Reads the replay trace into a.timestamps or a.interval_rates. The first
// field of each line counts; blank lines and `#` comments are skipped, and
// so is a first line that is not a value (a CSV header). Reading stops at the
// first bad line: one error, at the CSV's file:line:column.
void read_trace(YamlReader& r, const YAML::Node& file_node, const std::string& path, bool rates,
                ArrivalSpec& a) {
  auto name = r.as_string(file_node, path);
  if (!name) return;
  namespace fs = std::filesystem;
  const fs::path p(*name);
  const fs::path base = fs::path(r.scenario_file()).parent_path();
  const std::string file = (p.is_absolute() ? p : base / p).lexically_normal().string();
  std::ifstream in(file);
  if (!in) {
    r.error(file_node, path, "cannot open replay file " + file);
    return;
  }
  std::string line;
  int number = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++number;
    const std::string raw = line.substr(0, line.find(','));
    const std::string field = trim(raw);
    if (field.empty() || field[0] == '#') continue;
    const int column = static_cast<int>(raw.find_first_not_of(" \t")) + 1;
    const auto fail = [&](std::string message) {
      r.error_at(Origin{file, number, column, path}, std::move(message));
    };
    if (rates) {
      auto v = parse_number(field);
      if (!v && first) {
        first = false;
        continue;
      }
      first = false;
      if (!v) return fail("expected a rate (requests per second), got \"" + field + "\"");
      if (*v < 0) return fail("a rate must be greater than or equal to 0, got " + field);
      a.interval_rates.push_back(*v);
    } else {
      auto v = parse_offset(field);
      if (!v && first) {
        first = false;
        continue;
      }
      first = false;
      if (!v) {
        return fail("expected an arrival offset (seconds, or a duration such as 1.5s), got \"" +
                    field + "\"");
      }
      if (!a.timestamps.empty() && *v < a.timestamps.back()) {
        return fail("timestamps must be in order: " + to_string(*v) + " is before the previous " +
                    to_string(a.timestamps.back()));
      }
      a.timestamps.push_back(*v);
    }
  }
  if (a.timestamps.empty() && a.interval_rates.empty()) {
    r.error(file_node, path,
            "replay file " + file + " holds no " + (rates ? "rates" : "timestamps"));
  }
}

void parse_replay(YamlReader& r, const YAML::Node& n, const std::string& path, ArrivalSpec& a) {
  if (!r.check_keys(n, path, {"process", "file", "format", "interval", "loop"})) return;
  bool rates = false;
  if (auto v = r.get_enum(n, path, "format", {"timestamps", "rates"})) rates = *v == "rates";
  if (auto v = r.get_duration(n, path, "interval")) {
    if (*v <= Duration::zero()) {
      r.error(child(n, "interval"), join(path, "interval"), "must be greater than 0");
    }
    a.interval = *v;
  }
  if (auto v = r.get_bool(n, path, "loop")) a.loop = *v;
  if (!r.require(n, path, "file")) return;
  const size_t errors_before = r.error_count();
  read_trace(r, child(n, "file"), join(path, "file"), rates, a);
  if (r.error_count() != errors_before || !a.loop || rates) return;
  // A looped trace of timestamps repeats every last + mean gap
  // (ArrivalProcess): that span must be positive.
  if (a.timestamps.back() == Duration::zero()) {
    r.error(child(n, "loop"), join(path, "loop"),
            "a looped trace must span a positive time; every timestamp is 0");
  }
}

}  // namespace

std::optional<DurationDistribution> get_duration_distribution(YamlReader& r, const YAML::Node& map,
                                                              const std::string& path,
                                                              std::string_view key) {
  auto text = r.get_string(map, path, key);
  if (!text) return std::nullopt;
  if (text->find('(') == std::string::npos) {
    if (auto d = parse_duration(*text)) {
      if (*d < Duration::zero()) {
        r.error(child(map, key), join(path, key), "must be greater than or equal to 0");
        return std::nullopt;
      }
      return DurationDistribution::fixed(*d);
    }
  }
  auto d = parse_duration_distribution(*text, sample_file_loader(r.scenario_file()));
  if (!d) {
    r.error(child(map, key), join(path, key),
            d.error().message + " (or a plain duration such as 10ms)");
    return std::nullopt;
  }
  return *d;
}

std::optional<double> get_non_negative_number(YamlReader& r, const YAML::Node& map,
                                              const std::string& path, std::string_view key) {
  const YAML::Node n = child(map, key);
  if (!n.IsDefined() || n.IsNull()) return std::nullopt;
  const std::string p = join(path, key);
  std::optional<double> v;
  if (n.IsScalar() && n.Tag() == "?") v = parse_number(n.Scalar());
  if (!v) {
    r.error(n, p, "expected a number, got " + describe(n));
    return std::nullopt;
  }
  if (*v < 0) {
    r.error(n, p, "must be greater than or equal to 0");
    return std::nullopt;
  }
  return v;
}

ArrivalSpec parse_arrival(YamlReader& r, const YAML::Node& n, const std::string& path) {
  ArrivalSpec a;
  if (!r.expect_map(n, path)) return a;
  if (!r.require(n, path, "process")) return a;
  auto process =
      r.get_enum(n, path, "process", {"poisson", "schedule", "diurnal", "bursty", "replay"});
  if (!process) return a;
  if (*process == "poisson") {
    a.process = Process::kPoisson;
    parse_poisson(r, n, path, a);
  } else if (*process == "schedule") {
    a.process = Process::kSchedule;
    parse_schedule(r, n, path, a);
  } else if (*process == "diurnal") {
    a.process = Process::kDiurnal;
    parse_diurnal(r, n, path, a);
  } else if (*process == "bursty") {
    a.process = Process::kBursty;
    parse_bursty(r, n, path, a);
  } else {
    a.process = Process::kReplay;
    parse_replay(r, n, path, a);
  }
  return a;
}

}  // namespace kubesim::scenario_detail
