// load_scenario and load_pod: read the YAML, parse the spec (cluster_parser,
// scheduler_config_parser, manifests), then validate and resolve (resolve.cc).
#include "models/scenario/scenario.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "models/scenario/cluster_parser.h"
#include "models/scenario/manifests.h"
#include "models/scenario/resolve.h"
#include "models/scenario/scheduler_config_parser.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim {

using scenario_detail::ClusterSpec;
using scenario_detail::index;
using scenario_detail::join;
using scenario_detail::ManifestSet;
using scenario_detail::YamlReader;

std::string LoadError::to_string() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

namespace {

// Every non-empty document of a file, or nullopt after an error.
std::optional<std::vector<YAML::Node>> read_documents(YamlReader& r, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    r.error_file("cannot open file");
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  try {
    std::vector<YAML::Node> docs;
    for (const YAML::Node& d : YAML::LoadAll(text.str())) {
      if (d.IsDefined() && !d.IsNull()) docs.push_back(d);
    }
    return docs;
  } catch (const YAML::Exception& e) {
    scenario_detail::Origin o{r.file(), e.mark.line + 1, e.mark.column + 1, ""};
    if (e.mark.is_null()) o.line = o.column = 0;
    r.error_at(o, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

void load_include(YamlReader& r, const YAML::Node& item, const std::string& path,
                  const std::string& scenario_path, std::vector<LoadError>& errors,
                  std::vector<LoadError>& ignored, ManifestSet& out) {
  if (!r.check_keys(item, path, {"include"})) return;
  auto rel = r.get_string(item, path, "include");
  if (!rel) {
    r.require(item, path, "include");
    return;
  }
  namespace fs = std::filesystem;
  std::string file = (fs::path(scenario_path).parent_path() / *rel).lexically_normal().string();
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    r.error(YamlReader::child(item, "include"), join(path, "include"),
            "included file \"" + *rel + "\" does not exist (looked for " + file + ")");
    return;
  }
  YamlReader ir(file, errors, ignored);
  auto docs = read_documents(ir, file);
  if (!docs) return;
  for (const YAML::Node& d : *docs)
    scenario_detail::parse_manifest(ir, d, "", out);
}

void load_scenario_into(const std::string& path, LoadResult& result) {
  std::vector<LoadError> ignored;
  YamlReader r(path, result.errors, ignored);
  auto docs = read_documents(r, path);
  if (!docs) return;
  if (docs->size() != 1) {
    r.error_file(docs->empty() ? "empty file: expected a Scenario"
                               : "a scenario file holds one YAML document; put manifests in "
                                 "spec.workloads or an included file");
    return;
  }
  const YAML::Node& doc = docs->front();
  Scenario s;
  s.file = path;
  if (!r.check_keys(doc, "", {"apiVersion", "kind", "metadata", "spec"})) return;
  for (auto [key, want] : {std::pair{"apiVersion", "kubesim.io/v1"}, {"kind", "Scenario"}}) {
    if (!r.require(doc, "", key)) continue;
    auto v = r.get_string(doc, "", key);
    if (v && *v != want) {
      r.error(YamlReader::child(doc, key), key,
              std::string("expected \"") + want + "\", got \"" + *v + "\"");
    }
  }
  if (r.require(doc, "", "metadata") &&
      r.check_keys(YamlReader::child(doc, "metadata"), "metadata", {"name", "description"})) {
    YAML::Node meta = YamlReader::child(doc, "metadata");
    if (r.require(meta, "metadata", "name"))
      s.name = r.get_string(meta, "metadata", "name").value_or("");
    r.get_string(meta, "metadata", "description");
  }
  if (!r.require(doc, "", "spec")) return;
  YAML::Node spec = YamlReader::child(doc, "spec");
  if (!r.check_keys(spec, "spec",
                    {"seed", "duration", "cluster", "scheduler", "workloads", "events", "traffic",
                     "faults", "controllers", "outputs"})) {
    return;
  }
  if (auto v = r.get_int64(spec, "spec", "seed")) {
    if (*v < 0) {
      r.error(YamlReader::child(spec, "seed"), "spec.seed", "must be greater than or equal to 0");
    }
    s.seed = static_cast<uint64_t>(*v);
  }
  if (auto v = r.get_duration(spec, "spec", "duration")) {
    if (*v <= Duration::zero()) {
      r.error(YamlReader::child(spec, "duration"), "spec.duration", "must be greater than 0");
    }
    s.duration = *v;
  }
  ClusterSpec cluster;
  if (r.has(spec, "cluster")) {
    cluster = scenario_detail::parse_cluster(r, YamlReader::child(spec, "cluster"), "spec.cluster");
  }
  s.deferred = cluster.deferred;
  if (r.has(spec, "scheduler")) {
    s.scheduler = scenario_detail::parse_scheduler_config(r, YamlReader::child(spec, "scheduler"),
                                                          "spec.scheduler");
  }
  if (s.scheduler.profile.empty() && s.scheduler.profiles.empty()) s.scheduler.profile = "default";
  for (const char* key : {"events", "traffic", "faults", "controllers", "outputs"}) {
    if (r.has(spec, key)) s.deferred[join("spec", key)] = YamlReader::child(spec, key);
  }
  ManifestSet manifests;
  YAML::Node workloads = YamlReader::child(spec, "workloads");
  if (workloads.IsDefined() && !workloads.IsNull() && r.expect_seq(workloads, "spec.workloads")) {
    for (size_t i = 0; i < workloads.size(); ++i) {
      const std::string p = index("spec.workloads", i);
      if (workloads[i].IsMap() && YamlReader::child(workloads[i], "include").IsDefined()) {
        load_include(r, workloads[i], p, path, result.errors, ignored, manifests);
      } else {
        scenario_detail::parse_manifest(r, workloads[i], p, manifests);
      }
    }
  }
  scenario_detail::resolve_objects(r, std::move(cluster.nodes), std::move(manifests), s);
  if (result.errors.empty()) {
    s.ignored_fields = std::move(ignored);
    result.scenario = std::move(s);
  }
}

}  // namespace

LoadResult load_scenario(const std::string& path) {
  LoadResult result;
  try {
    load_scenario_into(path, result);
  } catch (const std::exception& e) {
    // Not expected: the parsers check before they access. Still, never throw.
    result.errors.push_back(LoadError{path, 0, 0, "", std::string("internal error: ") + e.what()});
  }
  if (!result.errors.empty()) result.scenario.reset();
  // Errors in reading order: the scenario file first, then included files; by position.
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [&](const LoadError& a, const LoadError& b) {
                     auto key = [&](const LoadError& e) {
                       return std::make_tuple(e.file != path, e.file, e.line, e.column);
                     };
                     return key(a) < key(b);
                   });
  return result;
}

PodLoadResult load_pod(const std::string& path, const Scenario* cluster) {
  PodLoadResult result;
  try {
    YamlReader r(path, result.errors, result.ignored_fields);
    auto docs = read_documents(r, path);
    if (!docs) return result;
    if (docs->size() != 1) {
      r.error_file("expected exactly one Pod manifest, found " + std::to_string(docs->size()) +
                   " documents");
      return result;
    }
    const YAML::Node& doc = docs->front();
    YAML::Node kind = YamlReader::child(doc, "kind");
    if (kind.IsScalar() && kind.Scalar() != "Pod") {
      r.error(kind, "kind", "expected a Pod manifest, got kind \"" + kind.Scalar() + "\"");
      return result;
    }
    ManifestSet m;
    scenario_detail::parse_manifest(r, doc, "", m);
    if (!result.errors.empty() || m.pods.size() != 1) {
      if (result.errors.empty()) r.error_file("expected a Pod manifest");
      return result;
    }
    auto& e = m.pods.front();
    std::map<std::string, int32_t> classes =
        cluster ? cluster->priority_classes : scenario_detail::builtin_priority_classes();
    std::optional<std::string> global_default =
        cluster ? cluster->global_default_priority_class : std::nullopt;
    scenario_detail::resolve_priority(r, e.object.spec, e.refs, classes, global_default);
    if (result.errors.empty()) result.pod = std::move(e.object);
  } catch (const std::exception& e) {
    result.errors.push_back(LoadError{path, 0, 0, "", std::string("internal error: ") + e.what()});
    result.pod.reset();
  }
  return result;
}

}  // namespace kubesim
