// Probability distributions drawn from a RandomStream. Each factory checks its
// parameters and returns an Error naming the bad one.
//
//   Distribution d = *Distribution::lognormal(/*median=*/2.0, /*sigma=*/0.5);
//   double x = d.sample(rng);
//
// Durations use the one-string syntax of scenario files (DESIGN.md):
//   fixed(2s)  exponential(10ms)  uniform(1s, 3s)  normal(1s, 100ms)
//   lognormal(1s, 0.5)  weibull(1.5, 2h)  empirical(file.csv)
//
//   DurationDistribution st = *parse_duration_distribution("exponential(10ms)");
//   Duration s = st.sample(rng);
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/expected.h"
#include "sim/random.h"
#include "sim/time.h"

namespace kubesim {

class Distribution {
 public:
  enum class Kind {
    kDeterministic,
    kExponential,
    kUniform,
    kNormal,
    kLognormal,
    kWeibull,
    kEmpirical
  };

  static Expected<Distribution> deterministic(double value);
  static Expected<Distribution> exponential(double mean);
  static Expected<Distribution> uniform(double lo, double hi);
  static Expected<Distribution> normal(double mean, double stddev);
  // Parameterised by the median e^mu and sigma, the standard deviation of ln X.
  static Expected<Distribution> lognormal(double median, double sigma);
  // Shape k and scale lambda: P(X > x) = exp(-(x/lambda)^k).
  static Expected<Distribution> weibull(double shape, double scale);
  // The empirical distribution of the samples: each is drawn with probability 1/n.
  static Expected<Distribution> empirical(std::vector<double> samples);

  double sample(RandomStream& rng) const;
  double mean() const;
  double variance() const;
  Kind kind() const { return kind_; }
  // The distribution in the scenario syntax, with plain numbers: "exponential(0.01)".
  std::string describe() const;

 private:
  Distribution(Kind kind, double a, double b) : kind_(kind), a_(a), b_(b) {}
  Kind kind_;
  double a_;  // value | mean | lo | mean | mu = ln(median) | shape
  double b_;  // -     | -    | hi | sd   | sigma           | scale
  std::shared_ptr<const std::vector<double>> samples_;  // empirical only
};

// A distribution of durations, sampled in seconds and rounded to microseconds.
// Negative draws (possible with normal) are clamped to zero.
class DurationDistribution {
 public:
  explicit DurationDistribution(Distribution seconds) : seconds_(std::move(seconds)) {}
  static DurationDistribution fixed(Duration d);

  Duration sample(RandomStream& rng) const;
  Duration mean() const { return Duration::from_seconds(seconds_.mean()); }
  const Distribution& in_seconds() const { return seconds_; }

 private:
  Distribution seconds_;
};

// Reads the samples of empirical(PATH): one duration or number of seconds per line.
using SampleLoader = std::function<Expected<std::vector<double>>(std::string_view path)>;

// Parses the scenario syntax above. `load` resolves empirical(PATH); without
// it, empirical() is an error.
Expected<DurationDistribution> parse_duration_distribution(std::string_view text,
                                                           const SampleLoader& load = {});

}  // namespace kubesim
