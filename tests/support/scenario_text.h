// Loads a scenario from text, for loader tests that build it inline.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "models/scenario/scenario.h"

namespace kubesim::testing {

// Writes `text` to a scratch file named after `tag` and the process (ctest
// runs test cases as parallel processes), loads it and removes the file.
inline LoadResult load_scenario_text(const std::string& text, const std::string& tag) {
  auto path = std::filesystem::temp_directory_path() /
              ("kubesim_" + tag + "_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << text;
  }
  LoadResult r = load_scenario(path.string());
  std::filesystem::remove(path);
  return r;
}

// The three lines every inline scenario starts with.
inline const std::string kScenarioHead =
    "apiVersion: kubesim.io/v1\nkind: Scenario\nmetadata: {name: x}\n";

}  // namespace kubesim::testing
