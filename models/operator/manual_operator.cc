#include "models/operator/manual_operator.h"

#include <utility>

#include <fmt/format.h>

namespace kubesim {

ManualOperator::ManualOperator(ApiServer& api, const ControllerSetConfig& config,
                               OperatorActions actions)
    : api_(api),
      ctx_(api.context()),
      config_(config),
      actions_(std::move(actions)),
      rng_detection_(&ctx_.rng("operator/detection")),
      rng_response_(&ctx_.rng("operator/response")) {}

void ManualOperator::start() {
  ctx_.bus().topic<PodRecord>().subscribe([this](const PodRecord& r) { on_pod(r); });
  ctx_.bus().topic<NodeRecord>().subscribe([this](const NodeRecord& r) { on_node(r); });
}

SimTime ManualOperator::working_time(SimTime t) const {
  if (config_.on_call) return t;
  // t = 0 is midnight of day 0.
  constexpr Duration kDay = Duration::hours(24);
  const int64_t day_us = kDay.count_micros();
  const int64_t since_midnight = t.count_micros() % day_us;
  const SimTime midnight = SimTime::zero() + Duration::micros(t.count_micros() - since_midnight);
  const Duration tod = Duration::micros(since_midnight);
  if (tod < config_.work_start) return midnight + config_.work_start;
  if (tod < config_.work_end) return t;
  return midnight + kDay + config_.work_start;
}

void ManualOperator::on_pod(const PodRecord& r) {
  if (r.event != PodEvent::kCrashed && r.event != PodEvent::kUnhealthy) return;
  const Pod& p = *r.pod;
  // A machine that is down is one incident, covering its pods.
  if (p.node.valid() && actions_.node_is_down && actions_.node_is_down(p.node)) return;
  open(false, p.id.value);
}

void ManualOperator::on_node(const NodeRecord& r) {
  if (r.event == NodeEvent::kCrashed) open(true, r.node->id.value);
}

void ManualOperator::open(bool node, uint32_t index) {
  auto& set = node ? open_nodes_ : open_pods_;
  if (!set.insert(index).second) return;  // already being handled
  // Nobody watches a dashboard all the time: the failure is noticed after
  // the detection delay, and outside working hours (without on-call) only
  // when the next working day starts.
  const Duration detect = config_.detection.sample(*rng_detection_);
  const SimTime alert = working_time(ctx_.now() + detect);
  ctx_.schedule_at(alert, [this, node, index] { alerted(Incident{node, index, ctx_.now()}); });
}

void ManualOperator::alerted(Incident incident) {
  publish(OperatorEvent::kAlert, incident);
  queue_.push_back(incident);
  if (!busy_) work_next();
}

void ManualOperator::work_next() {
  if (queue_.empty()) {
    busy_ = false;
    return;
  }
  busy_ = true;
  const SimTime at = working_time(ctx_.now());
  if (at > ctx_.now()) {
    ctx_.schedule_at(at, [this] { work_next(); });
    return;
  }
  const Incident incident = queue_.front();
  queue_.pop_front();
  publish(OperatorEvent::kWorkStart, incident);
  const Duration response = config_.response.sample(*rng_response_);
  ctx_.schedule(response, [this, incident] {
    fixed(incident);
    work_next();
  });
}

void ManualOperator::fixed(const Incident& incident) {
  if (incident.node) {
    open_nodes_.erase(incident.index);
    const NodeId node{incident.index};
    if (api_.objects().nodes[node.value].deleted) return;
    const bool down = actions_.node_is_down && actions_.node_is_down(node);
    if (down && actions_.replace_node) actions_.replace_node(node);
    publish(OperatorEvent::kRepaired, incident,
            down ? "machine replaced, containers started" : "containers started");
    // Start every container of the machine (the machine restarted without them).
    for (const Pod& p : api_.objects().pods) {
      if (p.node != node || p.status.deleted || !p.active()) continue;
      open_pods_.erase(p.id.value);
      if (actions_.restart_pod) actions_.restart_pod(p.id);
    }
    return;
  }
  open_pods_.erase(incident.index);
  const Pod& p = api_.objects().pods[incident.index];
  if (p.status.deleted || !p.active()) {
    publish(OperatorEvent::kRepaired, incident, "nothing to do: the pod is gone");
    return;
  }
  if (p.node.valid() && actions_.node_is_down && actions_.node_is_down(p.node)) {
    // The machine died meanwhile: its own incident starts this container.
    publish(OperatorEvent::kRepaired, incident, "nothing to do: its machine is down");
    return;
  }
  publish(OperatorEvent::kRepaired, incident, "container restarted");
  if (actions_.restart_pod) actions_.restart_pod(p.id);
}

std::string ManualOperator::target(const Incident& incident) const {
  if (incident.node) return "node " + api_.objects().nodes[incident.index].name;
  const Pod& p = api_.objects().pods[incident.index];
  return "pod " + p.namespace_ + "/" + p.name;
}

void ManualOperator::publish(OperatorEvent e, const Incident& incident, std::string_view detail) {
  const std::string t = target(incident);
  ctx_.bus().topic<OperatorRecord>().publish({ctx_.now(), e, t, detail});
}

}  // namespace kubesim
