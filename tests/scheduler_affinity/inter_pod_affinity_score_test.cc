// InterPodAffinity scoring: Kubernetes' tables TestPreferredAffinity and
// TestPreferredAffinityWithHardPodAffinitySymmetricWeight from
// pkg/scheduler/framework/plugins/interpodaffinity/scoring_test.go (v1.30+),
// run through PreScore -> Score -> NormalizeScore over all nodes.
//
// Raw score = sum of term weights at the node's topology values (+ affinity,
// - anti-affinity, both directions; existing pods' required affinity counts
// hardPodAffinityWeight); normalized int64(100 * (s - min) / (max - min)), all 0
// when max == min.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/scheduler/plugins/inter_pod_affinity.h"
#include "tests/scheduler_affinity/affinity_test_cluster.h"

namespace kubesim {
namespace {

using namespace affinity_test;

const Labels kRgChina{{"region", "China"}};
const Labels kRgIndia{{"region", "India"}};
const Labels kAz1{{"az", "az1"}};
const Labels kAz2{{"az", "az2"}};
const Labels kRgChinaAz1{{"region", "China"}, {"az", "az1"}};
const Labels kS1{{"security", "S1"}};
const Labels kS2{{"security", "S2"}};

// The affinities of scoring_test.go.
PodAffinity stay_with_s1_in_region() {
  return {{}, {weighted(5, term(in("security", {"S1"}), "region"))}};
}
PodAffinity stay_with_s2_in_region() {
  return {{}, {weighted(6, term(in("security", {"S2"}), "region"))}};
}
PodAffinity affinity3() {
  return {{},
          {weighted(8, term(selector({req("security", SelectorOp::kNotIn, {"S1"}),
                                      req("security", SelectorOp::kIn, {"S2"})}),
                            "region")),
           weighted(2, term(selector({req("security", SelectorOp::kExists),
                                      req("wrongkey", SelectorOp::kDoesNotExist)}),
                            "region"))}};
}
PodAffinity hard_affinity() {
  return {{term(in("security", {"S1", "value2"}), "region"),
           term(selector({req("security", SelectorOp::kExists),
                          req("wrongkey", SelectorOp::kDoesNotExist)}),
                "region")},
          {}};
}
PodAffinity away_from_s1_in_az() {
  return {{}, {weighted(5, term(in("security", {"S1"}), "az"))}};
}
PodAffinity away_from_s2_in_az() {
  return {{}, {weighted(5, term(in("security", {"S2"}), "az"))}};
}
// stayWithS1InRegionAwayFromS2InAz: affinity S1/region weight 8, anti S2/az weight 5.
void stay_s1_away_s2(Pod& p) {
  p.spec.pod_affinity = {{}, {weighted(8, term(in("security", {"S1"}), "region"))}};
  p.spec.pod_anti_affinity = away_from_s2_in_az();
}

Pod with_affinity(Labels labels, std::string node, PodAffinity affinity) {
  Pod p = make_pod(node.empty() ? "incoming" : "on-" + node, std::move(labels), std::move(node));
  p.spec.pod_affinity = std::move(affinity);
  return p;
}
Pod with_anti(Labels labels, std::string node, PodAffinity anti) {
  Pod p = make_pod(node.empty() ? "incoming" : "on-" + node, std::move(labels), std::move(node));
  p.spec.pod_anti_affinity = std::move(anti);
  return p;
}
Pod with_both(Labels labels, std::string node) {
  Pod p = make_pod(node.empty() ? "incoming" : "on-" + node, std::move(labels), std::move(node));
  stay_s1_away_s2(p);
  return p;
}

struct ScoreCase {
  std::string name;
  Pod pod;
  std::vector<Pod> existing;
  std::vector<Node> nodes;
  std::vector<int64_t> want;  // empty: PreScore skips
};

std::vector<ScoreCase> preferred_cases() {
  std::vector<ScoreCase> cases;
  const auto n = [](const char* name, const Labels& l) { return make_node(name, l); };

  cases.push_back({"all nodes are same priority as Affinity is nil",
                   make_pod("incoming", kS1),
                   {},
                   {n("node1", kRgChina), n("node2", kRgIndia), n("node3", kAz1)},
                   {}});
  // China +5 (the S1 pod on node1); node3's S1 pod has no region.
  cases.push_back(
      {"Affinity: pod that matches topology key & pods in nodes will get high score "
       "comparing to otherswhich doesn't match either pods in nodes or in topology key",
       with_affinity(kS1, "", stay_with_s1_in_region()),
       {make_pod("a", kS1, "node1"), make_pod("b", kS2, "node2"), make_pod("c", kS1, "node3")},
       {n("node1", kRgChina), n("node2", kRgIndia), n("node3", kAz1)},
       {100, 0, 0}});
  cases.push_back(
      {"All the nodes that have the same topology key & label value with one of them "
       "has an existing pod that match the affinity rules, have the same score",
       with_affinity({}, "", stay_with_s1_in_region()),
       {make_pod("a", kS1, "node1")},
       {n("node1", kRgChina), n("node2", kRgChinaAz1), n("node3", kRgIndia)},
       {100, 100, 0}});
  // China 3 * 6 = 18, India 2 * 6 = 12: 100, 0, 100, 100, 0 (min 12).
  cases.push_back(
      {"Affinity: nodes in one region has more matching pods comparing to other "
       "region, so the region which has more matches will get high score",
       with_affinity(kS1, "", stay_with_s2_in_region()),
       {make_pod("a", kS2, "node1"), make_pod("b", kS2, "node1"), make_pod("c", kS2, "node2"),
        make_pod("d", kS2, "node3"), make_pod("e", kS2, "node4"), make_pod("f", kS2, "node5")},
       {n("node1", kRgChina), n("node2", kRgIndia), n("node3", kRgChina), n("node4", kRgChina),
        n("node5", kRgIndia)},
       {100, 0, 100, 100, 0}});
  // China +2 (S1 matches only the Exists term), India +8 +2 = 10: 100*2/10 = 20, 100, 0.
  cases.push_back(
      {"Affinity: different Label operators and values for pod affinity scheduling "
       "preference, including some match failures ",
       with_affinity(kS1, "", affinity3()),
       {make_pod("a", kS1, "node1"), make_pod("b", kS2, "node2"), make_pod("c", kS1, "node3")},
       {n("node1", kRgChina), n("node2", kRgIndia), n("node3", kAz1)},
       {20, 100, 0}});
  // Symmetry: node2's pod prefers S2 pods in its region (India +6).
  cases.push_back(
      {"Affinity symmetry: considered only the preferredDuringSchedulingIgnoredDuring"
       "Execution in pod affinity symmetry",
       make_pod("incoming", kS2),
       {with_affinity(kS1, "node1", stay_with_s1_in_region()),
        with_affinity(kS2, "node2", stay_with_s2_in_region())},
       {n("node1", kRgChina), n("node2", kRgIndia), n("node3", kAz1)},
       {0, 100, 0}});
  // Existing pods' required terms: China +1 +1, India +1 +1 (hardPodAffinityWeight 1).
  cases.push_back(
      {"Affinity symmetry: considered RequiredDuringSchedulingIgnoredDuringExecution "
       "in pod affinity symmetry",
       make_pod("incoming", kS1),
       {with_affinity(kS1, "node1", hard_affinity()), with_affinity(kS2, "node2", hard_affinity())},
       {n("node1", kRgChina), n("node2", kRgIndia), n("node3", kAz1)},
       {100, 100, 0}});
  // az1 -5: 0, 100.
  cases.push_back(
      {"Anti Affinity: pod that does not match existing pods in node will get high "
       "score ",
       with_anti(kS1, "", away_from_s1_in_az()),
       {make_pod("a", kS1, "node1"), make_pod("b", kS2, "node2")},
       {n("node1", kAz1), n("node2", kRgChina)},
       {0, 100}});
  cases.push_back(
      {"Anti Affinity: pod that does not match topology key & match the pods in nodes "
       "will get higher score comparing to others ",
       with_anti(kS1, "", away_from_s1_in_az()),
       {make_pod("a", kS1, "node1"), make_pod("b", kS1, "node2")},
       {n("node1", kAz1), n("node2", kRgChina)},
       {0, 100}});
  cases.push_back(
      {"Anti Affinity: one node has more matching pods comparing to other node, so the "
       "node which has more unmatches will get high score",
       with_anti(kS1, "", away_from_s1_in_az()),
       {make_pod("a", kS1, "node1"), make_pod("b", kS1, "node1"), make_pod("c", kS2, "node2")},
       {n("node1", kAz1), n("node2", kRgIndia)},
       {0, 100}});
  // Symmetry: node1's pod avoids S2 in az1 (-5).
  cases.push_back(
      {"Anti Affinity symmetry: the existing pods in node which has anti affinity "
       "match will get high score",
       make_pod("incoming", kS2),
       {with_anti(kS1, "node1", away_from_s2_in_az()),
        with_anti(kS2, "node2", away_from_s1_in_az())},
       {n("node1", kAz1), n("node2", kAz2)},
       {0, 100}});
  // China +8 +8; az1: S1 pods are not S2, so no anti: 100, 0.
  cases.push_back(
      {"Affinity and Anti Affinity: considered only preferredDuringSchedulingIgnored"
       "DuringExecution in both pod affinity & anti affinity",
       with_both(kS1, ""),
       {make_pod("a", kS1, "node1"), make_pod("b", kS1, "node2")},
       {n("node1", kRgChina), n("node2", kAz1)},
       {100, 0}});
  cases.push_back(
      {"Affinity and Anti Affinity: considering both affinity and anti-affinity, the "
       "pod to schedule and existing pods have the same labels",
       with_both(kS1, ""),
       {make_pod("a", kS1, "node1"), make_pod("b", kS1, "node1"), make_pod("c", kS1, "node2"),
        make_pod("d", kS1, "node3"), make_pod("e", kS1, "node3"), make_pod("f", kS1, "node4"),
        make_pod("g", kS1, "node5")},
       {n("node1", kRgChinaAz1), n("node2", kRgIndia), n("node3", kRgChina), n("node4", kRgChina),
        n("node5", kRgIndia)},
       {100, 0, 100, 100, 0}});
  {
    // Weights per node: affinity 8, 0, 0, 0; anti -5 on node2 (az1, the S2 pod);
    // symmetry +8 on node3 (India); anti symmetry -5 on node4 (az2): 100, 0, 100, 0.
    Pod on3 = make_pod("on-node3", {}, "node3");
    stay_s1_away_s2(on3);
    cases.push_back(
        {"Affinity and Anti Affinity and symmetry: considered only preferredDuring"
         "SchedulingIgnoredDuringExecution in both pod affinity & anti affinity & "
         "symmetry",
         with_both(kS1, ""),
         {make_pod("a", kS1, "node1"), make_pod("b", kS2, "node2"), on3,
          with_anti({}, "node4", away_from_s1_in_az())},
         {n("node1", kRgChina), n("node2", kAz1), n("node3", kRgIndia), n("node4", kAz2)},
         {100, 0, 100, 0}});
  }
  {
    // Both nodes in China get +8 from node2's pod: max == min -> 0, 0.
    Pod on2 = make_pod("on-node2", {}, "node2");
    stay_s1_away_s2(on2);
    cases.push_back({"Avoid panic when partial nodes in a topology don't have pods with affinity",
                     make_pod("incoming", kS1),
                     {make_pod("a", kS1, "node1"), on2},
                     {n("node1", kRgChina), n("node2", kRgChina)},
                     {0, 0}});
  }
  {
    // node1's pod: affinity S1 (no match), anti S2 in az (node1 has no az);
    // node2's pod prefers S2 in India: 0, 100.
    Pod on1 = make_pod("on-node1", kS1, "node1");
    stay_s1_away_s2(on1);
    cases.push_back({"Do not ignore preferred terms of existing pods",
                     make_pod("incoming", kS2),
                     {on1, with_affinity(kS2, "node2", stay_with_s2_in_region())},
                     {n("node1", kRgChina), n("node2", kRgIndia)},
                     {0, 100}});
  }
  cases.push_back({"No nodes to score", make_pod("incoming", kS2), {}, {}, {}});
  return cases;
}

}  // namespace

TEST_CASE("scheduler: InterPodAffinity: scores match scoring_test.go TestPreferredAffinity") {
  const std::vector<ScoreCase> cases = preferred_cases();
  REQUIRE(cases.size() >= 8);
  for (const ScoreCase& tc : cases) {
    DYNAMIC_SECTION(tc.name) {
      AffinityTestCluster cluster;
      cluster.add_nodes(tc.nodes);
      cluster.add_pods(tc.existing);
      InterPodAffinity plugin{PluginArgs{}};  // hardPodAffinityWeight 1
      const ScoreResult r = run_score(plugin, tc.pod, cluster.snapshot());
      if (tc.want.empty()) {
        CHECK(r.pre_score.skip());
      } else {
        REQUIRE(r.pre_score.ok());
        CHECK(r.normalized == tc.want);
      }
    }
  }
}

TEST_CASE(
    "scheduler: InterPodAffinity: hardPodAffinityWeight scores existing pods' required "
    "affinity") {
  // scoring_test.go TestPreferredAffinityWithHardPodAffinitySymmetricWeight. The
  // term lists namespaces "" and subteam2.team2 (plus a team=team1 namespace
  // selector, which kubesim's automatic namespace labels never match).
  PodAffinityTerm t = term(in("service", {"S1"}), "region", {"", "subteam2.team2"});
  t.namespace_selector = in("team", {"team1"});
  const auto existing = [&](const std::string& node) {
    Pod p = make_pod("on-" + node, {}, node, "");
    p.spec.pod_affinity.required = {t};
    return p;
  };
  struct Case {
    std::string name;
    std::string ns;
    int32_t weight;
    std::vector<int64_t> want;  // empty: Skip
  };
  const std::vector<Case> cases{
      {"with default weight", "", 1, {100, 100, 0}},
      {"with zero weight", "", 0, {}},
      {"with no matching namespace", "subteam1.team2", 1, {}},
      {"with matching Namespaces", "subteam2.team2", 1, {100, 100, 0}},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      AffinityTestCluster cluster;
      cluster.add_node(make_node("node1", kRgChina));
      cluster.add_node(make_node("node2", kRgIndia));
      cluster.add_node(make_node("node3", kAz1));
      cluster.add_pod(existing("node1"));
      cluster.add_pod(existing("node2"));
      PluginArgs args;
      args.hard_pod_affinity_weight = c.weight;
      InterPodAffinity plugin{args};
      const ScoreResult r = run_score(plugin, make_pod("incoming", {{"service", "S1"}}, "", c.ns),
                                      cluster.snapshot());
      if (c.want.empty()) {
        CHECK(r.pre_score.skip());
      } else {
        REQUIRE(r.pre_score.ok());
        CHECK(r.normalized == c.want);
      }
    }
  }
}

