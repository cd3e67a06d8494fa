#include "sim/callback.h"

#include <memory>

#include <catch2/catch.hpp>

using namespace kubesim;

TEST_CASE("callback: runs, moves and destroys its capture exactly once") {
  auto counter = std::make_shared<int>(0);
  {
    Callback a = [counter] { ++*counter; };
    CHECK(counter.use_count() == 2);
    Callback b = std::move(a);
    CHECK_FALSE(a);
    CHECK(counter.use_count() == 2);
    b();
    CHECK(*counter == 1);
    Callback c;
    c = std::move(b);
    c();
    CHECK(*counter == 2);
  }
  CHECK(counter.use_count() == 1);  // the capture was destroyed once, not leaked
}
