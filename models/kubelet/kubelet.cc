// The kubelet's pod lifecycle (pkg/kubelet/kubelet.go HandlePodAdditions,
// pod_workers.go, kuberuntime/kuberuntime_manager.go SyncPod), reduced to the
// events that change what the API shows. See kubelet.h and docs/kubelet.md.
#include "models/kubelet/kubelet.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "models/kubelet/admission.h"
#include "models/scheduler/plugins/image_locality.h"

namespace kubesim {

namespace {

// pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer: "always
// give containers a minimal shutdown window to avoid unnecessary SIGKILLs".
constexpr int64_t kMinimumGracePeriodSeconds = 2;

// Exit codes of a killed container: 128 + SIGTERM when it stops within the
// grace period, 128 + SIGKILL when the runtime kills it at the end.
constexpr int32_t kExitSigterm = 143;
constexpr int32_t kExitSigkill = 137;

const Probe& probe_spec(const Container& c, ProbeKind k) {
  switch (k) {
    case ProbeKind::kStartup:
      return c.startup_probe;
    case ProbeKind::kReadiness:
      return c.readiness_probe;
    case ProbeKind::kLiveness:
      break;
  }
  return c.liveness_probe;
}

// "back-off 40s", "back-off 5m".
std::string backoff_detail(Duration d) {
  return "back-off " + to_string(d);
}

// The pod GC controller's DisruptionTarget reason for pods of a deleted node
// (pkg/controller/podgc/gc_controller.go gcOrphaned).
constexpr const char* kReasonPodGc = "DeletionByPodGC";

std::optional<double> parse_probability(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double p = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !std::isfinite(p) || p < 0 || p > 1)
    return std::nullopt;
  return p;
}

// The i-th image of the pod in the order the kubelet needs them: init
// containers first, then containers (kuberuntime_manager.go SyncPod).
const std::string& image_at(const Pod& p, uint32_t k) {
  const auto n_init = static_cast<uint32_t>(p.spec.init_containers.size());
  return k < n_init ? p.spec.init_containers[k].image : p.spec.containers[k - n_init].image;
}

uint32_t image_count(const Pod& p) {
  return static_cast<uint32_t>(p.spec.init_containers.size() + p.spec.containers.size());
}

// "nginx" and "nginx:latest" are one image: the container runtime resolves a
// name without tag to :latest, and the node status lists the tagged name
// (which the scheduler's ImageLocality looks up, normalizedImageName).
bool node_has(const Node& node, const std::string& image) {
  return node.has_image(image) || node.has_image(normalized_image_name(image));
}

}  // namespace

Kubelets::Kubelets(ApiServer& api, const RuntimeConfig& config)
    : api_(api),
      ctx_(api.context()),
      config_(config),
      records_(&ctx_.bus().topic<PodRecord>()),
      rng_start_(&ctx_.rng("kubelet/start")),
      rng_run_time_(&ctx_.rng("kubelet/run-time")),
      rng_exit_(&ctx_.rng("kubelet/exit")),
      rng_shutdown_(&ctx_.rng("kubelet/shutdown")),
      rng_behavior_(&ctx_.rng("kubelet/behavior")) {
  api_.watch(Kind::kPod, [this](const WatchEvent& e) {
    catch_up();
    on_pod(e);
  });
  api_.watch(Kind::kNode, [this](const WatchEvent& e) {
    catch_up();
    on_node(e);
  });
}

// ---- Start-up ----

void Kubelets::start() {
  catch_up();
  const auto n = static_cast<uint32_t>(api_.objects().pods.size());
  std::vector<uint32_t> pending;
  for (uint32_t i = 0; i < n; ++i) {
    const Pod& p = pod(i);
    if (p.status.deleted || !p.node.valid() || !p.active()) continue;
    PodSlot& s = slot(i);
    if (s.stage != Stage::kUnseen) continue;
    if (p.phase != PodPhase::kRunning) {
      pending.push_back(i);
      continue;
    }
    // A pre-bound pod: admitted, its images present, running, started and
    // Ready since now (its probes succeeded before the run began).
    NodeSlot& ns = node_slot(p.node);
    ns.admitted.add(pod_requests(p.spec));
    ++ns.admitted_pods;
    s.admitted = true;
    track(i);
    read_annotations(i);
    load_status(i);
    s.containers.assign(p.spec.containers.size(), ContainerRun{});
    s.stage = Stage::kRunning;
    const SimTime now = ctx_.now();
    for (uint32_t c = 0; c < s.containers.size(); ++c) {
      begin_run(i, c);
      ContainerRun& run = s.containers[c];
      run.started = run.ready = true;
      run.started_at = now - Duration::days(1);  // initial delays are long over
      run.answers.ok_from = run.started_at;
    }
    s.ready = true;
    if (!p.status.ready) {
      s.ready_since = s.started = now;
      write_status(i);
    }
    start_probes(i);
    for (uint32_t c = 0; c < s.containers.size() && s.stage == Stage::kRunning; ++c) {
      if (s.behavior && s.behavior->crash_on_start) exited(i, c, 1, "crash-on-start");
    }
  }
  for (uint32_t i : pending)
    on_bound(i);
}

// ---- Watches ----

void Kubelets::on_pod(const WatchEvent& e) {
  const uint32_t i = e.index;
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  // A kubelet that is down or cut off hears nothing; it relists later.
  if (p.node.valid()) {
    const NodeSlot& ns = node_slot(p.node);
    if (ns.down || ns.partitioned) return;
  }
  if (p.status.deleted) {
    // Removed by someone else (force deletion, the API server deleting a
    // finished pod), or by us (then nothing is left to do).
    forget(i);
    untrack(i);
    return;
  }
  if (s.stage == Stage::kDone) return;
  if (s.stage == Stage::kUnseen) {
    if (!p.node.valid()) return;
    if (!p.active()) {
      s.stage = Stage::kDone;
      return;
    }
    on_bound(i);
    return;
  }
  if (!p.active()) {
    // Someone else gave the pod a terminal phase: its containers are gone.
    forget(i);
    return;
  }
  if (p.status.terminating && s.stage != Stage::kStopping) terminate(i);
}

