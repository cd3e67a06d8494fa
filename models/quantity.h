// Kubernetes resource quantities ("500m", "2", "1.5", "1Gi", "512Mi", "1e3"),
// parsed exactly as k8s.io/apimachinery/pkg/api/resource/quantity.go does.
//
//   Quantity q = *parse_quantity("500m");
//   q.milli_value();  // 500: what the scheduler uses for cpu (MilliValue())
//   parse_quantity("1Gi")->value();  // 1073741824: memory, pods, extended resources (Value())
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/expected.h"

namespace kubesim {

class Quantity {
 public:
  Quantity() = default;
  static Quantity from_milli(int64_t milli) { return Quantity(milli); }
  static Quantity from_value(int64_t value) { return Quantity(value * 1000); }

  // Value() rounded up to an integer, as resource.Quantity.Value() does.
  int64_t value() const { return milli_ >= 0 ? (milli_ + 999) / 1000 : milli_ / 1000; }
  // MilliValue(): the quantity x 1000, rounded up.
  int64_t milli_value() const { return milli_; }
  bool operator==(const Quantity&) const = default;

 private:
  explicit Quantity(int64_t milli) : milli_(milli) {}
  int64_t milli_ = 0;  // the quantity x 1000, rounded up (ceil) at parse time
};

// Parses Kubernetes quantity syntax: <signedNumber><suffix>, suffix one of
// the binary (Ki Mi Gi Ti Pi Ei), decimal (n u m "" k M G T P E) or exponent
// (e3, E-2) forms. Errors name the text: `invalid quantity "5x": ...`.
Expected<Quantity> parse_quantity(std::string_view text);

// Canonical-ish text for output: "500m", "2", "1Gi" (binary when exact).
std::string to_string(const Quantity& q);

}  // namespace kubesim
