// Probe parsing (pkg/apis/core/v1/defaults.go SetDefaults_Probe,
// pkg/apis/core/validation/validation.go validateProbe) and the
// kubesim.io/behavior annotation, checked at load.
#include <catch2/catch.hpp>

#include "tests/scenario/load_errors.h"

using namespace kubesim_test;

TEST_CASE("scenario probes: validation errors name file, line, column and key path") {
  const std::string c = "spec.workloads[0].spec.containers[0].";
  // Errors come in file order.
  check_errors(
      "bad_probes.yaml",
      {{"bad_probes.yaml", 11, 44, "spec.workloads[0].metadata.annotations.kubesim.io/behavior",
        "unknown behavior \"sleepy\""},
       {"bad_probes.yaml", 18, 33, c + "livenessProbe.successThreshold", "must be 1, got 2"},
       {"bad_probes.yaml", 21, 30, c + "readinessProbe.periodSeconds",
        "must be greater than or equal to 0, got -1"},
       {"bad_probes.yaml", 23, 15, c + "startupProbe", "must specify a handler type"}});
}
