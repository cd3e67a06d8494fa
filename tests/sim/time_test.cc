#include "sim/time.h"

#include <catch2/catch.hpp>

using namespace kubesim;

TEST_CASE("time: durations parse in every unit") {
  CHECK(parse_duration("250ms")->count_micros() == 250'000);
  CHECK(parse_duration("1.5s")->count_micros() == 1'500'000);
  CHECK(parse_duration("10s")->count_micros() == 10'000'000);
  CHECK(parse_duration("5m")->count_micros() == 300'000'000);
  CHECK(parse_duration("2h")->count_micros() == 7'200'000'000);
  CHECK(parse_duration("1d")->count_micros() == 86'400'000'000);
  CHECK(parse_duration("7us")->count_micros() == 7);
  CHECK(parse_duration("0")->count_micros() == 0);
  CHECK(parse_duration(".5s")->count_micros() == 500'000);
  // Go's compound form: 1h30m = 5400 s; 1m0.5s = 60.5 s.
  CHECK(parse_duration("1h30m")->count_micros() == 5'400'000'000);
  CHECK(parse_duration("1m0.5s")->count_micros() == 60'500'000);
  CHECK(parse_duration("0.000001s")->count_micros() == 1);
}

TEST_CASE("time: bad durations are errors that name the text") {
  for (const char* bad : {"", "10", "10x", "s", "-5s", "1.5us", "1..5s", "5 m", "0.0000001s",
                          "99999999999999999999d"}) {
    auto d = parse_duration(bad);
    INFO(bad);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message.find("\"" + std::string(bad) + "\"") != std::string::npos);
  }
  CHECK(parse_duration("10").error().message.find("missing unit") != std::string::npos);
  CHECK(parse_duration("10x").error().message.find("unknown unit \"x\"") != std::string::npos);
}

TEST_CASE("time: durations print in the largest exact unit and round-trip") {
  CHECK(to_string(Duration::millis(250)) == "250ms");
  CHECK(to_string(Duration::millis(1500)) == "1.5s");
  CHECK(to_string(Duration::seconds(10)) == "10s");
  CHECK(to_string(Duration::minutes(5)) == "5m");
  CHECK(to_string(Duration::hours(2)) == "2h");
  CHECK(to_string(Duration::days(1)) == "1d");
  CHECK(to_string(Duration::minutes(90)) == "90m");
  CHECK(to_string(Duration::micros(61'000'001)) == "61.000001s");
  CHECK(to_string(Duration::micros(7)) == "7us");
  CHECK(to_string(Duration::zero()) == "0s");
  CHECK(to_string(-Duration::seconds(3)) == "-3s");
  for (int64_t us :
       {1LL, 999LL, 1'000LL, 1'234'567LL, 59'999'999LL, 3'600'000'001LL, 86'400'000'000LL * 3}) {
    const Duration d = Duration::micros(us);
    CHECK(*parse_duration(to_string(d)) == d);
  }
}

TEST_CASE("time: SimTime and Duration arithmetic") {
  const SimTime t = SimTime::zero() + Duration::seconds(90);
  CHECK(t - SimTime::zero() == Duration::seconds(90));
  CHECK(t - Duration::seconds(30) == SimTime::zero() + Duration::minutes(1));
  CHECK(to_string(t) == "90s");
  CHECK(Duration::from_seconds(1.0000004).count_micros() == 1'000'000);  // rounds to nearest
  CHECK(Duration::from_seconds(1.0000006).count_micros() == 1'000'001);
  CHECK(Duration::minutes(5) / Duration::seconds(10) == 30);
}