void Kubelets::on_node(const WatchEvent& e) {
  if (e.type != WatchType::kDeleted) return;
  const NodeId id{e.index};
  {
    NodeSlot& ns = node_slot(id);
    if (ns.gone) return;
    ns.gone = true;
    ctx_.cancel(ns.pull_event);
    ns.pull_event = {};
    ns.pulling = false;
    ns.pulls.clear();
  }
  // Copy: collect_orphan() untracks each pod.
  const std::vector<uint32_t> pods = node_slot(id).pods;
  for (uint32_t i : pods)
    collect_orphan(i);
}

// ---- A pod's life ----

void Kubelets::on_bound(uint32_t i) {
  const Pod& p = pod(i);
  track(i);
  if (node_slot(p.node).gone) {
    collect_orphan(i);
    return;
  }
  if (p.status.terminating) {
    // Deleted before its kubelet saw it: nothing runs, nothing to stop.
    remove(i);
    return;
  }
  admit(i);
}

void Kubelets::admit(uint32_t i) {
  const Pod& p = pod(i);
  PodSlot& s = slot(i);
  NodeSlot& ns = node_slot(p.node);
  const Resources request = pod_requests(p.spec);
  load_status(i);
  // kubelet.go HandlePodAdditions -> canAdmitPod -> lifecycle/predicate.go.
  if (auto failure = check_admission(request, api_.objects().nodes[p.node.value], ns.admitted,
                                     ns.admitted_pods)) {
    // kubelet.go rejectPod: phase Failed, reason, "Pod was rejected: " + message.
    s.stage = Stage::kDone;
    api_.reject("admit", p.key(), failure->message);
    s.phase = PodPhase::kFailed;
    s.reason = failure->reason;
    s.ready = false;
    write_status(i);
    publish(PodEvent::kAdmissionRejected, i, failure->message);
    publish(PodEvent::kFailed, i, failure->reason);
    return;
  }
  ns.admitted.add(request);
  ++ns.admitted_pods;
  s.admitted = true;
  read_annotations(i);
  s.containers.assign(p.spec.containers.size(), ContainerRun{});
  s.stage = Stage::kPulling;
  s.next_image = 0;
  // kubelet.go SyncPod: "Ensure the pod is being probed" before the runtime
  // pulls images and starts containers.
  start_probes(i);
  continue_pulls(i);
}

void Kubelets::continue_pulls(uint32_t i) {
  const Pod& p = pod(i);
  PodSlot& s = slot(i);
  const Node& node = api_.objects().nodes[p.node.value];
  const uint32_t total = image_count(p);
  while (s.next_image < total) {
    const std::string& image = image_at(p, s.next_image);
    if (image.empty() || node_has(node, image)) {
      ++s.next_image;
      continue;
    }
    request_pull(i, image);
    return;
  }
  s.stage = Stage::kStarting;
  s.event = ctx_.schedule(config_.container_start.sample(*rng_start_), [this, i] {
    catch_up();
    on_started(i);
  });
}

void Kubelets::request_pull(uint32_t i, const std::string& image) {
  const NodeId node = pod(i).node;
  NodeSlot& ns = node_slot(node);
  const std::string name = normalized_image_name(image);
  // pkg/kubelet/images/puller.go serialImagePuller: one queue per node. A
  // second request for an image already queued or being pulled waits for
  // that pull (the runtime would find the image present).
  auto it = std::find_if(ns.pulls.begin(), ns.pulls.end(),
                         [&](const ImagePull& pull) { return pull.image == name; });
  if (it != ns.pulls.end()) {
    it->pods.push_back(i);
  } else {
    ns.pulls.push_back(ImagePull{name, {i}});
  }
  // images/image_manager.go EnsureImageExists: "Pulling image" when asked.
  publish(PodEvent::kPulling, i, image);
  if (!ns.pulling) start_next_pull(node);
}

void Kubelets::start_next_pull(NodeId node) {
  NodeSlot& ns = node_slot(node);
  ns.pulling = !ns.pulls.empty() && !ns.gone && !ns.down;
  if (!ns.pulling) return;
  const Duration d = pull_time(api_.objects().nodes[node.value], ns.pulls.front().image);
  ns.pull_event = ctx_.schedule(d, [this, node] {
    catch_up();
    on_pulled(node);
  });
}

void Kubelets::on_pulled(NodeId node) {
  ImagePull done;
  {
    NodeSlot& ns = node_slot(node);
    ns.pull_event = {};
    ns.pulling = false;
    done = std::move(ns.pulls.front());
    ns.pulls.erase(ns.pulls.begin());
  }
  // The image is now cached: node status, which the kubelet owns (held
  // back while the node is cut off).
  if (node_slot(node).partitioned) {
    node_slot(node).images_pending.push_back(done.image);
  } else {
    api_.add_node_image(node, ContainerImage{{done.image}, image_size(done.image)});
  }
  start_next_pull(node);  // the next queued request goes first
  for (uint32_t j : done.pods) {
    PodSlot& s = slot(j);
    publish(PodEvent::kPulled, j, image_at(pod(j), s.next_image));
    ++s.next_image;
    continue_pulls(j);
  }
}

