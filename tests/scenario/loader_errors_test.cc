// The scenario loader's errors: one test per error kind, each checking the
// exact file:line:column and key path (the fixtures are in fixtures/; line
// and column numbers are 1-based and point at the offending key or value).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/scenario/scenario.h"
#include "tests/scenario/load_errors.h"

using kubesim_test::check_errors;
using kubesim_test::errors_of;
using kubesim_test::kFixtures;

TEST_CASE("scenario: an error prints as file:line:column: key.path: message") {
  kubesim::LoadError e{"a.yaml", 3, 7, "spec.seed", "expected an integer"};
  CHECK(e.to_string() == "a.yaml:3:7: spec.seed: expected an integer");
  kubesim::LoadError whole{"a.yaml", 0, 0, "", "cannot open file"};
  CHECK(whole.to_string() == "a.yaml: cannot open file");
}

TEST_CASE("scenario: a missing file is one error naming it") {
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "no-such-file.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() == kFixtures + "no-such-file.yaml: cannot open file");
}

TEST_CASE("scenario: unknown keys are errors with a did-you-mean hint") {
  // nodePools[0].capacty (line 10) is a kubesim key; spec.replica (line 16) a
  // Deployment field: both strict. The typo's "missing capacity" is not repeated.
  check_errors("unknown_key.yaml", {{"unknown_key.yaml", 10, 9, "spec.cluster.nodePools[0].capacty",
                                     "unknown key \"capacty\"; did you mean \"capacity\"?"},
                                    {"unknown_key.yaml", 16, 9, "spec.workloads[0].spec.replica",
                                     "unknown key \"replica\"; did you mean \"replicas\"?"}});
}

TEST_CASE("scenario: wrong types are errors at the value") {
  check_errors("wrong_type.yaml", {{"wrong_type.yaml", 9, 16, "spec.cluster.nodePools[0].count",
                                    "expected an integer, got the string \"three\""},
                                   {"wrong_type.yaml", 11, 17, "spec.cluster.nodePools[0].labels",
                                    "expected a mapping, got a sequence"}});
}

TEST_CASE("scenario: a bad quantity is an error at the value") {
  check_errors("bad_quantity.yaml",
               {{"bad_quantity.yaml", 10, 25, "spec.cluster.nodePools[0].capacity.cpu",
                 "invalid quantity \"2x\": quantities must match"}});
}

TEST_CASE("scenario: a bad duration is an error at the value") {
  check_errors("bad_duration.yaml",
               {{"bad_duration.yaml", 7, 13, "spec.duration", "invalid duration \"10x\""}});
}

TEST_CASE("scenario: a nodeName naming no node is a dangling reference") {
  check_errors("dangling_node.yaml",
               {{"dangling_node.yaml", 14, 19, "spec.workloads[0].spec.nodeName",
                 "node \"nod-0\" not found; did you mean \"node-0\"?"}});
}

TEST_CASE("scenario: a priorityClassName naming no class is a dangling reference") {
  check_errors("dangling_priority.yaml",
               {{"dangling_priority.yaml", 11, 28, "spec.workloads[0].spec.priorityClassName",
                 "no PriorityClass with name \"system-cluster-critcal\" was found; did you mean "
                 "\"system-cluster-critical\"?"}});
}

TEST_CASE("scenario: an include of a missing file is a dangling reference") {
  check_errors("missing_include.yaml",
               {{"missing_include.yaml", 7, 16, "spec.workloads[0].include",
                 "included file \"manifests/does-not-exist.yaml\" does not exist"}});
}

TEST_CASE("scenario: duplicate names are errors at the second definition") {
  // Pool "node" makes node-0 and node-1; cluster.nodes[0] is node-1 again. Pod
  // "p" in namespace other is fine; the third pod repeats default/p.
  check_errors(
      "duplicate_names.yaml",
      {{"duplicate_names.yaml", 10, 16, "spec.cluster.nodes[0].name",
        "duplicate node \"node-1\" (first defined at " + kFixtures + "duplicate_names.yaml:8:16)"},
       {"duplicate_names.yaml", 22, 24, "spec.workloads[2].metadata.name",
        "duplicate Pod \"default/p\" (first defined at " + kFixtures +
            "duplicate_names.yaml:14:24)"}});
}

TEST_CASE("scenario: a selector that does not match the template labels is an error") {
  check_errors("selector_mismatch.yaml", {{"selector_mismatch.yaml", 15, 21,
                                           "spec.workloads[0].spec.template.metadata.labels",
                                           "`selector` does not match template `labels`"}});
}

