// Random streams: one root seed per run; every component draws from its own
// named stream, derived from (seed, name) alone, so adding a component or a
// draw in one stream never changes another stream's numbers.
//
//   RandomStream& rng = ctx.rng("scheduler");
//   double u = rng.uniform01();
//   uint64_t k = rng.uniform_int(n);   // in [0, n)
//
// The generator is xoshiro256** (Blackman & Vigna), seeded through splitmix64.
// Every transformation (exponential, normal, ...) is implemented here, not
// taken from <random>, whose distributions differ between standard libraries:
// the same seed gives the same numbers with every compiler.
#pragma once

#include <cstdint>
#include <string_view>

namespace kubesim {

// splitmix64's output function (Steele, Lea & Flood 2014): a bijective mixer.
constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// FNV-1a over the bytes of s.
constexpr uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

// The seed of stream `name` under root seed `seed`.
constexpr uint64_t derive_stream_seed(uint64_t seed, std::string_view name) {
  return splitmix64(splitmix64(seed) ^ fnv1a64(name));
}

class RandomStream {
 public:
  explicit RandomStream(uint64_t seed);
  // A stream with the generator's raw state (for reference tests); not all zero.
  static RandomStream from_state(const uint64_t (&state)[4]) {
    RandomStream r(0);
    for (int i = 0; i < 4; ++i)
      r.s_[i] = state[i];
    return r;
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1]: safe under log().
  double uniform01_open_zero() { return 1.0 - uniform01(); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Uniform integer in [0, n), unbiased (Lemire 2019). n must be > 0.
  uint64_t uniform_int(uint64_t n);
  bool bernoulli(double p) { return uniform01() < p; }
  double exponential(double mean);
  double standard_normal();

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace kubesim