void Kubelets::on_started(uint32_t i) {
  PodSlot& s = slot(i);
  s.event = {};
  s.stage = Stage::kRunning;
  const SimTime now = ctx_.now();
  s.phase = PodPhase::kRunning;
  s.started = now;
  for (uint32_t c = 0; c < s.containers.size(); ++c) {
    sync_probes(i, c);
    begin_run(i, c);
  }
  publish(PodEvent::kStarted, i);
  for (uint32_t c = 0; c < s.containers.size() && s.stage == Stage::kRunning; ++c) {
    if (s.behavior && s.behavior->crash_on_start) exited(i, c, 1, "crash-on-start");
  }
  if (s.stage != Stage::kRunning) return;  // finished: exited() wrote the status
  for (uint32_t c = 0; c < s.containers.size(); ++c) {
    if (s.containers[c].state == ContainerState::kRunning && s.containers[c].started)
      readiness_manual_run(i, c);
  }
  update_ready(i);
  write_status(i);
  for (uint32_t c = 0; c < s.containers.size(); ++c)
    plan_probes(i, c);
}

void Kubelets::begin_run(uint32_t i, uint32_t c) {
  PodSlot& s = slot(i);
  const Container& spec = pod(i).spec.containers[c];
  const SimTime now = ctx_.now();
  {
    ContainerRun& run = s.containers[c];
    run.state = ContainerState::kRunning;
    run.exit_code = 0;
    run.started_at = now;
    run.killing = false;
    run.probe_failed = false;
    run.started = !spec.startup_probe.enabled;
    run.ready = !spec.readiness_probe.enabled;
    run.answers = ProbeAnswers{now, SimTime::max(), false};
    for (ProbeWorker& w : run.probes)
      w.new_container();
  }
  notify_app(i, AppChange::kStarted);
  if (s.behavior && s.behavior->crash_on_start) return;  // exits at once
  // The run's end: its run time, or a crash of its behaviour, whichever first.
  SimTime end = SimTime::max();
  bool crash = false;
  if (s.run_time >= 0)
    end = now + distributions_[static_cast<std::size_t>(s.run_time)].sample(*rng_run_time_);
  if (s.behavior) {
    ContainerRun& run = s.containers[c];
    if (s.behavior->slow_start)
      run.answers.ok_from = now + s.behavior->slow_start->sample(*rng_behavior_);
    if (s.behavior->hang_after)
      run.answers.hang_at = now + s.behavior->hang_after->sample(*rng_behavior_);
    if (s.behavior->crash_after) {
      const SimTime at = now + s.behavior->crash_after->sample(*rng_behavior_);
      if (at < end) {
        end = at;
        crash = true;
      }
    }
  }
  if (end == SimTime::max()) return;  // runs until the pod is deleted
  s.containers[c].event = ctx_.schedule_at(end, [this, i, c, crash] {
    catch_up();
    if (crash) {
      on_crash_after(i, c);
    } else {
      on_exit(i, c);
    }
  });
}

void Kubelets::on_exit(uint32_t i, uint32_t c) {
  slot(i).containers[c].event = {};
  const double fp = slot(i).failure_probability;
  const bool failed = fp >= 1 || (fp > 0 && rng_exit_->bernoulli(fp));
  exited(i, c, failed ? 1 : 0, {});
}

void Kubelets::on_crash_after(uint32_t i, uint32_t c) {
  slot(i).containers[c].event = {};
  exited(i, c, 1, "crash-after");
}

void Kubelets::exited(uint32_t i, uint32_t c, int32_t code, std::string_view cause) {
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  sync_probes(i, c);
  {
    ContainerRun& run = s.containers[c];
    ctx_.cancel(run.event);
    run.event = {};
    run.killing = false;
    run.exit_code = code;
  }
  if (code != 0) {
    std::string detail = "exit code " + std::to_string(code);
    if (!cause.empty()) detail += ": " + std::string(cause);
    publish(PodEvent::kCrashed, i, detail);
  }
  // kuberuntime_manager.go computePodActions / ShouldContainerBeRestarted.
  const RestartPolicy policy = p.spec.restart_policy;
  if (policy == RestartPolicy::kAlways || (policy == RestartPolicy::kOnFailure && code != 0)) {
    ContainerRun& run = s.containers[c];
    Duration delay = Duration::zero();
    if (!auto_restart_) {
      run.state = ContainerState::kDown;  // nobody restarts it
    } else {
      run.state = ContainerState::kWaitingRestart;
      // After the back-off, creating and starting the container again takes
      // a container_start draw, as the first start did.
      const SimTime restart = run.backoff.restart_at(ctx_.now());
      delay = restart - ctx_.now();
      schedule_restart(i, c, restart + config_.container_start.sample(*rng_start_));
    }
    notify_app(i, AppChange::kStopped);
    const bool changed = update_ready(i);
    // kuberuntime_manager.go doBackOff: "Back-off restarting failed container".
    if (delay > Duration::zero()) publish(PodEvent::kBackOff, i, backoff_detail(delay));
    if (changed) write_status(i);
    plan_probes(i, c);
    return;
  }
  s.containers[c].state = ContainerState::kExited;
  notify_app(i, AppChange::kStopped);
  bool all_exited = true;
  bool any_failed = false;
  for (const ContainerRun& r : s.containers) {
    all_exited = all_exited && r.state == ContainerState::kExited;
    any_failed = any_failed || r.exit_code != 0;
  }
  if (!all_exited) {
    if (update_ready(i)) write_status(i);  // ContainersReady needs every container ready
    plan_probes(i, c);
    return;
  }
  // kubelet_pods.go getPhase: every container terminated and none will
  // restart -> Succeeded if all exited 0, else Failed.
  stop_probes(i);
  s.stage = Stage::kDone;
  release(i);
  const char* reason = any_failed ? "Error" : "Completed";
  update_ready(i);
  s.phase = any_failed ? PodPhase::kFailed : PodPhase::kSucceeded;
  s.reason = reason;
  write_status(i);
  publish(any_failed ? PodEvent::kFailed : PodEvent::kSucceeded, i, reason);
}

