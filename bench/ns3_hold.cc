#include "bench/ns3_hold.h"

#include <cmath>
#include <memory>

#include <ns3/core-module.h>

#include "sim/random.h"

namespace kubesim::bench {
namespace {

std::unique_ptr<RandomStream> g_rng;  // ns-3 is itself a global singleton
int64_t g_left = 0;

// Exp(1 s) in microseconds, rounded as Duration::from_seconds does.
int64_t exp1_us() {
  return static_cast<int64_t>(std::round(g_rng->exponential(1.0) * 1e6));
}

void fire() {
  if (--g_left == 0) ns3::Simulator::Stop();
  ns3::Simulator::Schedule(ns3::MicroSeconds(exp1_us()), &fire);
}

}  // namespace

void ns3_hold_setup(const char* scheduler, int n, uint64_t seed) {
  ns3::Simulator::Destroy();
  ns3::ObjectFactory factory;
  factory.SetTypeId(scheduler);
  ns3::Simulator::SetScheduler(factory);
  g_rng = std::make_unique<RandomStream>(seed);
  g_left = -1;
  for (int i = 0; i < n; ++i)
    ns3::Simulator::Schedule(ns3::MicroSeconds(exp1_us()), &fire);
}

void ns3_hold_run(int64_t batch) {
  g_left = batch;
  ns3::Simulator::Run();  // the batch's last event calls Simulator::Stop()
}

void ns3_hold_teardown() {
  ns3::Simulator::Destroy();
  g_rng.reset();
}

}  // namespace kubesim::bench
