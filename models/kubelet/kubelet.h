// Kubelets: the kubelet of every node (pkg/kubelet), in simulated time. One
// object runs them all, with per-node and per-pod state in vectors indexed by
// NodeId and PodId, so each step costs O(1) and a pod's life takes a handful
// of events (no polling, no periodic sync).
//
//   Kubelets kubelets(api, scenario.runtime);   // watches pods and nodes
//   kubelets.start();                            // adopts the pods bound at t = 0
//   sim.run_until(...);
//
// A pod's life on its node, as the kubelet drives it (docs/kubelet.md):
//  1. The bind reaches the kubelet (pod watch, after the watch latency):
//     admission (admission.h); a rejected pod gets phase Failed "OutOf<res>".
//     Its probe workers start (prober.h).
//  2. Images not on the node are pulled one at a time per node, FIFO
//     (serializeImagePulls: true); a pod needing an image already being pulled
//     or queued waits for that pull. Pull time = overhead + size / bandwidth.
//     A pulled image is added to the node's status (ApiServer::add_node_image),
//     which the scheduler's ImageLocality reads.
//  3. Containers start after a draw of container_start: phase Running. A
//     container is Ready when it has started (startup probe succeeded, or
//     none) and its readiness probe succeeded (or it has none); the pod is
//     Ready when all its containers are.
//  4. A container run ends after a draw of kubesim.io/run-time (failing with
//     kubesim.io/failure-probability), at a crash of kubesim.io/behavior
//     (behavior.h), when a liveness or startup probe fails (the kubelet kills
//     it), or by crash_container(). restartPolicy decides: restart in place
//     after the CrashLoopBackOff (backoff.h), or finish: Succeeded
//     ("Completed") when every container exited 0, Failed ("Error") otherwise.
//  5. Deletion (status.terminating): Ready false at once; running containers
//     get SIGTERM and exit after min(shutdown time, max(grace, 2 s)); then the
//     kubelet removes the pod (ApiServer::remove_pod). A pod not yet started
//     is removed at once.
//  6. Node deletion: the pods left on the node are failed
//     ("DeletionByPodGC") and removed, as the pod GC controller does.
//
// Probes run lazily by default: a worker gets an event only at the tick at
// which its probe changes something, computed from its period and phase;
// with RuntimeConfig::naive_timers every tick is an event. Both give the same
// records: ticks due at one time are processed in (time, pod, container,
// probe kind) order before anything else the kubelets do at that time.
//
// Random streams: "kubelet/start", "kubelet/run-time", "kubelet/exit",
// "kubelet/shutdown", "kubelet/behavior", one each for all nodes (the event
// order is deterministic).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/kubelet/backoff.h"
#include "models/kubelet/behavior.h"
#include "models/kubelet/prober.h"
#include "models/objects/annotations.h"
#include "models/records.h"
#include "models/scenario/scenario.h"
#include "sim/distribution.h"
#include "sim/simulation.h"

namespace kubesim {

class Kubelets {
 public:
  // Watches pods and nodes from now on; `api` must outlive the object
  // (`config` is copied).
  Kubelets(ApiServer& api, const RuntimeConfig& config);
  Kubelets(const Kubelets&) = delete;
  Kubelets& operator=(const Kubelets&) = delete;

  // Takes over the pods bound at t = 0: Running ones (the scenario's
  // pre-bound pods) are running, started and Ready since now, without
  // records (their Ready condition is written if not set yet); their run
  // time, if any, starts now. Bound pods still Pending go through admission,
  // pulls and start as if their bind had just arrived, in store order.
  void start();

  // ---- Faults and the operator (docs/kubelet.md) ----
  // Every running container of the pod exits now with `exit_code`
  // (PodCrashed "exit code N: cause" if non-zero); restartPolicy and the
  // back-off then apply. Nothing happens on a node that is down.
  void crash_container(PodId pod, int32_t exit_code, std::string_view cause);
  // The machine crashes: every container on the node dies at once, image
  // pulls stop, the kubelet ignores watch events for the node. Ready pods
  // publish PodNotReady "NodeDown"; the API objects are not updated.
  void node_down(NodeId node);
  // The machine is back: the kubelet starts again and relists. Pods deleted
  // or terminating in the API meanwhile are removed; pods still bound get
  // their containers started again (restart counted, container start
  // latency, probes from scratch) unless auto restart is off; pods bound
  // meanwhile are admitted.
  void node_up(NodeId node);
  // The node is cut off from the control plane: containers keep running and
  // restarting, records are published, but no watch event arrives and API
  // writes are held back. heal() relists (pods deleted or terminating in the
  // API are killed and removed, new binds admitted) and writes each pod's
  // current status.
  void partition(NodeId node);
  void heal(NodeId node);
  // With false (the manual controller set), exited containers are not
  // restarted and liveness/startup failures do not kill: the pod stays
  // Running and not Ready until restart_pod(). Default true.
  void set_auto_restart(bool on) { auto_restart_ = on; }
  // The operator's fix: restarts the pod's containers that are down, waiting
  // for a restart, hung or failing their liveness/startup probe, each after
  // a container start draw. Nothing happens on a node that is down.
  void restart_pod(PodId pod);

