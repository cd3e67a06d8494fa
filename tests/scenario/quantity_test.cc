// Kubernetes quantity syntax, checked against the values
// k8s.io/apimachinery/pkg/api/resource/quantity_test.go expects.
#include <catch2/catch.hpp>

#include "models/quantity.h"

using kubesim::parse_quantity;
using kubesim::Quantity;

TEST_CASE("scenario: quantities parse as Kubernetes parses them") {
  struct Case {
    const char* text;
    int64_t milli;  // MilliValue(): x 1000, rounded up
  };
  const Case cases[] = {
      {"500m", 500},
      {"2", 2000},
      {"1.5", 1500},
      {"0.1", 100},
      {".5", 500},   // <number> may start with the point
      {"5.", 5000},  // ... or end with it
      {"+3", 3000},
      {"-500m", -500},
      {"1Gi", 1073741824LL * 1000},    // 2^30
      {"512Mi", 536870912LL * 1000},   // 512 * 2^20
      {"1.5Gi", 1610612736LL * 1000},  // 1.5 * 2^30
      {"1Ki", 1024 * 1000},
      {"1e3", 1000 * 1000},     // decimal exponent: 10^3
      {"1E3", 1000 * 1000},     // upper-case E with digits is an exponent too
      {"5e-3", 5},              // 0.005 = 5m
      {"10000", 10000 * 1000},  // plain bytes
      {"100k", 100000 * 1000},
      {"2M", 2000000LL * 1000},
      {"1G", 1000000000LL * 1000},
      {"1T", 1000000000000LL * 1000},
      {"1P", 1000000000000000LL * 1000},
      {"1u", 1},    // 0.000001 rounds up to 1m
      {"1n", 1},    // 0.000000001 rounds up to 1m
      {"1.1m", 2},  // 1.1m rounds up to 2m
      {"0", 0},
      {"0.0001", 1},    // 0.1m rounds up
      {"-0.0001", -1},  // away from zero, as negativeScaleInt64 rounds
      {"007", 7000},
      // quantity.go reads a missing number as 0: "Gi", "m", "-" and "." are zero.
      {"Gi", 0},
      {"m", 0},
      {"-", 0},
      {".", 0},
      {"1.000", 1000},
      // 40 significant digits: the tail beyond what fits still rounds up.
      {"0.1234567890123456789012345678901234567891", 124},
      {"1.0000000000000000000000000000000000000001", 1001},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto q = parse_quantity(c.text);
    REQUIRE(q.ok());
    CHECK(q->milli_value() == c.milli);
  }
  // value(): Value(), rounded up to an integer.
  CHECK(parse_quantity("1Gi")->value() == 1073741824);
  CHECK(parse_quantity("500m")->value() == 1);
  CHECK(parse_quantity("2")->value() == 2);
}

TEST_CASE("scenario: malformed quantities are errors naming the text") {
  const std::string format =
      "quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  struct Case {
    const char* text;
    std::string reason;
  };
  const Case cases[] = {
      {"", format},
      {"abc", format},
      {"5x", format},
      {"1 Gi", format},
      {"1.2.3", format},  // the second point is neither a suffix letter nor a digit
      {"1KB", format},    // B is not a suffix letter
      {"1e3e", format},   // letters after the exponent digits
      {"1K", "unable to parse quantity's suffix"},  // decimal kilo is lower-case k
      {"1k+", "unable to parse quantity's suffix"},
      {"1e", "unable to parse quantity's suffix"},
      {"1Mii", "unable to parse quantity's suffix"},
      {"1E", "too large"},  // 10^18 is 10^21 milli: beyond int64
      {"8Ei", "too large"},
      {"9223372036854775807", "too large"},  // fits Value() but not MilliValue()
      {"1e100", "too large"},
      {"1000000000000000000000000000000000000000n", "too large"},  // 10^30
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto q = parse_quantity(c.text);
    REQUIRE_FALSE(q.ok());
    CHECK(q.error().message == "invalid quantity \"" + std::string(c.text) + "\": " + c.reason);
  }
}

TEST_CASE("scenario: quantities print in a short canonical form") {
  CHECK(to_string(*parse_quantity("500m")) == "500m");
  CHECK(to_string(*parse_quantity("2")) == "2");
  CHECK(to_string(*parse_quantity("1Gi")) == "1Gi");
  CHECK(to_string(*parse_quantity("1536Mi")) == "1536Mi");  // 1.5Gi is not a whole Gi
  CHECK(to_string(*parse_quantity("1000")) == "1000");
  CHECK(to_string(Quantity::from_value(0)) == "0");
}