void Kubelets::schedule_restart(uint32_t i, uint32_t c, SimTime at) {
  ContainerRun& run = slot(i).containers[c];
  run.state = ContainerState::kWaitingRestart;
  run.event = ctx_.schedule_at(at, [this, i, c] {
    catch_up();
    on_restarted(i, c);
  });
}

void Kubelets::on_restarted(uint32_t i, uint32_t c) {
  PodSlot& s = slot(i);
  s.containers[c].event = {};
  sync_probes(i, c);
  begin_run(i, c);
  ++s.restarts;
  publish(PodEvent::kRestarted, i);
  if (s.behavior && s.behavior->crash_on_start) {
    exited(i, c, 1, "crash-on-start");
    if (s.dirty || s.stage == Stage::kRunning) write_status(i);
    return;
  }
  if (s.containers[c].started) readiness_manual_run(i, c);
  update_ready(i);
  write_status(i);
  plan_probes(i, c);
}

void Kubelets::kill_container(uint32_t i, uint32_t c, ProbeKind why) {
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  const Container& spec = p.spec.containers[c];
  ContainerRun& run = s.containers[c];
  run.killing = true;
  ctx_.cancel(run.event);
  run.event = {};
  notify_app(i, AppChange::kStopping);
  // kuberuntime_manager.go computePodActions: "Container %s failed liveness
  // probe" (or startup probe), ", will be restarted" unless restartPolicy Never.
  std::string message = "Container " + spec.name + " failed " +
                        (why == ProbeKind::kLiveness ? "liveness" : "startup") + " probe";
  if (p.spec.restart_policy != RestartPolicy::kNever) message += ", will be restarted";
  publish(PodEvent::kKilling, i, message);
  // killContainer: SIGTERM, SIGKILL at the grace period (at least 2 s).
  const Duration grace = Duration::seconds(
      std::max<int64_t>(p.spec.termination_grace_period_seconds, kMinimumGracePeriodSeconds));
  Duration d = Duration::zero();
  if (auto it = p.annotations.find(kAnnotationShutdownTime); it != p.annotations.end()) {
    const int32_t k = distribution_index(it->second);
    if (k >= 0) d = distributions_[static_cast<std::size_t>(k)].sample(*rng_shutdown_);
  }
  const int32_t code = d < grace ? kExitSigterm : kExitSigkill;
  s.containers[c].event = ctx_.schedule(std::min(d, grace), [this, i, c, code, why] {
    catch_up();
    slot(i).containers[c].event = {};
    exited(i, c, code, std::string(to_string(why)) + " probe failed");
  });
}

void Kubelets::terminate(uint32_t i) {
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  switch (s.stage) {
    case Stage::kPulling:
    case Stage::kStarting:
      // Nothing runs yet: the pod worker cancels the sync and the status
      // manager deletes the pod.
      forget(i);
      remove(i);
      return;
    case Stage::kRunning:
      break;
    default:
      return;
  }
  stop_probes(i);
  s.stage = Stage::kStopping;
  notify_app(i, AppChange::kStopping);
  if (update_ready(i)) write_status(i);
  // killContainer: the runtime sends SIGTERM and SIGKILL after the grace
  // period (at least 2 s); the container exits after its shutdown time or
  // at the kill, whichever comes first.
  const Duration grace = Duration::seconds(
      std::max<int64_t>(p.spec.termination_grace_period_seconds, kMinimumGracePeriodSeconds));
  int32_t shutdown = -1;
  if (auto it = p.annotations.find(kAnnotationShutdownTime); it != p.annotations.end())
    shutdown = distribution_index(it->second);
  Duration stop = Duration::zero();
  bool any_running = false;
  for (ContainerRun& run : s.containers) {
    ctx_.cancel(run.event);
    run.event = {};
    if (run.state != ContainerState::kRunning) continue;
    any_running = true;
    const Duration d =
        shutdown < 0 ? Duration::zero()
                     : distributions_[static_cast<std::size_t>(shutdown)].sample(*rng_shutdown_);
    stop = std::max(stop, std::min(d, grace));
  }
  if (!any_running) {
    forget(i);
    remove(i);
    return;
  }
  s.event = ctx_.schedule(stop, [this, i] {
    catch_up();
    on_stopped(i);
  });
}

void Kubelets::on_stopped(uint32_t i) {
  slot(i).event = {};
  forget(i);
  remove(i);
}

void Kubelets::collect_orphan(uint32_t i) {
  const Pod& p = pod(i);
  const bool was_ready = p.status.ready;
  forget(i);
  if (!p.status.deleted) {
    // gc_controller.go markFailedAndDeletePodWithCondition: a pod not yet
    // terminal becomes Failed, then it is force-deleted.
    if (p.active()) {
      api_.update_pod(p.id, p.resource_version, [](Pod& q) {
        q.phase = PodPhase::kFailed;
        q.status.reason = kReasonPodGc;
        q.status.ready = false;
      });
      if (was_ready) publish(PodEvent::kNotReady, i);
      publish(PodEvent::kFailed, i, kReasonPodGc);
    }
    api_.remove_pod(p.id);
  }
  untrack(i);
}

void Kubelets::forget(uint32_t i) {
  PodSlot& s = slot(i);
  const bool was_running = s.stage == Stage::kRunning || s.stage == Stage::kStopping;
  if (s.stage == Stage::kPulling) leave_pull_queue(i);
  stop_probes(i);
  ctx_.cancel(s.event);
  s.event = {};
  for (ContainerRun& run : s.containers) {
    ctx_.cancel(run.event);
    run.event = {};
  }
  release(i);
  s.stage = Stage::kDone;
  if (was_running) notify_app(i, AppChange::kStopped);
}

