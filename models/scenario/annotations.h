// The kubesim.io/ annotations of pods and pod templates that kubesim
// interprets, checked when the scenario loads so that a typo is an error
// with file:line:column rather than a surprise at run time. Later layers
// read the (valid) values from the object's annotations:
//
//   auto run_time = parse_duration_distribution(pod.annotations.at(kAnnotationRunTime));
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

#include "models/objects/annotations.h"
#include "models/scenario/yaml_reader.h"

namespace kubesim::scenario_detail {

// Checks the kubesim.io/ annotations of `annotations` (a metadata.annotations
// mapping, as written) that kubesim interprets; other kubesim.io/ keys are
// accepted as they are. Errors go to `r`, at the value. empirical(FILE) is
// an error: the kubelet, which parses the values again, reads no files.
void check_kubesim_annotations(YamlReader& r, const YAML::Node& annotations,
                               const std::string& path);

// The same for a Service's annotations: kubesim.io/load-balancer (a policy
// name) and kubesim.io/lb-choices (an integer >= 1, with power-of-d only).
void check_service_annotations(YamlReader& r, const YAML::Node& annotations,
                               const std::string& path);

}  // namespace kubesim::scenario_detail
