// Labels, label selectors, node selectors, taints and tolerations, with the
// matching semantics of k8s.io/apimachinery/pkg/labels/selector.go,
// k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go and
// k8s.io/api/core/v1/toleration.go.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"

namespace kubesim {

using Labels = std::map<std::string, std::string>;

enum class SelectorOp { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };

struct SelectorRequirement {
  std::string key;
  SelectorOp op = SelectorOp::kIn;
  std::vector<std::string> values;
};

// metav1.LabelSelector. An empty selector matches everything; a missing
// (nullopt) selector, where one is optional, matches nothing.
struct LabelSelector {
  Labels match_labels;
  std::vector<SelectorRequirement> match_expressions;  // In, NotIn, Exists, DoesNotExist
};
bool matches(const LabelSelector& s, const Labels& labels);
bool requirement_matches(const SelectorRequirement& r, const Labels& labels);

// v1.NodeSelectorTerm: requirements ANDed; matchFields supports metadata.name.
struct NodeSelectorTerm {
  std::vector<SelectorRequirement> match_expressions;  // also Gt, Lt
  std::vector<SelectorRequirement> match_fields;
};
// A term with no requirements matches nothing (nodeaffinity.go).
bool matches(const NodeSelectorTerm& t, const Labels& node_labels, const std::string& node_name);
// Terms are ORed.
bool matches_any(const std::vector<NodeSelectorTerm>& terms, const Labels& node_labels,
                 const std::string& node_name);

enum class TaintEffect { kNoSchedule, kPreferNoSchedule, kNoExecute };

struct Taint {
  std::string key;
  std::string value;
  TaintEffect effect = TaintEffect::kNoSchedule;
  // timeAdded, set for NoExecute taints the node lifecycle controller adds
  // (not part of the taint's identity).
  SimTime time_added;
  bool operator==(const Taint& o) const {
    return key == o.key && value == o.value && effect == o.effect;
  }
};

enum class TolerationOp { kEqual, kExists };

struct Toleration {
  std::string key;  // empty with Exists: tolerates every key
  TolerationOp op = TolerationOp::kEqual;
  std::string value;
  std::optional<TaintEffect> effect;  // nullopt: every effect
  std::optional<int64_t> toleration_seconds;
};
// v1.Toleration.ToleratesTaint.
bool tolerates(const Toleration& t, const Taint& taint);
bool tolerates_any(const std::vector<Toleration>& ts, const Taint& taint);

const char* to_string(TaintEffect e);

}  // namespace kubesim
