// ManualOperator: the "manual operations" controller set's human (DESIGN.md,
// docs/failures.md). Without an orchestrator nothing restarts a crashed
// container, evicts the pods of a dead machine or reschedules them: a person
// has to notice the failure (an alert after the detection delay), get to it
// (one incident at a time, in alert order, within working hours unless on
// call) and fix it by hand (the response time): restart the container, or
// replace the dead machine and start its containers again.
//
//   ManualOperator op(api, scenario.controllers, actions);
//   op.start();   // listens to PodCrashed, PodUnhealthy and NodeCrashed
//
// Incidents: a pod whose container crashed or stopped answering its
// liveness probe (PodCrashed, PodUnhealthy), and a crashed machine
// (NodeCrashed). A pod incident on a machine that is down waits for the
// machine's incident, whose fix starts every container of the machine.
// Random streams: "operator/detection", "operator/response".
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <unordered_set>

#include "models/apiserver/api_server.h"
#include "models/records.h"
#include "models/scenario/scenario.h"
#include "sim/simulation.h"

namespace kubesim {

struct OperatorActions {
  std::function<void(PodId)> restart_pod;    // start the pod's stopped containers again
  std::function<void(NodeId)> replace_node;  // a working machine in place of the dead one
  std::function<bool(NodeId)> node_is_down;  // the machine is crashed right now
};

class ManualOperator {
 public:
  ManualOperator(ApiServer& api, const ControllerSetConfig& config, OperatorActions actions);
  ManualOperator(const ManualOperator&) = delete;
  ManualOperator& operator=(const ManualOperator&) = delete;

  void start();

  // The earliest time >= t at which the operator works (on call: t).
  SimTime working_time(SimTime t) const;

  std::size_t incidents_open() const { return open_pods_.size() + open_nodes_.size(); }

 private:
  struct Incident {
    bool node = false;
    uint32_t index = 0;  // PodId or NodeId
    SimTime alert;
  };

  void on_pod(const PodRecord& r);
  void on_node(const NodeRecord& r);
  void open(bool node, uint32_t index);
  void alerted(Incident incident);
  void work_next();
  void fixed(const Incident& incident);
  std::string target(const Incident& incident) const;
  void publish(OperatorEvent e, const Incident& incident, std::string_view detail = {});

  ApiServer& api_;
  Context ctx_;
  ControllerSetConfig config_;
  OperatorActions actions_;
  RandomStream* rng_detection_;
  RandomStream* rng_response_;
  std::unordered_set<uint32_t> open_pods_;  // incidents not yet fixed
  std::unordered_set<uint32_t> open_nodes_;
  std::deque<Incident> queue_;  // alerted, waiting for the operator, in alert order
  bool busy_ = false;
};

}  // namespace kubesim
