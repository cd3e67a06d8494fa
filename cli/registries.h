// The plugin and profile registries the command line uses: the built-ins,
// plus anything added here (docs/scheduler.md, "Adding a plugin").
#pragma once

#include "models/scheduler/registry.h"

namespace kubesim::cli {

struct Registries {
  PluginRegistry plugins;
  ProfileRegistry profiles;
};

inline Registries make_registries() {
  Registries r;
  register_builtin_plugins(r.plugins);
  register_builtin_profiles(r.profiles);
  // Add your own plugins and profiles here.
  return r;
}

}  // namespace kubesim::cli
