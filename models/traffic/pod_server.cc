#include "models/traffic/pod_server.h"

#include <charconv>
#include <string>
#include <utility>

#include "models/objects/annotations.h"
#include "models/traffic/requests.h"

namespace kubesim::traffic {

namespace {

// The annotation as an integer >= min, if it is one.
bool read_int(const Pod& pod, const char* key, int64_t min, int64_t& out) {
  const auto it = pod.annotations.find(key);
  if (it == pod.annotations.end()) return false;
  const std::string& text = it->second;
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min) return false;
  out = v;
  return true;
}

}  // namespace

PodServer::PodServer(const Pod& pod) : configured_(true) {
  int64_t v = 0;
  if (read_int(pod, kAnnotationConcurrency, 1, v) && v <= INT32_MAX)
    workers_ = static_cast<int32_t>(v);
  if (read_int(pod, kAnnotationQueueCapacity, 0, v)) capacity_ = v;
}

uint32_t PodServer::enter(uint32_t attempt) {
  held_.push_back(attempt);
  return static_cast<uint32_t>(held_.size() - 1);
}

uint32_t PodServer::leave(uint32_t pos) {
  const uint32_t last = held_.back();
  held_.pop_back();
  if (pos == held_.size()) return kNone;
  held_[pos] = last;
  return last;
}

uint32_t PodServer::dequeue() {
  const uint32_t a = queue_.front();
  queue_.pop_front();
  return a;
}

std::vector<uint32_t> PodServer::take_all() {
  std::vector<uint32_t> all = std::move(held_);
  held_.clear();
  queue_.clear();
  busy_ = 0;
  return all;
}

}  // namespace kubesim::traffic
