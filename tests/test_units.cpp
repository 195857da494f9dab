#include <catch2/catch.hpp>

#include "sim/model/units.hpp"

using namespace refsim;
using Catch::Matchers::Contains;

TEST_CASE("Durations: every unit converts to days") {
  CHECK(parse_duration("90min") == Approx(90.0 / 1440.0));
  CHECK(parse_duration("4h") == Approx(4.0 / 24.0));
  CHECK(parse_duration("2d") == 2.0);
  CHECK(parse_duration("1w") == 7.0);
  CHECK(parse_duration("1y") == 365.0);
  CHECK(parse_duration("30s") == Approx(30.0 / 86400.0));
  CHECK(parse_duration("2.5d") == 2.5);
  CHECK(parse_duration(" 3 h ") == Approx(0.125));
}

TEST_CASE("Durations: a bare number or an unknown unit is rejected with what was expected") {
  CHECK_THROWS_WITH(parse_duration("2"), Contains("expected a duration such as"));
  CHECK_THROWS_WITH(parse_duration("2 fortnights"), Contains("unknown time unit 'fortnights'"));
  CHECK_THROWS_WITH(parse_duration("d"), Contains("expected a duration"));
  CHECK_THROWS_WITH(parse_duration(""), Contains("expected a duration"));
}

TEST_CASE("Durations and rates that overflow to infinity in days are rejected") {
  // Each number is finite; only the conversion to days overflows (1e307 years, 1e308 per second).
  CHECK_THROWS_WITH(parse_duration("1e307y"), "duration \"1e307y\" is too long to represent (over 1e308 days)");
  CHECK_THROWS_WITH(parse_rate("1e308/s"), "rate \"1e308/s\" is too large to represent (over 1e308 per day)");
  CHECK(parse_duration("1e305y") == Approx(1e305 * 365));  // large but finite: the caller's to judge
  // A number beyond a double itself says the same, not "expected a duration" (issue 18: "1e309d"
  // was "not valid" while "1e307y" was "too long to represent").
  CHECK_THROWS_WITH(parse_duration("1e309d"), "duration \"1e309d\" is too long to represent (over 1e308 days)");
  CHECK_THROWS_WITH(parse_rate("1e309/d"), "rate \"1e309/d\" is too large to represent (over 1e308 per day)");
  CHECK_THROWS_WITH(parse_duration("1e-400s"),
                    "duration \"1e-400s\" is too short to represent (under 1e-308 of its unit)");
  CHECK_THROWS_WITH(parse_rate("1e-400/d"), "rate \"1e-400/d\" is too small to represent (under 1e-308)");
  CHECK_THROWS_WITH(parse_duration("1e309"), Contains("expected a duration"));  // no unit
}

TEST_CASE("Rates: number per unit converts to per day") {
  CHECK(parse_rate("3/h") == Approx(72.0));
  CHECK(parse_rate("20/w") == Approx(20.0 / 7.0));
  CHECK(parse_rate("1000/y") == Approx(1000.0 / 365.0));
  CHECK(parse_rate("1.5/d") == 1.5);
  CHECK_THROWS_WITH(parse_rate("3"), Contains("expected a rate"));
  CHECK_THROWS_WITH(parse_rate("3/fortnight"), Contains("unknown time unit"));
}

TEST_CASE("format_duration picks a readable unit") {
  CHECK(format_duration(0.5) == "12h");
  CHECK(format_duration(12) == "12d");
  CHECK(format_duration(1095) == "3y");
  CHECK(format_duration(1.0 / 48) == "30min");
}
