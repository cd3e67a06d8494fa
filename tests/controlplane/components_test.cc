// The scheduler and the workload controllers under leader election: with no
// leader nothing is scheduled or reconciled while the (fake) kubelets keep
// the pods running; a newly elected leader lists everything again and
// carries on from the current state. One replica unless stated: crashed at
// 10 s and recovered at 50 s, it leads again at 66 s (first try at 50 s
// observes the record; the lease is taken at the first try from 65 s on).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "models/apiserver/api_server.h"
#include "models/controllers/daemon_set_controller.h"
#include "models/controllers/deployment_controller.h"
#include "models/controllers/job_controller.h"
#include "models/controllers/replica_set_controller.h"
#include "models/controlplane/control_plane.h"
#include "models/scheduler/kube_scheduler.h"
#include "models/scheduler/registry.h"
#include "sim/random.h"
#include "tests/controllers/fake_cluster.h"

namespace kubesim {
namespace {

constexpr int64_t kS = 1'000'000;

// Kubelets reduced to what these tests need: a bound pod runs (and is
// Ready) 1 s after its bind arrives; a Job's pod succeeds 10 s after that;
// a terminating pod is removed 1 s later. They do not depend on the leader.
class FakeKubelets {
 public:
  explicit FakeKubelets(ApiServer& api) : api_(api) {
    api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e.index); });
  }

 private:
  void on_pod(uint32_t i) {
    const Pod& p = api_.objects().pods[i];
    if (p.status.deleted) return;
    if (p.status.terminating) {
      if (stopping_.insert(i).second)
        api_.context().schedule(Duration::seconds(1), [this, i] { api_.remove_pod(PodId{i}); });
      return;
    }
    if (!p.node.valid() || p.phase != PodPhase::kPending || !starting_.insert(i).second) return;
    api_.context().schedule(Duration::seconds(1), [this, i] {
      const Pod& q = api_.objects().pods[i];
      if (q.status.deleted || q.status.terminating) return;
      api_.update_pod(q.id, 0, [&](Pod& x) {
        x.phase = PodPhase::kRunning;
        x.status.started = api_.now();
        x.status.ready = true;
        x.status.ready_since = api_.now();
      });
      if (q.owner.kind != "Job") return;
      api_.context().schedule(Duration::seconds(10), [this, i] {
        const Pod& r = api_.objects().pods[i];
        if (r.status.deleted || r.status.terminating || !r.active()) return;
        api_.update_pod(r.id, 0, [&](Pod& x) {
          x.phase = PodPhase::kSucceeded;
          x.status.ready = false;
        });
      });
    });
  }

  ApiServer& api_;
  std::unordered_set<uint32_t> starting_;
  std::unordered_set<uint32_t> stopping_;
};

// API server, kube-scheduler (default profile), the four workload
// controllers, fake kubelets and the control plane, wired as the runtime
// does; every record kept as a line of text.
struct ControlPlaneCluster {
  Simulation sim;
  ClusterObjects objects;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<KubeScheduler> scheduler;
  std::unique_ptr<DeploymentController> deployments;
  std::unique_ptr<ReplicaSetController> replica_sets;
  std::unique_ptr<DaemonSetController> daemon_sets;
  std::unique_ptr<JobController> jobs;
  std::unique_ptr<FakeKubelets> kubelets;
  std::unique_ptr<ControlPlane> control_plane;
  std::vector<std::string> log;
  std::map<std::string, int64_t> scheduled_at;  // pod -> us
  int64_t pods_created_between_10_and_66 = 0;

