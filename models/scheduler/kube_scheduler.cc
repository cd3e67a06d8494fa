#include "models/scheduler/kube_scheduler.h"

#include <utility>

namespace kubesim {

KubeScheduler::KubeScheduler(ApiServer& api,
                             std::map<std::string, std::unique_ptr<SchedulingFramework>> frameworks,
                             KubeSchedulerConfig config)
    : api_(&api),
      frameworks_(std::move(frameworks)),
      config_(config),
      queue_(api.context(), api.objects().pods, config.queue, [this] { maybe_start_cycle(); }) {
  api.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
  api.watch(Kind::kNode, [this](const WatchEvent& e) { on_node(e); });
}

void KubeScheduler::start() {
  rebuild_snapshot();
  for (const Pod& p : api_->objects().pods) {
    if (!p.node.valid() && p.active() && !p.status.terminating && ours(p)) queue_.add(p.id);
  }
}

void KubeScheduler::set_leader(bool has_leader) {
  if (leading_ == has_leader) return;
  leading_ = has_leader;
  queue_.set_leader(has_leader);
  if (has_leader) {
    start();
    return;
  }
  if (busy_) api_->context().cancel(cycle_event_);
  busy_ = false;
}

void KubeScheduler::rebuild_snapshot() {
  const ClusterObjects& objects = api_->objects();
  snapshot_ = Snapshot::build(objects);
  cached_.assign(objects.pods.size(), 0);
  for (const Pod& p : objects.pods) {
    if (p.node.valid() && p.active() && snapshot_.index_of(p.node) >= 0) cached_[p.id.value] = 1;
  }
  images_dirty_.clear();
  image_dirty_flag_.assign(snapshot_.nodes().size(), 0);
}

void KubeScheduler::cache_add(const Pod& p) {
  if (cached_.size() <= p.id.value) cached_.resize(p.id.value + 1, 0);
  if (cached_[p.id.value] != 0 || snapshot_.index_of(p.node) < 0) return;
  cached_[p.id.value] = 1;
  snapshot_.add_pod(p);
}

void KubeScheduler::cache_remove(const Pod& p) {
  if (!cached(p.id)) return;
  cached_[p.id.value] = 0;
  snapshot_.remove_pod(p);
}

void KubeScheduler::on_pod(const WatchEvent& e) {
  if (!leading_) return;
  const Pod& p = api_->objects().pods[e.index];
  if (p.status.deleted) {
    queue_.remove(p.id);
    if (cached(p.id)) {
      cache_remove(p);
      queue_.move_all_to_active_or_backoff();  // AssignedPodDelete
    }
    return;
  }
  if (p.node.valid()) {
    queue_.remove(p.id);  // bound (by us, or created with spec.nodeName)
    if (p.active()) {
      cache_add(p);
    } else if (cached(p.id)) {
      cache_remove(p);  // finished: its resources are free
      queue_.move_all_to_active_or_backoff();
    }
    return;
  }
  if (e.type == WatchType::kAdded && p.active() && !p.status.terminating && ours(p))
    queue_.add(p.id);
}

void KubeScheduler::on_node(const WatchEvent& e) {
  if (!leading_) return;
  const Node& n = api_->objects().nodes[e.index];
  switch (e.type) {
    case WatchType::kAdded:
      if (snapshot_.index_of(n.id) < 0) snapshot_.add_node(n);
      break;
    case WatchType::kModified: {  // cordon, images, labels, taints, conditions
      const int idx = snapshot_.index_of(n.id);
      if (idx < 0) break;
      if (image_dirty_flag_.size() <= static_cast<std::size_t>(idx))
        image_dirty_flag_.resize(snapshot_.nodes().size(), 0);
      if (image_dirty_flag_[idx] == 0) {
        image_dirty_flag_[idx] = 1;
        images_dirty_.push_back(idx);
      }
      break;
    }
    case WatchType::kDeleted:
      rebuild_snapshot();
      break;
  }
  queue_.move_all_to_active_or_backoff();  // NodeAdd / NodeUpdate
}

void KubeScheduler::maybe_start_cycle() {
  if (busy_ || queue_.empty_active()) return;
  busy_ = true;
  const PodId id = queue_.pop();
  cycle_event_ =
      api_->context().schedule(config_.decision_latency, [this, id] { schedule_one(id); });
}

void KubeScheduler::schedule_one(PodId id) {
  busy_ = false;
  const Pod& pod = api_->objects().pods[id.value];
  if (pod.status.deleted || pod.status.terminating || pod.node.valid() || !pod.active() ||
      !queue_.contains(id)) {
    queue_.remove(id);
    maybe_start_cycle();
    return;
  }
  ++cycles_;
  // Only the modified nodes' images are recounted (pulls come one node at a time).
  for (int idx : images_dirty_) {
    snapshot_.refresh_node_images(idx);
    image_dirty_flag_[idx] = 0;
  }
  images_dirty_.clear();
  SchedulingFramework& fw = *frameworks_.at(pod.spec.scheduler_name);
  ScheduleResult r = fw.schedule(pod, snapshot_, api_->context().rng("scheduler"));
  if (r.selected >= 0) {
    const NodeId node = snapshot_.nodes()[r.selected].node->id;
    if (api_->bind(id, node)) {
      queue_.remove(id);
      cache_add(pod);  // assume: the cache counts it before the watch confirms
    } else {
      queue_.add_unschedulable(id);  // refused (counted by the API server): retry later
    }
  } else {
    api_->context().bus().topic<PodRecord>().publish(
        {api_->now(), PodEvent::kFailedScheduling, &pod, nullptr, r.message});
    // DefaultPreemption (PostFilter): evict the victims; the pod waits in the
    // queue and their deletion moves it back (pkg/scheduler/framework/
    // preemption/preemption.go prepareCandidate).
    for (const Pod* victim : r.preemption.victims)
      api_->delete_pod(victim->id);
    queue_.add_unschedulable(id);
  }
  maybe_start_cycle();
}

}  // namespace kubesim
