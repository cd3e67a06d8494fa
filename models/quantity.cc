// Kubernetes quantity parsing, following
// k8s.io/apimachinery/pkg/api/resource/quantity.go (parseQuantityString,
// ParseQuantity) and suffix.go (the suffixer): the exact value is computed in
// 128-bit integers, then scaled to milli units rounding away from zero, as
// Quantity.MilliValue() does (negativeScaleInt64 / inf.RoundUp).
#include "models/quantity.h"

#include <cstdint>
#include <limits>
#include <string>

namespace kubesim {
namespace {

__extension__ typedef __int128 Int128;

// quantity.go's error texts.
constexpr const char* kErrFormatWrong =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kErrSuffix = "unable to parse quantity's suffix";

Error quantity_error(std::string_view text, const std::string& reason) {
  return Error{"invalid quantity \"" + std::string(text) + "\": " + reason};
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// suffix.go: the value of a suffix as (power of 2, power of 10).
struct SuffixValue {
  int binary_power = 0;   // multiply by 2^binary_power
  int decimal_power = 0;  // multiply by 10^decimal_power
};

bool interpret_suffix(std::string_view s, SuffixValue& out) {
  static constexpr struct {
    std::string_view name;
    int binary;
    int decimal;
  } kSuffixes[] = {
      {"", 0, 0},    {"Ki", 10, 0}, {"Mi", 20, 0}, {"Gi", 30, 0}, {"Ti", 40, 0}, {"Pi", 50, 0},
      {"Ei", 60, 0}, {"n", 0, -9},  {"u", 0, -6},  {"m", 0, -3},  {"k", 0, 3},   {"M", 0, 6},
      {"G", 0, 9},   {"T", 0, 12},  {"P", 0, 15},  {"E", 0, 18},
  };
  for (const auto& k : kSuffixes) {
    if (s == k.name) {
      out = {k.binary, k.decimal};
      return true;
    }
  }
  // Decimal exponent: e<signed int> or E<signed int> ("E" alone is exa, above).
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    std::string_view digits = s.substr(1);
    bool negative = false;
    if (digits[0] == '+' || digits[0] == '-') {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    if (digits.empty() || digits.size() > 6) return false;
    int e = 0;
    for (char c : digits) {
      if (!is_digit(c)) return false;
      e = e * 10 + (c - '0');
    }
    out = {0, negative ? -e : e};
    return true;
  }
  return false;
}

}  // namespace

Expected<Quantity> parse_quantity(std::string_view text) {
  if (text.empty()) return quantity_error(text, kErrFormatWrong);
  // parseQuantityString: [+-] zeros digits [. digits] suffix-letters [+-] digits. Like
  // Kubernetes, a missing number reads as 0 ("m", "-", "." parse as zero).
  size_t pos = 0;
  bool negative = false;
  if (text[0] == '+' || text[0] == '-') {
    negative = text[0] == '-';
    pos = 1;
  }
  while (pos < text.size() && text[pos] == '0')
    ++pos;
  std::string digits;  // numerator and denominator digits, leading zeros dropped
  int fraction_digits = 0;
  while (pos < text.size() && is_digit(text[pos]))
    digits.push_back(text[pos++]);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && is_digit(text[pos])) {
      if (!(digits.empty() && text[pos] == '0')) digits.push_back(text[pos]);
      ++fraction_digits;
      ++pos;
    }
  }
  const size_t suffix_start = pos;
  while (pos < text.size() &&
         std::string_view("eEinumkKMGTP").find(text[pos]) != std::string_view::npos) {
    ++pos;
  }
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) ++pos;
  while (pos < text.size() && is_digit(text[pos]))
    ++pos;
  if (pos != text.size()) return quantity_error(text, kErrFormatWrong);
  std::string_view suffix = text.substr(suffix_start);
  SuffixValue sv;
  if (!interpret_suffix(suffix, sv)) return quantity_error(text, kErrSuffix);

  // Drop trailing fraction zeros: they change neither value nor rounding.
  while (fraction_digits > 0 && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    --fraction_digits;
  }
  // Keep 36 significant digits (Int128 holds them with room for the scaling
  // below); dropped digits only matter for rounding up, so remember whether any
  // of them was non-zero.
  bool fraction = false;
  if (digits.size() > 36) {
    const size_t dropped = digits.size() - 36;
    fraction = digits.find_first_not_of('0', 36) != std::string::npos;
    digits.resize(36);
    fraction_digits -= static_cast<int>(dropped);
  }
  Int128 mantissa = 0;
  for (char c : digits)
    mantissa = mantissa * 10 + (c - '0');
  if (mantissa == 0) return Quantity::from_milli(0);

  const Int128 limit = static_cast<Int128>(std::numeric_limits<int64_t>::max());
  int scale10 = sv.decimal_power - fraction_digits + 3;  // + 3: milli units
  // Apply the binary factor first; a mantissa above the limit with a negative
  // decimal scale may still come back in range, so the bound here is loose.
  const Int128 loose_limit = limit * static_cast<Int128>(1'000'000'000'000'000'000LL);
  for (int i = 0; i < sv.binary_power; ++i) {
    mantissa *= 2;
    if (mantissa > loose_limit) return quantity_error(text, "too large");
  }
  for (; scale10 > 0; --scale10) {
    mantissa *= 10;
    if (mantissa > limit) return quantity_error(text, "too large");
  }
  for (; scale10 < 0 && mantissa != 0; ++scale10) {
    if (mantissa % 10 != 0) fraction = true;
    mantissa /= 10;
  }
  if (fraction) ++mantissa;  // round away from zero
  if (mantissa > limit) return quantity_error(text, "too large");
  int64_t milli = static_cast<int64_t>(mantissa);
  return Quantity::from_milli(negative ? -milli : milli);
}

std::string to_string(const Quantity& q) {
  int64_t milli = q.milli_value();
  if (milli % 1000 != 0) return std::to_string(milli) + "m";
  int64_t v = milli / 1000;
  static constexpr const char* kBinary[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  if (v != 0) {
    for (int i = 0; i < 6; ++i) {
      int64_t unit = int64_t{1} << (10 * (6 - i));
      if (v % unit == 0) return std::to_string(v / unit) + kBinary[i];
    }
  }
  return std::to_string(v);
}

}  // namespace kubesim
