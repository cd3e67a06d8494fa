// InterPodAffinity filtering: Kubernetes' tables TestRequiredAffinitySingleNode
// and TestRequiredAffinityMultipleNodes from
// pkg/scheduler/framework/plugins/interpodaffinity/filtering_test.go (v1.30+),
// run as PreFilter once, then Filter per node (every node passes when PreFilter
// skips). Kubernetes' test pods live in namespace ""; here "default".
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/scheduler/plugins/inter_pod_affinity.h"
#include "tests/scheduler_affinity/affinity_test_cluster.h"

namespace kubesim {
namespace {

using namespace affinity_test;

constexpr auto kOk = StatusCode::kSuccess;
constexpr auto kUnsched = StatusCode::kUnschedulable;
constexpr auto kUnresolvable = StatusCode::kUnschedulableAndUnresolvable;

// filtering_test.go createPodWithAffinityTerms.
Pod pod_with_terms(Labels labels, std::string node, std::vector<PodAffinityTerm> affinity,
                   std::vector<PodAffinityTerm> anti_affinity, std::string ns = "default") {
  Pod p = make_pod(node.empty() ? "incoming" : "existing-on-" + node, std::move(labels), node,
                   std::move(ns));
  p.spec.pod_affinity.required = std::move(affinity);
  p.spec.pod_anti_affinity.required = std::move(anti_affinity);
  return p;
}

struct FilterCase {
  std::string name;
  Pod pod;
  std::vector<Pod> existing;
  std::vector<Node> nodes;
  std::vector<StatusCode> want;
};

std::vector<FilterCase> single_node_cases() {
  const Labels pod_label{{"service", "securityscan"}};
  const Labels pod_label2{{"security", "S1"}};
  const auto node1 = [] {
    return std::vector<Node>{make_node("machine1", {{"region", "r1"}, {"zone", "z11"}})};
  };
  const auto existing_scan = [&] { return std::vector<Pod>{make_pod("e", pod_label, "machine1")}; };
  const auto in_scan = [] { return in("service", {"securityscan", "value2"}); };
  std::vector<FilterCase> cases;

  cases.push_back(
      {"A pod that has no required pod affinity scheduling rules can schedule onto a "
       "node with no existing pods",
       make_pod("incoming", {}),
       {},
       node1(),
       {kOk}});
  cases.push_back(
      {"satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity "
       "using In operator that matches the existing pod",
       pod_with_terms(pod_label2, "", {term(in_scan(), "region")}, {}),
       existing_scan(),
       node1(),
       {kOk}});
  cases.push_back(
      {"satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in "
       "PodAffinity using not in operator in labelSelector that matches the existing pod",
       pod_with_terms(
           pod_label2, "",
           {term(selector({req("service", SelectorOp::kNotIn, {"securityscan3", "value3"})}),
                 "region")},
           {}),
       existing_scan(),
       node1(),
       {kOk}});
  {
    // The term names namespace DiffNameSpace and has no topology key.
    std::vector<Pod> existing{make_pod("e", pod_label, "machine1", "ns")};
    cases.push_back(
        {"Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
         pod_with_terms(pod_label2, "", {term(in_scan(), "", {"DiffNameSpace"})}, {}),
         existing,
         node1(),
         {kUnresolvable}});
  }
  cases.push_back(
      {"Doesn't satisfy the PodAffinity because of unmatching labelSelector with the "
       "existing pod",
       pod_with_terms(pod_label, "", {term(in("service", {"antivirusscan", "value2"}), "")}, {}),
       existing_scan(),
       node1(),
       {kUnresolvable}});
  cases.push_back(
      {"satisfies the PodAffinity with different label Operators in multiple "
       "RequiredDuringSchedulingIgnoredDuringExecution ",
       pod_with_terms(pod_label2, "",
                      {term(selector({req("service", SelectorOp::kExists),
                                      req("wrongkey", SelectorOp::kDoesNotExist)}),
                            "region"),
                       term(selector({req("service", SelectorOp::kIn, {"securityscan"}),
                                      req("service", SelectorOp::kNotIn, {"WrongValue"})}),
                            "region")},
                      {}),
       existing_scan(),
       node1(),
       {kOk}});
  cases.push_back(
      {"The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot "
       "schedule onto the node because one of the matchExpression item don't match.",
       pod_with_terms(pod_label2, "",
                      {term(selector({req("service", SelectorOp::kExists),
                                      req("wrongkey", SelectorOp::kDoesNotExist)}),
                            "region"),
                       term(selector({req("service", SelectorOp::kIn, {"securityscan2"}),
                                      req("service", SelectorOp::kNotIn, {"WrongValue"})}),
                            "region")},
                      {}),
       existing_scan(),
       node1(),
       {kUnresolvable}});
  // The anti-affinity term's key "node" is not a label of machine1: no conflict.
  cases.push_back({"satisfies the PodAffinity and PodAntiAffinity with the existing pod",
                   pod_with_terms(pod_label2, "", {term(in_scan(), "region")},
                                  {term(in("service", {"antivirusscan", "value2"}), "node")}),
                   existing_scan(),
                   node1(),
                   {kOk}});
  cases.push_back(
      {"satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the "
       "existing pod",
       pod_with_terms(pod_label2, "", {term(in_scan(), "region")},
                      {term(in("service", {"antivirusscan", "value2"}), "node")}),
       {pod_with_terms(pod_label, "machine1", {},
                       {term(in("service", {"antivirusscan", "value2"}), "node")})},
       node1(),
       {kOk}});
  cases.push_back(
      {"satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the "
       "existing pod",
       pod_with_terms(pod_label2, "", {term(in_scan(), "region")}, {term(in_scan(), "zone")}),
       existing_scan(),
       node1(),
       {kUnsched}});
  cases.push_back(
      {"satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy "
       "PodAntiAffinity symmetry with the existing pod",
       pod_with_terms(pod_label, "", {term(in_scan(), "region")},
                      {term(in("service", {"antivirusscan", "value2"}), "node")}),
       {pod_with_terms(pod_label, "machine1", {}, {term(in_scan(), "zone")})},
       node1(),
       {kUnsched}});
  // The only matching pod is on machine2, which is not in the snapshot, and the
  // pod does not match its own NotIn term: not the first pod of a group.
  cases.push_back(
      {"pod matches its own Label in PodAffinity and that matches the existing pod "
       "Labels",
       pod_with_terms(
           pod_label, "",
           {term(selector({req("service", SelectorOp::kNotIn, {"securityscan", "value2"})}),
                 "region")},
           {}),
       {make_pod("e", pod_label, "machine2")},
       node1(),
       {kUnresolvable}});
  cases.push_back(
      {"verify that PodAntiAffinity from existing pod is respected when pod has no "
       "AntiAffinity constraints. doesn't satisfy PodAntiAffinity symmetry with the "
       "existing pod",
       make_pod("incoming", pod_label),
       {pod_with_terms(pod_label, "machine1", {}, {term(in_scan(), "zone")})},
       node1(),
       {kUnsched}});
  cases.push_back(
      {"verify that PodAntiAffinity from existing pod is respected when pod has no "
       "AntiAffinity constraints. satisfy PodAntiAffinity symmetry with the existing pod",
       make_pod("incoming", pod_label),
       {pod_with_terms(
           pod_label, "machine1", {},
           {term(selector({req("service", SelectorOp::kNotIn, {"securityscan", "value2"})}),
                 "zone")})},
       node1(),
       {kOk}});
  return cases;
}

std::vector<FilterCase> multiple_node_cases() {
  const Labels rg_china{{"region", "China"}};
  const Labels rg_china_az1{{"region", "China"}, {"az", "az1"}};
  const Labels rg_india{{"region", "India"}};
  std::vector<FilterCase> cases;

  cases.push_back(
      {"A pod can be scheduled onto all the nodes that have the same topology key & "
       "label value with one of them has an existing pod that matches the affinity "
       "rules",
       pod_with_terms({}, "", {term(in("foo", {"bar"}), "region")}, {}),
       {make_pod("p1", {{"foo", "bar"}}, "machine1")},
       {make_node("machine1", rg_china), make_node("machine2", rg_china_az1),
        make_node("machine3", rg_india)},
       {kOk, kOk, kUnresolvable}});
  // No pod matches both terms, but the incoming pod matches its own terms.
  cases.push_back(
      {"The affinity rule is to schedule all of the pods of this collection to the "
       "same zone. The first pod of the collection should not be blocked from being "
       "scheduled onto any node, even there's no existing pod that matches the rule "
       "anywhere.",
       pod_with_terms(
           {{"foo", "bar"}, {"service", "securityscan"}}, "",
           {term(in("foo", {"bar"}), "zone"), term(in("service", {"securityscan"}), "zone")}, {}),
       {make_pod("p1", {{"foo", "bar"}}, "nodeA")},
       {make_node("nodeA", {{"zone", "az1"}, {"hostname", "h1"}}),
        make_node("nodeB", {{"zone", "az2"}, {"hostname", "h2"}})},
       {kOk, kOk}});
  cases.push_back(
      {"NodeA and nodeB have same topologyKey and label value. NodeA has an existing "
       "pod that matches the inter pod affinity rule. The pod can not be scheduled "
       "onto nodeA and nodeB.",
       pod_with_terms({}, "", {}, {term(in("foo", {"abc"}), "region")}),
       {make_pod("p1", {{"foo", "abc"}}, "nodeA")},
       {make_node("nodeA", {{"region", "r1"}, {"hostname", "nodeA"}}),
        make_node("nodeB", {{"region", "r1"}, {"hostname", "nodeB"}})},
       {kUnsched, kUnsched}});
  cases.push_back(
      {"This test ensures that anti-affinity matches a pod when any term of the "
       "anti-affinity rule matches a pod.",
       pod_with_terms(
           {}, "", {},
           {term(in("foo", {"abc"}), "region"), term(in("service", {"securityscan"}), "zone")}),
       {make_pod("p1", {{"foo", "abc"}, {"service", "securityscan"}}, "nodeA")},
       {make_node("nodeA", {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}}),
        make_node("nodeB", {{"region", "r1"}, {"zone", "z2"}, {"hostname", "nodeB"}})},
       {kUnsched, kUnsched}});
  cases.push_back(
      {"NodeA and nodeB have same topologyKey and label value. NodeA has an existing "
       "pod that matches the inter pod affinity rule. The pod can not be scheduled "
       "onto nodeA and nodeB but can be scheduled onto nodeC",
       pod_with_terms({}, "", {}, {term(in("foo", {"abc"}), "region")}),
       {make_pod("p1", {{"foo", "abc"}}, "nodeA")},
       {make_node("nodeA", rg_china), make_node("nodeB", rg_china_az1),
        make_node("nodeC", rg_india)},
       {kUnsched, kUnsched, kOk}});
  {
    // The NS2 pod's anti-affinity (own namespace NS2) does not select the NS1
    // pod; the incoming pod's anti-affinity selects the NS1 pod in China.
    std::vector<Pod> existing;
    existing.push_back(make_pod("p-ns1", {{"foo", "bar"}}, "nodeA", "NS1"));
    existing.push_back(
        pod_with_terms({}, "nodeC", {}, {term(in("foo", {"123"}), "region")}, "NS2"));
    cases.push_back(
        {"NodeA and nodeB have same topologyKey and label value. NodeA has an existing "
         "pod that matches the inter pod affinity rule. The pod can not be scheduled "
         "onto nodeA, nodeB, but can be scheduled onto nodeC (NodeC has an existing "
         "pod that match the inter pod affinity rule but in different namespace)",
         pod_with_terms({{"foo", "123"}}, "", {}, {term(in("foo", {"bar"}), "region")}, "NS1"),
         existing,
         {make_node("nodeA", rg_china), make_node("nodeB", rg_china_az1),
          make_node("nodeC", rg_india)},
         {kUnsched, kUnsched, kOk}});
  }
  {
    const std::vector<Node> nodes{
        make_node("nodeA", {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}}),
        make_node("nodeB", {{"region", "r1"}, {"zone", "z2"}, {"hostname", "nodeB"}}),
        make_node("nodeC", {{"region", "r1"}, {"zone", "z3"}, {"hostname", "nodeC"}})};
    std::vector<Pod> existing;
    existing.push_back(pod_with_terms(
        {}, "nodeA", {}, {term(exists("foo"), "zone"), term(exists("labelA"), "zone")}));
    existing.push_back(pod_with_terms(
        {}, "nodeB", {}, {term(exists("bar"), "zone"), term(exists("labelB"), "zone")}));
    cases.push_back(
        {"Test existing pod's anti-affinity: existingPod on nodeA and nodeB has at "
         "least one anti-affinity term matches incoming pod, so incoming pod can only "
         "be scheduled to nodeC",
         make_pod("incoming", {{"foo", ""}, {"bar", ""}}),
         existing,
         nodes,
         {kUnsched, kUnsched, kOk}});
  }
  {
    const std::vector<PodAffinityTerm> terms{term(exists("foo"), "region"),
                                             term(exists("bar"), "zone")};
    cases.push_back(
        {"Test incoming pod's affinity: firstly check if all affinityTerms match, and "
         "then check if all topologyKeys match",
         pod_with_terms({}, "", terms, {}),
         {make_pod("pod1", {{"foo", ""}, {"bar", ""}}, "nodeA")},
         {make_node("nodeA", {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}}),
          make_node("nodeB", {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeB"}})},
         {kOk, kOk}});
    // No single pod matches both terms: nothing counts, and the incoming pod
    // (no labels) does not match its own terms.
    cases.push_back(
        {"Test incoming pod's affinity: firstly check if all affinityTerms match, and "
         "then check if all topologyKeys match, and the match logic should be "
         "satisfied on the same pod",
         pod_with_terms({}, "", terms, {}),
         {make_pod("pod1", {{"foo", ""}}, "nodeA"), make_pod("pod2", {{"bar", ""}}, "nodeB")},
         {make_node("nodeA", {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}}),
          make_node("nodeB", {{"region", "r1"}, {"zone", "z2"}, {"hostname", "nodeB"}})},
         {kUnresolvable, kUnresolvable}});
    cases.push_back(
        {"Test incoming pod's anti-affinity: only when labelSelector and topologyKey "
         "both match, it's counted as a single term match - case when all terms have "
         "valid topologyKey",
         pod_with_terms({}, "", {}, terms),
         {make_pod("podA", {{"foo", ""}, {"bar", ""}}, "nodeA")},
         {make_node("nodeA", {{"region", "r1"}, {"zone", "z1"}, {"hostname", "nodeA"}}),
          make_node("nodeB", {{"region", "r1"}, {"zone", "z2"}, {"hostname", "nodeB"}})},
         {kUnsched, kUnsched}});
  }
  return cases;
}

void run_cases(const std::vector<FilterCase>& cases) {
  for (const FilterCase& tc : cases) {
    DYNAMIC_SECTION(tc.name) {
      AffinityTestCluster cluster;
      cluster.add_nodes(tc.nodes);
      cluster.add_pods(tc.existing);
      InterPodAffinity plugin{PluginArgs{}};
      CHECK(codes(run_filter(plugin, tc.pod, cluster.snapshot())) == tc.want);
    }
  }
}

}  // namespace

