#include "models/runtime/cluster_runtime.h"

#include <set>
#include <utility>

#include "models/controllers/daemon_set_controller.h"
#include "models/controllers/deployment_controller.h"
#include "models/controllers/job_controller.h"
#include "models/controllers/node_lifecycle_controller.h"
#include "models/controllers/replica_set_controller.h"
#include "models/controllers/taint_eviction_controller.h"
#include "models/controlplane/control_plane.h"
#include "models/faults/fault_injector.h"
#include "models/kubelet/kubelet.h"
#include "models/kubelet/node_lease.h"
#include "models/operator/manual_operator.h"
#include "models/proxy/kube_proxy.h"
#include "models/runtime/timeline_runner.h"
#include "models/scenario/scheduler_profile.h"
#include "models/scheduler/kube_scheduler.h"
#include "models/traffic/traffic_engine.h"

namespace kubesim {

struct ClusterRuntime::Components {
  std::unique_ptr<ControlPlane> control_plane;
  std::unique_ptr<Kubelets> kubelets;
  std::unique_ptr<NodeLeases> leases;  // kubernetes set only
  std::unique_ptr<KubeScheduler> scheduler;
  std::unique_ptr<ReplicaSetController> replica_sets;
  std::unique_ptr<DeploymentController> deployments;
  std::unique_ptr<DaemonSetController> daemon_sets;
  std::unique_ptr<JobController> jobs;
  std::unique_ptr<NodeLifecycleController> node_lifecycle;  // kubernetes set only
  std::unique_ptr<TaintEvictionController> taint_eviction;  // kubernetes set only
  std::unique_ptr<FaultInjector> faults;
  std::unique_ptr<ManualOperator> operator_;  // manual set only
  std::unique_ptr<TimelineRunner> timeline;
  std::unique_ptr<KubeProxies> proxies;    // with traffic only
  std::unique_ptr<TrafficEngine> traffic;  // with traffic only
};

ClusterRuntime::~ClusterRuntime() = default;

Expected<std::unique_ptr<ClusterRuntime>> ClusterRuntime::create(Scenario scenario,
                                                                 RunOptions options,
                                                                 const PluginRegistry& plugins,
                                                                 const ProfileRegistry& profiles) {
  std::unique_ptr<ClusterRuntime> rt(new ClusterRuntime());
  rt->scenario_ = std::move(scenario);
  Scenario& s = rt->scenario_;
  rt->seed_ = options.seed.value_or(s.seed);
  rt->end_ = SimTime::zero() + options.until.value_or(s.duration);

  // One scheduling framework per profile, keyed by schedulerName.
  std::set<std::string> names;
  for (const ProfileSpec& p : s.scheduler.profiles)
    names.insert(p.scheduler_name);
  if (names.empty()) names.insert("default-scheduler");
  std::map<std::string, std::unique_ptr<SchedulingFramework>> frameworks;
  for (const std::string& name : names) {
    Expected<Profile> profile =
        resolve_scheduler_profile(s.scheduler, profiles, options.scheduler_profile, name);
    if (!profile) return profile.error();
    auto fw = SchedulingFramework::create(*profile, plugins);
    if (!fw) return fw.error();
    frameworks[name] = std::move(*fw);
  }

  // Pods the scenario binds are running and ready from the start.
  for (Pod& p : s.objects.pods) {
    if (!p.node.valid()) continue;
    p.status.bound = SimTime::zero();
    p.status.started = SimTime::zero();
    p.status.ready = p.phase == PodPhase::kRunning;
    p.status.ready_since = SimTime::zero();
  }

  if (!options.controllers.empty()) s.controllers.name = options.controllers;
  if (s.controllers.name != "kubernetes" && s.controllers.name != "manual") {
    return Error{"unknown controller set \"" + s.controllers.name +
                 "\" (known: kubernetes, manual)"};
  }
  const bool manual = s.controllers.name == "manual";
  s.runtime.naive_timers = s.runtime.naive_timers || options.naive_timers;
  if (std::string e = leader_election_config_error(s.runtime); !e.empty()) return Error{e};

  rt->sim_ = std::make_unique<Simulation>(rt->seed_);
  ApiServerConfig ac;
  ac.watch_latency = s.runtime.watch_latency;
  ac.default_not_ready_toleration_seconds = s.runtime.default_not_ready_toleration_seconds;
  ac.default_unreachable_toleration_seconds = s.runtime.default_unreachable_toleration_seconds;
  rt->api_ = std::make_unique<ApiServer>(rt->sim_->context(), s.objects, ac);
  ApiServer& api = *rt->api_;
  auto c = std::make_unique<Components>();
  c->control_plane = std::make_unique<ControlPlane>(rt->sim_->context(), s.runtime);
  c->kubelets = std::make_unique<Kubelets>(api, s.runtime);
  // Manual operations: nothing restarts a container but the operator.
  c->kubelets->set_auto_restart(!manual);
  if (!manual) c->leases = std::make_unique<NodeLeases>(api, s.runtime);
  KubeSchedulerConfig sc;
  sc.decision_latency = s.runtime.scheduling_latency;
  sc.queue.initial_backoff = Duration::seconds(s.scheduler.pod_initial_backoff_seconds);
  sc.queue.max_backoff = Duration::seconds(s.scheduler.pod_max_backoff_seconds);
  c->scheduler = std::make_unique<KubeScheduler>(api, std::move(frameworks), sc);
  c->replica_sets = std::make_unique<ReplicaSetController>(api);
  c->deployments = std::make_unique<DeploymentController>(api);
  c->daemon_sets = std::make_unique<DaemonSetController>(api);
  c->jobs = std::make_unique<JobController>(api);
  if (!manual) {
    c->node_lifecycle = std::make_unique<NodeLifecycleController>(api, s.runtime);
    c->taint_eviction = std::make_unique<TaintEvictionController>(api);
  }
  // The components that run only in the leader of the control plane.
  Components* comp = c.get();
  c->control_plane->add_component([comp](bool l) { comp->scheduler->set_leader(l); });
  c->control_plane->add_component([comp](bool l) { comp->deployments->set_leader(l); });
  c->control_plane->add_component([comp](bool l) { comp->replica_sets->set_leader(l); });
  c->control_plane->add_component([comp](bool l) { comp->daemon_sets->set_leader(l); });
  c->control_plane->add_component([comp](bool l) { comp->jobs->set_leader(l); });
  if (!manual) {
    c->control_plane->add_component([comp](bool l) { comp->node_lifecycle->set_leader(l); });
    c->control_plane->add_component([comp](bool l) { comp->taint_eviction->set_leader(l); });
  }

  // Faults act on the machines: the kubelet (containers) and its heartbeats.
  FaultTargets targets;
  targets.crash_container = [comp](PodId p, int32_t code, std::string_view cause) {
    comp->kubelets->crash_container(p, code, cause);
  };
  targets.node_down = [comp](NodeId n) {
    comp->kubelets->node_down(n);
    if (comp->leases) comp->leases->stop(n);
  };
  targets.node_up = [comp](NodeId n) {
    comp->kubelets->node_up(n);
    if (comp->leases) comp->leases->resume(n);
  };
  targets.partition = [comp](NodeId n) {
    comp->kubelets->partition(n);
    if (comp->leases) comp->leases->stop(n);
  };
  targets.heal = [comp](NodeId n) {
    comp->kubelets->heal(n);
    if (comp->leases) comp->leases->resume(n);
  };
  targets.crash_control_plane = [comp](int32_t r) { comp->control_plane->crash(r); };
  targets.recover_control_plane = [comp](int32_t r) { comp->control_plane->recover(r); };
  c->faults = std::make_unique<FaultInjector>(api, s, std::move(targets));
  if (manual) {
    OperatorActions actions;
    actions.restart_pod = [comp](PodId p) { comp->kubelets->restart_pod(p); };
    actions.replace_node = [comp](NodeId n) { comp->faults->recover_node(n, "replaced by hand"); };
    actions.node_is_down = [comp](NodeId n) {
      return comp->faults->node_state(n) == FaultInjector::NodeState::kDown;
    };
    c->operator_ = std::make_unique<ManualOperator>(api, s.controllers, std::move(actions));
  }
  c->timeline = std::make_unique<TimelineRunner>(api, s);
  c->timeline->set_fault_handler([comp](const TimelineEvent& e) { comp->faults->apply(e); });
  // Requests: kube-proxies on every node and the traffic of spec.traffic.
  // Pods keep serving and kube-proxies keep routing with what they last knew
  // when the control plane is down; only the EndpointSlice controller, which
  // runs in the leader's kube-controller-manager, stops updating endpoints.
  if (!s.traffic.empty()) {
    c->proxies = std::make_unique<KubeProxies>(api, s.kube_proxy);
    c->control_plane->add_component([comp](bool l) { comp->proxies->set_endpoints_leader(l); });
    auto engine = TrafficEngine::create(api, *c->kubelets, *c->proxies, s.traffic);
    if (!engine) return engine.error();
    c->traffic = std::move(*engine);
  }
  rt->components_ = std::move(c);
  return rt;
}

TrafficEngine* ClusterRuntime::traffic() {
  return components_->traffic.get();
}
KubeProxies* ClusterRuntime::proxies() {
  return components_->proxies.get();
}

bool ClusterRuntime::run(const std::atomic<bool>* interrupt) {
  if (!started_) {
    started_ = true;
    // The informers' initial lists, in dependency order.
    Components& c = *components_;
    c.control_plane->start();
    c.kubelets->start();
    if (c.leases) c.leases->start();
    c.scheduler->start();
    c.deployments->start();
    c.replica_sets->start();
    c.daemon_sets->start();
    c.jobs->start();
    if (c.node_lifecycle) c.node_lifecycle->start();
    if (c.taint_eviction) c.taint_eviction->start();
    c.faults->start();
    if (c.proxies) c.proxies->start();
    if (c.traffic) c.traffic->start();
    if (c.operator_) c.operator_->start();
    c.timeline->start();
  }
  // Chunks of simulated time, so that an interrupt is seen between them
  // without adding events (the run is the same with or without it).
  constexpr Duration kChunk = Duration::seconds(10);
  while (sim_->now() < end_) {
    if (interrupt != nullptr && interrupt->load(std::memory_order_relaxed)) return false;
    const SimTime next = end_ - sim_->now() > kChunk ? sim_->now() + kChunk : end_;
    sim_->run_until(next);
  }
  return true;
}

}  // namespace kubesim