  ControlPlaneCluster(int nodes, int32_t replicas, double jitter = 0, bool naive = false,
                      uint64_t seed = 5)
      : sim(seed) {
    for (int i = 0; i < nodes; ++i)
      objects.add_node(testing::make_node("node-" + std::to_string(i)));
    api = std::make_unique<ApiServer>(sim.context(), objects);
    PluginRegistry plugins;
    register_builtin_plugins(plugins);
    ProfileRegistry profiles;
    register_builtin_profiles(profiles);
    std::map<std::string, std::unique_ptr<SchedulingFramework>> fws;
    auto fw = SchedulingFramework::create(profiles.find("default")->make(), plugins);
    REQUIRE(fw);
    fws["default-scheduler"] = std::move(*fw);
    scheduler = std::make_unique<KubeScheduler>(*api, std::move(fws));
    deployments = std::make_unique<DeploymentController>(*api);
    replica_sets = std::make_unique<ReplicaSetController>(*api);
    daemon_sets = std::make_unique<DaemonSetController>(*api);
    jobs = std::make_unique<JobController>(*api);
    kubelets = std::make_unique<FakeKubelets>(*api);
    RuntimeConfig config;
    config.control_plane_replicas = replicas;
    config.naive_timers = naive;
    control_plane = std::make_unique<ControlPlane>(sim.context(), config, jitter);
    control_plane->add_component([this](bool l) { scheduler->set_leader(l); });
    control_plane->add_component([this](bool l) { deployments->set_leader(l); });
    control_plane->add_component([this](bool l) { replica_sets->set_leader(l); });
    control_plane->add_component([this](bool l) { daemon_sets->set_leader(l); });
    control_plane->add_component([this](bool l) { jobs->set_leader(l); });
    subscribe();
  }

  void subscribe() {
    ObserverBus& bus = sim.bus();
    bus.topic<PodRecord>().subscribe([this](const PodRecord& r) {
      log.push_back(fmt::format("{} {} {} {}", r.t.count_micros(), to_string(r.event), r.pod->name,
                                r.node != nullptr ? r.node->name : ""));
      if (r.event == PodEvent::kScheduled) scheduled_at[r.pod->name] = r.t.count_micros();
      if (r.event == PodEvent::kCreated && r.t.count_micros() > 10 * kS &&
          r.t.count_micros() < 66 * kS)
        ++pods_created_between_10_and_66;
    });
    bus.topic<WorkloadRecord>().subscribe([this](const WorkloadRecord& r) {
      log.push_back(fmt::format("{} {} {} {} {} {}", r.t.count_micros(), to_string(r.event), r.kind,
                                r.meta->name, r.from, r.to));
    });
    bus.topic<ControlPlaneRecord>().subscribe([this](const ControlPlaneRecord& r) {
      log.push_back(fmt::format("{} {} {}", r.t.count_micros(), to_string(r.event), r.replica));
    });
  }

  void start() {
    scheduler->start();
    deployments->start();
    replica_sets->start();
    daemon_sets->start();
    jobs->start();
    control_plane->start();
  }
  void at(Duration d, std::function<void()> f) {
    sim.schedule_at(SimTime::zero() + d,
                    [f = std::make_shared<std::function<void()>>(std::move(f))] { (*f)(); });
  }
  // The usual outage: the (single) replica down from 10 s to 50 s.
  void outage() {
    at(Duration::seconds(10), [this] { control_plane->crash(0); });
    at(Duration::seconds(50), [this] { control_plane->recover(0); });
  }
  void run_until(Duration d) { sim.run_until(SimTime::zero() + d); }

  const Pod* find_pod(const std::string& name) const {
    for (const Pod& p : objects.pods)
      if (p.name == name) return &p;
    return nullptr;
  }
  PodId create_pod(const std::string& name) {
    Pod p;
    p.name = name;
    p.spec = testing::make_template(name, "app:v1").spec;
    return api->create_pod(std::move(p));
  }
  // Active pods owned by `kind` (any owner of that kind), and how many Run.
  int active(const std::string& kind) const {
    int n = 0;
    for (const Pod& p : objects.pods)
      if (p.owner.kind == kind && pod_counts_for_owner(p)) ++n;
    return n;
  }
  int running(const std::string& kind) const {
    int n = 0;
    for (const Pod& p : objects.pods)
      if (p.owner.kind == kind && pod_counts_for_owner(p) && p.phase == PodPhase::kRunning) ++n;
    return n;
  }
};

