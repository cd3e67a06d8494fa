// Typed ids: indexes into owning stores. A NodeId is not a PodId.
#pragma once

#include <compare>
#include <cstdint>
#include <limits>

namespace kubesim {

template <class Tag>
struct Id {
  uint32_t value = std::numeric_limits<uint32_t>::max();
  bool valid() const { return value != std::numeric_limits<uint32_t>::max(); }
  auto operator<=>(const Id&) const = default;
};

using NodeId = Id<struct NodeTag>;
using PodId = Id<struct PodTag>;

}  // namespace kubesim
