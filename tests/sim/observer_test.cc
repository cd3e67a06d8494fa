#include "sim/observer.h"

#include <vector>

#include <catch2/catch.hpp>

using namespace kubesim;

namespace {
struct Started {
  int id;
};
struct Stopped {
  int id;
};
}  // namespace

TEST_CASE("observer bus: records reach the subscribers of their own type only") {
  ObserverBus bus;
  Topic<Started>& started = bus.topic<Started>();
  CHECK(&started == &bus.topic<Started>());  // one topic per type
  CHECK_FALSE(started.has_subscribers());
  std::vector<int> seen_started, seen_stopped, seen_twice;
  started.subscribe([&](const Started& r) { seen_started.push_back(r.id); });
  started.subscribe([&](const Started& r) { seen_twice.push_back(r.id); });
  bus.topic<Stopped>().subscribe([&](const Stopped& r) { seen_stopped.push_back(r.id); });
  started.publish({1});
  bus.topic<Stopped>().publish({2});
  started.publish({3});
  CHECK(seen_started == std::vector<int>{1, 3});
  CHECK(seen_twice == std::vector<int>{1, 3});
  CHECK(seen_stopped == std::vector<int>{2});
}
