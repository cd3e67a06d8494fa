// Simulated time: strong types over int64 microseconds. No floating-point time.
//
//   Duration d = *parse_duration("1.5s");        // 1'500'000 us
//   SimTime t = SimTime::zero() + d;
//   to_string(Duration::minutes(5));            // "5m"
//
// Durations parse as Go's time.ParseDuration does (which Kubernetes uses for
// metav1.Duration), restricted to microsecond resolution and extended with
// days: "250ms", "1.5s", "10s", "5m", "2h", "1d", "1h30m", "0".
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>

#include "sim/expected.h"

namespace kubesim {

class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration micros(int64_t us) { return Duration(us); }
  static constexpr Duration millis(int64_t ms) { return Duration(ms * 1'000); }
  static constexpr Duration seconds(int64_t s) { return Duration(s * 1'000'000); }
  static constexpr Duration minutes(int64_t m) { return seconds(m * 60); }
  static constexpr Duration hours(int64_t h) { return minutes(h * 60); }
  static constexpr Duration days(int64_t d) { return hours(d * 24); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(std::numeric_limits<int64_t>::max()); }
  // Rounds to the nearest microsecond; saturates at +-max().
  static Duration from_seconds(double s);

  constexpr int64_t count_micros() const { return us_; }
  constexpr double to_seconds() const { return static_cast<double>(us_) * 1e-6; }

  constexpr auto operator<=>(const Duration&) const = default;
  constexpr Duration operator+(Duration o) const { return Duration(us_ + o.us_); }
  constexpr Duration operator-(Duration o) const { return Duration(us_ - o.us_); }
  constexpr Duration operator-() const { return Duration(-us_); }
  constexpr Duration operator*(int64_t k) const { return Duration(us_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(us_ / k); }
  constexpr int64_t operator/(Duration o) const { return us_ / o.us_; }
  constexpr Duration operator%(Duration o) const { return Duration(us_ % o.us_); }
  constexpr Duration& operator+=(Duration o) {
    us_ += o.us_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    us_ -= o.us_;
    return *this;
  }

 private:
  constexpr explicit Duration(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// A point in simulated time, measured from the start of the run.
class SimTime {
 public:
  constexpr SimTime() = default;
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime from_micros(int64_t us) { return SimTime(us); }
  // The far future: "never". Adding to it is the caller's responsibility.
  static constexpr SimTime max() { return SimTime(std::numeric_limits<int64_t>::max()); }

  constexpr int64_t count_micros() const { return us_; }
  constexpr double to_seconds() const { return static_cast<double>(us_) * 1e-6; }
  constexpr Duration since_start() const { return Duration::micros(us_); }

  constexpr auto operator<=>(const SimTime&) const = default;
  constexpr SimTime operator+(Duration d) const { return SimTime(us_ + d.count_micros()); }
  constexpr SimTime operator-(Duration d) const { return SimTime(us_ - d.count_micros()); }
  constexpr Duration operator-(SimTime o) const { return Duration::micros(us_ - o.us_); }
  constexpr SimTime& operator+=(Duration d) {
    us_ += d.count_micros();
    return *this;
  }

 private:
  constexpr explicit SimTime(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// Parses "250ms", "1.5s", "1h30m", "1d", "0". Units: us (or µs), ms, s, m, h, d.
// Errors name the text: `invalid duration "10x": unknown unit "x" ...`.
Expected<Duration> parse_duration(std::string_view text);

// Shortest exact form in the largest unit that divides it: "5m", "1.5s", "250ms".
// parse_duration(to_string(d)) == d for every d.
std::string to_string(Duration d);
// A time prints as its offset from the start, e.g. "20m".
std::string to_string(SimTime t);

std::ostream& operator<<(std::ostream& os, Duration d);
std::ostream& operator<<(std::ostream& os, SimTime t);

}  // namespace kubesim