ReplicaSet make_rs(const std::string& name, int32_t replicas) {
  ReplicaSet rs;
  rs.metadata.name = name;
  rs.replicas = replicas;
  rs.template_ = testing::make_template(name, "app:v1");
  rs.selector.match_labels = rs.template_.metadata.labels;
  return rs;
}

Deployment make_deployment(const std::string& name, int32_t replicas) {
  Deployment d;
  d.metadata.name = name;
  d.replicas = replicas;
  d.template_ = testing::make_template(name, "app:v1");
  d.selector.match_labels = d.template_.metadata.labels;
  return d;
}

}  // namespace

TEST_CASE("controlplane: with no leader a new pod stays pending; the new leader schedules it") {
  ControlPlaneCluster c(2, 1);
  c.start();
  c.outage();
  c.at(Duration::seconds(12), [&] { c.create_pod("late"); });
  c.run_until(Duration::seconds(65));
  CHECK(c.scheduled_at.count("late") == 0);
  CHECK(c.find_pod("late")->phase == PodPhase::kPending);
  CHECK_FALSE(c.control_plane->has_leader());
  c.run_until(Duration::seconds(120));
  // Elected at 66 s: the scheduler relists, queues the pod and binds it
  // after one decision (2 ms).
  CHECK(c.scheduled_at.at("late") == 66'002'000);
  CHECK(c.find_pod("late")->phase == PodPhase::kRunning);
}

TEST_CASE(
    "controlplane: a deleted pod is not replaced until a leader is back; running pods run on") {
  ControlPlaneCluster c(3, 1);
  const uint32_t rs = c.api->create<ReplicaSet>(make_rs("web", 3));
  c.start();
  c.outage();
  c.run_until(Duration::seconds(5));
  REQUIRE(c.running("ReplicaSet") == 3);
  PodId victim;
  for (const Pod& p : c.objects.pods)
    if (p.owner.kind == "ReplicaSet") victim = p.id;
  c.at(Duration::seconds(12), [&] { c.api->delete_pod(victim); });
  c.run_until(Duration::seconds(65));
  // The pod is gone (its kubelet finished the deletion at 13 s), nothing
  // replaced it, and the two others still run.
  CHECK(c.objects.pods[victim.value].status.deleted);
  CHECK(c.active("ReplicaSet") == 2);
  CHECK(c.running("ReplicaSet") == 2);
  CHECK(c.pods_created_between_10_and_66 == 0);
  // Nobody wrote the ReplicaSet's status meanwhile.
  CHECK(c.objects.replica_sets[rs].status.replicas == 3);
  c.run_until(Duration::seconds(120));
  // Elected at 66 s: the ReplicaSet controller syncs at once and creates the
  // replacement; the scheduler sees it 5 ms later and binds it 2 ms after.
  CHECK(c.active("ReplicaSet") == 3);
  CHECK(c.running("ReplicaSet") == 3);
  int64_t created = -1;
  for (const Pod& p : c.objects.pods)
    if (p.owner.kind == "ReplicaSet" && p.status.created > SimTime::zero()) {
      created = p.status.created.count_micros();
      CHECK(c.scheduled_at.at(p.name) == 66'007'000);
    }
  CHECK(created == 66 * kS);
  CHECK(c.objects.replica_sets[rs].status.replicas == 3);
  CHECK(c.objects.replica_sets[rs].status.ready_replicas == 3);
}

