#include "models/scenario/cluster_parser.h"

#include "models/scenario/node_pool.h"
#include "models/scenario/pod_spec_parser.h"
#include "models/scenario/runtime_parser.h"
#include "models/scenario/traffic_parser.h"

namespace kubesim::scenario_detail {
namespace {

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// The parts a pool and an individual node share: capacity, allocatable
// (default: capacity, key by key), labels, taints, images, image pull bandwidth.
void parse_node_shape(YamlReader& r, const YAML::Node& n, const std::string& path, Node& out) {
  const std::string cp = join(path, "capacity");
  if (r.require(n, path, "capacity") && r.expect_map(child(n, "capacity"), cp)) {
    YAML::Node cap = child(n, "capacity");
    for (const char* key : {"cpu", "memory"})
      r.require(cap, cp, key);
    out.capacity = parse_resource_list(r, cap, cp);
    if (!r.has(cap, "pods")) out.capacity.pods = kDefaultMaxPods;
  }
  out.allocatable = out.capacity;
  YAML::Node alloc = child(n, "allocatable");
  const std::string ap = join(path, "allocatable");
  if (alloc.IsDefined() && !alloc.IsNull() && r.expect_map(alloc, ap)) {
    Resources given = parse_resource_list(r, alloc, ap);
    for (auto it = alloc.begin(); it != alloc.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string name = it->first.Scalar();
      int64_t v = resource_amount(given, name);
      if (v > resource_amount(out.capacity, name)) {
        r.error(it->second, join(ap, name), "must not exceed the capacity");
      }
      if (name == "cpu")
        out.allocatable.milli_cpu = v;
      else if (name == "memory")
        out.allocatable.memory = v;
      else if (name == "ephemeral-storage")
        out.allocatable.ephemeral_storage = v;
      else if (name == "pods")
        out.allocatable.pods = v;
      else
        out.allocatable.set_scalar(name, v);
    }
  }
  if (auto v = r.get_string_map(n, path, "labels")) out.labels = *v;
  out.taints = parse_taints(r, child(n, "taints"), join(path, "taints"));
  out.images = parse_images(r, child(n, "images"), join(path, "images"));
  if (auto v = get_bandwidth(r, n, path, "imagePullBandwidth")) {
    out.image_pull_bytes_per_second = *v;
  }
}

void parse_pool(YamlReader& r, const YAML::Node& n, const std::string& path,
                const std::vector<std::string>& cluster_zones, ClusterSpec& out) {
  if (!r.check_keys(n, path,
                    {"name", "count", "zones", "capacity", "allocatable", "labels", "taints",
                     "images", "imagePullBandwidth"})) {
    return;
  }
  std::string name;
  if (r.require(n, path, "name")) name = r.get_string(n, path, "name").value_or("");
  if (!name.empty() && !is_dns1123_subdomain(name + "-0")) {
    r.error(child(n, "name"), join(path, "name"),
            "invalid node pool name \"" + name + "\": node names are " + name + "-0, ...; " +
                kDns1123SubdomainRule);
  }
  int32_t count = 0;
  if (r.require(n, path, "count")) {
    count = r.get_int32(n, path, "count").value_or(0);
    if (count < 0) {
      r.error(child(n, "count"), join(path, "count"), "must be greater than or equal to 0");
      count = 0;
    }
  }
  Scenario::NodePool pool;
  pool.name = name;
  pool.zones = cluster_zones;
  if (auto v = r.get_string_list(n, path, "zones")) pool.zones = *v;
  parse_node_shape(r, n, path, pool.node);
  Origin at = r.origin(r.has(n, "name") ? child(n, "name") : n, join(path, "name"));
  while (pool.count < count) {
    Entry<Node> e;
    e.at = at;
    e.object = make_pool_node(pool);
    out.nodes.push_back(std::move(e));
  }
  out.pools.push_back(std::move(pool));
}

void parse_single_node(YamlReader& r, const YAML::Node& n, const std::string& path,
                       ClusterSpec& out) {
  if (!r.check_keys(n, path,
                    {"name", "zone", "capacity", "allocatable", "labels", "taints", "images",
                     "imagePullBandwidth", "unschedulable"})) {
    return;
  }
  Entry<Node> e;
  if (r.require(n, path, "name")) e.object.name = r.get_string(n, path, "name").value_or("");
  if (!e.object.name.empty() && !is_dns1123_subdomain(e.object.name)) {
    r.error(child(n, "name"), join(path, "name"),
            "invalid name \"" + e.object.name + "\": " + kDns1123SubdomainRule);
  }
  e.at = r.origin(r.has(n, "name") ? child(n, "name") : n, join(path, "name"));
  parse_node_shape(r, n, path, e.object);
  e.object.labels[kLabelHostname] = e.object.name;
  if (auto z = r.get_string(n, path, "zone")) e.object.labels[kLabelZone] = *z;
  e.object.unschedulable = r.get_bool(n, path, "unschedulable").value_or(false);
  out.nodes.push_back(std::move(e));
}

}  // namespace

ClusterSpec parse_cluster(YamlReader& r, const YAML::Node& n, const std::string& path) {
  ClusterSpec out;
  if (!r.check_keys(n, path,
                    {"nodePools", "nodes", "zones", "provider", "controlPlane", "kubelet",
                     "registry", "kubeProxy"})) {
    return out;
  }
  if (r.has(n, "provider")) out.deferred[join(path, "provider")] = child(n, "provider");
  if (r.has(n, "controlPlane")) {
    parse_control_plane(r, child(n, "controlPlane"), join(path, "controlPlane"), out.runtime);
  }
  if (r.has(n, "kubelet"))
    parse_kubelet(r, child(n, "kubelet"), join(path, "kubelet"), out.runtime);
  if (r.has(n, "registry")) {
    parse_registry(r, child(n, "registry"), join(path, "registry"), out.runtime);
  }
  if (r.has(n, "kubeProxy")) {
    parse_kube_proxy(r, child(n, "kubeProxy"), join(path, "kubeProxy"), out.kube_proxy);
  }
  std::vector<std::string> zones =
      r.get_string_list(n, path, "zones").value_or(std::vector<std::string>{});
  YAML::Node pools = child(n, "nodePools");
  const std::string pp = join(path, "nodePools");
  if (pools.IsDefined() && !pools.IsNull() && r.expect_seq(pools, pp)) {
    std::map<std::string, Origin> pool_names;
    for (size_t i = 0; i < pools.size(); ++i) {
      YAML::Node name = child(pools[i], "name");
      if (name.IsScalar()) {
        auto [it, fresh] = pool_names.emplace(name.Scalar(), r.origin(name, ""));
        if (!fresh) {
          r.error(name, join(index(pp, i), "name"),
                  "duplicate node pool \"" + name.Scalar() + "\" (first defined at line " +
                      std::to_string(it->second.line) + ")");
          continue;
        }
      }
      parse_pool(r, pools[i], index(pp, i), zones, out);
    }
  }
  YAML::Node nodes = child(n, "nodes");
  const std::string np = join(path, "nodes");
  if (nodes.IsDefined() && !nodes.IsNull() && r.expect_seq(nodes, np)) {
    for (size_t i = 0; i < nodes.size(); ++i)
      parse_single_node(r, nodes[i], index(np, i), out);
  }
  return out;
}

}  // namespace kubesim::scenario_detail
