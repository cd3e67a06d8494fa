// Explicit registries of scheduler plugins and profiles (STYLE.md rule 2: no
// static initialisers). Built-ins are added by register_builtin_plugins() and
// register_builtin_profiles(); a user plugin is one more add() call:
//
//   PluginRegistry plugins;
//   register_builtin_plugins(plugins);
//   plugins.add({"MyPlugin", "prefers quiet nodes", kScore,
//                [](const PluginArgs&) { return std::make_unique<MyPlugin>(); }});
//
// docs/scheduler.md walks through a complete example.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/scheduler/framework.h"
#include "models/scheduler/profile.h"

namespace kubesim {

struct PluginEntry {
  std::string name;
  std::string description;
  uint32_t extension_points = 0;  // ExtensionPoint bits the plugin implements
  std::function<std::unique_ptr<Plugin>(const PluginArgs&)> make;
};

class PluginRegistry {
 public:
  // Adds or replaces the entry with the same name.
  void add(PluginEntry entry);
  const PluginEntry* find(const std::string& name) const;
  const std::vector<PluginEntry>& entries() const { return entries_; }

 private:
  std::vector<PluginEntry> entries_;
};

struct ProfileEntry {
  std::string name;
  std::string description;
  std::function<Profile()> make;
};

class ProfileRegistry {
 public:
  void add(ProfileEntry entry);
  const ProfileEntry* find(const std::string& name) const;
  const std::vector<ProfileEntry>& entries() const { return entries_; }
  // Names joined with ", ", for error messages.
  std::string names() const;

 private:
  std::vector<ProfileEntry> entries_;
};

void register_builtin_plugins(PluginRegistry& registry);
void register_builtin_profiles(ProfileRegistry& registry);

}  // namespace kubesim
