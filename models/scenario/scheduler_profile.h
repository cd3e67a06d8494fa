// Turns a scenario's `spec.scheduler` (a built-in profile name, or
// KubeSchedulerConfiguration profiles) into the scheduler's resolved Profile.
#pragma once

#include <string>

#include "models/scenario/scenario.h"
#include "models/scheduler/profile.h"
#include "models/scheduler/registry.h"
#include "sim/expected.h"

namespace kubesim {

// `override_name`, when not empty, is a built-in profile that replaces the
// scenario's choice (kubesim schedule --profile). Otherwise, with `profiles`,
// the one whose schedulerName is `scheduler_name` (a pod's
// spec.schedulerName) is merged over the default plugins as kube-scheduler's
// v1 configuration merges them; without, the named built-in `profile`.
Expected<Profile> resolve_scheduler_profile(
    const SchedulerConfig& config, const ProfileRegistry& profiles,
    const std::string& override_name = "", const std::string& scheduler_name = "default-scheduler");

}  // namespace kubesim
