#include "models/runtime/timeline_runner.h"

#include <fmt/format.h>

#include "models/scenario/node_pool.h"

namespace kubesim {
namespace {

const char* action_name(TimelineEvent::Action a) {
  switch (a) {
    case TimelineEvent::Action::kScale:
      return "scale";
    case TimelineEvent::Action::kRollout:
      return "rollout";
    case TimelineEvent::Action::kApply:
      return "apply";
    case TimelineEvent::Action::kDelete:
      return "delete";
    case TimelineEvent::Action::kAddNodes:
      return "addNodes";
    case TimelineEvent::Action::kCordon:
      return "cordon";
    case TimelineEvent::Action::kUncordon:
      return "uncordon";
    case TimelineEvent::Action::kDrain:
      return "drain";
    case TimelineEvent::Action::kCrashPod:
      return "crashPod";
    case TimelineEvent::Action::kCrashNode:
      return "crashNode";
    case TimelineEvent::Action::kPartitionNode:
      return "partitionNode";
    case TimelineEvent::Action::kFailZone:
      return "failZone";
    case TimelineEvent::Action::kCrashControlPlane:
      return "crashControlPlane";
  }
  return "?";
}

// The rollout's changes to a pod template.
void change_template(PodTemplate& t, const TimelineEvent& e) {
  for (const auto& [k, v] : e.annotations)
    t.metadata.annotations[k] = v;
  for (const auto& [k, v] : e.labels)
    t.metadata.labels[k] = v;
  if (t.spec.containers.empty()) return;
  Container* c = &t.spec.containers.front();
  for (Container& candidate : t.spec.containers) {
    if (candidate.name == e.container) c = &candidate;
  }
  if (e.image) c->image = *e.image;
  if (e.requests) {
    c->requests.milli_cpu = e.requests->milli_cpu;
    c->requests.memory = e.requests->memory;
    c->has_cpu_request = true;
    c->has_memory_request = true;
  }
}

}  // namespace

void TimelineRunner::start() {
  for (const TimelineEvent& e : scenario_->events) {
    api_->context().schedule_at(SimTime::zero() + e.at, [this, &e] { apply(e); });
  }
}

template <class T>
int TimelineRunner::find(const std::deque<T>& store, const TimelineEvent& e) const {
  for (size_t i = 0; i < store.size(); ++i) {
    const ObjectMeta& m = store[i].metadata;
    if (!m.deleted && m.name == e.name && m.namespace_ == e.namespace_) return static_cast<int>(i);
  }
  return -1;
}

int TimelineRunner::find_node(const std::string& name) const {
  const auto& nodes = api_->objects().nodes;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].deleted && nodes[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

void TimelineRunner::record(const TimelineEvent& e, const std::string& description) {
  api_->context().bus().topic<TimelineRecord>().publish(
      {api_->now(), action_name(e.action), description});
}

void TimelineRunner::drain(NodeId node) {
  // kubectl drain --ignore-daemonsets: cordon, then evict every pod of the
  // node except DaemonSet pods (PodDisruptionBudgets are not consulted yet).
  api_->set_unschedulable(node, true);
  for (const Pod& p : api_->objects().pods) {
    if (p.node != node || !p.active() || p.status.terminating) continue;
    if (p.owner.kind == "DaemonSet") continue;
    api_->delete_pod(p.id);
  }
  api_->context().bus().topic<NodeRecord>().publish(
      {api_->now(), NodeEvent::kDrained, &api_->objects().nodes[node.value]});
}

void TimelineRunner::apply(const TimelineEvent& e) {
  using A = TimelineEvent::Action;
  const std::string target = e.namespace_ + "/" + e.name;
  switch (e.action) {
    case A::kCrashPod:
    case A::kCrashNode:
    case A::kPartitionNode:
    case A::kFailZone:
    case A::kCrashControlPlane:
      // Faults act on the machines, not through the API (FaultInjector).
      if (fault_handler_) fault_handler_(e);
      return;
    case A::kScale: {
      const bool rs = e.kind == "ReplicaSet";
      const int i =
          rs ? find(api_->objects().replica_sets, e) : find(api_->objects().deployments, e);
      if (i < 0) {
        record(e, fmt::format("{} {} not found: nothing scaled", e.kind, target));
        return;
      }
      const auto set = [&](auto& obj) {
        obj.replicas = e.replicas;
        ++obj.metadata.generation;
      };
      if (rs) {
        api_->update<ReplicaSet>(static_cast<uint32_t>(i), 0, set);
      } else {
        api_->update<Deployment>(static_cast<uint32_t>(i), 0, set);
      }
      record(e, fmt::format("{} {} to {} replicas", e.kind, target, e.replicas));
      return;
    }
    case A::kRollout: {
      const int i = find(api_->objects().deployments, e);
      if (i < 0) {
        record(e, fmt::format("Deployment {} not found: no rollout", target));
        return;
      }
      api_->update<Deployment>(static_cast<uint32_t>(i), 0, [&](Deployment& d) {
        change_template(d.template_, e);
        ++d.metadata.generation;
      });
      record(e, fmt::format("Deployment {}: new pod template{}", target,
                            e.image ? " with image " + *e.image : std::string()));
      return;
    }
    case A::kApply: {
      const ClusterObjects& o = e.objects;
      for (const Node& n : o.nodes)
        api_->create_node(n);
      for (const Deployment& d : o.deployments)
        api_->create<Deployment>(d);
      for (const ReplicaSet& r : o.replica_sets)
        api_->create<ReplicaSet>(r);
      for (const DaemonSet& d : o.daemon_sets)
        api_->create<DaemonSet>(d);
      for (const Job& j : o.jobs)
        api_->create<Job>(j);
      for (const Service& s : o.services)
        api_->create_service(s);
      for (const Pod& p : o.pods)
        api_->create_pod(p);
      record(e, fmt::format("{} objects", o.nodes.size() + o.deployments.size() +
                                              o.replica_sets.size() + o.daemon_sets.size() +
                                              o.jobs.size() + o.services.size() + o.pods.size()));
      return;
    }
    case A::kDelete: {
      int i = -1;
      if (e.kind == "Deployment") {
        if ((i = find(api_->objects().deployments, e)) >= 0) api_->remove<Deployment>(i);
      } else if (e.kind == "ReplicaSet") {
        if ((i = find(api_->objects().replica_sets, e)) >= 0) api_->remove<ReplicaSet>(i);
      } else if (e.kind == "DaemonSet") {
        if ((i = find(api_->objects().daemon_sets, e)) >= 0) api_->remove<DaemonSet>(i);
      } else if (e.kind == "Job") {
        if ((i = find(api_->objects().jobs, e)) >= 0) api_->remove<Job>(i);
      } else if (e.kind == "Node") {
        if ((i = find_node(e.name)) >= 0) api_->delete_node(NodeId{static_cast<uint32_t>(i)});
      } else if (e.kind == "Pod") {
        for (const Pod& p : api_->objects().pods) {
          if (!p.status.deleted && p.name == e.name && p.namespace_ == e.namespace_) {
            i = static_cast<int>(p.id.value);
            api_->delete_pod(p.id);
            break;
          }
        }
      }
      record(e, fmt::format("{} {}{}", e.kind, e.kind == "Node" ? e.name : target,
                            i < 0 ? " not found" : ""));
      return;
    }
    case A::kAddNodes: {
      for (Scenario::NodePool& pool : scenario_->node_pools) {
        if (pool.name != e.pool) continue;
        for (int32_t k = 0; k < e.count; ++k)
          api_->create_node(make_pool_node(pool));
      }
      record(e, fmt::format("{} nodes to pool {}", e.count, e.pool));
      return;
    }
    case A::kCordon:
    case A::kUncordon:
    case A::kDrain: {
      const int i = find_node(e.name);
      if (i < 0) {
        record(e, fmt::format("node {} not found", e.name));
        return;
      }
      const NodeId id{static_cast<uint32_t>(i)};
      if (e.action == A::kDrain) {
        drain(id);
      } else {
        api_->set_unschedulable(id, e.action == A::kCordon);
      }
      record(e, fmt::format("node {}", e.name));
      return;
    }
  }
}

}  // namespace kubesim
