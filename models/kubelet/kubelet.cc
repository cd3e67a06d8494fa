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
      rng_shutdown_(&ctx_.rng("kubelet/shutdown")) {
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
  api_.watch(Kind::kNode, [this](const WatchEvent& e) { on_node(e); });
}

// ---- Start-up ----

void Kubelets::start() {
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
    // A pre-bound pod: admitted, its images present, running since now.
    NodeSlot& ns = node_slot(p.node);
    ns.admitted.add(pod_requests(p.spec));
    ++ns.admitted_pods;
    s.admitted = true;
    track(i);
    read_annotations(i);
    s.containers.assign(p.spec.containers.size(), ContainerRun{});
    s.stage = Stage::kRunning;
    s.ready = true;
    if (!p.status.ready) {
      const SimTime now = ctx_.now();
      api_.update_pod(p.id, p.resource_version, [now](Pod& q) {
        q.status.ready = true;
        q.status.ready_since = now;
        q.status.started = now;
      });
    }
    for (uint32_t c = 0; c < s.containers.size(); ++c)
      schedule_exit(i, c);
  }
  for (uint32_t i : pending)
    on_bound(i);
}

// ---- Watches ----

void Kubelets::on_pod(const WatchEvent& e) {
  const uint32_t i = e.index;
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
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
  // kubelet.go HandlePodAdditions -> canAdmitPod -> lifecycle/predicate.go.
  if (auto failure = check_admission(request, api_.objects().nodes[p.node.value], ns.admitted,
                                     ns.admitted_pods)) {
    // kubelet.go rejectPod: phase Failed, reason, "Pod was rejected: " + message.
    s.stage = Stage::kDone;
    api_.reject("admit", p.key(), failure->message);
    api_.update_pod(p.id, p.resource_version, [&](Pod& q) {
      q.phase = PodPhase::kFailed;
      q.status.reason = failure->reason;
      q.status.ready = false;
    });
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
  s.event =
      ctx_.schedule(config_.container_start.sample(*rng_start_), [this, i] { on_started(i); });
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
  ns.pulling = !ns.pulls.empty() && !ns.gone;
  if (!ns.pulling) return;
  const Duration d = pull_time(api_.objects().nodes[node.value], ns.pulls.front().image);
  ns.pull_event = ctx_.schedule(d, [this, node] { on_pulled(node); });
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
  // The image is now cached: node status, which the kubelet owns.
  api_.add_node_image(node, ContainerImage{{done.image}, image_size(done.image)});
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
  s.ready = true;  // no probes: Ready as soon as the containers run
  const Pod& p = pod(i);
  const SimTime now = ctx_.now();
  api_.update_pod(p.id, p.resource_version, [now](Pod& q) {
    q.phase = PodPhase::kRunning;
    q.status.started = now;
    q.status.ready = true;
    q.status.ready_since = now;
  });
  publish(PodEvent::kStarted, i);
  publish(PodEvent::kReady, i);
  for (uint32_t c = 0; c < s.containers.size(); ++c)
    schedule_exit(i, c);
}

void Kubelets::schedule_exit(uint32_t i, uint32_t c) {
  PodSlot& s = slot(i);
  if (s.run_time < 0) return;  // runs until the pod is deleted
  const Duration d = distributions_[static_cast<std::size_t>(s.run_time)].sample(*rng_run_time_);
  s.containers[c].event = ctx_.schedule(d, [this, i, c] { on_exit(i, c); });
}

void Kubelets::on_exit(uint32_t i, uint32_t c) {
  PodSlot& s = slot(i);
  const Pod& p = pod(i);
  {
    ContainerRun& run = s.containers[c];
    run.event = {};
    const double fp = s.failure_probability;
    const bool failed = fp >= 1 || (fp > 0 && rng_exit_->bernoulli(fp));
    run.exit_code = failed ? 1 : 0;
    // kuberuntime_manager.go computePodActions / ShouldContainerBeRestarted.
    const RestartPolicy policy = p.spec.restart_policy;
    if (policy == RestartPolicy::kAlways || (policy == RestartPolicy::kOnFailure && failed)) {
      run.state = ContainerState::kWaitingRestart;
      // After the back-off, creating and starting the container again takes
      // a container_start draw, as the first start did.
      const SimTime at =
          run.backoff.restart_at(ctx_.now()) + config_.container_start.sample(*rng_start_);
      run.event = ctx_.schedule_at(at, [this, i, c] { on_restarted(i, c); });
      set_ready(i, false);
      return;
    }
    run.state = ContainerState::kExited;
  }
  bool all_exited = true;
  bool any_failed = false;
  for (const ContainerRun& r : s.containers) {
    all_exited = all_exited && r.state == ContainerState::kExited;
    any_failed = any_failed || r.exit_code != 0;
  }
  if (!all_exited) {
    set_ready(i, false);  // ContainersReady needs every container ready
    return;
  }
  // kubelet_pods.go getPhase: every container terminated and none will
  // restart -> Succeeded if all exited 0, else Failed.
  const bool was_ready = s.ready;
  s.ready = false;
  s.stage = Stage::kDone;
  release(i);
  const char* reason = any_failed ? "Error" : "Completed";
  api_.update_pod(p.id, p.resource_version, [&](Pod& q) {
    q.phase = any_failed ? PodPhase::kFailed : PodPhase::kSucceeded;
    q.status.reason = reason;
    q.status.ready = false;
  });
  if (was_ready) publish(PodEvent::kNotReady, i);
  publish(any_failed ? PodEvent::kFailed : PodEvent::kSucceeded, i, reason);
}

void Kubelets::on_restarted(uint32_t i, uint32_t c) {
  PodSlot& s = slot(i);
  s.containers[c].event = {};
  s.containers[c].state = ContainerState::kRunning;
  const bool all_running =
      std::all_of(s.containers.begin(), s.containers.end(),
                  [](const ContainerRun& r) { return r.state == ContainerState::kRunning; });
  const Pod& p = pod(i);
  const SimTime now = ctx_.now();
  api_.update_pod(p.id, p.resource_version, [&](Pod& q) {
    ++q.status.restarts;
    if (all_running) {
      q.status.ready = true;
      q.status.ready_since = now;
    }
  });
  publish(PodEvent::kRestarted, i);
  if (all_running && !s.ready) {
    s.ready = true;
    publish(PodEvent::kReady, i);
  }
  schedule_exit(i, c);
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
  set_ready(i, false);
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
  s.stage = Stage::kStopping;
  s.event = ctx_.schedule(stop, [this, i] { on_stopped(i); });
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
  if (s.stage == Stage::kPulling) leave_pull_queue(i);
  ctx_.cancel(s.event);
  s.event = {};
  for (ContainerRun& run : s.containers) {
    ctx_.cancel(run.event);
    run.event = {};
  }
  release(i);
  s.stage = Stage::kDone;
}

void Kubelets::remove(uint32_t i) {
  slot(i).stage = Stage::kDone;
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

void Kubelets::read_annotations(uint32_t i) {
  PodSlot& s = slot(i);
  const auto& a = pod(i).annotations;
  s.run_time = -1;
  s.failure_probability = 0;
  if (auto it = a.find(kAnnotationRunTime); it != a.end())
    s.run_time = distribution_index(it->second);
  if (auto it = a.find(kAnnotationFailureProbability); it != a.end())
    s.failure_probability = parse_probability(it->second).value_or(0.0);
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

void Kubelets::set_ready(uint32_t i, bool ready) {
  PodSlot& s = slot(i);
  if (s.ready == ready) return;
  s.ready = ready;
  const Pod& p = pod(i);
  const SimTime now = ctx_.now();
  api_.update_pod(p.id, p.resource_version, [&](Pod& q) {
    q.status.ready = ready;
    if (ready) q.status.ready_since = now;
  });
  publish(ready ? PodEvent::kReady : PodEvent::kNotReady, i);
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

}  // namespace kubesim