  // ---- Read-only views, for tests and checks ----
  // Requests of the pods the node's kubelet admitted and that are active.
  const Resources& admitted_requests(NodeId node) const;
  int64_t admitted_pods(NodeId node) const;
  // Image pulls queued on the node, the one in progress included.
  std::size_t pulls_pending(NodeId node) const;
  bool node_is_down(NodeId node) const;
  bool node_is_partitioned(NodeId node) const;
  bool auto_restart() const { return auto_restart_; }
  // The Ready state as the pod's kubelet sees it (the API may lag behind
  // while the node is cut off).
  bool pod_ready(PodId pod) const;
  // Containers of the pod that run now (not waiting, exited or down).
  int32_t containers_running(PodId pod) const;
  // Probe events pending (lazy: one per worker at most; naive: every tick).
  std::size_t probe_events_pending() const { return due_.size(); }

  // ---- The app in the pod, for request traffic (models/traffic) ----
  // Whether the pod's app takes a new connection now: its kubelet runs the
  // pod and has not begun to stop it (no SIGTERM to the pod or to any of its
  // containers), every container runs, and each listens: kubesim.io/behavior
  // slow-start listens from its draw on (the moment its probes start to
  // succeed); a crash-on-start container never runs, so never listens. A
  // never-ready app listens (only its readiness probe fails).
  bool app_accepts(PodId pod);
  // Whether the requests the pod holds go on: every container runs (also
  // while the pod or a container is being stopped).
  bool app_running(PodId pod);
  // Whether the app answers now: no container has hung (hang-after) since
  // its run began. A hung app still accepts connections.
  bool app_answers(PodId pod);
  enum class AppChange : uint8_t {
    kStarted,   // a container began a run
    kStopping,  // SIGTERM to the pod or a container: no new connection
    kStopped,   // a container stopped or the pod was dropped: held requests are lost
  };
  // `on_change(pod, change)` is called right after each such change, in
  // registration order. Changes that only time brings (slow-start's end, a
  // hang) are not announced: ask app_accepts() and app_answers(). The
  // queries first process the probe ticks due now (as every kubelet entry
  // point does), so lazy and naive timers answer alike.
  void watch_app(std::function<void(PodId, AppChange)> on_change) {
    app_watchers_.push_back(std::move(on_change));
  }

 private:
  enum class Stage : uint8_t {
    kUnseen,    // not bound, or its bind has not reached the kubelet
    kPulling,   // admitted, waiting for images
    kStarting,  // images present, containers being created
    kRunning,   // containers started (some may have exited or wait to restart)
    kStopping,  // deleted: containers got SIGTERM
    kDone,      // rejected, finished, removed or never ours: nothing to do
  };
  enum class ContainerState : uint8_t {
    kRunning,
    kWaitingRestart,  // back-off and container start under way
    kExited,          // for good (restartPolicy)
    kDown,            // exited or killed, and nobody restarts it (auto restart off, node down)
  };
  struct ContainerRun {
    ContainerState state = ContainerState::kRunning;
    int32_t exit_code = 0;
    EventToken event;  // its exit (running, killing) or its restart (waiting)
    ContainerBackOff backoff;
    SimTime started_at;
    bool started = false;       // startup probe succeeded, or none
    bool ready = false;         // readiness probe succeeded, or none
    bool killing = false;       // a probe failure or restart_pod is stopping it
    bool probe_failed = false;  // liveness/startup failed (not killed: auto restart off)
    ProbeAnswers answers;
    std::array<ProbeWorker, kProbeKinds> probes;  // by ProbeKind; spec().enabled
    std::array<EventToken, kProbeKinds> probe_events;
    std::array<SimTime, kProbeKinds> probe_due{SimTime::max(), SimTime::max(), SimTime::max()};
  };
  struct PodSlot {
    Stage stage = Stage::kUnseen;
    bool admitted = false;        // counts against its node's admitted requests
    bool tracked = false;         // listed in its node's pods
    bool ready = false;           // the Ready condition as the kubelet sees it
    bool dirty = false;           // status not written yet (node cut off)
    bool remove_pending = false;  // containers stopped, removal held back
    bool probing = false;         // its probe workers run
    uint32_t next_image = 0;      // init containers' images, then containers'
    int32_t run_time = -1;        // index into distributions_, -1: runs forever
    double failure_probability = 0;
    std::optional<ContainerBehavior> behavior;
    EventToken event;  // container start (kStarting) or stop (kStopping)
    std::vector<ContainerRun> containers;
    // The status the kubelet writes (v1.PodStatus parts it owns).
    PodPhase phase = PodPhase::kPending;
    SimTime started;
    SimTime ready_since;
    int32_t restarts = 0;
    std::string reason;
  };
  struct ImagePull {
    std::string image;
    std::vector<uint32_t> pods;  // waiting for it, in request order
  };
  struct NodeSlot {
    Resources admitted;
    int64_t admitted_pods = 0;
    std::vector<uint32_t> pods;    // bound pods seen and not yet removed
    std::vector<ImagePull> pulls;  // FIFO; front() in progress while pulling
    bool pulling = false;
    EventToken pull_event;
    bool gone = false;  // the node's deletion reached the kubelet
    bool down = false;
    bool partitioned = false;
    std::vector<std::string> images_pending;  // pulled while cut off
  };
  // A probe tick due: (time, pod, container, kind), the processing order.
  using DueKey = std::tuple<SimTime, uint32_t, uint32_t, uint8_t>;

