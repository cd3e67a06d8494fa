#include "sim/distribution.h"

#include <cmath>
#include <numbers>
#include <sstream>

namespace kubesim {
namespace {

Error param_error(std::string_view dist, std::string_view what) {
  return Error{std::string(dist) + ": " + std::string(what)};
}

bool finite(double x) {
  return std::isfinite(x);
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t'))
    ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    --e;
  return std::string(s.substr(b, e - b));
}

Expected<double> parse_number(std::string_view text) {
  const std::string s(text);
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    return Error{"\"" + s + "\" is not a number"};
  }
  if (used != s.size() || !finite(v)) return Error{"\"" + s + "\" is not a number"};
  return v;
}

Expected<double> parse_seconds(std::string_view text) {
  auto d = parse_duration(text);
  if (!d) return d.error();
  return d->to_seconds();
}

}  // namespace

Expected<Distribution> Distribution::deterministic(double value) {
  if (!finite(value)) return param_error("fixed", "value must be finite");
  return Distribution(Kind::kDeterministic, value, 0);
}

Expected<Distribution> Distribution::exponential(double mean) {
  if (!(mean > 0) || !finite(mean)) return param_error("exponential", "mean must be > 0");
  return Distribution(Kind::kExponential, mean, 0);
}

Expected<Distribution> Distribution::uniform(double lo, double hi) {
  if (!finite(lo) || !finite(hi) || !(lo <= hi)) {
    return param_error("uniform", "needs finite bounds with low <= high");
  }
  return Distribution(Kind::kUniform, lo, hi);
}

Expected<Distribution> Distribution::normal(double mean, double stddev) {
  if (!finite(mean)) return param_error("normal", "mean must be finite");
  if (!(stddev >= 0) || !finite(stddev)) return param_error("normal", "stddev must be >= 0");
  return Distribution(Kind::kNormal, mean, stddev);
}

Expected<Distribution> Distribution::lognormal(double median, double sigma) {
  if (!(median > 0) || !finite(median)) return param_error("lognormal", "median must be > 0");
  if (!(sigma >= 0) || !finite(sigma)) return param_error("lognormal", "sigma must be >= 0");
  return Distribution(Kind::kLognormal, std::log(median), sigma);
}

Expected<Distribution> Distribution::weibull(double shape, double scale) {
  if (!(shape > 0) || !finite(shape)) return param_error("weibull", "shape must be > 0");
  if (!(scale > 0) || !finite(scale)) return param_error("weibull", "scale must be > 0");
  return Distribution(Kind::kWeibull, shape, scale);
}

Expected<Distribution> Distribution::empirical(std::vector<double> samples) {
  if (samples.empty()) return param_error("empirical", "needs at least one sample");
  for (double x : samples) {
    if (!finite(x)) return param_error("empirical", "samples must be finite");
  }
  Distribution d(Kind::kEmpirical, 0, 0);
  d.samples_ = std::make_shared<const std::vector<double>>(std::move(samples));
  return d;
}

double Distribution::sample(RandomStream& rng) const {
  switch (kind_) {
    case Kind::kDeterministic:
      return a_;
    case Kind::kExponential:
      return rng.exponential(a_);
    case Kind::kUniform:
      return rng.uniform(a_, b_);
    case Kind::kNormal:
      return a_ + b_ * rng.standard_normal();
    case Kind::kLognormal:
      return std::exp(a_ + b_ * rng.standard_normal());
    case Kind::kWeibull:
      return b_ * std::pow(-std::log(rng.uniform01_open_zero()), 1.0 / a_);
    case Kind::kEmpirical:
      return (*samples_)[rng.uniform_int(samples_->size())];
  }
  return 0;
}

double Distribution::mean() const {
  switch (kind_) {
    case Kind::kDeterministic:
      return a_;
    case Kind::kExponential:
      return a_;
    case Kind::kUniform:
      return (a_ + b_) / 2;
    case Kind::kNormal:
      return a_;
    case Kind::kLognormal:
      return std::exp(a_ + b_ * b_ / 2);
    case Kind::kWeibull:
      return b_ * std::tgamma(1 + 1 / a_);
    case Kind::kEmpirical: {
      double sum = 0;
      for (double x : *samples_)
        sum += x;
      return sum / static_cast<double>(samples_->size());
    }
  }
  return 0;
}

double Distribution::variance() const {
  switch (kind_) {
    case Kind::kDeterministic:
      return 0;
    case Kind::kExponential:
      return a_ * a_;
    case Kind::kUniform:
      return (b_ - a_) * (b_ - a_) / 12;
    case Kind::kNormal:
      return b_ * b_;
    case Kind::kLognormal:
      return (std::exp(b_ * b_) - 1) * std::exp(2 * a_ + b_ * b_);
    case Kind::kWeibull: {
      const double g1 = std::tgamma(1 + 1 / a_);
      return b_ * b_ * (std::tgamma(1 + 2 / a_) - g1 * g1);
    }
    case Kind::kEmpirical: {
      const double m = mean();
      double ss = 0;
      for (double x : *samples_)
        ss += (x - m) * (x - m);
      return ss / static_cast<double>(samples_->size());
    }
  }
  return 0;
}

