#include "analysis/event_log.h"

#include <array>
#include <charconv>
#include <ostream>

namespace kubesim {
namespace {

// Lines accumulate in the buffer and go to the stream in blocks of about this
// size: large enough that the stream call is negligible per line.
constexpr std::size_t kFlushBytes = 1 << 16;

// apps/v1: the annotation the deployment controller puts on each ReplicaSet
// (pkg/controller/deployment/util/deployment_util.go RevisionAnnotation).
constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";

void append(fmt::memory_buffer& buf, std::string_view s) {
  buf.append(s.data(), s.data() + s.size());
}

void append_int(fmt::memory_buffer& buf, int64_t v) {
  char digits[24];
  const auto res = std::to_chars(digits, digits + sizeof digits, v);
  buf.append(digits, res.ptr);
}

// Bytes a JSON string must escape: '"', '\\' and the control characters.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c)
    t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

bool needs_escape(char c) {
  return kNeedsEscape[static_cast<unsigned char>(c)];
}

}  // namespace

void append_seconds(fmt::memory_buffer& buf, int64_t micros) {
  // Unsigned arithmetic so that the most negative value has a magnitude too.
  uint64_t magnitude = static_cast<uint64_t>(micros);
  if (micros < 0) {
    buf.push_back('-');
    magnitude = ~magnitude + 1;
  }
  char digits[24];
  auto res = std::to_chars(digits, digits + sizeof digits, magnitude / 1'000'000);
  buf.append(digits, res.ptr);
  uint64_t fraction = magnitude % 1'000'000;
  if (fraction == 0) return;
  char frac[6];
  for (int i = 5; i >= 0; --i) {
    frac[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  int len = 6;
  while (frac[len - 1] == '0')
    --len;
  buf.push_back('.');
  buf.append(frac, frac + len);
}

std::string format_seconds(SimTime t) {
  fmt::memory_buffer buf;
  append_seconds(buf, t.count_micros());
  return fmt::to_string(buf);
}

std::string format_seconds(Duration d) {
  fmt::memory_buffer buf;
  append_seconds(buf, d.count_micros());
  return fmt::to_string(buf);
}

void append_json_escaped(fmt::memory_buffer& buf, std::string_view s) {
  std::size_t start = 0;  // first byte not yet copied
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!needs_escape(c)) continue;
    buf.append(s.data() + start, s.data() + i);
    start = i + 1;
    switch (c) {
      case '"':
        append(buf, "\\\"");
        break;
      case '\\':
        append(buf, "\\\\");
        break;
      case '\n':
        append(buf, "\\n");
        break;
      case '\r':
        append(buf, "\\r");
        break;
      case '\t':
        append(buf, "\\t");
        break;
      case '\b':
        append(buf, "\\b");
        break;
      case '\f':
        append(buf, "\\f");
        break;
      default:
        fmt::format_to(fmt::appender(buf), "\\u{:04x}", static_cast<unsigned char>(c));
    }
  }
  buf.append(s.data() + start, s.data() + s.size());
}

void append_json_string(fmt::memory_buffer& buf, std::string_view s) {
  buf.push_back('"');
  append_json_escaped(buf, s);
  buf.push_back('"');
}

std::string json_quote(std::string_view s) {
  fmt::memory_buffer buf;
  append_json_string(buf, s);
  return fmt::to_string(buf);
}

EventLog::EventLog(ObserverBus& bus, std::ostream& out, const ClusterObjects* objects)
    : out_(&out), objects_(objects) {
  bus.topic<PodRecord>().subscribe([this](const PodRecord& r) { on_pod(r); });
  bus.topic<NodeRecord>().subscribe([this](const NodeRecord& r) { on_node(r); });
  bus.topic<WorkloadRecord>().subscribe([this](const WorkloadRecord& r) { on_workload(r); });
  bus.topic<WriteRejectedRecord>().subscribe(
      [this](const WriteRejectedRecord& r) { on_write_rejected(r); });
  bus.topic<TimelineRecord>().subscribe([this](const TimelineRecord& r) { on_timeline(r); });
  bus.topic<ControlPlaneRecord>().subscribe(
      [this](const ControlPlaneRecord& r) { on_control_plane(r); });
  bus.topic<OperatorRecord>().subscribe([this](const OperatorRecord& r) { on_operator(r); });
}

EventLog::~EventLog() {
  flush();
}

void EventLog::flush() {
  if (buf_.size() > 0) {
    out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
  out_->flush();
}

void EventLog::begin(SimTime t, std::string_view type) {
  append(buf_, "{\"t\":");
  append_seconds(buf_, t.count_micros());
  append(buf_, ",\"type\":\"");
  append(buf_, type);  // enumerator names: nothing to escape
  buf_.push_back('"');
}

void EventLog::key_string(std::string_view key, std::string_view value) {
  buf_.push_back(',');
  buf_.push_back('"');
  append(buf_, key);
  append(buf_, "\":");
  append_json_string(buf_, value);
}

void EventLog::key_int(std::string_view key, int64_t value) {
  buf_.push_back(',');
  buf_.push_back('"');
  append(buf_, key);
  append(buf_, "\":");
  append_int(buf_, value);
}

void EventLog::end() {
  append(buf_, "}\n");
  ++lines_;
  if (buf_.size() >= kFlushBytes) {
    out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
}

uint32_t EventLog::replica_set_of(const Pod& pod) {
  constexpr uint32_t kNone = UINT32_MAX;
  if (objects_ == nullptr || pod.owner.kind != "ReplicaSet") return kNone;
  const auto& sets = objects_->replica_sets;
  if (pod.owner.index < sets.size() && sets[pod.owner.index].metadata.name == pod.owner.name) {
    return pod.owner.index;
  }
  // No (or a stale) index: find the ReplicaSet by name in the pod's namespace.
  for (; replica_sets_indexed_ < sets.size(); ++replica_sets_indexed_) {
    replica_set_index_.emplace(sets[replica_sets_indexed_].metadata.key(),
                               static_cast<uint32_t>(replica_sets_indexed_));
  }
  const auto it = replica_set_index_.find(pod.namespace_ + "/" + pod.owner.name);
  return it == replica_set_index_.end() ? kNone : it->second;
}

const EventLog::DeploymentOf& EventLog::deployment_of(uint32_t rs_index) {
  const ReplicaSet& rs = objects_->replica_sets[rs_index];
  if (rs_index >= deployment_of_.size()) deployment_of_.resize(rs_index + 1);
  DeploymentOf& d = deployment_of_[rs_index];
  // Recomputed only when the ReplicaSet was written since: the annotation
  // lookup and parse would otherwise cost more than the rest of the line.
  if (d.resource_version == rs.metadata.resource_version && d.resource_version != -1) return d;
  d = {};
  d.resource_version = rs.metadata.resource_version;
  d.owned = rs.metadata.owner.kind == "Deployment";
  const auto it = rs.metadata.annotations.find(kRevisionAnnotation);
  if (it != rs.metadata.annotations.end()) {
    const std::string& text = it->second;
    const auto res = std::from_chars(text.data(), text.data() + text.size(), d.revision);
    d.has_revision = res.ec == std::errc() && res.ptr == text.data() + text.size();
  }
  return d;
}

void EventLog::on_pod(const PodRecord& r) {
  begin(r.t, to_string(r.event));
  const Pod& pod = *r.pod;
  // "pod": namespace/name, written without building the key string.
  append(buf_, ",\"pod\":\"");
  append_json_escaped(buf_, pod.namespace_);
  buf_.push_back('/');
  append_json_escaped(buf_, pod.name);
  buf_.push_back('"');
  if (r.node != nullptr) key_string("node", r.node->name);
  if (pod.owner.valid()) {
    append(buf_, ",\"owner\":\"");
    append_json_escaped(buf_, pod.owner.kind);
    buf_.push_back('/');
    append_json_escaped(buf_, pod.owner.name);
    buf_.push_back('"');
  }
  if (const uint32_t rs = replica_set_of(pod); rs != UINT32_MAX) {
    const DeploymentOf& d = deployment_of(rs);
    if (d.owned) {
      key_string("deployment", objects_->replica_sets[rs].metadata.owner.name);
      if (d.has_revision) key_int("revision", d.revision);
    }
  }
  if (!r.detail.empty()) key_string("detail", r.detail);
  end();
}

void EventLog::on_node(const NodeRecord& r) {
  begin(r.t, to_string(r.event));
  key_string("node", r.node->name);
  if (!r.detail.empty()) key_string("detail", r.detail);
  end();
}

void EventLog::on_workload(const WorkloadRecord& r) {
  begin(r.t, to_string(r.event));
  key_string("kind", r.kind);
  append(buf_, ",\"name\":\"");
  append_json_escaped(buf_, r.meta->namespace_);
  buf_.push_back('/');
  append_json_escaped(buf_, r.meta->name);
  buf_.push_back('"');
  key_int("from", r.from);
  key_int("to", r.to);
  if (!r.detail.empty()) key_string("detail", r.detail);
  end();
}

void EventLog::on_write_rejected(const WriteRejectedRecord& r) {
  begin(r.t, "WriteRejected");
  key_string("operation", r.operation);
  key_string("object", r.object);
  key_string("reason", r.reason);
  end();
}

void EventLog::on_timeline(const TimelineRecord& r) {
  begin(r.t, "TimelineEvent");
  key_string("action", r.action);
  key_string("description", r.description);
  end();
}

void EventLog::on_control_plane(const ControlPlaneRecord& r) {
  begin(r.t, to_string(r.event));
  if (r.replica >= 0) key_int("replica", r.replica);
  if (!r.detail.empty()) key_string("detail", r.detail);
  end();
}

void EventLog::on_operator(const OperatorRecord& r) {
  begin(r.t, to_string(r.event));
  key_string("target", r.target);
  if (!r.detail.empty()) key_string("detail", r.detail);
  end();
}

}  // namespace kubesim