TEST_CASE("controlplane: a Deployment scaled during the outage is reconciled after") {
  ControlPlaneCluster c(3, 1);
  const uint32_t d = c.api->create<Deployment>(make_deployment("api", 2));
  c.start();
  c.outage();
  c.at(Duration::seconds(20), [&] {
    c.api->update<Deployment>(d, 0, [](Deployment& x) {
      x.replicas = 4;
      ++x.metadata.generation;
    });
  });
  c.run_until(Duration::seconds(65));
  CHECK(c.running("ReplicaSet") == 2);
  CHECK(c.objects.replica_sets.at(0).replicas == 2);
  CHECK(c.pods_created_between_10_and_66 == 0);
  c.run_until(Duration::seconds(120));
  // 66 s: the Deployment controller syncs first (registered first) and
  // scales its ReplicaSet to 4; the ReplicaSet controller's sync in the same
  // instant reads the new spec from the store and creates 2 pods.
  CHECK(c.objects.replica_sets.at(0).replicas == 4);
  CHECK(c.running("ReplicaSet") == 4);
  CHECK(c.objects.deployments[d].status.available_replicas == 4);
  CHECK(c.objects.deployments[d].status.updated_replicas == 4);
  int created_at_66 = 0;
  for (const Pod& p : c.objects.pods)
    if (p.status.created == SimTime::zero() + Duration::seconds(66)) ++created_at_66;
  CHECK(created_at_66 == 2);
}

TEST_CASE("controlplane: a Job whose pod finished during the outage completes after") {
  ControlPlaneCluster c(1, 1);
  Job job;
  job.metadata.name = "batch";
  job.template_ = testing::make_template("batch", "busybox");
  job.template_.spec.restart_policy = RestartPolicy::kNever;
  const uint32_t j = c.api->create<Job>(std::move(job));
  bool complete_record = false;
  int64_t complete_at = -1;
  c.sim.bus().topic<WorkloadRecord>().subscribe([&](const WorkloadRecord& r) {
    if (r.event == WorkloadEvent::kJobComplete) {
      complete_record = true;
      complete_at = r.t.count_micros();
    }
  });
  c.start();
  c.outage();
  // The pod: created at 0, bound at 7 ms, running at 1.012 s (the bind's
  // watch event at 12 ms + 1 s), succeeded at 11.012 s, during the outage.
  c.run_until(Duration::seconds(65));
  CHECK(c.objects.pods.at(0).phase == PodPhase::kSucceeded);
  CHECK_FALSE(c.objects.jobs[j].status.complete);
  CHECK_FALSE(complete_record);
  c.run_until(Duration::seconds(120));
  CHECK(c.objects.jobs[j].status.complete);
  CHECK(c.objects.jobs[j].status.succeeded == 1);
  CHECK(complete_at == 66 * kS);
  CHECK(c.objects.pods.size() == 1);  // counted once, not replaced
}

TEST_CASE("controlplane: a node added during the outage gets its daemon pod after") {
  ControlPlaneCluster c(2, 1);
  DaemonSet ds;
  ds.metadata.name = "agent";
  ds.template_ = testing::make_template("agent", "agent:v1");
  ds.selector.match_labels = ds.template_.metadata.labels;
  c.api->create<DaemonSet>(std::move(ds));
  c.start();
  c.outage();
  c.at(Duration::seconds(20), [&] { c.api->create_node(testing::make_node("node-2")); });
  c.run_until(Duration::seconds(65));
  CHECK(c.running("DaemonSet") == 2);
  c.run_until(Duration::seconds(120));
  CHECK(c.running("DaemonSet") == 3);
  std::set<std::string> nodes;
  for (const Pod& p : c.objects.pods)
    if (p.owner.kind == "DaemonSet" && p.node.valid())
      nodes.insert(c.objects.nodes[p.node.value].name);
  CHECK(nodes == std::set<std::string>{"node-0", "node-1", "node-2"});
}