void Kubelets::remove(uint32_t i) {
  PodSlot& s = slot(i);
  s.stage = Stage::kDone;
  if (!connected(i)) {
    s.remove_pending = true;  // written at heal()
    return;
  }
  s.remove_pending = false;
  untrack(i);
  api_.remove_pod(pod(i).id);
}

void Kubelets::release(uint32_t i) {
  PodSlot& s = slot(i);
  if (!s.admitted) return;
  s.admitted = false;
  const Pod& p = pod(i);
  NodeSlot& ns = node_slot(p.node);
  ns.admitted.subtract(pod_requests(p.spec));
  --ns.admitted_pods;
}

void Kubelets::track(uint32_t i) {
  PodSlot& s = slot(i);
  if (s.tracked) return;
  s.tracked = true;
  node_slot(pod(i).node).pods.push_back(i);
}

void Kubelets::untrack(uint32_t i) {
  PodSlot& s = slot(i);
  if (!s.tracked) return;
  s.tracked = false;
  std::vector<uint32_t>& v = node_slot(pod(i).node).pods;
  auto it = std::find(v.begin(), v.end(), i);
  if (it != v.end()) {
    *it = v.back();
    v.pop_back();
  }
}

void Kubelets::leave_pull_queue(uint32_t i) {
  NodeSlot& ns = node_slot(pod(i).node);
  for (std::size_t k = 0; k < ns.pulls.size();) {
    std::vector<uint32_t>& waiting = ns.pulls[k].pods;
    waiting.erase(std::remove(waiting.begin(), waiting.end(), i), waiting.end());
    // A queued pull nobody waits for is dropped; one in progress finishes
    // (and caches the image).
    if (waiting.empty() && !(k == 0 && ns.pulling)) {
      ns.pulls.erase(ns.pulls.begin() + static_cast<std::ptrdiff_t>(k));
    } else {
      ++k;
    }
  }
}

// ---- Faults and the operator ----

void Kubelets::crash_container(PodId id, int32_t exit_code, std::string_view cause) {
  catch_up();
  const uint32_t i = id.value;
  if (i >= api_.objects().pods.size()) return;
  PodSlot& s = slot(i);
  if (s.stage != Stage::kRunning || node_down_for(i)) return;
  const std::string why(cause);  // `cause` may point into something we change
  for (uint32_t c = 0; c < s.containers.size() && s.stage == Stage::kRunning; ++c) {
    if (s.containers[c].state == ContainerState::kRunning) exited(i, c, exit_code, why);
  }
}

void Kubelets::node_down(NodeId node) {
  catch_up();
  NodeSlot& ns = node_slot(node);
  if (ns.down || ns.gone) return;
  ns.down = true;
  ctx_.cancel(ns.pull_event);
  ns.pull_event = {};
  ns.pulling = false;
  ns.pulls.clear();
  const std::vector<uint32_t> pods = ns.pods;
  for (uint32_t i : pods) {
    PodSlot& s = slot(i);
    stop_probes(i);
    ctx_.cancel(s.event);
    s.event = {};
    bool stopped = false;
    for (ContainerRun& run : s.containers) {
      ctx_.cancel(run.event);
      run.event = {};
      run.killing = false;
      stopped = stopped || run.state == ContainerState::kRunning;
      if (run.state == ContainerState::kRunning || run.state == ContainerState::kWaitingRestart)
        run.state = ContainerState::kDown;
    }
    if (stopped) notify_app(i, AppChange::kStopped);
    // The pod stops serving; nobody can tell the API (write_status holds it).
    if (update_ready(i, "NodeDown")) write_status(i);
  }
}

void Kubelets::node_up(NodeId node) {
  catch_up();
  NodeSlot& ns = node_slot(node);
  if (!ns.down) return;
  ns.down = false;
  if (ns.gone) return;
  relist(node, true);
}

void Kubelets::partition(NodeId node) {
  catch_up();
  node_slot(node).partitioned = true;
}

void Kubelets::heal(NodeId node) {
  catch_up();
  NodeSlot& ns = node_slot(node);
  if (!ns.partitioned) return;
  ns.partitioned = false;
  if (ns.gone || ns.down) return;
  const std::vector<std::string> images = std::move(ns.images_pending);
  node_slot(node).images_pending.clear();
  for (const std::string& image : images)
    api_.add_node_image(node, ContainerImage{{image}, image_size(image)});
  relist(node, false);
}

void Kubelets::relist(NodeId node, bool restarted) {
  // The kubelet's pods against the API's (kubelet.go HandlePodCleanups and
  // the pod config's relist): removed, terminating, still bound.
  const std::vector<uint32_t> pods = node_slot(node).pods;
  for (uint32_t i : pods) {
    PodSlot& s = slot(i);
    const Pod& p = pod(i);
    if (p.status.deleted) {
      forget(i);
      untrack(i);
      continue;
    }
    if (s.remove_pending) {
      remove(i);
      continue;
    }
    if (p.status.terminating) {
      if (restarted || s.stage == Stage::kDone) {
        // Nothing runs any more: the deletion completes.
        forget(i);
        remove(i);
      } else if (s.stage != Stage::kStopping) {
        terminate(i);  // kills what runs, then removes the pod
      }
      continue;
    }
    if (!p.active() && s.stage != Stage::kDone) {
      forget(i);  // someone else gave it a terminal phase
      continue;
    }
    if (restarted) {
      if (s.stage == Stage::kPulling || s.stage == Stage::kStarting) {
        // The pull or start under way was lost: from the first missing image.
        s.stage = Stage::kPulling;
        start_probes(i);
        continue_pulls(i);
      } else if (s.stage == Stage::kRunning) {
        start_probes(i);  // new workers: probes from scratch
        for (uint32_t c = 0; c < s.containers.size(); ++c) {
          if (s.containers[c].state != ContainerState::kDown || !auto_restart_) continue;
          schedule_restart(i, c, ctx_.now() + config_.container_start.sample(*rng_start_));
        }
      }
    }
    if (s.dirty) write_status(i);
  }
  // Pods bound to the node meanwhile.
  const auto n = static_cast<uint32_t>(api_.objects().pods.size());
  for (uint32_t i = 0; i < n; ++i) {
    const Pod& p = pod(i);
    if (p.node != node || p.status.deleted) continue;
    PodSlot& s = slot(i);
    if (s.stage != Stage::kUnseen) continue;
    if (!p.active()) {
      s.stage = Stage::kDone;
      continue;
    }
    on_bound(i);
  }
}

