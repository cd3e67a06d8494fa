// load_scenario and load_pod: read the YAML, parse the spec (cluster_parser,
// scheduler_config_parser, manifests), then validate and resolve (resolve.cc).
#include "models/scenario/scenario.h"

#include <algorithm>
#include <exception>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "models/scenario/cluster_parser.h"
#include "models/scenario/faults_parser.h"
#include "models/scenario/manifests.h"
#include "models/scenario/resolve.h"
#include "models/scenario/runtime_parser.h"
#include "models/scenario/scheduler_config_parser.h"
#include "models/scenario/timeline_parser.h"
#include "models/scenario/traffic_parser.h"
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

void load_include(YamlReader& r, const YAML::Node& item, const std::string& path,
                  ManifestSet& out) {
  if (!r.check_keys(item, path, {"include"})) return;
  if (!r.require(item, path, "include")) return;
  scenario_detail::load_manifest_file(r, YamlReader::child(item, "include"), join(path, "include"),
                                      out);
}

void load_scenario_into(const std::string& path, LoadResult& result) {
  std::vector<LoadError> ignored;
  YamlReader r(path, result.errors, ignored);
  auto docs = scenario_detail::read_documents(r);
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
  s.runtime = cluster.runtime;
  s.kube_proxy = cluster.kube_proxy;
  s.node_pools = cluster.pools;
  if (r.has(spec, "scheduler")) {
    s.scheduler = scenario_detail::parse_scheduler_config(r, YamlReader::child(spec, "scheduler"),
                                                          "spec.scheduler");
  }
  if (s.scheduler.profile.empty() && s.scheduler.profiles.empty()) s.scheduler.profile = "default";
  if (r.has(spec, "outputs")) s.deferred["spec.outputs"] = YamlReader::child(spec, "outputs");
  ManifestSet manifests;
  YAML::Node workloads = YamlReader::child(spec, "workloads");
  if (workloads.IsDefined() && !workloads.IsNull() && r.expect_seq(workloads, "spec.workloads")) {
    for (size_t i = 0; i < workloads.size(); ++i) {
      const std::string p = index("spec.workloads", i);
      if (workloads[i].IsMap() && YamlReader::child(workloads[i], "include").IsDefined()) {
        load_include(r, workloads[i], p, manifests);
      } else {
        scenario_detail::parse_manifest(r, workloads[i], p, manifests);
      }
    }
  }
  scenario_detail::resolve_objects(r, std::move(cluster.nodes), std::move(manifests), s);
  if (r.has(spec, "events")) {
    scenario_detail::parse_events(r, YamlReader::child(spec, "events"), "spec.events", s);
  }
  // After the workloads and events: a traffic entry's Service may be declared or applied.
  if (r.has(spec, "traffic")) {
    scenario_detail::parse_traffic(r, YamlReader::child(spec, "traffic"), "spec.traffic", s);
  }
  if (r.has(spec, "faults")) {
    scenario_detail::parse_faults(r, YamlReader::child(spec, "faults"), "spec.faults", s);
  }
  if (r.has(spec, "controllers")) {
    scenario_detail::parse_controllers(r, YamlReader::child(spec, "controllers"),
                                       "spec.controllers", s.controllers);
  }
  // Images listed on nodes give sizes the registry does not.
  scenario_detail::add_node_image_sizes(s.objects.nodes, s.runtime);
  for (const TimelineEvent& e : s.events)
    scenario_detail::add_node_image_sizes(e.objects.nodes, s.runtime);
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
    auto docs = scenario_detail::read_documents(r);
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
