// Renders one scheduling decision (kubesim schedule) as a table for people
// or as JSON for programs; docs/scheduler.md documents the JSON shape.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "models/scheduler/scheduler.h"

namespace kubesim::cli {

std::string schedule_table(const Pod& pod, const Snapshot& snapshot, const ScheduleResult& r,
                           const Profile& profile);
nlohmann::json schedule_json(const Pod& pod, const Snapshot& snapshot, const ScheduleResult& r);

}  // namespace kubesim::cli
