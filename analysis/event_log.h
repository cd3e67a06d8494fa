// EventLog: every record on the observer bus as one line of JSON (JSON Lines),
// the run's stable, greppable trace. docs/events.md documents the schema.
//
//   std::ofstream out("events.jsonl");
//   EventLog log(sim.bus(), out, &api.objects());  // subscribe before running
//   sim.run();
//   log.flush();
//
// Each line is an object whose keys come in a fixed order, starting with "t"
// (simulated seconds, printed exactly from the microsecond clock: 12.5,
// 0.000001, 30) and "type". Lines are formatted with fmt into a buffer that
// is handed to the stream in large blocks: a 30,000-pod run writes ~300,000
// lines, so no JSON library is involved per line.
//
// The log must outlive the publishing (the bus keeps its handlers) and the
// stream must outlive the log.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "models/objects/cluster.h"
#include "models/records.h"
#include "sim/observer.h"
#include "sim/time.h"

namespace kubesim {

class EventLog {
 public:
  // With `objects` (the store the records' pointers point into), lines of
  // Deployment-owned pods also name the Deployment and the revision of the
  // pod's ReplicaSet; without it they do not.
  EventLog(ObserverBus& bus, std::ostream& out, const ClusterObjects* objects = nullptr);
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;
  ~EventLog();  // flushes

  // Hands the buffered lines to the stream and flushes it.
  void flush();
  uint64_t lines_written() const { return lines_; }

  // The handlers, public so that a test (or another sink) can feed records
  // without a bus.
  void on_pod(const PodRecord& r);
  void on_node(const NodeRecord& r);
  void on_workload(const WorkloadRecord& r);
  void on_write_rejected(const WriteRejectedRecord& r);
  void on_timeline(const TimelineRecord& r);
  void on_control_plane(const ControlPlaneRecord& r);
  void on_operator(const OperatorRecord& r);

 private:
  void begin(SimTime t, std::string_view type);
  void key_string(std::string_view key, std::string_view value);
  void key_int(std::string_view key, int64_t value);
  void end();
  // The index of the pod's ReplicaSet in the store, UINT32_MAX if none.
  uint32_t replica_set_of(const Pod& pod);
  struct DeploymentOf {
    int64_t resource_version = -1;  // of the ReplicaSet when computed
    bool owned = false;             // the ReplicaSet belongs to a Deployment
    bool has_revision = false;
    int64_t revision = 0;
  };
  const DeploymentOf& deployment_of(uint32_t rs_index);

  std::ostream* out_;
  const ClusterObjects* objects_;
  fmt::memory_buffer buf_;
  uint64_t lines_ = 0;
  // Fallback lookup of a pod's ReplicaSet by "namespace/name", for owner
  // references without a store index; filled as the store grows.
  std::unordered_map<std::string, uint32_t> replica_set_index_;
  std::size_t replica_sets_indexed_ = 0;
  std::vector<DeploymentOf> deployment_of_;  // per ReplicaSet index
};

// Simulated seconds as exact decimal text: the whole seconds, then the
// microseconds without trailing zeros ("12.5", "0.000001", "30", "-1.25").
std::string format_seconds(SimTime t);
std::string format_seconds(Duration d);
void append_seconds(fmt::memory_buffer& buf, int64_t micros);

// `s` as a quoted JSON string: ", \ and control characters escaped (\n, \t,
// \u001f, ...); other bytes, UTF-8 included, are copied.
std::string json_quote(std::string_view s);
void append_json_string(fmt::memory_buffer& buf, std::string_view s);
// The same without the quotes.
void append_json_escaped(fmt::memory_buffer& buf, std::string_view s);

}  // namespace kubesim
