#include <algorithm>
#include <atomic>
#include <string_view>
#include <unordered_map>

#include "models/scheduler/framework.h"

namespace kubesim {
namespace {

// NodeInfo generations are unique in the process (like Kubernetes'
// nextGeneration in framework/types.go), so a rebuilt snapshot never reuses one.
uint64_t next_generation() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

bool has_affinity(const Pod& p) {
  return !p.spec.pod_affinity.required.empty() || !p.spec.pod_affinity.preferred.empty() ||
         !p.spec.pod_anti_affinity.required.empty() || !p.spec.pod_anti_affinity.preferred.empty();
}

}  // namespace

Resources non_zero_requests(const PodSpec& spec) {
  // pkg/scheduler/util/pod_resources.go GetNonzeroRequests, applied per
  // container, as the scheduler's NodeInfo does (framework/types.go).
  Resources r;
  for (const Container& c : spec.containers) {
    r.milli_cpu += c.has_cpu_request ? c.requests.milli_cpu : kDefaultMilliCpuRequest;
    r.memory += c.has_memory_request ? c.requests.memory : kDefaultMemoryRequest;
  }
  for (const Container& c : spec.init_containers) {
    r.milli_cpu =
        std::max(r.milli_cpu, c.has_cpu_request ? c.requests.milli_cpu : kDefaultMilliCpuRequest);
    r.memory = std::max(r.memory, c.has_memory_request ? c.requests.memory : kDefaultMemoryRequest);
  }
  r.milli_cpu += spec.overhead.milli_cpu;
  r.memory += spec.overhead.memory;
  return r;
}

void NodeInfo::add_pod(const Pod* p) {
  pods.push_back(p);
  generation = next_generation();
  if (has_affinity(*p)) pods_with_affinity.push_back(p);
  if (!p->spec.pod_anti_affinity.required.empty()) pods_with_required_anti_affinity.push_back(p);
  requested.add(pod_requests(p->spec));
  const Resources nz = non_zero_requests(p->spec);
  non_zero_requested.milli_cpu += nz.milli_cpu;
  non_zero_requested.memory += nz.memory;
  for (const Container& c : p->spec.containers) {
    for (const ContainerPort& port : c.ports) {
      if (port.host_port <= 0) continue;
      used_ports.push_back(HostPort{port.host_ip.empty() ? "0.0.0.0" : port.host_ip,
                                    port.protocol.empty() ? "TCP" : port.protocol, port.host_port});
    }
  }
}

void NodeInfo::remove_pod(const Pod* p) {
  const auto erase = [p](std::vector<const Pod*>& v) { std::erase(v, p); };
  const size_t before = pods.size();
  erase(pods);
  if (pods.size() == before) return;
  generation = next_generation();
  erase(pods_with_affinity);
  erase(pods_with_required_anti_affinity);
  requested.subtract(pod_requests(p->spec));
  const Resources nz = non_zero_requests(p->spec);
  non_zero_requested.milli_cpu -= nz.milli_cpu;
  non_zero_requested.memory -= nz.memory;
  for (const Container& c : p->spec.containers) {
    for (const ContainerPort& port : c.ports) {
      if (port.host_port <= 0) continue;
      const std::string ip = port.host_ip.empty() ? "0.0.0.0" : port.host_ip;
      const std::string proto = port.protocol.empty() ? "TCP" : port.protocol;
      auto it = std::find_if(used_ports.begin(), used_ports.end(), [&](const HostPort& h) {
        return h.port == port.host_port && h.ip == ip && h.protocol == proto;
      });
      if (it != used_ports.end()) used_ports.erase(it);
    }
  }
}

Snapshot Snapshot::build(const ClusterObjects& objects) {
  Snapshot s;
  s.nodes_.reserve(objects.nodes.size());
  for (const Node& n : objects.nodes) {
    if (!n.deleted) s.add_node(n);
  }
  for (const Pod& p : objects.pods) {
    if (p.spec.node_name.empty() || !p.active()) continue;
    const int idx = s.index_of(p.spec.node_name);
    if (idx >= 0) s.nodes_[idx].add_pod(&p);
  }
  return s;
}

int Snapshot::add_node(const Node& n) {
  const int idx = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  nodes_.back().node = &n;
  nodes_.back().generation = next_generation();
  nodes_.back().index = idx;
  index_[n.name] = idx;
  if (n.id.valid()) {
    if (by_id_.size() <= n.id.value) by_id_.resize(n.id.value + 1, -1);
    by_id_[n.id.value] = idx;
  }
  counted_images_.emplace_back();
  refresh_node_images(idx);
  return idx;
}

void Snapshot::refresh_node_images(int index) {
  std::vector<std::string>& counted = counted_images_[static_cast<std::size_t>(index)];
  for (const std::string& name : counted) {
    auto it = image_states_.find(name);
    if (--it->second.num_nodes == 0) image_states_.erase(it);
  }
  counted.clear();
  for (const ContainerImage& img : nodes_[static_cast<std::size_t>(index)].node->images) {
    for (const std::string& name : img.names) {
      ImageState& st = image_states_[name];
      st.size_bytes = img.size_bytes;
      ++st.num_nodes;
      counted.push_back(name);
    }
  }
}

void Snapshot::add_pod(const Pod& p) {
  const int idx = index_of(p.node);
  if (idx >= 0) nodes_[idx].add_pod(&p);
}

void Snapshot::remove_pod(const Pod& p) {
  const int idx = index_of(p.node);
  if (idx >= 0) nodes_[idx].remove_pod(&p);
}

void Snapshot::refresh_image_states() {
  // The same map as clearing and recounting, but cheaper, as a refresh comes
  // with every image a kubelet pulls: entries that survive keep their
  // allocations, and each name is found through a hash index built as we go
  // (nodes list the same few images; hashing a name costs less than the map's
  // ordered comparisons of long names that share a registry prefix).
  for (auto& entry : image_states_)
    entry.second.num_nodes = 0;
  std::unordered_map<std::string_view, ImageState*> by_name;
  for (const NodeInfo& ni : nodes_) {
    for (const ContainerImage& img : ni.node->images) {
      for (const std::string& name : img.names) {
        auto it = by_name.find(name);
        if (it == by_name.end()) it = by_name.emplace(name, &image_states_[name]).first;
        it->second->size_bytes = img.size_bytes;
        ++it->second->num_nodes;
      }
    }
  }
  std::erase_if(image_states_, [](const auto& entry) { return entry.second.num_nodes == 0; });
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    counted_images_[i].clear();
    for (const ContainerImage& img : nodes_[i].node->images)
      counted_images_[i].insert(counted_images_[i].end(), img.names.begin(), img.names.end());
  }
}

int Snapshot::index_of(const std::string& node_name) const {
  auto it = index_.find(node_name);
  return it == index_.end() ? -1 : it->second;
}

std::vector<const NodeInfo*> Snapshot::have_pods_with_affinity() const {
  std::vector<const NodeInfo*> out;
  for (const NodeInfo& n : nodes_) {
    if (!n.pods_with_affinity.empty()) out.push_back(&n);
  }
  return out;
}

std::vector<const NodeInfo*> Snapshot::have_pods_with_required_anti_affinity() const {
  std::vector<const NodeInfo*> out;
  for (const NodeInfo& n : nodes_) {
    if (!n.pods_with_required_anti_affinity.empty()) out.push_back(&n);
  }
  return out;
}

}  // namespace kubesim
