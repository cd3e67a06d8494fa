// pkg/scheduler/framework/plugins/imagelocality/image_locality.go
#include "models/scheduler/plugins/image_locality.h"

#include <algorithm>

namespace kubesim {
namespace {

constexpr StateKey kPreScoreKey{"PreScoreImageLocality"};
// The Go code's mb is a MiB.
constexpr int64_t kMb = 1024 * 1024;
constexpr int64_t kMinThreshold = 23 * kMb;
constexpr int64_t kMaxContainerThreshold = 1000 * kMb;

struct WantedImage {
  std::string name;  // normalized
  int64_t size_bytes = 0;
  int32_t num_nodes = 0;
  int64_t scaled_score = 0;  // scaled_image_score, the same for every node
};

struct ImagePreScoreState : StateData {
  std::vector<WantedImage> images;  // one per container (init first), known images only
  int64_t total_nodes = 0;
  int64_t num_containers = 0;
};

// scaledImageScore: int64(float64(size) * float64(numNodes) / float64(totalNodes)).
int64_t scaled_image_score(const WantedImage& img, int64_t total_nodes) {
  const double spread = static_cast<double>(img.num_nodes) / static_cast<double>(total_nodes);
  return static_cast<int64_t>(static_cast<double>(img.size_bytes) * spread);
}

std::unique_ptr<ImagePreScoreState> compute_state(const Pod& pod, const Snapshot& snapshot) {
  auto s = std::make_unique<ImagePreScoreState>();
  s->total_nodes = static_cast<int64_t>(snapshot.nodes().size());
  s->num_containers =
      static_cast<int64_t>(pod.spec.init_containers.size() + pod.spec.containers.size());
  const auto add = [&](const Container& c) {
    const std::string name = normalized_image_name(c.image);
    auto it = snapshot.image_states().find(name);
    if (it != snapshot.image_states().end()) {
      WantedImage img{name, it->second.size_bytes, it->second.num_nodes, 0};
      if (s->total_nodes != 0) img.scaled_score = scaled_image_score(img, s->total_nodes);
      s->images.push_back(std::move(img));
    }
  };
  for (const Container& c : pod.spec.init_containers)
    add(c);
  for (const Container& c : pod.spec.containers)
    add(c);
  return s;
}

// Image names of one registry share long prefixes ("registry.example/app-"),
// so names of equal length are compared from the end, where they differ.
bool same_image_name(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.rbegin(), a.rend(), b.rbegin());
}

bool node_has_image(const Node& node, const std::string& name) {
  for (const ContainerImage& img : node.images) {
    for (const std::string& n : img.names) {
      if (same_image_name(n, name)) return true;
    }
  }
  return false;
}

}  // namespace

std::string normalized_image_name(const std::string& name) {
  const auto colon = name.rfind(':');
  const auto slash = name.rfind('/');
  // strings.LastIndex returns -1 when absent.
  const long long c = colon == std::string::npos ? -1 : static_cast<long long>(colon);
  const long long s = slash == std::string::npos ? -1 : static_cast<long long>(slash);
  return c <= s ? name + ":latest" : name;
}

int64_t image_locality_priority(int64_t sum_scores, int64_t num_containers) {
  const int64_t max_threshold = kMaxContainerThreshold * num_containers;
  if (sum_scores < kMinThreshold) {
    sum_scores = kMinThreshold;
  } else if (sum_scores > max_threshold) {
    sum_scores = max_threshold;
  }
  return kMaxNodeScore * (sum_scores - kMinThreshold) / (max_threshold - kMinThreshold);
}

ImageLocality::ImageLocality(const PluginArgs&) {}

Status ImageLocality::pre_score(CycleState& state, const Pod& pod, const Snapshot& snapshot,
                                std::span<const NodeInfo* const>) {
  state.write(kPreScoreKey, compute_state(pod, snapshot));
  return {};
}

int64_t ImageLocality::score(const CycleState& state, const Pod& pod, const NodeInfo& node) const {
  const ImagePreScoreState* s = state.read<ImagePreScoreState>(kPreScoreKey);
  if (!s || s->total_nodes == 0) return 0;
  (void)pod;
  int64_t sum = 0;
  for (const WantedImage& img : s->images) {
    if (node_has_image(*node.node, img.name)) sum += img.scaled_score;
  }
  return image_locality_priority(sum, s->num_containers);
}

std::unique_ptr<Plugin> make_image_locality(const PluginArgs& args) {
  return std::make_unique<ImageLocality>(args);
}

}  // namespace kubesim
