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
// scenario's choice (kubesim schedule --profile). Otherwise the first of
// `profiles` is used, merged over the default plugins as kube-scheduler's v1
// configuration merges them, or the named built-in `profile`.
Expected<Profile> resolve_scheduler_profile(const SchedulerConfig& config,
                                            const ProfileRegistry& profiles,
                                            const std::string& override_name = "");

}  // namespace kubesim
