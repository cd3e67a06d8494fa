// The samples of `empirical(FILE)` distributions in scenario files
// (spec.cluster.kubelet.containerStartLatency). A relative FILE is relative
// to the directory of the scenario file; a later layer that parses a
// distribution string of the scenario again resolves it the same way:
//
//   SampleLoader load = sample_file_loader(scenario.file);
//   auto d = parse_duration_distribution("empirical(start.csv)", load);
//
// File format: one sample per line, a duration (`250ms`, `1.5s`) or a number
// of seconds (`0.25`); in a CSV file the first field of each line. Blank
// lines and lines starting with `#` are skipped, and so is a first line that
// is not a sample (a CSV header).
#pragma once

#include <string>

#include "sim/distribution.h"

namespace kubesim {

SampleLoader sample_file_loader(const std::string& scenario_file);

}  // namespace kubesim
