#include "sim/random.h"

#include <cmath>
#include <numbers>

namespace kubesim {
namespace {
__extension__ typedef unsigned __int128 uint128;  // GCC/Clang; __extension__ keeps -Wpedantic quiet
}  // namespace

RandomStream::RandomStream(uint64_t seed) {
  // Seeding as recommended by xoshiro's authors: successive splitmix64 outputs.
  uint64_t x = seed;
  for (uint64_t& word : s_) {
    x += 0x9E3779B97F4A7C15ULL;
    word = splitmix64(x - 0x9E3779B97F4A7C15ULL);
  }
}

uint64_t RandomStream::uniform_int(uint64_t n) {
  // Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS 2019.
  uint128 m = static_cast<uint128>(next_u64()) * n;
  auto low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = -n % n;
    while (low < threshold) {
      m = static_cast<uint128>(next_u64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double RandomStream::exponential(double mean) {
  return -mean * std::log(uniform01_open_zero());
}

double RandomStream::standard_normal() {
  // Box-Muller, one value per call (two uniforms): no cached state, so the
  // number of draws per call is fixed and streams stay easy to reason about.
  const double r = std::sqrt(-2.0 * std::log(uniform01_open_zero()));
  return r * std::cos(2.0 * std::numbers::pi * uniform01());
}

}  // namespace kubesim