std::string Distribution::describe() const {
  std::ostringstream os;
  os.precision(9);
  switch (kind_) {
    case Kind::kDeterministic:
      os << "fixed(" << a_ << ")";
      break;
    case Kind::kExponential:
      os << "exponential(" << a_ << ")";
      break;
    case Kind::kUniform:
      os << "uniform(" << a_ << ", " << b_ << ")";
      break;
    case Kind::kNormal:
      os << "normal(" << a_ << ", " << b_ << ")";
      break;
    case Kind::kLognormal:
      os << "lognormal(" << std::exp(a_) << ", " << b_ << ")";
      break;
    case Kind::kWeibull:
      os << "weibull(" << a_ << ", " << b_ << ")";
      break;
    case Kind::kEmpirical:
      os << "empirical(" << samples_->size() << " samples)";
      break;
  }
  return os.str();
}

DurationDistribution DurationDistribution::fixed(Duration d) {
  return DurationDistribution(*Distribution::deterministic(d.to_seconds()));
}

Duration DurationDistribution::sample(RandomStream& rng) const {
  const double s = seconds_.sample(rng);
  return s <= 0 ? Duration::zero() : Duration::from_seconds(s);
}

Expected<DurationDistribution> parse_duration_distribution(std::string_view text,
                                                           const SampleLoader& load) {
  const auto fail = [&](std::string_view why) {
    return Error{"invalid distribution \"" + std::string(text) + "\": " + std::string(why)};
  };
  const size_t open = text.find('(');
  if (open == std::string_view::npos || text.empty() || text.back() != ')') {
    return fail("expected NAME(ARGS), e.g. exponential(10ms)");
  }
  const std::string name = trim(text.substr(0, open));
  std::vector<std::string> args;
  {
    std::string_view inner = text.substr(open + 1, text.size() - open - 2);
    size_t start = 0;
    for (size_t i = 0; i <= inner.size(); ++i) {
      if (i == inner.size() || inner[i] == ',') {
        args.push_back(trim(inner.substr(start, i - start)));
        start = i + 1;
      }
    }
    if (args.size() == 1 && args[0].empty()) args.clear();
  }
  const auto arity = [&](size_t n) -> bool { return args.size() == n; };
  const auto wrap = [&](Expected<Distribution> d) -> Expected<DurationDistribution> {
    if (!d) return fail(d.error().message);
    return DurationDistribution(std::move(*d));
  };
  // Collects the first argument error, if any.
  std::string arg_error;
  const auto seconds = [&](size_t i) {
    auto v = parse_seconds(args[i]);
    if (!v && arg_error.empty()) arg_error = v.error().message;
    return v ? *v : 0.0;
  };
  const auto number = [&](size_t i) {
    auto v = parse_number(args[i]);
    if (!v && arg_error.empty()) arg_error = v.error().message;
    return v ? *v : 0.0;
  };
  const auto finish = [&](auto make) -> Expected<DurationDistribution> {
    auto d = make();
    if (!arg_error.empty()) return fail(arg_error);
    return wrap(std::move(d));
  };

  if (name == "fixed" && arity(1))
    return finish([&] { return Distribution::deterministic(seconds(0)); });
  if (name == "exponential" && arity(1)) {
    return finish([&] { return Distribution::exponential(seconds(0)); });
  }
  if (name == "uniform" && arity(2)) {
    return finish([&] { return Distribution::uniform(seconds(0), seconds(1)); });
  }
  if (name == "normal" && arity(2)) {
    return finish([&] { return Distribution::normal(seconds(0), seconds(1)); });
  }
  if (name == "lognormal" && arity(2)) {
    return finish([&] { return Distribution::lognormal(seconds(0), number(1)); });
  }
  if (name == "weibull" && arity(2)) {
    return finish([&] { return Distribution::weibull(number(0), seconds(1)); });
  }
  if (name == "empirical" && arity(1)) {
    if (!load) return fail("empirical(FILE) is not available here");
    auto samples = load(args[0]);
    if (!samples) return fail(samples.error().message);
    return wrap(Distribution::empirical(std::move(*samples)));
  }
  static constexpr const char* kForms =
      "fixed(D), exponential(MEAN), uniform(LO, HI), normal(MEAN, SD), lognormal(MEDIAN, SIGMA), "
      "weibull(SHAPE, SCALE), empirical(FILE)";
  for (const char* known :
       {"fixed", "exponential", "uniform", "normal", "lognormal", "weibull", "empirical"}) {
    if (name == known) return fail("wrong number of arguments; forms: " + std::string(kForms));
  }
  return fail("unknown distribution \"" + name + "\"; forms: " + kForms);
}

}  // namespace kubesim
