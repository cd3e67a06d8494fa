#include "models/runtime/cluster_runtime.h"

#include <set>
#include <utility>

#include "models/controllers/daemon_set_controller.h"
#include "models/controllers/deployment_controller.h"
#include "models/controllers/job_controller.h"
#include "models/controllers/replica_set_controller.h"
#include "models/kubelet/kubelet.h"
#include "models/runtime/timeline_runner.h"
#include "models/scenario/scheduler_profile.h"
#include "models/scheduler/kube_scheduler.h"

namespace kubesim {

struct ClusterRuntime::Components {
  std::unique_ptr<Kubelets> kubelets;
  std::unique_ptr<KubeScheduler> scheduler;
  std::unique_ptr<ReplicaSetController> replica_sets;
  std::unique_ptr<DeploymentController> deployments;
  std::unique_ptr<DaemonSetController> daemon_sets;
  std::unique_ptr<JobController> jobs;
  std::unique_ptr<TimelineRunner> timeline;
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

  rt->sim_ = std::make_unique<Simulation>(rt->seed_);
  rt->api_ = std::make_unique<ApiServer>(rt->sim_->context(), s.objects,
                                         ApiServerConfig{s.runtime.watch_latency});
  ApiServer& api = *rt->api_;
  auto c = std::make_unique<Components>();
  c->kubelets = std::make_unique<Kubelets>(api, s.runtime);
  KubeSchedulerConfig sc;
  sc.decision_latency = s.runtime.scheduling_latency;
  sc.queue.initial_backoff = Duration::seconds(s.scheduler.pod_initial_backoff_seconds);
  sc.queue.max_backoff = Duration::seconds(s.scheduler.pod_max_backoff_seconds);
  c->scheduler = std::make_unique<KubeScheduler>(api, std::move(frameworks), sc);
  c->replica_sets = std::make_unique<ReplicaSetController>(api);
  c->deployments = std::make_unique<DeploymentController>(api);
  c->daemon_sets = std::make_unique<DaemonSetController>(api);
  c->jobs = std::make_unique<JobController>(api);
  c->timeline = std::make_unique<TimelineRunner>(api, s);
  rt->components_ = std::move(c);
  return rt;
}

bool ClusterRuntime::run(const std::atomic<bool>* interrupt) {
  if (!started_) {
    started_ = true;
    // The informers' initial lists, in dependency order.
    components_->kubelets->start();
    components_->scheduler->start();
    components_->deployments->start();
    components_->replica_sets->start();
    components_->daemon_sets->start();
    components_->jobs->start();
    components_->timeline->start();
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
