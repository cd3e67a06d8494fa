#include "models/objects/labels.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace kubesim {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Gt/Lt compare integers (nodeaffinity.go / labels.Requirement.Matches).
bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(s.c_str(), &end, 10);
  return errno == 0 && end == s.c_str() + s.size();
}

bool matches_value(const SelectorRequirement& r, bool has, const std::string& value) {
  switch (r.op) {
    case SelectorOp::kIn: return has && contains(r.values, value);
    case SelectorOp::kNotIn: return !has || !contains(r.values, value);
    case SelectorOp::kExists: return has;
    case SelectorOp::kDoesNotExist: return !has;
    case SelectorOp::kGt:
    case SelectorOp::kLt: {
      int64_t have = 0, want = 0;
      if (!has || r.values.size() != 1 || !parse_int(value, have) || !parse_int(r.values[0], want)) {
        return false;
      }
      return r.op == SelectorOp::kGt ? have > want : have < want;
    }
  }
  return false;
}

}  // namespace

bool requirement_matches(const SelectorRequirement& r, const Labels& labels) {
  auto it = labels.find(r.key);
  return matches_value(r, it != labels.end(), it == labels.end() ? std::string() : it->second);
}

bool matches(const LabelSelector& s, const Labels& labels) {
  for (const auto& [k, v] : s.match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const SelectorRequirement& r : s.match_expressions) {
    if (!requirement_matches(r, labels)) return false;
  }
  return true;
}

bool matches(const NodeSelectorTerm& t, const Labels& node_labels, const std::string& node_name) {
  if (t.match_expressions.empty() && t.match_fields.empty()) return false;
  for (const SelectorRequirement& r : t.match_expressions) {
    if (!requirement_matches(r, node_labels)) return false;
  }
  for (const SelectorRequirement& r : t.match_fields) {
    if (r.key != "metadata.name") return false;
    if (!matches_value(r, true, node_name)) return false;
  }
  return true;
}

bool matches_any(const std::vector<NodeSelectorTerm>& terms, const Labels& node_labels,
                 const std::string& node_name) {
  for (const NodeSelectorTerm& t : terms) {
    if (matches(t, node_labels, node_name)) return true;
  }
  return false;
}

bool tolerates(const Toleration& t, const Taint& taint) {
  // k8s.io/api/core/v1/toleration.go ToleratesTaint.
  if (t.effect && *t.effect != taint.effect) return false;
  if (!t.key.empty() && t.key != taint.key) return false;
  switch (t.op) {
    case TolerationOp::kExists: return true;
    case TolerationOp::kEqual: return t.value == taint.value;
  }
  return false;
}

bool tolerates_any(const std::vector<Toleration>& ts, const Taint& taint) {
  for (const Toleration& t : ts) {
    if (tolerates(t, taint)) return true;
  }
  return false;
}

const char* to_string(TaintEffect e) {
  switch (e) {
    case TaintEffect::kNoSchedule: return "NoSchedule";
    case TaintEffect::kPreferNoSchedule: return "PreferNoSchedule";
    case TaintEffect::kNoExecute: return "NoExecute";
  }
  return "NoSchedule";
}

}  // namespace kubesim