TEST_CASE("scheduler: InterPodAffinity: filter matches TestRequiredAffinitySingleNode") {
  const std::vector<FilterCase> cases = single_node_cases();
  REQUIRE(cases.size() >= 8);
  run_cases(cases);
}

TEST_CASE("scheduler: InterPodAffinity: filter matches TestRequiredAffinityMultipleNodes") {
  const std::vector<FilterCase> cases = multiple_node_cases();
  REQUIRE(cases.size() >= 8);
  run_cases(cases);
}

TEST_CASE("scheduler: InterPodAffinity: filter reasons use Kubernetes' wording") {
  AffinityTestCluster cluster;
  cluster.add_node(make_node("n1", {{kLabelHostname, "n1"}, {kLabelZone, "z1"}}));
  cluster.add_node(make_node("n2", {{kLabelHostname, "n2"}, {kLabelZone, "z2"}}));
  cluster.add_node(make_node("n3", {{kLabelHostname, "n3"}, {kLabelZone, "z1"}}));
  // n1: a "db" pod; n2: a "cache" pod that repels "web" pods from its host.
  cluster.add_pod(make_pod("db-0", {{"app", "db"}}, "n1"));
  cluster.add_pod(
      pod_with_terms({{"app", "cache"}}, "n2", {}, {term(in("app", {"web"}), kLabelHostname)}));
  InterPodAffinity plugin{PluginArgs{}};

  // Affinity to db in the same zone: only zone z1 (n1, n3).
  const Pod near_db =
      pod_with_terms({{"app", "web"}}, "", {term(in("app", {"db"}), kLabelZone)}, {});
  const std::vector<Status> a = run_filter(plugin, near_db, cluster.snapshot());
  CHECK(codes(a) == std::vector<StatusCode>{kOk, kUnresolvable, kOk});
  CHECK(a[1].reasons == std::vector<std::string>{"node(s) didn't match pod affinity rules"});

  // Anti-affinity to db per host, and the cache pod's anti-affinity to web.
  const Pod away_from_db =
      pod_with_terms({{"app", "web"}}, "", {}, {term(in("app", {"db"}), kLabelHostname)});
  const std::vector<Status> b = run_filter(plugin, away_from_db, cluster.snapshot());
  CHECK(codes(b) == std::vector<StatusCode>{kUnsched, kUnsched, kOk});
  CHECK(b[0].reasons == std::vector<std::string>{"node(s) didn't match pod anti-affinity rules"});
  CHECK(b[1].reasons ==
        std::vector<std::string>{"node(s) didn't satisfy existing pods anti-affinity rules"});
}

