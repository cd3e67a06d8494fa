#include "analysis/log_histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

using namespace kubesim;

namespace {

constexpr double kA = LogHistogram::kRelativeAccuracy;
// The bound is a exactly in real arithmetic (log_histogram.h); the logarithm
// and exponential in doubles add a relative error of a few 1e-16, so the
// checks allow a * (1 + 1e-9).
constexpr double kBound = kA * (1 + 1e-9);

// Nearest rank ceil(ppm * n / 1e6) (at least 1) of the ascending `sorted`:
// the definition the histogram promises, computed exactly.
int64_t true_value(const std::vector<int64_t>& sorted, int64_t ppm) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t rank = std::clamp<int64_t>((ppm * n + 999'999) / 1'000'000, 1, n);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

double relative_error(double estimate_seconds, int64_t true_micros) {
  const double t = static_cast<double>(true_micros) / 1e6;
  return t == 0 ? std::abs(estimate_seconds) : std::abs(estimate_seconds - t) / t;
}

}  // namespace

TEST_CASE("log histogram: every bucket's estimate is within a of each value in it") {
  // The estimate of bucket i, 2 gamma^i / (gamma + 1), is off by
  // (gamma - 1) / (gamma + 1) = a at both ends of (gamma^(i-1), gamma^i] and
  // by less inside: check every microsecond up to 100 ms (the buckets there
  // hold few integers, so their ends are hit), then powers of 1.1 up to 30
  // days.
  for (int64_t x = 1; x <= 100'000; ++x) {
    const double e = LogHistogram::estimate_micros(LogHistogram::bucket_of(x));
    REQUIRE(std::abs(e - static_cast<double>(x)) / static_cast<double>(x) <= kBound);
  }
  const auto month = static_cast<double>(Duration::days(30).count_micros());
  for (double v = 1e5; v < month; v *= 1.1) {
    const auto x = static_cast<int64_t>(v);
    const double e = LogHistogram::estimate_micros(LogHistogram::bucket_of(x));
    REQUIRE(std::abs(e - static_cast<double>(x)) / static_cast<double>(x) <= kBound);
  }
}

TEST_CASE("log histogram: quantiles are within 1% of exact nearest-rank percentiles") {
  // Why it must hold: the value of rank r lies in some bucket B; the counts
  // below B are the values smaller than B's lower end, fewer than r, and with
  // B's they are at least r, so the walk over cumulative counts stops at B and
  // returns B's estimate, within a of every value in B (previous test).
  // Lognormal latencies (median 10 ms, sigma 2: from ~20 us to ~30 s), some
  // zeros, several sample sizes (the rank arithmetic at n = 1 and odd n).
  std::mt19937_64 rng(20190601);
  std::lognormal_distribution<double> latency(std::log(10'000.0), 2.0);
  for (const int n : {1, 7, 1'000, 100'001}) {
    std::vector<int64_t> micros;
    LogHistogram h;
    for (int i = 0; i < n; ++i) {
      const int64_t x = i % 50 == 3 ? 0 : std::llround(latency(rng));
      micros.push_back(x);
      h.add(Duration::micros(x));
    }
    std::sort(micros.begin(), micros.end());
    for (const int64_t ppm :
         {0, 1'000, 10'000, 250'000, 500'000, 900'000, 990'000, 999'000, 999'900, 1'000'000}) {
      INFO("n = " << n << ", q = " << static_cast<double>(ppm) / 1e6);
      const double q = static_cast<double>(ppm) / 1e6;
      REQUIRE(relative_error(*h.quantile_seconds(q), true_value(micros, ppm)) <= kBound);
    }
  }
}

TEST_CASE("log histogram: count, exact sum and mean, min, max, zeros") {
  LogHistogram h;
  CHECK(h.empty());
  CHECK_FALSE(h.mean_seconds());
  CHECK_FALSE(h.quantile_seconds(0.5));
  // 0 + 1 ms + 2 ms + 3 ms + 994 ms = 1 s over 5 values: mean 0.2 s, exactly
  // (from the sum, not the buckets). A negative duration counts as 0.
  for (const int64_t ms : {0, 1, 2, 3, 994})
    h.add(Duration::millis(ms));
  CHECK(h.count() == 5);
  CHECK(h.sum() == Duration::seconds(1));
  CHECK(*h.mean_seconds() == 0.2);
  CHECK(h.min() == Duration::zero());
  CHECK(h.max() == Duration::millis(994));
  // Rank ceil(0.2 * 5) = 1 is the zero: exact, not an estimate.
  CHECK(*h.quantile_seconds(0.2) == 0);
  // Rank 5 is 994 ms; the estimate of its bucket may be above it, but never
  // above the max seen.
  CHECK(*h.quantile_seconds(1) <= 0.994);
  CHECK(*h.quantile_seconds(1) == Approx(0.994).epsilon(kA));
  h.add(Duration::micros(-5));
  CHECK(h.count() == 6);
  CHECK(*h.quantile_seconds(2.0 / 6) == 0);  // rank 2: the second zero
}

TEST_CASE("log histogram: q = 0.999 of 1,000 values is rank 999, not 1,000") {
  // 0.999 * 1000 is 999.0000000000001 in doubles; its ceiling would pick the
  // 1,000th value. 999 values of 1 ms and one of 1 s tell the two apart.
  LogHistogram h;
  h.add(Duration::millis(1), 999);
  h.add(Duration::seconds(1));
  CHECK(*h.quantile_seconds(0.999) == Approx(0.001).epsilon(kA));
  CHECK(*h.quantile_seconds(1.0) == Approx(1.0).epsilon(kA));
}

TEST_CASE("log histogram: merge is the same as adding every value") {
  // Two histograms with disjoint ranges (the second grows the merged vector
  // on both sides) against one that saw every value.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> small(1, 5'000), large(1'000'000, 50'000'000);
  LogHistogram a, b, all;
  for (int i = 0; i < 2'000; ++i) {
    const auto x = Duration::micros(i % 2 == 0 ? large(rng) : small(rng));
    (i < 700 ? a : b).add(x);
    all.add(x);
  }
  a.merge(b);
  CHECK(a.count() == all.count());
  CHECK(a.sum() == all.sum());
  CHECK(a.min() == all.min());
  CHECK(a.max() == all.max());
  for (const double q : {0.0, 0.1, 0.5, 0.77, 0.99, 1.0})
    CHECK(*a.quantile_seconds(q) == *all.quantile_seconds(q));
  // Merging an empty histogram changes nothing; merging into one copies.
  a.merge(LogHistogram{});
  CHECK(a.count() == all.count());
  LogHistogram c;
  c.merge(all);
  CHECK(*c.quantile_seconds(0.5) == *all.quantile_seconds(0.5));
}

TEST_CASE("log histogram: clear forgets the values") {
  LogHistogram h;
  h.add(Duration::seconds(5));
  h.clear();
  CHECK(h.empty());
  CHECK(h.sum() == Duration::zero());
  CHECK_FALSE(h.quantile_seconds(0.5));
  // After clear, a small value is the only one: estimates come from it alone.
  h.add(Duration::micros(100));
  CHECK(*h.quantile_seconds(1) == Approx(100e-6).epsilon(kA));
  CHECK(h.max() == Duration::micros(100));
}
