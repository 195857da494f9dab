#include "sim/model/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace refsim {
namespace {

constexpr std::string_view kUnitList = "s, min, h, d, w, y";

enum class Number { ok, bad, too_large, too_small };

// Parses a finite decimal number occupying all of `text`; a well-formed number beyond what a
// double holds ("1e309", "1e-400") says which way it is out of range.
Number parse_number(std::string_view text, double& out) {
  if (text.empty()) return Number::bad;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (*first == '+') ++first;
  auto [ptr, ec] = std::from_chars(first, last, out);
  if (ptr != last) return Number::bad;
  if (ec == std::errc::result_out_of_range) {
    const auto e = text.find_first_of("eE");
    return e != std::string_view::npos && e + 1 < text.size() && text[e + 1] == '-' ? Number::too_small
                                                                                    : Number::too_large;
  }
  return ec == std::errc() && std::isfinite(out) ? Number::ok : Number::bad;
}

}  // namespace

std::string_view trim_space(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r\f\v";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

double unit_in_days(std::string_view unit) {
  if (unit == "s") return 1.0 / 86400.0;
  if (unit == "min") return 1.0 / 1440.0;
  if (unit == "h") return 1.0 / 24.0;
  if (unit == "d") return 1.0;
  if (unit == "w") return 7.0;
  if (unit == "y") return 365.0;
  throw std::invalid_argument("unknown time unit '" + std::string(unit) + "'; expected one of " +
                              std::string(kUnitList));
}

double parse_duration(std::string_view text) {
  const std::string_view s = trim_space(text);
  std::size_t split = s.size();
  while (split > 0 && std::isalpha(static_cast<unsigned char>(s[split - 1]))) --split;
  const std::string_view number = trim_space(s.substr(0, split));
  const std::string_view unit = s.substr(split);
  double value = 0;
  const Number parsed = unit.empty() ? Number::bad : parse_number(number, value);
  if (parsed == Number::too_small) {
    throw std::invalid_argument("duration \"" + std::string(text) +
                                "\" is too short to represent (under 1e-308 of its unit)");
  }
  if (parsed == Number::bad) {
    throw std::invalid_argument("expected a duration such as \"90min\", \"4h\", \"2d\" or \"1w\" (units " +
                                std::string(kUnitList) + "), got \"" + std::string(text) + "\"");
  }
  const double days = parsed == Number::too_large ? HUGE_VAL : value * unit_in_days(unit);
  if (!std::isfinite(days)) {
    throw std::invalid_argument("duration \"" + std::string(text) + "\" is too long to represent (over 1e308 days)");
  }
  return days;
}

double parse_rate(std::string_view text) {
  const std::string_view s = trim_space(text);
  const auto slash = s.find('/');
  double value = 0;
  const Number parsed =
      slash == std::string_view::npos ? Number::bad : parse_number(trim_space(s.substr(0, slash)), value);
  if (parsed == Number::too_small) {
    throw std::invalid_argument("rate \"" + std::string(text) + "\" is too small to represent (under 1e-308)");
  }
  if (parsed == Number::bad) {
    throw std::invalid_argument("expected a rate such as \"3/h\", \"20/w\" or \"1000/y\" (units " +
                                std::string(kUnitList) + "), got \"" + std::string(text) + "\"");
  }
  const double per_day = parsed == Number::too_large ? HUGE_VAL : value / unit_in_days(trim_space(s.substr(slash + 1)));
  if (!std::isfinite(per_day)) {
    throw std::invalid_argument("rate \"" + std::string(text) + "\" is too large to represent (over 1e308 per day)");
  }
  return per_day;
}

std::string format_duration(double days) {
  char buf[64];
  const double a = std::fabs(days);
  if (a == 0) return "0d";
  if (a < 1.0 / 24.0) {
    std::snprintf(buf, sizeof buf, "%.3gmin", days * 1440.0);
  } else if (a < 1.0) {
    std::snprintf(buf, sizeof buf, "%.3gh", days * 24.0);
  } else if (a < 730.0) {
    std::snprintf(buf, sizeof buf, "%.4gd", days);
  } else {
    std::snprintf(buf, sizeof buf, "%.3gy", days / 365.0);
  }
  return buf;
}

std::string format_clock(double t) {
  static constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  if (!std::isfinite(t)) return "never";
  double day = std::floor(t);
  long minutes = std::lround((t - day) * 1440);
  if (minutes >= 1440) minutes -= 1440, day += 1;
  const int weekday = static_cast<int>(std::fmod(std::fmod(day, 7.0) + 7.0, 7.0));
  char buf[64];
  std::snprintf(buf, sizeof buf, "day %.0f (%s) %02ld:%02ld", day, kWeekdays[weekday], minutes / 60, minutes % 60);
  return buf;
}

}  // namespace refsim