void Kubelets::restart_pod(PodId id) {
  catch_up();
  const uint32_t i = id.value;
  if (i >= api_.objects().pods.size()) return;
  PodSlot& s = slot(i);
  if (s.stage != Stage::kRunning || node_down_for(i)) return;
  const SimTime now = ctx_.now();
  bool stopped = false;
  for (uint32_t c = 0; c < s.containers.size(); ++c) {
    ContainerRun& run = s.containers[c];
    const bool broken = run.state == ContainerState::kDown ||
                        run.state == ContainerState::kWaitingRestart ||
                        (run.state == ContainerState::kRunning && !run.killing &&
                         (run.probe_failed || now >= run.answers.hang_at));
    if (!broken) continue;
    sync_probes(i, c);
    if (run.state == ContainerState::kRunning)
      publish(PodEvent::kKilling, i,
              "Container " + pod(i).spec.containers[c].name + " restarted by the operator");
    stopped = stopped || run.state == ContainerState::kRunning;
    ctx_.cancel(run.event);
    run.event = {};
    run.state = ContainerState::kDown;
    schedule_restart(i, c, now + config_.container_start.sample(*rng_start_));
    plan_probes(i, c);
  }
  if (stopped) notify_app(i, AppChange::kStopped);
  if (update_ready(i)) write_status(i);
}

// ---- Probes ----

void Kubelets::start_probes(uint32_t i) {
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  stop_probes(i);
  s.probing = true;
  const SimTime now = ctx_.now();
  for (uint32_t c = 0; c < s.containers.size(); ++c) {
    for (int k = 0; k < kProbeKinds; ++k) {
      const auto kind = static_cast<ProbeKind>(k);
      s.containers[c].probes[k] =
          ProbeWorker::start(probe_spec(p.spec.containers[c], kind), kind, now);
      plan_probe(i, c, kind);
    }
  }
}

void Kubelets::stop_probes(uint32_t i) {
  PodSlot& s = slot(i);
  if (!s.probing) return;
  s.probing = false;
  for (uint32_t c = 0; c < s.containers.size(); ++c) {
    for (int k = 0; k < kProbeKinds; ++k)
      unplan_probe(i, c, static_cast<ProbeKind>(k));
  }
}

ProbeView Kubelets::probe_view(uint32_t i, uint32_t c, ProbeKind k) const {
  const PodSlot& s = pods_[i];
  const ContainerRun& run = s.containers[c];
  ProbeView v;
  v.running = s.stage == Stage::kRunning && run.state == ContainerState::kRunning;
  v.started_at = run.started_at;
  v.started = run.started;
  v.ready = run.ready;
  v.answers = run.answers;
  if (k == ProbeKind::kReadiness && s.behavior && s.behavior->never_ready)
    v.answers.never_ok = true;
  return v;
}

void Kubelets::sync_probes(uint32_t i, uint32_t c) {
  PodSlot& s = slot(i);
  if (!s.probing) return;
  // Ticks at now came before this change (catch_up runs first).
  const SimTime until = ctx_.now() + Duration::micros(1);
  for (int k = 0; k < kProbeKinds; ++k) {
    ProbeWorker& w = s.containers[c].probes[k];
    if (w.spec().enabled) w.skip_quiet(probe_view(i, c, static_cast<ProbeKind>(k)), until);
  }
}

void Kubelets::plan_probes(uint32_t i, uint32_t c) {
  for (int k = 0; k < kProbeKinds; ++k)
    plan_probe(i, c, static_cast<ProbeKind>(k));
}

void Kubelets::unplan_probe(uint32_t i, uint32_t c, ProbeKind k) {
  ContainerRun& run = slot(i).containers[c];
  const auto kk = static_cast<std::size_t>(k);
  if (run.probe_due[kk] == SimTime::max()) return;
  due_.erase(DueKey{run.probe_due[kk], i, c, static_cast<uint8_t>(k)});
  ctx_.cancel(run.probe_events[kk]);
  run.probe_events[kk] = {};
  run.probe_due[kk] = SimTime::max();
}

void Kubelets::plan_probe(uint32_t i, uint32_t c, ProbeKind k) {
  PodSlot& s = slot(i);
  const auto kk = static_cast<std::size_t>(k);
  const ProbeWorker& w = s.containers[c].probes[kk];
  SimTime at = SimTime::max();
  if (s.probing && w.spec().enabled)
    at = config_.naive_timers ? w.next_tick() : w.next_effect(probe_view(i, c, k));
  if (at == s.containers[c].probe_due[kk]) return;
  unplan_probe(i, c, k);
  if (at == SimTime::max()) return;
  ContainerRun& run = s.containers[c];
  run.probe_due[kk] = at;
  due_.insert(DueKey{at, i, c, static_cast<uint8_t>(k)});
  run.probe_events[kk] = ctx_.schedule_at(at, [this] { catch_up(); });
}

