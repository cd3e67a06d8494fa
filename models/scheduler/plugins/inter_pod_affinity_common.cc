// InterPodAffinity: affinity term matching (pkg/scheduler/framework/types.go
// AffinityTerm.Matches) and the plugin's construction (plugin.go).
#include "models/scheduler/plugins/inter_pod_affinity_common.h"

#include <algorithm>

#include "models/scheduler/plugins/inter_pod_affinity.h"

namespace kubesim {
namespace ipa_detail {

bool term_matches(const PodAffinityTerm& term, const std::string& owner_ns, const Pod& target) {
  bool namespace_selected = false;
  if (term.namespaces.empty() && !term.namespace_selector) {
    namespace_selected = target.namespace_ == owner_ns;
  } else {
    namespace_selected = std::find(term.namespaces.begin(), term.namespaces.end(),
                                   target.namespace_) != term.namespaces.end();
    if (!namespace_selected && term.namespace_selector) {
      const Labels ns_labels{{"kubernetes.io/metadata.name", target.namespace_}};
      namespace_selected = matches(*term.namespace_selector, ns_labels);
    }
  }
  if (!namespace_selected) return false;
  return term.label_selector && matches(*term.label_selector, target.labels);
}

bool matches_all_terms(const std::vector<PodAffinityTerm>& terms, const Pod& owner,
                       const Pod& target) {
  if (terms.empty()) return false;
  for (const PodAffinityTerm& t : terms) {
    if (!term_matches(t, owner.namespace_, target)) return false;
  }
  return true;
}

}  // namespace ipa_detail

InterPodAffinity::InterPodAffinity(const PluginArgs& args)
    : hard_pod_affinity_weight_(args.hard_pod_affinity_weight) {}

std::unique_ptr<Plugin> make_inter_pod_affinity(const PluginArgs& args) {
  return std::make_unique<InterPodAffinity>(args);
}

}  // namespace kubesim
