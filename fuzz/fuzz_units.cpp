// Fuzz target: the small parsers of scenario and command-line text: durations and rates
// (sim/model/units.hpp), working hours (sim/model/work_calendar.hpp), sweep values, --vary and
// --shard (sim/model/sweep.hpp).
//
// The first byte picks the parser, the rest is its text (for working hours: days, from and to on
// three lines). Each either returns or throws std::invalid_argument with a message; nothing else
// may escape. What it returns must keep the documented promises:
//   - a duration or rate is finite, and a duration printed by format_duration parses back to
//     within its 3 or 4 significant digits;
//   - a calendar's describe() parses back to the same calendar, and advance/open_between are
//     inverse within floating point;
//   - sweep values are at most kMaxSweepValues; a shard has index < count.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/model/sweep.hpp"
#include "sim/model/units.hpp"
#include "sim/model/work_calendar.hpp"

namespace {

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "fuzz_units: %s\n  text: \"", what);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      std::fprintf(stderr, "\\x%02x", u);
    } else {
      std::fputc(c, stderr);
    }
  }
  std::fputs("\"\n", stderr);
  std::abort();
}

void check_duration(std::string_view text) {
  const double d = refsim::parse_duration(text);
  if (!std::isfinite(d)) fail("parse_duration returned a value that is not finite", text);
  const double a = std::fabs(d);
  if (a == 0 || a > 1e300 || a < 1e-290) return;  // printing rounds; keep clear of the limits
  const std::string printed = refsim::format_duration(d);
  double back = 0;
  try {
    back = refsim::parse_duration(printed);
  } catch (const std::invalid_argument&) {
    fail("format_duration printed a duration that does not parse back", text);
  }
  // 3 significant digits: a relative error of at most 0.5 %, plus rounding of the unit factors.
  if (std::fabs(back - d) > 5.1e-3 * a) fail("format_duration does not parse back to within 0.5 %", text);
}

void check_calendar(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (int i = 0; i < 2; ++i) {
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) return;
    parts.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  parts.push_back(text.substr(start));
  const refsim::WorkCalendar cal = refsim::WorkCalendar::parse(parts[0], parts[1], parts[2]);
  if (!(cal.open_per_week() > 0)) fail("a calendar with no opening time", text);
  const std::string described = cal.describe();
  if (described != "always") {
    const std::size_t space = described.rfind(' ');
    const std::size_t dash = described.rfind('-');
    if (space == std::string::npos || dash == std::string::npos || dash < space) fail("describe() is malformed", text);
    const std::string_view dv(described);
    refsim::WorkCalendar again = refsim::WorkCalendar::always();
    try {
      again =
          refsim::WorkCalendar::parse(dv.substr(0, space), dv.substr(space + 1, dash - space - 1), dv.substr(dash + 1));
    } catch (const std::invalid_argument&) {
      fail("describe() does not parse back", text);
    }
    if (again.describe() != described) fail("describe() parses back to another calendar", text);
  }
  for (const double t : {0.0, 0.3, 4.99, 123.456}) {
    for (const double w : {0.0, 0.01, 0.5, 3.0}) {
      const double end = cal.advance(t, w);
      if (!(end >= t)) fail("advance() went back in time", text);
      if (std::fabs(cal.open_between(t, end) - w) > 1e-6) fail("open_between() is not the inverse of advance()", text);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 4096) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 6) {
      case 0: check_duration(text); break;
      case 1:
        if (!std::isfinite(refsim::parse_rate(text))) fail("parse_rate returned a value that is not finite", text);
        break;
      case 2:
        if (refsim::parse_sweep_values(text).size() > refsim::kMaxSweepValues) fail("too many sweep values", text);
        break;
      case 3:
        if (refsim::parse_vary(text).values.size() > refsim::kMaxSweepValues) fail("too many --vary values", text);
        break;
      case 4: check_calendar(text); break;
      case 5: {
        const refsim::Shard s = refsim::parse_shard(text);
        if (s.count == 0 || s.index >= s.count) fail("parse_shard returned an impossible shard", text);
        break;
      }
    }
  } catch (const std::invalid_argument& e) {
    // what() is a C string: a message quoting a NUL byte of the text looks empty, which is fine.
    if (std::string_view(e.what()).empty() && text.find('\0') == std::string_view::npos) {
      fail("std::invalid_argument without a message", text);
    }
  }
  return 0;
}