void Kubelets::catch_up() {
  if (catching_up_) return;
  catching_up_ = true;
  const SimTime now = ctx_.now();
  while (!due_.empty() && std::get<0>(*due_.begin()) <= now) {
    const auto [t, i, c, k] = *due_.begin();
    on_probe_tick(i, c, static_cast<ProbeKind>(k));
  }
  catching_up_ = false;
}

void Kubelets::on_probe_tick(uint32_t i, uint32_t c, ProbeKind k) {
  const auto kk = static_cast<std::size_t>(k);
  const SimTime t = slot(i).containers[c].probe_due[kk];
  unplan_probe(i, c, k);
  const ProbeView v = probe_view(i, c, k);
  ProbeWorker& w = slot(i).containers[c].probes[kk];
  w.skip_quiet(v, t);  // lazy: the quiet ticks before this one
  const ProbeTick r = w.tick(v, t);
  apply_probe(i, c, k, r);
  plan_probe(i, c, k);
}

void Kubelets::apply_probe(uint32_t i, uint32_t c, ProbeKind k, const ProbeTick& r) {
  if (!r.set) return;
  PodSlot& s = slot(i);
  const Probe& spec = s.containers[c].probes[static_cast<std::size_t>(k)].spec();
  switch (k) {
    case ProbeKind::kReadiness: {
      // kubelet.go syncLoopIteration: readinessManager updates -> SetContainerReadiness.
      ContainerRun& run = s.containers[c];
      if (!r.success && r.run == spec.failure_threshold)
        publish(PodEvent::kUnhealthy, i, "Readiness probe failed");
      if (run.ready != r.success) {
        run.ready = r.success;
        if (update_ready(i)) write_status(i);
      }
      return;
    }
    case ProbeKind::kLiveness:
      if (r.success) return;
      publish(PodEvent::kUnhealthy, i, "Liveness probe failed");
      if (auto_restart_) {
        kill_container(i, c, k);
      } else {
        s.containers[c].probe_failed = true;
      }
      return;
    case ProbeKind::kStartup: {
      if (!r.success) {
        publish(PodEvent::kUnhealthy, i, "Startup probe failed");
        if (auto_restart_) {
          kill_container(i, c, k);
        } else {
          s.containers[c].probe_failed = true;
        }
        return;
      }
      // prober_manager.go UpdatePodStatus: Started. Liveness and readiness
      // probe from now on; their ticks before now saw a container not started.
      for (ProbeKind other : {ProbeKind::kReadiness, ProbeKind::kLiveness}) {
        ProbeWorker& w = s.containers[c].probes[static_cast<std::size_t>(other)];
        if (w.spec().enabled) w.skip_quiet(probe_view(i, c, other), ctx_.now());
      }
      s.containers[c].started = true;
      readiness_manual_run(i, c);
      plan_probe(i, c, ProbeKind::kLiveness);
      if (update_ready(i)) write_status(i);
      return;
    }
  }
}

void Kubelets::readiness_manual_run(uint32_t i, uint32_t c) {
  // prober_manager.go UpdatePodStatus: a started container whose readiness
  // is not Success triggers an immediate run of its readiness worker, which
  // restarts the worker's ticker (worker.go run: probeTicker.Reset). The
  // kubelet syncs the pod when the container starts and when the startup
  // probe succeeds; kubesim triggers at those moments.
  PodSlot& s = slot(i);
  if (!s.probing) return;
  ProbeWorker& w = s.containers[c].probes[static_cast<std::size_t>(ProbeKind::kReadiness)];
  if (!w.spec().enabled || s.containers[c].ready) return;
  const ProbeTick r = w.manual(probe_view(i, c, ProbeKind::kReadiness), ctx_.now());
  apply_probe(i, c, ProbeKind::kReadiness, r);
  plan_probe(i, c, ProbeKind::kReadiness);
}

// ---- Helpers ----

Kubelets::PodSlot& Kubelets::slot(uint32_t i) {
  if (i >= pods_.size()) pods_.resize(std::max<std::size_t>(i + 1, api_.objects().pods.size()));
  return pods_[i];
}

Kubelets::NodeSlot& Kubelets::node_slot(NodeId id) {
  if (id.value >= nodes_.size())
    nodes_.resize(std::max<std::size_t>(id.value + 1, api_.objects().nodes.size()));
  return nodes_[id.value];
}

bool Kubelets::connected(uint32_t i) {
  const NodeId n = pod(i).node;
  if (!n.valid()) return true;
  const NodeSlot& ns = node_slot(n);
  return !ns.down && !ns.partitioned;
}

bool Kubelets::node_down_for(uint32_t i) {
  const NodeId n = pod(i).node;
  return n.valid() && node_slot(n).down;
}

void Kubelets::read_annotations(uint32_t i) {
  PodSlot& s = slot(i);
  const auto& a = pod(i).annotations;
  s.run_time = -1;
  s.failure_probability = 0;
  s.behavior.reset();
  if (auto it = a.find(kAnnotationRunTime); it != a.end())
    s.run_time = distribution_index(it->second);
  if (auto it = a.find(kAnnotationFailureProbability); it != a.end())
    s.failure_probability = parse_probability(it->second).value_or(0.0);
  if (auto it = a.find(kAnnotationBehavior); it != a.end()) {
    auto [cached, inserted] = behavior_by_text_.try_emplace(it->second);
    if (inserted) {
      if (auto b = parse_container_behavior(it->second)) cached->second = std::move(*b);
    }
    s.behavior = cached->second;
  }
}

