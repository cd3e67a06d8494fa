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

// map[key], a duration > 0.
std::optional<Duration> get_positive_duration(YamlReader& r, const YAML::Node& map,
                                              const std::string& path, std::string_view key) {
  auto d = r.get_duration(map, path, key);
  if (d && *d <= Duration::zero()) {
    r.error(child(map, key), join(path, key), "must be greater than 0");
    return std::nullopt;
  }
  return d;
}

// map[key], a whole number of seconds >= 0.
std::optional<int64_t> get_seconds(YamlReader& r, const YAML::Node& map, const std::string& path,
                                   std::string_view key) {
  auto v = r.get_int64(map, path, key);
  if (v && *v < 0) {
    r.error(child(map, key), join(path, key), "must be greater than or equal to 0");
    return std::nullopt;
  }
  return v;
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
  if (!r.check_keys(n, path,
                    {"watchLatency", "schedulingLatency", "replicas", "leaderElection",
                     "nodeMonitorPeriod", "nodeMonitorGracePeriod",
                     "defaultNotReadyTolerationSeconds", "defaultUnreachableTolerationSeconds"})) {
    return;
  }
  if (auto v = r.get_duration(n, path, "watchLatency")) out.watch_latency = *v;
  if (auto v = r.get_duration(n, path, "schedulingLatency")) out.scheduling_latency = *v;
  if (auto v = r.get_int32(n, path, "replicas")) {
    if (*v < 1 || *v > 7) {
      r.error(child(n, "replicas"), join(path, "replicas"), "must be between 1 and 7");
    } else {
      out.control_plane_replicas = *v;
    }
  }
  // kube-controller-manager --node-monitor-period / --node-monitor-grace-period,
  // kube-apiserver --default-*-toleration-seconds.
  if (auto v = get_positive_duration(r, n, path, "nodeMonitorPeriod")) out.node_monitor_period = *v;
  if (auto v = get_positive_duration(r, n, path, "nodeMonitorGracePeriod"))
    out.node_monitor_grace_period = *v;
  if (auto v = get_seconds(r, n, path, "defaultNotReadyTolerationSeconds"))
    out.default_not_ready_toleration_seconds = *v;
  if (auto v = get_seconds(r, n, path, "defaultUnreachableTolerationSeconds"))
    out.default_unreachable_toleration_seconds = *v;
  // LeaderElectionConfiguration (component-base/config/v1alpha1).
  const YAML::Node le = child(n, "leaderElection");
  const std::string lp = join(path, "leaderElection");
  if (r.has(n, "leaderElection") &&
      r.check_keys(le, lp, {"leaseDuration", "renewDeadline", "retryPeriod"})) {
    if (auto v = get_positive_duration(r, le, lp, "leaseDuration")) out.leader_lease_duration = *v;
    if (auto v = get_positive_duration(r, le, lp, "renewDeadline")) out.leader_renew_deadline = *v;
    if (auto v = get_positive_duration(r, le, lp, "retryPeriod")) out.leader_retry_period = *v;
    // client-go leaderelection.NewLeaderElector's checks.
    if (out.leader_lease_duration <= out.leader_renew_deadline) {
      r.error(le, lp, "leaseDuration must be greater than renewDeadline");
    } else if (out.leader_renew_deadline.count_micros() * 10 <=
               out.leader_retry_period.count_micros() * 12) {
      r.error(le, lp, "renewDeadline must be greater than retryPeriod*1.2");
    }
  }
}

void parse_kubelet(YamlReader& r, const YAML::Node& n, const std::string& path,
                   RuntimeConfig& out) {
  if (!r.check_keys(n, path,
                    {"containerStartLatency", "imagePullBandwidth", "imagePullOverhead",
                     "nodeStatusUpdateFrequency", "nodeLeaseDurationSeconds"})) {
    return;
  }
  // KubeletConfiguration nodeStatusUpdateFrequency (the lease renew interval)
  // and nodeLeaseDurationSeconds.
  if (auto v = get_positive_duration(r, n, path, "nodeStatusUpdateFrequency"))
    out.node_lease_renew_interval = *v;
  if (auto v = get_seconds(r, n, path, "nodeLeaseDurationSeconds")) {
    if (*v < 1) {
      r.error(child(n, "nodeLeaseDurationSeconds"), join(path, "nodeLeaseDurationSeconds"),
              "must be greater than 0");
    } else {
      out.node_lease_duration = Duration::seconds(*v);
    }
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
