// ClusterRuntime: a scenario brought to life. Owns the simulation, the API
// server and every component (scheduler, controllers, kubelets, the
// scenario's timeline) and wires them as DESIGN.md describes.
//
//   auto rt = ClusterRuntime::create(std::move(scenario), {.seed = 7}, plugins, profiles);
//   if (!rt) { error(rt.error().message); }
//   EventLog log((*rt)->simulation().bus(), out);   // subscribe before running
//   (*rt)->run();                                     // to the scenario's duration
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "models/apiserver/api_server.h"
#include "models/scenario/scenario.h"
#include "models/scheduler/registry.h"
#include "sim/expected.h"
#include "sim/simulation.h"

namespace kubesim {

class KubeProxies;
class TrafficEngine;

struct RunOptions {
  std::optional<uint64_t> seed;   // default: the scenario's
  std::optional<Duration> until;  // default: the scenario's duration
  std::string scheduler_profile;  // override every profile (--scheduler), "" for none
  std::string controllers;        // controller set (--controllers), "" for the scenario's
  bool naive_timers = false;      // every periodic loop tick by tick (--naive-timers)
};

class ClusterRuntime {
 public:
  // Errors: an unknown scheduler profile or plugin.
  static Expected<std::unique_ptr<ClusterRuntime>> create(Scenario scenario, RunOptions options,
                                                          const PluginRegistry& plugins,
                                                          const ProfileRegistry& profiles);
  ~ClusterRuntime();

  // Runs to end_time(). With `interrupt`, checks it between events and stops
  // early when it becomes true; returns false then.
  bool run(const std::atomic<bool>* interrupt = nullptr);

  Simulation& simulation() { return *sim_; }
  const Simulation& simulation() const { return *sim_; }
  ApiServer& api() { return *api_; }
  const ApiServer& api() const { return *api_; }
  const Scenario& scenario() const { return scenario_; }
  uint64_t seed() const { return seed_; }
  SimTime end_time() const { return end_; }
  // The traffic engine and kube-proxies; null when the scenario has no traffic.
  TrafficEngine* traffic();
  KubeProxies* proxies();

 private:
  struct Components;
  ClusterRuntime() = default;

  Scenario scenario_;
  uint64_t seed_ = 1;
  SimTime end_;
  std::unique_ptr<Simulation> sim_;
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<Components> components_;
  bool started_ = false;
};

}  // namespace kubesim
