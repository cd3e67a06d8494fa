#include "models/scenario/runtime_parser.h"

#include <map>

#include "models/scenario/sample_file.h"

namespace kubesim::scenario_detail {
namespace {

YAML::Node child(const YAML::Node& n, std::string_view key) {
  return YamlReader::child(n, key);
}

// map[key], a size in bytes (a quantity such as 100Mi), >= 0.
std::optional<int64_t> get_size(YamlReader& r, const YAML::Node& map, const std::string& path,
                                std::string_view key) {
  auto q = r.get_quantity(map, path, key);
  if (!q) return std::nullopt;
  if (q->milli_value() < 0) {
    r.error(child(map, key), join(path, key), "must be greater than or equal to 0");
    return std::nullopt;
  }
  return q->value();
}

}  // namespace

std::optional<int64_t> get_bandwidth(YamlReader& r, const YAML::Node& map, const std::string& path,
                                     std::string_view key) {
  auto q = r.get_quantity(map, path, key);
  if (!q) return std::nullopt;
  if (q->value() <= 0) {
    r.error(child(map, key), join(path, key),
            "must be greater than 0 (bytes per second, e.g. 50Mi)");
    return std::nullopt;
  }
  return q->value();
}

void parse_control_plane(YamlReader& r, const YAML::Node& n, const std::string& path,
                         RuntimeConfig& out) {
  if (!r.check_keys(n, path, {"watchLatency", "schedulingLatency", "replicas"})) return;
  if (auto v = r.get_duration(n, path, "watchLatency")) out.watch_latency = *v;
  if (auto v = r.get_duration(n, path, "schedulingLatency")) out.scheduling_latency = *v;
  // Reserved for highly available control planes (leader election), not modelled yet.
  if (auto v = r.get_int32(n, path, "replicas"); v && *v != 1) {
    r.error(child(n, "replicas"), join(path, "replicas"),
            "only 1 is supported for now, got " + std::to_string(*v));
  }
}

void parse_kubelet(YamlReader& r, const YAML::Node& n, const std::string& path,
                   RuntimeConfig& out) {
  if (!r.check_keys(n, path,
                    {"containerStartLatency", "imagePullBandwidth", "imagePullOverhead"})) {
    return;
  }
  if (auto text = r.get_string(n, path, "containerStartLatency")) {
    auto d = parse_duration_distribution(*text, sample_file_loader(r.scenario_file()));
    if (d) {
      out.container_start = *d;
    } else {
      r.error(child(n, "containerStartLatency"), join(path, "containerStartLatency"),
              d.error().message);
    }
  }
  if (auto v = get_bandwidth(r, n, path, "imagePullBandwidth")) {
    out.image_pull_bytes_per_second = *v;
  }
  if (auto v = r.get_duration(n, path, "imagePullOverhead")) out.image_pull_overhead = *v;
}

void parse_registry(YamlReader& r, const YAML::Node& n, const std::string& path,
                    RuntimeConfig& out) {
  if (!r.check_keys(n, path, {"defaultImageSize", "images"})) return;
  if (auto v = get_size(r, n, path, "defaultImageSize")) out.default_image_size = *v;
  YAML::Node images = child(n, "images");
  const std::string ip = join(path, "images");
  if (!images.IsDefined() || images.IsNull() || !r.expect_seq(images, ip)) return;
  std::map<std::string, Origin> first_at;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string p = index(ip, i);
    const YAML::Node& img = images[i];
    if (!r.check_keys(img, p, {"name", "names", "size", "sizeBytes"})) continue;
    struct Named {
      std::string name;
      YAML::Node at;
      std::string path;
    };
    std::vector<Named> names;
    if (auto v = r.get_string(img, p, "name")) {
      names.push_back({*v, child(img, "name"), join(p, "name")});
    }
    if (auto v = r.get_string_list(img, p, "names")) {
      for (size_t k = 0; k < v->size(); ++k)
        names.push_back({(*v)[k], child(img, "names")[k], index(join(p, "names"), k)});
    }
    if (!r.has(img, "name") && !r.has(img, "names")) {
      r.error(img, join(p, "name"), "an image needs `name` or `names`");
    }
    std::optional<int64_t> size;
    if (r.has(img, "size") && r.has(img, "sizeBytes")) {
      r.error(child(img, "size"), join(p, "size"), "give `sizeBytes` or `size`, not both");
    } else if (r.has(img, "sizeBytes")) {
      size = r.get_int64(img, p, "sizeBytes");
      if (size && *size < 0) {
        r.error(child(img, "sizeBytes"), join(p, "sizeBytes"),
                "must be greater than or equal to 0");
        size.reset();
      }
    } else if (r.require(img, p, "size")) {
      size = get_size(r, img, p, "size");
    }
    // A plain value: GCC 12 at -O2 wrongly warns that an optional read here
    // may be uninitialized (-Wmaybe-uninitialized).
    const int64_t size_bytes = size.value_or(-1);
    for (const Named& named : names) {
      auto [it, fresh] = first_at.emplace(named.name, r.origin(named.at, ""));
      if (!fresh) {
        r.error(named.at, named.path,
                "duplicate image \"" + named.name + "\" (first listed at line " +
                    std::to_string(it->second.line) + ")");
        continue;
      }
      if (size_bytes >= 0) out.image_sizes[named.name] = size_bytes;
    }
  }
}

void add_node_image_sizes(const std::deque<Node>& nodes, RuntimeConfig& out) {
  for (const Node& n : nodes) {
    for (const ContainerImage& img : n.images) {
      if (img.size_bytes <= 0) continue;
      for (const std::string& name : img.names)
        out.image_sizes.emplace(name, img.size_bytes);
    }
  }
}

}  // namespace kubesim::scenario_detail
