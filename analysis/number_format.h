// Number formatting shared by the summary tables.
#pragma once

#include <cstdint>
#include <string>

namespace kubesim {

// 1234567 -> "1,234,567": large counts stay readable.
inline std::string with_thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace kubesim
