// LogHistogram: a latency histogram whose quantiles have a bounded relative
// error, after DDSketch (Masson, Rim and Lee, "DDSketch: A Fast and
// Fully-Mergeable Quantile Sketch with Relative-Error Guarantees", VLDB 2019).
//
//   LogHistogram h;
//   h.add(Duration::millis(12));   // O(1): one logarithm and an increment
//   h.quantile_seconds(0.99);      // within 1% of the true nearest-rank p99
//   h.mean_seconds();              // exact: from the sum of the values
//   total.merge(h);                // exact: bucket-wise addition
//
// Bucket i holds the values x (in microseconds) with gamma^(i-1) < x <= gamma^i,
// gamma = (1 + a) / (1 - a), a = kRelativeAccuracy = 1%. Its estimate is
// 2 gamma^i / (gamma + 1); for any x in the bucket the error |estimate - x| / x
// is largest at the bucket's two ends, where it equals (gamma - 1) / (gamma + 1)
// = a. The bucket that holds the true value of a rank is the bucket the
// histogram picks for that rank (buckets are ordered as the values), so every
// quantile estimate is within a of the true value (DDSketch, Proposition 3).
// Zero (a request answered at once) has its own exact bucket. Durations are
// whole microseconds, so values run from 1 us to the int64 limit (292,000
// years) without clamping: at most ~2,200 buckets, kept as one dense vector
// over the range of indexes seen.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/time.h"

namespace kubesim {

class LogHistogram {
 public:
  static constexpr double kRelativeAccuracy = 0.01;

  // A negative duration counts as zero.
  void add(Duration d) { add(d, 1); }
  void add(Duration d, int64_t n);
  // Adds every value of `other`: the same as adding them one by one.
  void merge(const LogHistogram& other);
  // Forgets every value; keeps the memory for the next ones.
  void clear();

  int64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Exact.
  Duration sum() const { return Duration::micros(sum_us_); }
  Duration min() const { return Duration::micros(min_us_); }  // 0 when empty
  Duration max() const { return Duration::micros(max_us_); }
  std::optional<double> mean_seconds() const;
  // The value of nearest rank ceil(q * count) (at least 1), q in [0, 1]
  // resolved to 1e-6 (so that 0.999 of 1,000 values is rank 999, not 1,000
  // from the rounding of 0.999 * 1000), within kRelativeAccuracy of the
  // true value, and within [min(), max()]. Empty when the histogram is.
  std::optional<double> quantile_seconds(double q) const;

  // The bucket a value of `micros` > 0 falls in, and its estimate in
  // microseconds (for tests).
  static int32_t bucket_of(int64_t micros);
  static double estimate_micros(int32_t bucket);

 private:
  void cover(int32_t bucket);  // grows buckets_ so that it holds `bucket`

  int64_t count_ = 0;
  int64_t sum_us_ = 0;
  int64_t min_us_ = 0, max_us_ = 0;
  int64_t zeros_ = 0;
  int32_t first_ = 0;  // the bucket index of buckets_[0]
  std::vector<int64_t> buckets_;
};

}  // namespace kubesim
