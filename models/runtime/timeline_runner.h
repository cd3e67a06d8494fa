// TimelineRunner: applies a scenario's spec.events[] at their times, as an
// operator with kubectl would: scale, rollout (a template change: a new
// revision), apply, delete, addNodes, cordon, uncordon, drain.
#pragma once

#include <functional>

#include "models/apiserver/api_server.h"
#include "models/scenario/scenario.h"

namespace kubesim {

class TimelineRunner {
 public:
  // `scenario` must outlive the runner; addNodes advances its pools' counts.
  TimelineRunner(ApiServer& api, Scenario& scenario) : api_(&api), scenario_(&scenario) {}
  // Schedules every event (call at t = 0).
  void start();
  // Applies one event now.
  void apply(const TimelineEvent& e);
  // Receives the fault actions (crashPod, crashNode, ...) at their times.
  void set_fault_handler(std::function<void(const TimelineEvent&)> handler) {
    fault_handler_ = std::move(handler);
  }

 private:
  template <class T>
  int find(const std::deque<T>& store, const TimelineEvent& e) const;
  int find_node(const std::string& name) const;
  void record(const TimelineEvent& e, const std::string& description);
  void drain(NodeId node);

  ApiServer* api_;
  Scenario* scenario_;
  std::function<void(const TimelineEvent&)> fault_handler_;
};

}  // namespace kubesim