TEST_CASE(
    "controlplane: a standby takes over in a 3-replica control plane; no pod is lost or doubled") {
  // Replica 0 crashes at 10 s, which precedes its renewal due then: the
  // standbys last saw the 8 s renewal (their tries at 8 s), so replica 1
  // leads at the first try from 8 + 15 = 23 s on: 24 s.
  ControlPlaneCluster c(3, 3);
  c.api->create<Deployment>(make_deployment("api", 6));
  c.start();
  c.at(Duration::seconds(10), [&] { c.control_plane->crash(0); });
  c.at(Duration::seconds(11), [&] {
    c.api->update<Deployment>(0, 0, [](Deployment& x) {
      x.replicas = 9;
      ++x.metadata.generation;
    });
  });
  c.run_until(Duration::seconds(23));
  CHECK(c.active("ReplicaSet") == 6);
  c.run_until(Duration::seconds(120));
  CHECK(c.control_plane->leader() == 1);
  CHECK(c.active("ReplicaSet") == 9);
  CHECK(c.running("ReplicaSet") == 9);
  CHECK(c.api->rejected_writes() == 0);
  CHECK(std::find(c.log.begin(), c.log.end(), "24000000 LeaderElected 1") != c.log.end());
}

TEST_CASE("controlplane: lazy and naive runs of a cluster with outages give identical records") {
  // Three replicas with client-go's jitter, random crashes and recoveries of
  // one replica or all of them, while Deployments scale and pods come and go.
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    RandomStream rng(seed * 7919);
    struct Action {
      int64_t us;
      int kind;  // 0 crash, 1 recover, 2 scale, 3 delete a pod, 4 create a pod
      int32_t arg;
    };
    std::vector<Action> actions;
    for (int i = 0; i < 30; ++i) {
      const bool whole = rng.bernoulli(0.5);
      const int64_t us = whole ? static_cast<int64_t>(rng.uniform_int(600)) * kS
                               : static_cast<int64_t>(rng.uniform_int(600 * kS));
      actions.push_back(
          {us, static_cast<int>(rng.uniform_int(5)), static_cast<int32_t>(rng.uniform_int(4)) - 1});
    }
    auto run = [&](bool naive) {
      auto c =
          std::make_unique<ControlPlaneCluster>(4, 3, ControlPlane::kJitterFactor, naive, seed);
      c->api->create<Deployment>(make_deployment("api", 4));
      c->api->create<Deployment>(make_deployment("web", 2));
      c->start();
      ControlPlaneCluster* cp = c.get();
      int created = 0;
      for (const Action& a : actions) {
        cp->at(Duration::micros(a.us), [cp, a, &created] {
          switch (a.kind) {
            case 0:
              cp->control_plane->crash(a.arg);
              break;
            case 1:
              cp->control_plane->recover(a.arg);
              break;
            case 2:
              cp->api->update<Deployment>(a.arg < 1 ? 0 : 1, 0, [&](Deployment& x) {
                x.replicas = 1 + (a.arg + 1) * 2;
                ++x.metadata.generation;
              });
              break;
            case 3:
              for (const Pod& p : cp->objects.pods)
                if (pod_counts_for_owner(p) && p.node.valid()) {
                  cp->api->delete_pod(p.id);
                  break;
                }
              break;
            default:
              cp->create_pod(fmt::format("solo-{}", created++));
              break;
          }
        });
      }
      cp->at(Duration::seconds(601), [cp] { cp->control_plane->recover(-1); });
      c->run_until(Duration::seconds(700));
      return c;
    };
    const auto lazy = run(false);
    const auto naive = run(true);
    INFO("seed " << seed);
    REQUIRE(lazy->log.size() == naive->log.size());
    for (size_t i = 0; i < lazy->log.size(); ++i)
      REQUIRE(lazy->log[i] == naive->log[i]);
    CHECK(lazy->control_plane->has_leader());
    CHECK(lazy->api->rejected_writes() == 0);
    CHECK(lazy->sim.events_processed() < naive->sim.events_processed());
  }
}

}  // namespace kubesim
