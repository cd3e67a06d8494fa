// `kubesim demo`: an M/M/1 queue on the bare engine, checked against theory.
#pragma once

#include <cstdint>
#include <string>

namespace kubesim::cli {

struct DemoOptions {
  uint64_t seed = 1;
  double arrival_rate = 0.8;  // lambda, per second
  double service_rate = 1.0;  // mu, per second
  std::string duration = "1d";
};

// Runs the demo and prints its report; returns the process exit code.
int run_demo(const DemoOptions& options);

}  // namespace kubesim::cli
