#include "models/traffic/traffic_spec.h"

namespace kubesim {

const char* to_string(LoadBalancing lb) {
  switch (lb) {
    case LoadBalancing::kRandom:
      return "random";
    case LoadBalancing::kRoundRobin:
      return "round-robin";
    case LoadBalancing::kLeastConnections:
      return "least-connections";
    case LoadBalancing::kPowerOfD:
      return "power-of-d";
    case LoadBalancing::kSourceHash:
      return "source-hash";
  }
  return "?";
}

}  // namespace kubesim
