#include "sim/time.h"

#include <cmath>
#include <ostream>

namespace kubesim {
namespace {

struct Unit {
  std::string_view name;
  int64_t micros;
};
// Longest names first so that "ms" is not read as "m" followed by "s".
constexpr Unit kUnits[] = {
    {"us", 1},         {"\xC2\xB5s", 1},     {"ms", 1'000},        {"s", 1'000'000},
    {"m", 60'000'000}, {"h", 3'600'000'000}, {"d", 86'400'000'000}};
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

Error bad(std::string_view text, std::string_view why) {
  return Error{"invalid duration \"" + std::string(text) + "\": " + std::string(why)};
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

Duration Duration::from_seconds(double s) {
  const double us = std::round(s * 1e6);
  if (!(us < 9.2e18)) return s < 0 ? -max() : max();  // also catches NaN -> max
  if (us <= -9.2e18) return -max();
  return Duration(static_cast<int64_t>(us));
}

Expected<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return bad(text, "empty");
  if (text == "0") return Duration::zero();
  if (text[0] == '-' || text[0] == '+') return bad(text, "a duration cannot have a sign");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    // number: digits [. digits] or . digits
    int64_t whole = 0;
    size_t whole_digits = 0;
    while (i < text.size() && is_digit(text[i])) {
      if (whole > (kMax - 9) / 10) return bad(text, "too large");
      whole = whole * 10 + (text[i] - '0');
      ++i;
      ++whole_digits;
    }
    std::string_view fraction;
    if (i < text.size() && text[i] == '.') {
      const size_t start = ++i;
      while (i < text.size() && is_digit(text[i]))
        ++i;
      fraction = text.substr(start, i - start);
    }
    if (whole_digits == 0 && fraction.empty()) return bad(text, "expected a number");
    // unit
    const size_t unit_start = i;
    while (i < text.size() && !is_digit(text[i]) && text[i] != '.')
      ++i;
    const std::string_view unit_text = text.substr(unit_start, i - unit_start);
    if (unit_text.empty())
      return bad(text, "missing unit (e.g. \"10s\"; units: us, ms, s, m, h, d)");
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (u.name == unit_text) unit = &u;
    }
    if (unit == nullptr) {
      return bad(text,
                 "unknown unit \"" + std::string(unit_text) + "\" (units: us, ms, s, m, h, d)");
    }
    if (whole > kMax / unit->micros) return bad(text, "too large");
    int64_t value = whole * unit->micros;
    // Fraction: exact integer arithmetic; digits beyond microsecond resolution must be zero.
    int64_t scale = unit->micros;
    for (char c : fraction) {
      const int64_t digit = c - '0';
      if (scale % 10 != 0) {
        if (digit != 0) return bad(text, "finer than the 1us resolution");
        continue;
      }
      scale /= 10;
      value += digit * scale;
    }
    if (value > kMax - total) return bad(text, "too large");
    total += value;
  }
  return Duration::micros(total);
}

std::string to_string(Duration d) {
  int64_t us = d.count_micros();
  if (us == 0) return "0s";
  std::string sign;
  if (us < 0) {
    sign = "-";
    us = -us;
  }
  for (const auto& [name, micros] :
       {std::pair{"d", kUnits[6].micros}, std::pair{"h", kUnits[5].micros},
        std::pair{"m", kUnits[4].micros}}) {
    if (us % micros == 0) return sign + std::to_string(us / micros) + name;
  }
  if (us >= 1'000'000) {
    std::string frac = std::to_string(us % 1'000'000);
    frac.insert(0, 6 - frac.size(), '0');
    while (!frac.empty() && frac.back() == '0')
      frac.pop_back();
    return sign + std::to_string(us / 1'000'000) + (frac.empty() ? "" : "." + frac) + "s";
  }
  if (us % 1'000 == 0) return sign + std::to_string(us / 1'000) + "ms";
  return sign + std::to_string(us) + "us";
}

std::string to_string(SimTime t) {
  return to_string(t.since_start());
}

std::ostream& operator<<(std::ostream& os, Duration d) {
  return os << to_string(d);
}
std::ostream& operator<<(std::ostream& os, SimTime t) {
  return os << to_string(t);
}

}  // namespace kubesim
