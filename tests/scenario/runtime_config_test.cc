// spec.cluster.controlPlane, kubelet and registry (RuntimeConfig), per-node
// image pull bandwidth, and the kubesim.io/ pod annotations checked at load.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "models/scenario/scenario.h"
#include "tests/scenario/load_errors.h"

using kubesim::Duration;
using kubesim_test::all_errors;
using kubesim_test::check_errors;
using kubesim_test::kFixtures;

TEST_CASE("scenario runtime: without the sections every setting has its default") {
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "mixed.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  const kubesim::RuntimeConfig& rt = r.scenario->runtime;
  CHECK(rt.watch_latency == Duration::millis(5));
  CHECK(rt.scheduling_latency == Duration::millis(2));
  CHECK(rt.container_start.in_seconds().kind() == kubesim::Distribution::Kind::kDeterministic);
  CHECK(rt.container_start.mean() == Duration::seconds(1));
  CHECK(rt.image_pull_bytes_per_second == 50LL << 20);  // 50Mi
  CHECK(rt.image_pull_overhead == Duration::millis(500));
  CHECK(rt.default_image_size == 100LL << 20);  // 100Mi
  CHECK(rt.image_sizes.empty());                // no registry, no node lists images
  CHECK(r.scenario->objects.nodes[0].image_pull_bytes_per_second == 0);  // the cluster default
  CHECK(r.scenario->deferred.empty());
}

TEST_CASE("scenario runtime: controlPlane, kubelet and registry keys are read") {
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "runtime.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  const kubesim::Scenario& s = *r.scenario;
  const kubesim::RuntimeConfig& rt = s.runtime;
  CHECK(rt.watch_latency == Duration::millis(20));
  CHECK(rt.scheduling_latency == Duration::micros(1500));
  // lognormal(2s, 0.3): mean = median * e^(sigma^2 / 2) = 2 * e^0.045 = 2.0921 s.
  CHECK(rt.container_start.in_seconds().kind() == kubesim::Distribution::Kind::kLognormal);
  CHECK(rt.container_start.in_seconds().mean() == Approx(2 * std::exp(0.045)));
  CHECK(rt.image_pull_bytes_per_second == 100LL << 20);
  CHECK(rt.image_pull_overhead == Duration::seconds(1));
  CHECK(rt.default_image_size == 200LL << 20);
  CHECK_FALSE(s.deferred.count("spec.cluster.controlPlane"));

  // The registry's sizes first; nodes add the names the registry does not
  // list, the first node that gives a size winning: nginx:1.25 is 1000 bytes
  // (registry) not 70Mi (pool fast), busybox 4Mi (pool fast) not 5Mi (node
  // slow), and redis:7 has no size anywhere.
  CHECK(rt.image_sizes.size() == 4);
  CHECK(rt.image_sizes.at("example/api:2.1") == 150LL << 20);
  CHECK(rt.image_sizes.at("nginx:1.25") == 1000);
  CHECK(rt.image_sizes.at("docker.io/library/nginx:1.25") == 1000);
  CHECK(rt.image_sizes.at("busybox:1.36") == 4LL << 20);

  // Per-node bandwidth: 1Gi = 2^30; 10M = 10^7 (decimal suffix).
  REQUIRE(s.objects.nodes.size() == 2);
  CHECK(s.objects.nodes[0].name == "fast-0");
  CHECK(s.objects.nodes[0].image_pull_bytes_per_second == 1LL << 30);
  CHECK(s.objects.nodes[1].name == "slow");
  CHECK(s.objects.nodes[1].image_pull_bytes_per_second == 10'000'000);
  REQUIRE(s.node_pools.size() == 1);
  CHECK(s.node_pools[0].node.image_pull_bytes_per_second == 1LL << 30);
}

TEST_CASE("scenario runtime: empirical(FILE) reads samples relative to the scenario") {
  // samples/start.csv: a comment, a header, then 0.5, 1.5s and 2000ms:
  // mean (0.5 + 1.5 + 2) / 3 = 1.333333 s.
  kubesim::LoadResult r = kubesim::load_scenario(kFixtures + "empirical.yaml");
  INFO(all_errors(r.errors));
  REQUIRE(r.scenario.has_value());
  const kubesim::DurationDistribution& d = r.scenario->runtime.container_start;
  CHECK(d.in_seconds().kind() == kubesim::Distribution::Kind::kEmpirical);
  CHECK(d.mean() == Duration::micros(1'333'333));
}

TEST_CASE("scenario runtime: errors name the key and point at the value") {
  check_errors(
      "bad_runtime.yaml",
      {{"bad_runtime.yaml", 8, 7, "spec.cluster.controlPlane.watchLatancy",
        "unknown key \"watchLatancy\"; did you mean \"watchLatency\"?"},
       {"bad_runtime.yaml", 9, 17, "spec.cluster.controlPlane.replicas", "must be between 1 and 7"},
       {"bad_runtime.yaml", 11, 30, "spec.cluster.kubelet.containerStartLatency",
        "invalid distribution \"lognormal(2s)\": wrong number of arguments"},
       {"bad_runtime.yaml", 12, 27, "spec.cluster.kubelet.imagePullBandwidth",
        "must be greater than 0"},
       {"bad_runtime.yaml", 13, 26, "spec.cluster.kubelet.imagePullOverhead",
        "invalid duration \"1x\""},
       // A missing key is reported at the mapping that lacks it.
       {"bad_runtime.yaml", 16, 11, "spec.cluster.registry.images[0]",
        "missing required key \"size\""},
       {"bad_runtime.yaml", 18, 20, "spec.cluster.registry.images[2].names[0]",
        "duplicate image \"b:1\" (first listed at line 17)"},
       {"bad_runtime.yaml", 20, 64, "spec.cluster.nodePools[0].imagePullBandwith",
        "unknown key \"imagePullBandwith\"; did you mean \"imagePullBandwidth\"?"}});
}

TEST_CASE("scenario runtime: kubesim.io/ pod annotations are checked at load") {
  // kubesim.io/something-later (line 17) is accepted as it is.
  check_errors("bad_annotations.yaml",
               {{"bad_annotations.yaml", 14, 36,
                 "spec.workloads[0].spec.template.metadata.annotations.kubesim.io/run-time",
                 "invalid distribution \"lognormal(5m)\""},
                {"bad_annotations.yaml", 15, 41,
                 "spec.workloads[0].spec.template.metadata.annotations.kubesim.io/shutdown-time",
                 "invalid distribution \"10x\""},
                {"bad_annotations.yaml", 16, 47,
                 "spec.workloads[0].spec.template.metadata.annotations.kubesim.io/"
                 "failure-probability",
                 "must be in [0, 1], got 1.5"},
                {"bad_annotations.yaml", 25, 55,
                 "spec.workloads[1].metadata.annotations.kubesim.io/failure-probability",
                 "expected a probability (a number in [0, 1]), got \"half\""},
                // The kubelet parses the value again at run time, without files.
                {"bad_annotations.yaml", 32, 44,
                 "spec.workloads[2].metadata.annotations.kubesim.io/run-time",
                 "empirical(FILE) is not supported in annotations yet"}});
}