TEST_CASE("scenario: errors in an included file name that file and its own lines") {
  // The mistake is in the second document of manifests/bad.yaml, line 23.
  check_errors(
      "include_errors.yaml",
      {{"manifests/bad.yaml", 23, 35, "spec.template.spec.containers[0].resources.requests.memroy",
        "unknown resource \"memroy\"; did you mean \"memory\"?"}});
}

TEST_CASE("scenario: a YAML syntax error is one error at its position") {
  std::vector<kubesim::LoadError> got = errors_of("yaml_syntax.yaml");
  REQUIRE(got.size() == 1);
  CHECK(got[0].line == 5);  // yaml-cpp notices the unclosed [ of line 4 on line 5
  CHECK(got[0].path.empty());
  CHECK_THAT(got[0].message, Catch::StartsWith("YAML syntax error: "));
}

TEST_CASE("scenario: unknown scheduler profiles and plugins are errors with hints") {
  check_errors("bad_scheduler.yaml",
               {{"bad_scheduler.yaml", 7, 14, "spec.scheduler.profile",
                 "unknown profile \"bin-pack\"; did you mean \"bin-packing\"?"}});
  check_errors(
      "bad_plugin.yaml",
      {{"bad_plugin.yaml", 12, 24, "spec.scheduler.profiles[0].plugins.score.enabled[0].name",
        "unknown plugin \"NodeResourceFit\"; did you mean \"NodeResourcesFit\"?"},
       {"bad_plugin.yaml", 21, 49,
        "spec.scheduler.profiles[0].pluginConfig[0].args.scoringStrategy.requestedToCapacityRatio."
        "shape[1].score",
        "must be in the range 0-10"}});
}

TEST_CASE("scenario: all errors of a file are collected, in file order") {
  check_errors("many_errors.yaml",
               {{"many_errors.yaml", 11, 13, "spec.workloads[0].kind",
                 "unsupported kind \"Deploymnet\"; did you mean \"Deployment\"?"},
                {"many_errors.yaml", 13, 19, "spec.workloads[1].apiVersion",
                 "kind Job needs apiVersion batch/v1, got \"batch/v2\""},
                // Kubernetes decodes YAML via JSON: an unquoted 2 is a number, not a label value.
                {"many_errors.yaml", 20, 27, "spec.workloads[2].metadata.labels.version",
                 "expected a string, got a number (2); quote it"},
                {"many_errors.yaml", 22, 19, "spec.workloads[2].spec.replicas",
                 "expected an integer, got the string \"3\""},
                {"many_errors.yaml", 32, 71, "spec.workloads[3].spec.scaleTargetRef.name",
                 "Deployment \"default/wbe\" not found; did you mean \"web\"?"},
                // Line 40 starts the template's spec mapping, which lacks restartPolicy.
                {"many_errors.yaml", 40, 13, "spec.workloads[4].spec.template.spec.restartPolicy",
                 "a Job's pods need restartPolicy \"OnFailure\" or \"Never\""},
                // 2 cpu requested on a node with 1 cpu allocatable.
                {"many_errors.yaml", 45, 19, "spec.workloads[5].spec.nodeName",
                 "pod \"default/too-big\" does not fit on node \"small-0\": Insufficient cpu"},
                {"many_errors.yaml", 52, 21, "spec.workloads[6].spec.containers",
                 "a pod needs at least one container"}});
}

TEST_CASE("scenario: load_pod reports errors with the same rules") {
  kubesim::PodLoadResult r = kubesim::load_pod(kFixtures + "many_errors.yaml");
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].line == 2);
  CHECK(r.errors[0].path == "kind");
  CHECK(r.errors[0].message == "expected a Pod manifest, got kind \"Scenario\"");
}

TEST_CASE("scenario: missing required keys and invalid names are errors") {
  check_errors("missing_and_names.yaml",
               {{"missing_and_names.yaml", 8, 15, "spec.cluster.nodePools[0].name",
                 "invalid node pool name \"Big_Pool\""},
                // A missing key is reported at the mapping that lacks it (its "{").
                {"missing_and_names.yaml", 10, 19, "spec.cluster.nodePools[0].capacity",
                 "missing required key \"memory\""},
                {"missing_and_names.yaml", 14, 24, "spec.workloads[0].metadata.name",
                 "invalid name \"Web\": a lowercase RFC 1123 subdomain"}});
}
