// The built-in scheduler plugins and profiles, made once per test binary.
#pragma once

#include "models/scheduler/registry.h"

namespace kubesim::testing {

inline const PluginRegistry& builtin_plugins() {
  static const PluginRegistry r = [] {
    PluginRegistry p;
    register_builtin_plugins(p);
    return p;
  }();
  return r;
}

inline const ProfileRegistry& builtin_profiles() {
  static const ProfileRegistry r = [] {
    ProfileRegistry p;
    register_builtin_profiles(p);
    return p;
  }();
  return r;
}

}  // namespace kubesim::testing