TEST_CASE("scheduler: InterPodAffinity: preferred anti-affinity on hostname and zone") {
  // kubesim case with the well-known topology labels. The incoming web pod
  // prefers (weight 10) hosts without web pods and (weight 3) zones with a db pod.
  // n1 (z1): web + db -> -10 + 3 = -7; n2 (z1): nothing on it, z1 has db -> +3;
  // n3 (z2): web -> -10. min -10, max 3: int64(100 * 3/13) = 23, 100, 0.
  AffinityTestCluster cluster;
  cluster.add_node(make_node("n1", {{kLabelHostname, "n1"}, {kLabelZone, "z1"}}));
  cluster.add_node(make_node("n2", {{kLabelHostname, "n2"}, {kLabelZone, "z1"}}));
  cluster.add_node(make_node("n3", {{kLabelHostname, "n3"}, {kLabelZone, "z2"}}));
  cluster.add_pod(make_pod("web-0", {{"app", "web"}}, "n1"));
  cluster.add_pod(make_pod("db-0", {{"app", "db"}}, "n1"));
  cluster.add_pod(make_pod("web-1", {{"app", "web"}}, "n3"));
  Pod p = make_pod("web-2", {{"app", "web"}});
  p.spec.pod_anti_affinity.preferred = {weighted(10, term(in("app", {"web"}), kLabelHostname))};
  p.spec.pod_affinity.preferred = {weighted(3, term(in("app", {"db"}), kLabelZone))};
  InterPodAffinity plugin{PluginArgs{}};
  const ScoreResult r = run_score(plugin, p, cluster.snapshot());
  REQUIRE(r.pre_score.ok());
  CHECK(r.raw == std::vector<int64_t>{-7, 3, -10});
  CHECK(r.normalized == std::vector<int64_t>{23, 100, 0});
}

}  // namespace kubesim
