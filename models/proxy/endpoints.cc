#include "models/proxy/endpoints.h"

#include <algorithm>

namespace kubesim {
namespace {

std::string label_key(const std::string& ns, const std::string& key, const std::string& value) {
  std::string k;
  k.reserve(ns.size() + key.size() + value.size() + 2);
  k.append(ns).push_back('\0');
  k.append(key).push_back('\0');
  k.append(value);
  return k;
}

}  // namespace

bool pod_is_serving_endpoint(const Pod& p) {
  // ShouldPodBeInEndpoints (staging/src/k8s.io/endpointslice/util/
  // controller_utils.go): not terminal, has an IP (kubesim: bound), and with
  // includeTerminating false (kube-proxy's ready endpoints) no
  // deletionTimestamp; podToEndpoint: ready = IsPodReady && !terminating.
  return p.active() && p.node.valid() && p.status.ready && !p.status.terminating;
}

bool service_selects(const Service& s, const Pod& p) {
  // pkg/controller/endpointslice/endpointslice_controller.go syncService:
  // "services without a selector receive no endpoint slices from this
  // controller". The selector is a label set: a subset of the pod's labels
  // (labels.Set(service.Spec.Selector).AsSelectorPreValidated()).
  if (s.selector.empty() || s.metadata.namespace_ != p.namespace_) return false;
  for (const auto& [key, value] : s.selector) {
    const auto it = p.labels.find(key);
    if (it == p.labels.end() || it->second != value) return false;
  }
  return true;
}

Endpoints::Endpoints(ApiServer& api) : api_(api) {
  api_.watch(Kind::kPod, [this](const WatchEvent& e) { on_pod(e); });
}

bool Endpoints::tracked(uint32_t service) const {
  return service < is_tracked_.size() && is_tracked_[service] != 0;
}

void Endpoints::track(uint32_t service) {
  if (tracked(service)) return;
  if (service >= histories_.size()) {
    histories_.resize(service + 1);
    is_tracked_.resize(service + 1, 0);
  }
  is_tracked_[service] = 1;
  const Service& s = api_.objects().services[service];
  if (!s.selector.empty()) {
    const auto& [key, value] = *s.selector.begin();
    by_label_[label_key(s.metadata.namespace_, key, value)].push_back(service);
  }
  // The pods' lists of Services are stale now.
  std::fill(pod_matched_.begin(), pod_matched_.end(), 0);
  if (started_) list(service);
}

void Endpoints::start() {
  if (started_) return;
  started_ = true;
  // The informers' initial lists: what is already serving holds from the
  // beginning, for every reader.
  const auto& pods = api_.objects().pods;
  for (uint32_t i = 0; i < pods.size(); ++i) {
    if (!pod_is_serving_endpoint(pods[i])) continue;
    for (const uint32_t s : services_of(i))
      histories_[s].add(pods[i].id, EndpointHistory::kBeginning);
  }
}

void Endpoints::list(uint32_t service) {
  const Service& s = api_.objects().services[service];
  EndpointHistory& h = histories_[service];
  for (const Pod& p : api_.objects().pods) {
    if (service_selects(s, p) && pod_is_serving_endpoint(p) && !h.contains(p.id))
      h.add(p.id, EndpointHistory::kBeginning);
  }
}

const std::vector<uint32_t>& Endpoints::services_of(uint32_t pod) {
  if (pod >= pod_matched_.size()) {
    const size_t n = api_.objects().pods.size();
    pod_matched_.resize(n, 0);
    services_of_.resize(n);
  }
  if (pod_matched_[pod] == 0) {
    pod_matched_[pod] = 1;
    std::vector<uint32_t>& out = services_of_[pod];
    out.clear();
    const Pod& p = api_.objects().pods[pod];
    for (const auto& [key, value] : p.labels) {
      const auto it = by_label_.find(label_key(p.namespace_, key, value));
      if (it == by_label_.end()) continue;
      for (const uint32_t s : it->second) {
        if (service_selects(api_.objects().services[s], p)) out.push_back(s);
      }
    }
    // Each Service is filed under one label only, so none comes twice.
    std::sort(out.begin(), out.end());
  }
  return services_of_[pod];
}

void Endpoints::set_leader(bool has_leader) {
  if (leading_ == has_leader) return;
  leading_ = has_leader;
  if (!leading_ || !started_) return;
  // The new leader's informers list the pods: every change missed while no
  // one led shows now.
  for (uint32_t i = 0; i < api_.objects().pods.size(); ++i)
    sync(i);
}

void Endpoints::on_pod(const WatchEvent& e) {
  if (!started_ || !leading_) return;
  // A later write's event is on its way: the controller's informer would
  // still hold this write's state, so the change waits for that event and
  // no change is seen before its watch latency.
  if (api_.objects().pods[e.index].resource_version != e.resource_version) return;
  sync(e.index);
}

void Endpoints::sync(uint32_t pod) {
  const std::vector<uint32_t>& services = services_of(pod);
  if (services.empty()) return;
  const Pod& p = api_.objects().pods[pod];
  const bool serving = pod_is_serving_endpoint(p);
  const SimTime now = api_.now();
  for (const uint32_t s : services) {
    EndpointHistory& h = histories_[s];
    if (serving == h.contains(p.id)) continue;
    if (serving) {
      h.add(p.id, now);
    } else {
      h.remove(p.id, now);
    }
    h.forget_before(now - horizon_);
  }
}

}  // namespace kubesim