void Kubelets::load_status(uint32_t i) {
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  s.phase = p.phase;
  s.ready = p.status.ready;
  s.started = p.status.started;
  s.ready_since = p.status.ready_since;
  s.restarts = p.status.restarts;
  s.reason = p.status.reason;
  s.dirty = false;
}

int32_t Kubelets::distribution_index(const std::string& text) {
  auto [it, inserted] = distribution_by_text_.try_emplace(text, -1);
  if (inserted) {
    if (auto d = parse_duration_distribution(text)) {
      it->second = static_cast<int32_t>(distributions_.size());
      distributions_.push_back(std::move(*d));
    }
  }
  return it->second;
}

int64_t Kubelets::image_size(const std::string& image) const {
  if (auto it = config_.image_sizes.find(image); it != config_.image_sizes.end()) return it->second;
  if (auto it = config_.image_sizes.find(normalized_image_name(image));
      it != config_.image_sizes.end())
    return it->second;
  return config_.default_image_size;
}

Duration Kubelets::pull_time(const Node& node, const std::string& image) const {
  const int64_t bw = node.image_pull_bytes_per_second > 0 ? node.image_pull_bytes_per_second
                                                          : config_.image_pull_bytes_per_second;
  Duration d = config_.image_pull_overhead;
  if (bw <= 0) return d;
  // size / bandwidth, rounded up to the microsecond, without overflow.
  const int64_t size = image_size(image);
  const int64_t whole = size / bw;
  const int64_t rest = size % bw;
  d += Duration::seconds(whole) + Duration::micros((rest * 1'000'000 + bw - 1) / bw);
  return d;
}

bool Kubelets::update_ready(uint32_t i, std::string_view detail) {
  PodSlot& s = slot(i);
  // status/generate.go: Ready = ContainersReady = every container running,
  // started and ready.
  bool ready = s.stage == Stage::kRunning && !s.containers.empty();
  for (const ContainerRun& run : s.containers) {
    ready = ready && run.state == ContainerState::kRunning && run.started && run.ready;
  }
  if (s.ready == ready) return false;
  s.ready = ready;
  if (ready) s.ready_since = ctx_.now();
  publish(ready ? PodEvent::kReady : PodEvent::kNotReady, i, detail);
  return true;
}

void Kubelets::write_status(uint32_t i) {
  PodSlot& s = slot(i);
  if (!connected(i)) {
    s.dirty = true;  // written when the node is back (relist)
    return;
  }
  s.dirty = false;
  const Pod& p = pod(i);
  if (p.status.deleted) return;
  api_.update_pod(p.id, p.resource_version, [&s](Pod& q) {
    q.phase = s.phase;
    q.status.ready = s.ready;
    q.status.ready_since = s.ready_since;
    q.status.started = s.started;
    q.status.restarts = s.restarts;
    q.status.reason = s.reason;
  });
}

void Kubelets::notify_app(uint32_t i, AppChange change) {
  for (const auto& w : app_watchers_)
    w(PodId{i}, change);
}

void Kubelets::publish(PodEvent e, uint32_t i, std::string_view detail) {
  const Pod& p = pod(i);
  const Node* n = p.node.valid() ? &api_.objects().nodes[p.node.value] : nullptr;
  records_->publish({ctx_.now(), e, &p, n, detail});
}

// ---- Views ----

const Resources& Kubelets::admitted_requests(NodeId node) const {
  static const Resources kNone;
  return node.value < nodes_.size() ? nodes_[node.value].admitted : kNone;
}

int64_t Kubelets::admitted_pods(NodeId node) const {
  return node.value < nodes_.size() ? nodes_[node.value].admitted_pods : 0;
}

std::size_t Kubelets::pulls_pending(NodeId node) const {
  return node.value < nodes_.size() ? nodes_[node.value].pulls.size() : 0;
}

bool Kubelets::node_is_down(NodeId node) const {
  return node.value < nodes_.size() && nodes_[node.value].down;
}

bool Kubelets::node_is_partitioned(NodeId node) const {
  return node.value < nodes_.size() && nodes_[node.value].partitioned;
}

bool Kubelets::pod_ready(PodId id) const {
  return id.value < pods_.size() && pods_[id.value].ready;
}

int32_t Kubelets::containers_running(PodId id) const {
  if (id.value >= pods_.size()) return 0;
  const PodSlot& s = pods_[id.value];
  if (s.stage != Stage::kRunning && s.stage != Stage::kStopping) return 0;
  int32_t n = 0;
  for (const ContainerRun& run : s.containers)
    n += run.state == ContainerState::kRunning ? 1 : 0;
  return n;
}

bool Kubelets::app_running(PodId id) {
  catch_up();
  if (id.value >= pods_.size()) return false;
  const PodSlot& s = pods_[id.value];
  if ((s.stage != Stage::kRunning && s.stage != Stage::kStopping) || s.containers.empty())
    return false;
  for (const ContainerRun& run : s.containers)
    if (run.state != ContainerState::kRunning) return false;
  return true;
}

bool Kubelets::app_accepts(PodId id) {
  if (!app_running(id)) return false;
  const PodSlot& s = pods_[id.value];
  if (s.stage != Stage::kRunning) return false;  // SIGTERM sent: the app closed its listener
  const SimTime now = ctx_.now();
  for (const ContainerRun& run : s.containers) {
    // A container being killed got SIGTERM; slow-start listens from the
    // moment its probes would start to succeed (answers.ok_from).
    if (run.killing || now < run.answers.ok_from) return false;
  }
  return true;
}

bool Kubelets::app_answers(PodId id) {
  catch_up();
  if (id.value >= pods_.size()) return false;
  const SimTime now = ctx_.now();
  for (const ContainerRun& run : pods_[id.value].containers)
    if (now >= run.answers.hang_at) return false;
  return true;
}

}  // namespace kubesim
