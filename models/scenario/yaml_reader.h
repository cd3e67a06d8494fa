// Typed access to YAML nodes with error collection: every read names its key
// path and, on a problem, records a LoadError at the node's line and column
// instead of throwing. Used by the scenario and manifest parsers.
//
//   YamlReader r("web.yaml", errors, ignored);
//   if (r.check_keys(node, "spec", {"replicas", "template"}, {"paused"})) {
//     if (auto n = r.get_int32(node, "spec", "replicas")) replicas = *n;
//   }
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "models/objects/labels.h"
#include "models/quantity.h"
#include "models/scenario/scenario.h"
#include "sim/time.h"

namespace kubesim::scenario_detail {

// Where something was written, for errors found after parsing.
struct Origin {
  std::string file;
  int line = 0;
  int column = 0;
  std::string path;
};

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string join(const std::string& path, std::string_view key);
// "a" + 2 -> "a[2]".
std::string index(const std::string& path, size_t i);

// Levenshtein distance, case-insensitive.
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a small distance, or "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

class YamlReader {
 public:
  YamlReader(std::string file, std::vector<LoadError>& errors, std::vector<LoadError>& ignored)
      : file_(std::move(file)), scenario_file_(file_), errors_(&errors), ignored_(&ignored) {}

  const std::string& file() const { return file_; }
  // The scenario file this file belongs to (itself, or the file that
  // includes it): relative paths in values (empirical(FILE)) start there.
  const std::string& scenario_file() const { return scenario_file_; }
  void set_scenario_file(std::string f) { scenario_file_ = std::move(f); }
  // A reader of another file (an included one) that collects into the same
  // lists and belongs to the same scenario file.
  YamlReader reader_for(std::string file) const {
    YamlReader r(std::move(file), *errors_, *ignored_);
    r.scenario_file_ = scenario_file_;
    return r;
  }
  size_t error_count() const { return errors_->size(); }

  void error(const YAML::Node& at, const std::string& path, std::string message);
  void error_at(const Origin& at, std::string message);
  void error_file(std::string message);  // the file as a whole
  // A Kubernetes field or kind kubesim accepts but does not model (for --verbose).
  void note(const YAML::Node& at, const std::string& path, std::string message);
  Origin origin(const YAML::Node& at, const std::string& path) const;

  // Checks that `node` is a mapping whose keys are all in `known` or
  // `ignored`; unknown keys are errors with a did-you-mean hint, ignored
  // ones are noted. Returns false (after an error) when node is not a mapping.
  bool check_keys(const YAML::Node& node, const std::string& path,
                  std::initializer_list<std::string_view> known,
                  std::initializer_list<std::string_view> ignored = {});
  bool expect_map(const YAML::Node& node, const std::string& path);
  bool expect_seq(const YAML::Node& node, const std::string& path);

  // The value under `key` of a mapping (undefined if absent).
  static YAML::Node child(const YAML::Node& map, std::string_view key);
  // Present and not null.
  static bool has(const YAML::Node& map, std::string_view key);
  // Error "missing required key" at the map unless present.
  bool require(const YAML::Node& map, const std::string& path, std::string_view key);

  // Readers of one value; nullopt when absent/null or wrong (after an error).
  std::optional<std::string> as_string(const YAML::Node& n, const std::string& path);
  std::optional<int64_t> as_int64(const YAML::Node& n, const std::string& path);
  std::optional<int32_t> as_int32(const YAML::Node& n, const std::string& path);
  std::optional<bool> as_bool(const YAML::Node& n, const std::string& path);
  std::optional<Quantity> as_quantity(const YAML::Node& n, const std::string& path);
  std::optional<Duration> as_duration(const YAML::Node& n, const std::string& path);
  // A map of strings to strings (labels, annotations, nodeSelector).
  std::optional<Labels> as_string_map(const YAML::Node& n, const std::string& path);
  std::optional<std::vector<std::string>> as_string_list(const YAML::Node& n,
                                                         const std::string& path);

  // The same, reading map[key] with path join(path, key).
  std::optional<std::string> get_string(const YAML::Node& map, const std::string& path,
                                        std::string_view key);
  std::optional<int64_t> get_int64(const YAML::Node& map, const std::string& path,
                                   std::string_view key);
  std::optional<int32_t> get_int32(const YAML::Node& map, const std::string& path,
                                   std::string_view key);
  std::optional<bool> get_bool(const YAML::Node& map, const std::string& path,
                               std::string_view key);
  std::optional<Quantity> get_quantity(const YAML::Node& map, const std::string& path,
                                       std::string_view key);
  std::optional<Duration> get_duration(const YAML::Node& map, const std::string& path,
                                       std::string_view key);
  std::optional<Labels> get_string_map(const YAML::Node& map, const std::string& path,
                                       std::string_view key);
  std::optional<std::vector<std::string>> get_string_list(const YAML::Node& map,
                                                          const std::string& path,
                                                          std::string_view key);
  // One of `allowed` (exact), else an error listing them.
  std::optional<std::string> get_enum(const YAML::Node& map, const std::string& path,
                                      std::string_view key,
                                      std::initializer_list<std::string_view> allowed);

 private:
  std::string file_;
  std::string scenario_file_;
  std::vector<LoadError>* errors_;
  std::vector<LoadError>* ignored_;
  // Keys an unknown key was probably meant to be (map position, key): a
  // "missing required key" for them would only repeat the typo's error.
  std::set<std::tuple<int, int, std::string>> suggested_;
};

// Every non-empty YAML document of r.file(), or nullopt after an error
// (cannot open, syntax error).
std::optional<std::vector<YAML::Node>> read_documents(YamlReader& r);

// "a mapping", "a sequence", "a string", ... for type errors.
std::string describe(const YAML::Node& n);

}  // namespace kubesim::scenario_detail
