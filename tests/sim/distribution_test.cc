#include "sim/distribution.h"

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

using namespace kubesim;

namespace {

// Raw moments E[X], E[X^2], E[X^3], E[X^4] of the distribution under test.
struct Moments {
  double m1, m2, m3, m4;
  double mean() const { return m1; }
  double variance() const { return m2 - m1 * m1; }
  // Fourth central moment, expanded from the raw moments.
  double mu4() const { return m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1; }
};

// Draws n samples and checks the sample mean and variance against theory.
// Bounds: the sample mean has standard error sqrt(var / n); the sample
// variance has standard error sqrt((mu4 - var^2) / n) (large-n). We allow 5
// standard errors: a correct generator fails with probability < 1e-6 per check
// (and the seed is fixed, so the test is deterministic anyway).
void check_moments(const Distribution& d, const Moments& m, uint64_t seed) {
  constexpr int n = 200'000;
  RandomStream rng(seed);
  double sum = 0, sum_sq = 0;
  std::vector<double> xs(n);
  for (double& x : xs) {
    x = d.sample(rng);
    sum += x;
  }
  const double mean = sum / n;
  for (double x : xs)
    sum_sq += (x - mean) * (x - mean);
  const double var = sum_sq / (n - 1);
  INFO(d.describe() << " sample mean " << mean << " var " << var);
  CHECK(d.mean() == Approx(m.mean()).epsilon(1e-12));
  CHECK(d.variance() == Approx(m.variance()).epsilon(1e-9));
  CHECK(std::abs(mean - m.mean()) <= 5 * std::sqrt(m.variance() / n));
  CHECK(std::abs(var - m.variance()) <= 5 * std::sqrt((m.mu4() - m.variance() * m.variance()) / n));
}

}  // namespace

TEST_CASE("distribution: sample means and variances match theory") {
  SECTION("exponential, mean 2: E[X^k] = k! 2^k") {
    check_moments(*Distribution::exponential(2), {2, 8, 48, 384}, 1);
  }
  SECTION("uniform(1, 3): E[X^k] = (3^(k+1) - 1) / (2 (k+1))") {
    check_moments(*Distribution::uniform(1, 3), {2, 26.0 / 6, 80.0 / 8, 242.0 / 10}, 2);
  }
  SECTION(
      "normal(10, 2): E[X^2] = 104, E[X^3] = 1000 + 3*10*4 = 1120, E[X^4] = 10^4 + 6*100*4 + "
      "3*16") {
    check_moments(*Distribution::normal(10, 2), {10, 104, 1120, 10'000 + 2'400 + 48}, 3);
  }
  SECTION("lognormal(median 1, sigma 0.5): E[X^k] = exp(k^2 sigma^2 / 2)") {
    const auto raw = [](int k) { return std::exp(k * k * 0.25 / 2); };
    check_moments(*Distribution::lognormal(1, 0.5), {raw(1), raw(2), raw(3), raw(4)}, 4);
  }
  SECTION("weibull(shape 1.5, scale 2): E[X^k] = 2^k Gamma(1 + k/1.5)") {
    const auto raw = [](int k) { return std::pow(2.0, k) * std::tgamma(1 + k / 1.5); };
    check_moments(*Distribution::weibull(1.5, 2), {raw(1), raw(2), raw(3), raw(4)}, 5);
  }
  SECTION("empirical {1, 2, 6}: E[X^k] = (1 + 2^k + 6^k) / 3") {
    const auto raw = [](int k) { return (1 + std::pow(2.0, k) + std::pow(6.0, k)) / 3; };
    check_moments(*Distribution::empirical({1, 2, 6}), {raw(1), raw(2), raw(3), raw(4)}, 6);
  }
}

TEST_CASE("distribution: deterministic always returns its value") {
  RandomStream rng(1);
  const Distribution d = *Distribution::deterministic(2.5);
  for (int i = 0; i < 10; ++i)
    CHECK(d.sample(rng) == 2.5);
  CHECK(d.variance() == 0);
}

TEST_CASE("distribution: bad parameters are errors naming the parameter") {
  CHECK(Distribution::exponential(0).error().message == "exponential: mean must be > 0");
  CHECK_FALSE(Distribution::exponential(-1).ok());
  CHECK_FALSE(Distribution::uniform(3, 1).ok());
  CHECK_FALSE(Distribution::normal(0, -1).ok());
  CHECK(Distribution::lognormal(0, 1).error().message.find("median") != std::string::npos);
  CHECK(Distribution::weibull(0, 1).error().message.find("shape") != std::string::npos);
  CHECK(Distribution::weibull(1, 0).error().message.find("scale") != std::string::npos);
  CHECK_FALSE(Distribution::empirical({}).ok());
  CHECK_FALSE(Distribution::deterministic(NAN).ok());
}

TEST_CASE("distribution: the scenario syntax parses durations") {
  auto e = parse_duration_distribution("exponential(10ms)");
  REQUIRE(e.ok());
  CHECK(e->in_seconds().kind() == Distribution::Kind::kExponential);
  CHECK(e->in_seconds().mean() == Approx(0.01));
  CHECK(parse_duration_distribution("fixed(2s)")->mean() == Duration::seconds(2));
  CHECK(parse_duration_distribution("uniform(1s, 3s)")->mean() == Duration::seconds(2));
  CHECK(parse_duration_distribution("normal(1s, 100ms)")->in_seconds().variance() == Approx(0.01));
  // lognormal(median 1 s, sigma 0.5): mean = e^(0.125) s.
  CHECK(parse_duration_distribution("lognormal(1s, 0.5)")->in_seconds().mean() ==
        Approx(std::exp(0.125)));
  // weibull(1.5, 2h): mean = 7200 Gamma(1 + 1/1.5) s.
  CHECK(parse_duration_distribution("weibull(1.5, 2h)")->in_seconds().mean() ==
        Approx(7200 * std::tgamma(1 + 1 / 1.5)));
  const SampleLoader loader = [](std::string_view path) -> Expected<std::vector<double>> {
    if (path == "s.csv") return std::vector<double>{1, 3};
    return Error{"cannot open " + std::string(path)};
  };
  CHECK(parse_duration_distribution("empirical(s.csv)", loader)->mean() == Duration::seconds(2));
}

TEST_CASE("distribution: bad distribution strings name the text and the problem") {
  const auto msg = [](const char* text) {
    return parse_duration_distribution(text).error().message;
  };
  CHECK(msg("exponential(10)").find("missing unit") != std::string::npos);
  CHECK(msg("exponential(0s)").find("mean must be > 0") != std::string::npos);
  CHECK(msg("gamma(1s)").find("unknown distribution \"gamma\"") != std::string::npos);
  CHECK(msg("uniform(1s)").find("wrong number of arguments") != std::string::npos);
  CHECK(msg("lognormal(1s, x)").find("\"x\" is not a number") != std::string::npos);
  CHECK(msg("exponential 10ms").find("expected NAME(ARGS)") != std::string::npos);
  CHECK(msg("empirical(s.csv)").find("not available") != std::string::npos);
  CHECK(msg("fixed(2s)x").find("\"fixed(2s)x\"") != std::string::npos);
}

TEST_CASE("distribution: negative duration draws clamp to zero") {
  RandomStream rng(9);
  const auto d = *parse_duration_distribution("normal(0s, 1s)");
  for (int i = 0; i < 100; ++i)
    CHECK(d.sample(rng) >= Duration::zero());
}
