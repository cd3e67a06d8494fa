// Internals of InterPodAffinity shared by its filtering and scoring halves:
// affinity term matching as pkg/scheduler/framework/types.go (AffinityTerm,
// newAffinityTerm, getNamespacesFromPodAffinityTerm) does it. Not part of the
// plugin's interface.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/objects/pod.h"

namespace kubesim::ipa_detail {

// A (key, value) topology pair.
using TopologyPair = std::pair<std::string, std::string>;

// Does `target` match `term`, a term of a pod in namespace `owner_ns`?
// Namespaces: the term's list, plus those its namespaceSelector selects; with
// neither, the owner's own namespace (getNamespacesFromPodAffinityTerm). A nil
// labelSelector matches no pod, an empty one every pod; a nil namespaceSelector
// selects no namespace, an empty one every namespace.
//
// kubesim has no Namespace objects, so a namespaceSelector is evaluated against
// the labels every namespace gets automatically, {kubernetes.io/metadata.name:
// <name>}. (Kubernetes reads the namespace's real labels.)
bool term_matches(const PodAffinityTerm& term, const std::string& owner_ns, const Pod& target);

// The pod matches every term (types.go; false for no terms), terms owned by `owner`.
bool matches_all_terms(const std::vector<PodAffinityTerm>& terms, const Pod& owner,
                       const Pod& target);

}  // namespace kubesim::ipa_detail