  // Watch handlers.
  void on_pod(const WatchEvent& e);
  void on_node(const WatchEvent& e);

  // Life steps.
  void on_bound(uint32_t i);  // the kubelet sees the pod on its node first
  void admit(uint32_t i);
  void continue_pulls(uint32_t i);
  void request_pull(uint32_t i, const std::string& image);
  void start_next_pull(NodeId node);
  void on_pulled(NodeId node);
  void on_started(uint32_t i);
  void begin_run(uint32_t i, uint32_t c);  // a new container runs from now
  void on_exit(uint32_t i, uint32_t c);    // its run time is over
  void on_crash_after(uint32_t i, uint32_t c);
  // The container exited now with `code`: records, restart or finish.
  void exited(uint32_t i, uint32_t c, int32_t code, std::string_view cause);
  void schedule_restart(uint32_t i, uint32_t c, SimTime at);
  void on_restarted(uint32_t i, uint32_t c);
  void kill_container(uint32_t i, uint32_t c, ProbeKind why);
  void terminate(uint32_t i);
  void on_stopped(uint32_t i);
  void collect_orphan(uint32_t i);  // the pod GC of a pod on a deleted node
  // Cancels all of the pod's events and pulls and releases its admission.
  void forget(uint32_t i);
  void remove(uint32_t i);  // the kubelet deletes the pod object
  void release(uint32_t i);
  void track(uint32_t i);
  void untrack(uint32_t i);
  void leave_pull_queue(uint32_t i);
  // Node down / up, partition / heal: the kubelet's relist.
  void relist(NodeId node, bool restarted);

  // Probes.
  void start_probes(uint32_t i);  // AddPod: workers start now
  void stop_probes(uint32_t i);
  ProbeView probe_view(uint32_t i, uint32_t c, ProbeKind k) const;
  // Before a change to container c at now: ticks up to now counted.
  void sync_probes(uint32_t i, uint32_t c);
  // After it: the next event of each worker.
  void plan_probes(uint32_t i, uint32_t c);
  void plan_probe(uint32_t i, uint32_t c, ProbeKind k);
  void unplan_probe(uint32_t i, uint32_t c, ProbeKind k);
  // Processes every probe tick due at or before now, in DueKey order.
  void catch_up();
  void on_probe_tick(uint32_t i, uint32_t c, ProbeKind k);
  void apply_probe(uint32_t i, uint32_t c, ProbeKind k, const ProbeTick& r);
  void readiness_manual_run(uint32_t i, uint32_t c);

  // Helpers.
  const Pod& pod(uint32_t i) const { return api_.objects().pods[i]; }
  PodSlot& slot(uint32_t i);
  NodeSlot& node_slot(NodeId id);
  bool connected(uint32_t i);  // the pod's kubelet can write to the API
  bool node_down_for(uint32_t i);
  void read_annotations(uint32_t i);
  void load_status(uint32_t i);  // the kubelet's status from the API object
  int32_t distribution_index(const std::string& text);
  Duration pull_time(const Node& node, const std::string& image) const;
  int64_t image_size(const std::string& image) const;
  // Recomputes Ready from the containers; publishes PodReady/PodNotReady on
  // a change. Returns whether it changed (the caller writes the status).
  bool update_ready(uint32_t i, std::string_view detail = {});
  void write_status(uint32_t i);  // the kubelet's status to the API, or held back
  void publish(PodEvent e, uint32_t i, std::string_view detail = {});
  void notify_app(uint32_t i, AppChange change);

  ApiServer& api_;
  Context ctx_;
  RuntimeConfig config_;
  Topic<PodRecord>* records_;
  RandomStream* rng_start_;
  RandomStream* rng_run_time_;
  RandomStream* rng_exit_;
  RandomStream* rng_shutdown_;
  RandomStream* rng_behavior_;
  bool auto_restart_ = true;
  bool catching_up_ = false;
  std::vector<PodSlot> pods_;    // by PodId
  std::vector<NodeSlot> nodes_;  // by NodeId
  std::set<DueKey> due_;         // probe ticks with an event pending
  // Parsed duration distributions of annotations, by text (-1: invalid).
  std::unordered_map<std::string, int32_t> distribution_by_text_;
  std::vector<DurationDistribution> distributions_;
  std::unordered_map<std::string, std::optional<ContainerBehavior>> behavior_by_text_;
  std::vector<std::function<void(PodId, AppChange)>> app_watchers_;
};

}  // namespace kubesim