TEST_CASE("scheduler: InterPodAffinity: namespaces, namespaceSelector and PreFilter skip") {
  AffinityTestCluster cluster;
  cluster.add_node(make_node("n1", {{kLabelZone, "z1"}}));
  cluster.add_node(make_node("n2", {{kLabelZone, "z2"}}));
  cluster.add_pod(make_pod("db-0", {{"app", "db"}}, "n1", "data"));
  InterPodAffinity plugin{PluginArgs{}};

  // No terms anywhere: PreFilter skips.
  CycleState state;
  CHECK(plugin.pre_filter(state, make_pod("plain", {}), cluster.snapshot()).skip());

  // Empty namespaces: the pod's own namespace ("default") has no db pod, and the
  // pod does not match its own term -> no node.
  Pod own_ns = pod_with_terms({}, "", {term(in("app", {"db"}), kLabelZone)}, {});
  CHECK(codes(run_filter(plugin, own_ns, cluster.snapshot())) ==
        std::vector<StatusCode>{kUnresolvable, kUnresolvable});
  // Listing the namespace finds it.
  Pod listed = pod_with_terms({}, "", {term(in("app", {"db"}), kLabelZone, {"data"})}, {});
  CHECK(codes(run_filter(plugin, listed, cluster.snapshot())) ==
        std::vector<StatusCode>{kOk, kUnresolvable});
  // An empty namespaceSelector {} selects every namespace.
  Pod all_ns = own_ns;
  all_ns.spec.pod_affinity.required[0].namespace_selector = LabelSelector{};
  CHECK(codes(run_filter(plugin, all_ns, cluster.snapshot())) ==
        std::vector<StatusCode>{kOk, kUnresolvable});
  // A selector on the automatic kubernetes.io/metadata.name label.
  Pod by_name = own_ns;
  by_name.spec.pod_affinity.required[0].namespace_selector =
      in("kubernetes.io/metadata.name", {"data"});
  CHECK(codes(run_filter(plugin, by_name, cluster.snapshot())) ==
        std::vector<StatusCode>{kOk, kUnresolvable});
}

}  // namespace kubesim
