// EndpointHistory: versions by time, join order, sharing an instant, and
// forgetting only what no reader can ask for.
#include <algorithm>
#include <vector>

#include <catch2/catch.hpp>

#include "models/proxy/endpoint_history.h"

namespace kubesim {
namespace {

SimTime at_s(int64_t s) {
  return SimTime::zero() + Duration::seconds(s);
}
PodId pod(uint32_t i) {
  return PodId{i};
}

TEST_CASE("endpoint history: the newest version made at or before t", "[proxy]") {
  EndpointHistory h;
  h.add(pod(1), EndpointHistory::kBeginning);
  h.add(pod(2), at_s(10));
  h.remove(pod(1), at_s(20));
  CHECK(h.at(at_s(0)).pods == std::vector<PodId>{pod(1)});
  CHECK(h.at(at_s(10) - Duration::micros(1)).pods == std::vector<PodId>{pod(1)});
  CHECK(h.at(at_s(10)).pods == std::vector<PodId>{pod(1), pod(2)});
  CHECK(h.at(at_s(20)).pods == std::vector<PodId>{pod(2)});
  CHECK(h.current().pods == std::vector<PodId>{pod(2)});
  CHECK(h.versions() == 3);
  // Removing what is not there changes nothing.
  CHECK_FALSE(h.remove(pod(1), at_s(30)));
  CHECK(h.versions() == 3);
}

TEST_CASE("endpoint history: changes at one instant share one version", "[proxy]") {
  EndpointHistory h;
  h.add(pod(1), at_s(5));
  h.add(pod(2), at_s(5));
  h.remove(pod(1), at_s(5));
  // The empty version from the beginning, and the one made at 5 s.
  CHECK(h.versions() == 2);
  CHECK(h.at(at_s(5)).pods == std::vector<PodId>{pod(2)});
  CHECK(h.at(at_s(4)).pods.empty());
}

TEST_CASE("endpoint history: a pod that leaves and rejoins goes to the end, joins increase",
          "[proxy]") {
  EndpointHistory h;
  const uint64_t j1 = h.add(pod(1), at_s(1));
  h.add(pod(2), at_s(2));
  h.remove(pod(1), at_s(3));
  const uint64_t j1again = h.add(pod(1), at_s(4));
  const EndpointHistory::Version& v = h.current();
  CHECK(v.pods == std::vector<PodId>{pod(2), pod(1)});
  CHECK(j1again > j1);
  CHECK(std::is_sorted(v.joins.begin(), v.joins.end()));
  // find() needs the pod with the join number it had: the old membership of
  // pod 1 is not the new one.
  CHECK(v.find(pod(1), j1again) == 1);
  CHECK(v.find(pod(1), j1) == -1);
  CHECK(h.at(at_s(2)).find(pod(1), j1) == 0);
}

TEST_CASE("endpoint history: forget_before keeps every answer at or after its time", "[proxy]") {
  EndpointHistory h;
  for (int64_t s = 1; s <= 10; ++s)
    h.add(pod(static_cast<uint32_t>(s)), at_s(s));
  // Versions: the empty one, then one per second 1..10.
  REQUIRE(h.versions() == 11);
  std::vector<std::vector<PodId>> before;
  for (int64_t s = 0; s <= 12; ++s)
    before.push_back(h.at(at_s(s)).pods);
  // A reader asking for 6.5 s or later reads the 6 s version or newer: the
  // six before it go (the empty one and those of 1..5 s), five stay.
  const SimTime horizon = at_s(6) + Duration::millis(500);
  h.forget_before(horizon);
  CHECK(h.versions() == 5);
  for (int64_t s = 7; s <= 12; ++s)
    CHECK(h.at(at_s(s)).pods == before[static_cast<size_t>(s)]);
  CHECK(h.at(horizon).pods == before[6]);
  // The current version is never forgotten.
  h.forget_before(at_s(1000));
  CHECK(h.versions() == 1);
  CHECK(h.current().pods.size() == 10);
}

}  // namespace
}  // namespace kubesim
