// Resource amounts as the scheduler counts them
// (pkg/scheduler/framework/types.go, Resource): cpu in millicores, memory and
// ephemeral storage in bytes, pods as a count, extended ("scalar") resources
// such as nvidia.com/gpu as integer values.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace kubesim {

struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  int64_t pods = 0;  // allowed pod number on a node; unused for pod requests
  // Extended resources, sorted by name, no zero entries required.
  std::vector<std::pair<std::string, int64_t>> scalar;

  int64_t scalar_value(const std::string& name) const;
  void set_scalar(const std::string& name, int64_t value);
  void add(const Resources& o);       // adds every field (pods included)
  void subtract(const Resources& o);  // subtracts every field
  bool operator==(const Resources&) const = default;
};

// Resource names as they appear in manifests.
inline constexpr const char* kResourceCpu = "cpu";
inline constexpr const char* kResourceMemory = "memory";
inline constexpr const char* kResourceEphemeralStorage = "ephemeral-storage";
inline constexpr const char* kResourcePods = "pods";

// The amount of `name` in r (cpu in millicores).
int64_t resource_amount(const Resources& r, const std::string& name);

}  // namespace kubesim
