// v1.Node, the parts the simulation models.
#pragma once

#include <string>
#include <vector>

#include "models/objects/ids.h"
#include "models/objects/labels.h"
#include "models/objects/resources.h"

namespace kubesim {

struct ContainerImage {
  std::vector<std::string> names;  // e.g. {"nginx:1.25", "docker.io/library/nginx:1.25"}
  int64_t size_bytes = 0;
};

struct Node {
  NodeId id;
  std::string name;
  std::string pool;  // node pool it came from, "" for individual nodes
  Labels labels;     // includes kubernetes.io/hostname and topology.kubernetes.io/zone
  Resources capacity;
  Resources allocatable;
  std::vector<Taint> taints;
  bool unschedulable = false;  // spec.unschedulable (cordoned)
  std::vector<ContainerImage> images;
};

inline constexpr const char* kLabelHostname = "kubernetes.io/hostname";
inline constexpr const char* kLabelZone = "topology.kubernetes.io/zone";
inline constexpr const char* kLabelRegion = "topology.kubernetes.io/region";

}  // namespace kubesim
