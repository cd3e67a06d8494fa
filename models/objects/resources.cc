#include "models/objects/resources.h"

#include <algorithm>

namespace kubesim {

int64_t Resources::scalar_value(const std::string& name) const {
  auto it = std::lower_bound(scalar.begin(), scalar.end(), name,
                             [](const auto& e, const std::string& n) { return e.first < n; });
  return it != scalar.end() && it->first == name ? it->second : 0;
}

void Resources::set_scalar(const std::string& name, int64_t value) {
  auto it = std::lower_bound(scalar.begin(), scalar.end(), name,
                             [](const auto& e, const std::string& n) { return e.first < n; });
  if (it != scalar.end() && it->first == name) {
    it->second = value;
  } else {
    scalar.insert(it, {name, value});
  }
}

void Resources::add(const Resources& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  pods += o.pods;
  for (const auto& [name, v] : o.scalar) set_scalar(name, scalar_value(name) + v);
}

void Resources::subtract(const Resources& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  pods -= o.pods;
  for (const auto& [name, v] : o.scalar) set_scalar(name, scalar_value(name) - v);
}

int64_t resource_amount(const Resources& r, const std::string& name) {
  if (name == kResourceCpu) return r.milli_cpu;
  if (name == kResourceMemory) return r.memory;
  if (name == kResourceEphemeralStorage) return r.ephemeral_storage;
  if (name == kResourcePods) return r.pods;
  return r.scalar_value(name);
}

}  // namespace kubesim
