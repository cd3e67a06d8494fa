// Test helper: load a fixture and check its errors one by one, each with its
// exact file:line:column, key path and a part of the message.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/scenario/scenario.h"

namespace kubesim_test {

inline const std::string kFixtures = KUBESIM_SOURCE_DIR "/tests/scenario/fixtures/";

struct Want {
  std::string file;  // relative to fixtures/
  int line;
  int column;
  std::string path;
  std::string message_part;
};

inline std::vector<kubesim::LoadError> errors_of(const std::string& fixture) {
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + fixture);
  CHECK_FALSE(r.scenario.has_value());
  return r.errors;
}

// Checks the errors one by one, in order, and that there are no others.
inline void check_errors(const std::string& fixture, const std::vector<Want>& want) {
  std::vector<kubesim::LoadError> got = errors_of(fixture);
  for (const auto& e : got)
    UNSCOPED_INFO(e.to_string());
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("error " << i << ": " << got[i].to_string());
    CHECK(got[i].file == kFixtures + want[i].file);
    CHECK(got[i].line == want[i].line);
    CHECK(got[i].column == want[i].column);
    CHECK(got[i].path == want[i].path);
    CHECK_THAT(got[i].message, Catch::Contains(want[i].message_part));
  }
}

inline std::string all_errors(const std::vector<kubesim::LoadError>& errors) {
  std::string out;
  for (const auto& e : errors)
    out += e.to_string() + "\n";
  return out;
}

}  // namespace kubesim_test
