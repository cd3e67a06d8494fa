#include "analysis/event_log.h"

#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/simulation.h"

using namespace kubesim;

namespace {

SimTime at_us(int64_t us) {
  return SimTime::from_micros(us);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// A node, a Deployment "web" at revision 3 with its ReplicaSet, and one pod
// of that ReplicaSet, as the controllers would leave them.
struct Fixture {
  ClusterObjects objects;
  const Node* node;
  const Pod* pod;
  Fixture() {
    Node n;
    n.name = "general-0";
    node = &objects.nodes[objects.add_node(n).value];
    Deployment d;
    d.metadata.name = "web";
    objects.deployments.push_back(d);
    ReplicaSet rs;
    rs.metadata.name = "web-7d4b9";
    rs.metadata.owner = {"Deployment", "web", 0};
    rs.metadata.annotations["deployment.kubernetes.io/revision"] = "3";
    objects.replica_sets.push_back(rs);
    Pod p;
    p.name = "web-7d4b9-x2k4z";
    p.owner = {"ReplicaSet", "web-7d4b9", 0};
    pod = &objects.pods[objects.add_pod(p).value];
  }
};

}  // namespace

TEST_CASE("event log: times print exactly from microseconds") {
  CHECK(format_seconds(at_us(12'500'000)) == "12.5");
  CHECK(format_seconds(at_us(1)) == "0.000001");
  CHECK(format_seconds(at_us(30'000'000)) == "30");
  CHECK(format_seconds(at_us(0)) == "0");
  CHECK(format_seconds(at_us(1'000'001)) == "1.000001");
  CHECK(format_seconds(at_us(123'450'000)) == "123.45");
  CHECK(format_seconds(at_us(100'000)) == "0.1");  // a double would be fine here...
  // ...but not here: 2^53 + 1 microseconds has no exact double.
  CHECK(format_seconds(at_us(9'007'199'254'740'993)) == "9007199254.740993");
  CHECK(format_seconds(SimTime::max()) == "9223372036854.775807");
  CHECK(format_seconds(Duration::micros(-1'250'000)) == "-1.25");
  CHECK(format_seconds(Duration::micros(INT64_MIN)) == "-9223372036854.775808");
}

TEST_CASE("event log: strings are escaped as JSON") {
  CHECK(json_quote("plain") == R"("plain")");
  CHECK(json_quote("") == R"("")");
  CHECK(json_quote("say \"hi\"") == R"("say \"hi\"")");
  CHECK(json_quote("a\\b") == R"("a\\b")");
  CHECK(json_quote("1\n2\r3\t4\b5\f") == R"("1\n2\r3\t4\b5\f")");
  CHECK(json_quote(std::string("nul\0x\x1f", 6)) == R"("nul\u0000x\u001f")");
  CHECK(json_quote("zone-é/ü") == "\"zone-é/ü\"");  // UTF-8 is copied as is
  // Every ASCII character round-trips through a JSON parser.
  std::string all;
  for (int c = 0; c < 128; ++c)
    all.push_back(static_cast<char>(c));
  CHECK(nlohmann::json::parse(json_quote(all)).get<std::string>() == all);
}

TEST_CASE("event log: pod lines have their keys in the documented order") {
  Fixture f;
  Simulation sim(1);
  std::ostringstream out;
  {
    EventLog log(sim.bus(), out, &f.objects);
    auto& pods = sim.bus().topic<PodRecord>();
    pods.publish({at_us(0), PodEvent::kCreated, f.pod});
    pods.publish({at_us(1'500'000), PodEvent::kScheduled, f.pod, f.node});
    pods.publish({at_us(2'000'000), PodEvent::kFailed, f.pod, f.node, "OOMKilled: \"out\""});
    CHECK(log.lines_written() == 3);
  }  // destruction flushes
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == R"({"t":0,"type":"PodCreated","pod":"default/web-7d4b9-x2k4z",)"
                    R"("owner":"ReplicaSet/web-7d4b9","deployment":"web","revision":3})");
  CHECK(lines[1] ==
        R"({"t":1.5,"type":"PodScheduled","pod":"default/web-7d4b9-x2k4z","node":"general-0",)"
        R"("owner":"ReplicaSet/web-7d4b9","deployment":"web","revision":3})");
  CHECK(lines[2] ==
        R"({"t":2,"type":"PodFailed","pod":"default/web-7d4b9-x2k4z","node":"general-0",)"
        R"("owner":"ReplicaSet/web-7d4b9","deployment":"web","revision":3,)"
        R"("detail":"OOMKilled: \"out\""})");
}

TEST_CASE("event log: pods without an owner or a Deployment name neither") {
  Fixture f;
  Pod bare;
  bare.name = "db-0";
  bare.namespace_ = "data";
  const Pod* db = &f.objects.pods[f.objects.add_pod(bare).value];
  Pod job_pod;
  job_pod.name = "report-abcde";
  job_pod.owner = {"Job", "report", 0};
  const Pod* jp = &f.objects.pods[f.objects.add_pod(job_pod).value];
  ObserverBus bus;
  std::ostringstream out;
  EventLog log(bus, out, &f.objects);
  log.on_pod({at_us(5), PodEvent::kCreated, db});
  log.on_pod({at_us(6), PodEvent::kStarted, jp, f.node});
  CHECK(out.str().empty());  // buffered until flush
  log.flush();
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == R"({"t":0.000005,"type":"PodCreated","pod":"data/db-0"})");
  CHECK(lines[1] ==
        R"({"t":0.000006,"type":"PodStarted","pod":"default/report-abcde","node":"general-0",)"
        R"("owner":"Job/report"})");
}

TEST_CASE("event log: a ReplicaSet is found by name when the owner has no index") {
  Fixture f;
  Pod p;
  p.name = "web-7d4b9-q8r2m";
  p.owner = {"ReplicaSet", "web-7d4b9", UINT32_MAX};
  const Pod* pod = &f.objects.pods[f.objects.add_pod(p).value];
  ObserverBus bus;
  std::ostringstream out;
  {
    EventLog log(bus, out, &f.objects);
    bus.topic<PodRecord>().publish({at_us(0), PodEvent::kCreated, pod});
  }
  CHECK(out.str() == R"({"t":0,"type":"PodCreated","pod":"default/web-7d4b9-q8r2m",)"
                     R"("owner":"ReplicaSet/web-7d4b9","deployment":"web","revision":3})"
                     "\n");
}

TEST_CASE("event log: without the object store, no deployment or revision") {
  Fixture f;
  ObserverBus bus;
  std::ostringstream out;
  {
    EventLog log(bus, out);
    bus.topic<PodRecord>().publish({at_us(0), PodEvent::kCreated, f.pod});
  }
  CHECK(out.str() == R"({"t":0,"type":"PodCreated","pod":"default/web-7d4b9-x2k4z",)"
                     R"("owner":"ReplicaSet/web-7d4b9"})"
                     "\n");
}

TEST_CASE("event log: node, workload, rejected-write and timeline lines") {
  Fixture f;
  ObserverBus bus;
  std::ostringstream out;
  {
    EventLog log(bus, out, &f.objects);
    bus.topic<NodeRecord>().publish({at_us(1), NodeEvent::kCordoned, f.node});
    bus.topic<NodeRecord>().publish({at_us(2), NodeEvent::kDrained, f.node, "2 pods evicted"});
    bus.topic<WorkloadRecord>().publish({at_us(3'000'000), WorkloadEvent::kScaled, "Deployment",
                                         &f.objects.deployments[0].metadata, 6, 10});
    bus.topic<WorkloadRecord>().publish({at_us(4'000'000), WorkloadEvent::kJobFailed, "Job",
                                         &f.objects.deployments[0].metadata, 0, 6,
                                         "BackoffLimitExceeded"});
    bus.topic<WriteRejectedRecord>().publish(
        {at_us(60'000'000), "bind", "default/web-7d4b9-x2k4z", "would over-commit the node's cpu"});
    bus.topic<TimelineRecord>().publish(
        {at_us(90'250'000), "scale", "deployment default/web to 10 replicas"});
  }
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == R"({"t":0.000001,"type":"NodeCordoned","node":"general-0"})");
  CHECK(lines[1] ==
        R"({"t":0.000002,"type":"NodeDrained","node":"general-0","detail":"2 pods evicted"})");
  CHECK(lines[2] ==
        R"({"t":3,"type":"Scaled","kind":"Deployment","name":"default/web","from":6,"to":10})");
  CHECK(lines[3] == R"({"t":4,"type":"JobFailed","kind":"Job","name":"default/web","from":0,)"
                    R"("to":6,"detail":"BackoffLimitExceeded"})");
  CHECK(lines[4] == R"({"t":60,"type":"WriteRejected","operation":"bind",)"
                    R"("object":"default/web-7d4b9-x2k4z",)"
                    R"("reason":"would over-commit the node's cpu"})");
  CHECK(lines[5] == R"({"t":90.25,"type":"TimelineEvent","action":"scale",)"
                    R"("description":"deployment default/web to 10 replicas"})");
}

TEST_CASE("event log: many lines all parse, in order, across buffer flushes") {
  Fixture f;
  ObserverBus bus;
  std::ostringstream out;
  constexpr int kLines = 20'000;  // ~2 MB: many internal flushes
  {
    EventLog log(bus, out, &f.objects);
    for (int i = 0; i < kLines; ++i)
      bus.topic<PodRecord>().publish({at_us(i * 7), PodEvent::kReady, f.pod, f.node});
  }
  const auto lines = lines_of(out.str());
  REQUIRE(lines.size() == kLines);
  for (int i = 0; i < kLines; i += 997) {
    const auto j = nlohmann::json::parse(lines[i]);
    CHECK(j["t"].get<double>() == Approx(i * 7e-6));
    CHECK(j["type"] == "PodReady");
  }
}
