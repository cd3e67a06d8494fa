#include "models/scheduler/registry.h"

#include <algorithm>

namespace kubesim {

void PluginRegistry::add(PluginEntry entry) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const PluginEntry& e) { return e.name == entry.name; });
  if (it != entries_.end()) {
    *it = std::move(entry);
  } else {
    entries_.push_back(std::move(entry));
  }
}

const PluginEntry* PluginRegistry::find(const std::string& name) const {
  for (const PluginEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

void ProfileRegistry::add(ProfileEntry entry) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const ProfileEntry& e) { return e.name == entry.name; });
  if (it != entries_.end()) {
    *it = std::move(entry);
  } else {
    entries_.push_back(std::move(entry));
  }
}

const ProfileEntry* ProfileRegistry::find(const std::string& name) const {
  for (const ProfileEntry& e : entries_) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

std::string ProfileRegistry::names() const {
  std::string out;
  for (const ProfileEntry& e : entries_)
    out += (out.empty() ? "" : ", ") + e.name;
  return out;
}

void register_builtin_profiles(ProfileRegistry& registry) {
  registry.add({"default", "kube-scheduler's default profile: its plugins, weights and tie-break",
                [] { return default_profile(); }});
  registry.add({"bin-packing",
                "the default profile with NodeResourcesFit scoring MostAllocated: fill nodes up",
                [] {
                  Profile p = default_profile();
                  p.name = "bin-packing";
                  p.args.fit_strategy = ScoringStrategy::kMostAllocated;
                  return p;
                }});
  registry.add({"spread", "the default filters; scores only NodeResourcesFit LeastAllocated", [] {
                  Profile p = default_profile();
                  p.name = "spread";
                  p.pre_score.disabled = {"*"};
                  p.score.disabled = {"*"};
                  p.pre_score.enabled = {{"NodeResourcesFit", 1}};
                  p.score.enabled = {{"NodeResourcesFit", 1}};
                  return p;
                }});
  registry.add({"balanced", "the default filters; scores only NodeResourcesBalancedAllocation", [] {
                  Profile p = default_profile();
                  p.name = "balanced";
                  p.pre_score.disabled = {"*"};
                  p.score.disabled = {"*"};
                  p.pre_score.enabled = {{"NodeResourcesBalancedAllocation", 1}};
                  p.score.enabled = {{"NodeResourcesBalancedAllocation", 1}};
                  return p;
                }});
  const auto unscored = [](const char* name, HostSelection selection) {
    Profile p = default_profile();
    p.name = name;
    p.pre_score.disabled = {"*"};
    p.score.disabled = {"*"};
    p.selection = selection;
    return p;
  };
  registry.add({"first-fit", "the default filters; the first feasible node in node order",
                [=] { return unscored("first-fit", HostSelection::kFirstFit); }});
  registry.add({"random", "the default filters; a uniformly random feasible node",
                [=] { return unscored("random", HostSelection::kRandom); }});
  registry.add({"round-robin",
                "the default filters; the next feasible node after the one chosen last",
                [=] { return unscored("round-robin", HostSelection::kRoundRobin); }});
}

}  // namespace kubesim
