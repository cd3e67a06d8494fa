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
//  2. Images not on the node are pulled one at a time per node, FIFO
//     (serializeImagePulls: true); a pod needing an image already being pulled
//     or queued waits for that pull. Pull time = overhead + size / bandwidth.
//     A pulled image is added to the node's status (ApiServer::add_node_image),
//     which the scheduler's ImageLocality reads.
//  3. Containers start after a draw of container_start: phase Running, Ready
//     (no probes yet).
//  4. With the annotation kubesim.io/run-time (a duration distribution, e.g.
//     "fixed(30s)"), each container run ends after a draw; it fails (exit
//     code 1) with probability kubesim.io/failure-probability (default 0).
//     restartPolicy decides: restart in place after the CrashLoopBackOff
//     (backoff.h), or finish: Succeeded ("Completed") when every container
//     exited 0, Failed ("Error") otherwise. Without run-time a container runs
//     until the pod is deleted.
//  5. Deletion (status.terminating): Ready false at once; running containers
//     get SIGTERM and exit after min(shutdown time, max(grace, 2 s)), where
//     the shutdown time is a draw of kubesim.io/shutdown-time (default 0 s);
//     then the kubelet removes the pod (ApiServer::remove_pod). A pod not yet
//     started is removed at once.
//  6. Node deletion: the pods left on the node are failed
//     ("DeletionByPodGC") and removed, as the pod GC controller does.
//
// Random streams: "kubelet/start", "kubelet/run-time", "kubelet/exit",
// "kubelet/shutdown", one each for all nodes (the event order is
// deterministic).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "models/apiserver/api_server.h"
#include "models/kubelet/backoff.h"
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
  // pre-bound pods) are running and Ready since now, without records (their
  // Ready condition is written if not set yet); their run time, if any,
  // starts now. Bound pods still Pending go through admission, pulls and
  // start as if their bind had just arrived, in store order.
  void start();

  // ---- Read-only views, for tests and checks ----
  // Requests of the pods the node's kubelet admitted and that are active.
  const Resources& admitted_requests(NodeId node) const;
  int64_t admitted_pods(NodeId node) const;
  // Image pulls queued on the node, the one in progress included.
  std::size_t pulls_pending(NodeId node) const;

 private:
  enum class Stage : uint8_t {
    kUnseen,    // not bound, or its bind has not reached the kubelet
    kPulling,   // admitted, waiting for images
    kStarting,  // images present, containers being created
    kRunning,   // containers started (some may have exited or wait to restart)
    kStopping,  // deleted: containers got SIGTERM
    kDone,      // rejected, finished, removed or never ours: nothing to do
  };
  enum class ContainerState : uint8_t { kRunning, kWaitingRestart, kExited };
  struct ContainerRun {
    ContainerState state = ContainerState::kRunning;
    int32_t exit_code = 0;
    EventToken event;  // its exit (running) or its restart (waiting)
    ContainerBackOff backoff;
  };
  struct PodSlot {
    Stage stage = Stage::kUnseen;
    bool admitted = false;    // counts against its node's admitted requests
    bool tracked = false;     // listed in its node's pods
    bool ready = false;       // the Ready condition as the kubelet last wrote it
    uint32_t next_image = 0;  // init containers' images, then containers'
    int32_t run_time = -1;    // index into distributions_, -1: runs forever
    double failure_probability = 0;
    EventToken event;  // container start (kStarting) or stop (kStopping)
    std::vector<ContainerRun> containers;
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
  };

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
  void schedule_exit(uint32_t i, uint32_t c);
  void on_exit(uint32_t i, uint32_t c);
  void on_restarted(uint32_t i, uint32_t c);
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

  // Helpers.
  const Pod& pod(uint32_t i) const { return api_.objects().pods[i]; }
  PodSlot& slot(uint32_t i);
  NodeSlot& node_slot(NodeId id);
  void read_annotations(uint32_t i);
  int32_t distribution_index(const std::string& text);
  Duration pull_time(const Node& node, const std::string& image) const;
  int64_t image_size(const std::string& image) const;
  void set_ready(uint32_t i, bool ready);  // writes and publishes if it changes
  void publish(PodEvent e, uint32_t i, std::string_view detail = {});

  ApiServer& api_;
  Context ctx_;
  RuntimeConfig config_;
  Topic<PodRecord>* records_;
  RandomStream* rng_start_;
  RandomStream* rng_run_time_;
  RandomStream* rng_exit_;
  RandomStream* rng_shutdown_;
  std::vector<PodSlot> pods_;    // by PodId
  std::vector<NodeSlot> nodes_;  // by NodeId
  // Parsed duration distributions of annotations, by text (-1: invalid).
  std::unordered_map<std::string, int32_t> distribution_by_text_;
  std::vector<DurationDistribution> distributions_;
};

}  // namespace kubesim
