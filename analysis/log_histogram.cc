#include "analysis/log_histogram.h"

#include <algorithm>
#include <cmath>

namespace kubesim {
namespace {

constexpr double kGamma =
    (1 + LogHistogram::kRelativeAccuracy) / (1 - LogHistogram::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
// Extra buckets on the side a vector grows: a run's latencies drift a little,
// and each growth copies the vector.
constexpr int32_t kSlack = 16;
constexpr int64_t kMillion = 1'000'000;

}  // namespace

int32_t LogHistogram::bucket_of(int64_t micros) {
  // ceil(log_gamma(x)): gamma^(i-1) < x <= gamma^i. At an exact power of gamma
  // the floating-point logarithm may land one bucket up; the estimate is then
  // off by a (1 + 1e-15) instead of a.
  return static_cast<int32_t>(std::ceil(std::log(static_cast<double>(micros)) / kLogGamma));
}

double LogHistogram::estimate_micros(int32_t bucket) {
  return 2 * std::exp(static_cast<double>(bucket) * kLogGamma) / (kGamma + 1);
}

void LogHistogram::cover(int32_t bucket) {
  const auto size = static_cast<int32_t>(buckets_.size());
  if (size == 0) {
    first_ = bucket;
    buckets_.assign(1, 0);
    return;
  }
  if (bucket < first_) {
    const int32_t new_first = std::max(bucket - kSlack, 0);
    buckets_.insert(buckets_.begin(), static_cast<std::size_t>(first_ - new_first), 0);
    first_ = new_first;
  } else if (bucket >= first_ + size) {
    buckets_.resize(static_cast<std::size_t>(bucket - first_ + 1 + kSlack), 0);
  }
}

void LogHistogram::add(Duration d, int64_t n) {
  if (n <= 0) return;
  const int64_t x = std::max<int64_t>(d.count_micros(), 0);
  if (count_ == 0) {
    min_us_ = max_us_ = x;
  } else {
    min_us_ = std::min(min_us_, x);
    max_us_ = std::max(max_us_, x);
  }
  count_ += n;
  sum_us_ += x * n;
  if (x == 0) {
    zeros_ += n;
    return;
  }
  const int32_t b = bucket_of(x);
  cover(b);
  buckets_[static_cast<std::size_t>(b - first_)] += n;
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_us_ = other.min_us_;
    max_us_ = other.max_us_;
  } else {
    min_us_ = std::min(min_us_, other.min_us_);
    max_us_ = std::max(max_us_, other.max_us_);
  }
  count_ += other.count_;
  sum_us_ += other.sum_us_;
  zeros_ += other.zeros_;
  for (std::size_t i = 0; i < other.buckets_.size(); ++i) {
    if (other.buckets_[i] == 0) continue;
    const int32_t b = other.first_ + static_cast<int32_t>(i);
    cover(b);
    buckets_[static_cast<std::size_t>(b - first_)] += other.buckets_[i];
  }
}

void LogHistogram::clear() {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = sum_us_ = min_us_ = max_us_ = zeros_ = 0;
}

std::optional<double> LogHistogram::mean_seconds() const {
  if (count_ == 0) return std::nullopt;
  return static_cast<double>(sum_us_) / static_cast<double>(count_) / 1e6;
}

std::optional<double> LogHistogram::quantile_seconds(double q) const {
  if (count_ == 0) return std::nullopt;
  // rank = ceil(ppm * n / 1e6) in integers, without overflow: n = a * 1e6 + b.
  const int64_t ppm = std::llround(std::clamp(q, 0.0, 1.0) * 1e6);
  const int64_t a = count_ / kMillion, b = count_ % kMillion;
  const int64_t rank =
      std::clamp<int64_t>(a * ppm + (b * ppm + kMillion - 1) / kMillion, 1, count_);
  if (rank <= zeros_) return 0.0;
  int64_t seen = zeros_;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen < rank) continue;
    // Clamping into [min, max] can only move the estimate toward the true
    // value, which lies in that range.
    const double e = estimate_micros(first_ + static_cast<int32_t>(i));
    return std::clamp(e, static_cast<double>(min_us_), static_cast<double>(max_us_)) / 1e6;
  }
  return static_cast<double>(max_us_) / 1e6;  // not reached: the counts add up to count_
}

}  // namespace kubesim
