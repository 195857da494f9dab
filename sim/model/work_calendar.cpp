#include "sim/model/work_calendar.hpp"
#include "sim/model/units.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace refsim {
namespace {

constexpr double kDaysPerWeek = 7.0;
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool equals_lower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c) != lower[i]) return false;
  }
  return true;
}

// 0 for "mon" ... 6 for "sun", -1 otherwise.
int parse_weekday(std::string_view text) {
  text = trim_space(text);
  for (int d = 0; d < 7; ++d) {
    if (equals_lower(text, kDayNames[d])) return d;
  }
  return -1;
}

// Bit d set for each listed weekday; 0 if the text is not a day list.
std::uint8_t parse_day_mask(std::string_view text) {
  std::uint8_t mask = 0;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view item = trim_space(text.substr(0, comma));
    if (equals_lower(item, "all")) {
      mask = 0x7f;
    } else if (const auto dash = item.find('-'); dash != std::string_view::npos) {
      const int first = parse_weekday(item.substr(0, dash));
      const int last = parse_weekday(item.substr(dash + 1));
      if (first < 0 || last < 0) return 0;
      for (int d = first;; d = (d + 1) % 7) {  // wraps past Sunday: "sun-thu", "fri-mon"
        mask |= std::uint8_t(1u << d);
        if (d == last) break;
      }
    } else {
      const int d = parse_weekday(item);
      if (d < 0) return 0;
      mask |= std::uint8_t(1u << d);
    }
    if (comma == std::string_view::npos) return mask;
    text.remove_prefix(comma + 1);
  }
}

// Minutes since midnight for "H:MM" / "HH:MM" (00:00 to 23:59, plus 24:00 when allowed); -1 otherwise.
int parse_clock(std::string_view text, bool allow_24) {
  text = trim_space(text);
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon < 1 || colon > 2 || text.size() != colon + 3) return -1;
  int hours = 0;
  int minutes = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == colon) continue;
    if (text[i] < '0' || text[i] > '9') return -1;
    int& part = i < colon ? hours : minutes;
    part = part * 10 + (text[i] - '0');
  }
  if (minutes > 59) return -1;
  if (hours < 24 || (allow_24 && hours == 24 && minutes == 0)) return hours * 60 + minutes;
  return -1;
}

std::string format_clock(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

// t as (week index, offset in days within that week, in [0, 7)). The week index is an integer held
// in a double so that far-future times cannot overflow.
struct WeekPosition {
  double week;
  double offset;
};

WeekPosition locate(Time t) {
  double week = std::floor(t / kDaysPerWeek);
  double offset = t - week * kDaysPerWeek;  // exact: both are multiples of ulp(t)
  if (offset < 0) {                         // t / 7 rounded up to an integer
    week -= 1;
    offset += kDaysPerWeek;
  }
  if (offset >= kDaysPerWeek) {
    week += 1;
    offset -= kDaysPerWeek;
  }
  return {week, offset};
}

}  // namespace

// --- Week -------------------------------------------------------------------------------------

WorkCalendar::Week WorkCalendar::Week::build(std::uint8_t mask, Time from, Time to) {
  Week week;
  for (int d = 0; d < 7; ++d) {
    if (!(mask & (1u << d))) continue;
    const Time start = d + from;
    const Time end = d + to;
    if (week.count > 0 && week.intervals[week.count - 1].end >= start) {
      week.intervals[week.count - 1].end = end;  // "24:00" followed by "00:00": one interval
    } else {
      week.intervals[week.count++] = Interval{start, end, 0, 0};
    }
  }
  for (int i = 0; i < week.count; ++i) {
    Interval& iv = week.intervals[i];
    iv.before = week.open;
    week.open += iv.end - iv.start;
    iv.through = week.open;
  }
  assert(week.count > 0 && week.open > 0);
  return week;
}

WorkCalendar::Week::Slot WorkCalendar::Week::find(Time t) const {
  WeekPosition p = locate(t);
  if (kDaysPerWeek - p.offset <= kSnap) {
    p.week += 1;
    p.offset = 0;
  }
  const auto starts_after = [](Time x, const Interval& iv) { return x < iv.start; };
  const Interval* first = intervals.data();
  int i = int(std::upper_bound(first, first + count, p.offset, starts_after) - first);
  if (i < count && intervals[i].start - p.offset <= kSnap) {
    p.offset = intervals[i++].start;
  } else if (i > 0 && std::fabs(p.offset - intervals[i - 1].end) <= kSnap) {
    p.offset = intervals[i - 1].end;
  } else if (i > 0 && p.offset - intervals[i - 1].start <= kSnap) {
    p.offset = intervals[i - 1].start;
  }
  return {p.week, p.offset, i};
}

Time WorkCalendar::Week::open_before(const Slot& s) const {
  if (s.after == 0) return 0;
  const Interval& iv = intervals[s.after - 1];
  return iv.before + (std::min(s.offset, iv.end) - iv.start);
}

bool WorkCalendar::Week::is_open(Time t) const {
  const Slot s = find(t);
  return s.after > 0 && s.offset < intervals[s.after - 1].end;
}

Time WorkCalendar::Week::next_open(Time t) const {
  const Slot s = find(t);
  if (s.after > 0 && s.offset < intervals[s.after - 1].end) return t;
  const Time next = s.after < count ? s.week * kDaysPerWeek + intervals[s.after].start
                                    : (s.week + 1) * kDaysPerWeek + intervals[0].start;
  return std::max(next, t);
}

Time WorkCalendar::Week::advance(Time t, Time work) const {
  if (!(work > 0)) return t;
  const Slot s = find(t);
  // Count from the Monday 00:00 of the week of the next opening, so that every start from one week's
  // last closing to the next week's first opening (the weekend) computes bit-identical results.
  double week = s.week;
  Time done = open_before(s);
  if (s.offset >= intervals[count - 1].end) {
    week += 1;
    done = 0;
  }
  // Opening time from that Monday 00:00 to the finish, split into whole weeks + remainder.
  const Time target = done + work;
  double weeks = std::floor(target / open);
  Time rest = target - weeks * open;
  if (rest > open) {
    rest -= open;
    weeks += 1;
  }
  if (rest <= 0) {  // finishes exactly at a week's last closing time: stay there, not next week's opening
    rest += open;
    weeks -= 1;
  }
  const Interval* first = intervals.data();
  const Interval* last = first + count;
  const Interval* iv = std::lower_bound(first, last, rest, [](const Interval& i, Time x) { return i.through < x; });
  if (iv == last) iv = last - 1;  // rest above the week's total by rounding
  const Time offset = std::min(iv->start + std::max(rest - iv->before, 0.0), iv->end);
  return std::max((week + weeks) * kDaysPerWeek + offset, t);
}

Time WorkCalendar::Week::open_between(Time a, Time b) const {
  const Slot sa = find(a);
  const Slot sb = find(b);
  return (sb.week - sa.week) * open + (open_before(sb) - open_before(sa));
}

// --- WorkCalendar -----------------------------------------------------------------------------

WorkCalendar::WorkCalendar(std::uint8_t mask, int from_min, int to_min)
    : mask_(mask),
      from_min_(from_min),
      to_min_(to_min),
      hours_(Week::build(mask, from_min / double(kMinutesPerDay), to_min / double(kMinutesPerDay))),
      days_(Week::build(mask, 0.0, 1.0)) {}

WorkCalendar WorkCalendar::parse(std::string_view days, std::string_view from, std::string_view to) {
  const std::uint8_t mask = parse_day_mask(days);
  if (mask == 0) {
    throw std::invalid_argument("days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"" +
                                std::string(days) + "\"");
  }
  const int from_min = parse_clock(from, false);
  if (from_min < 0) {
    throw std::invalid_argument("from must be a time like \"09:00\", got \"" + std::string(from) + "\"");
  }
  const int to_min = parse_clock(to, true);
  if (to_min < 0) {
    throw std::invalid_argument("to must be a time like \"17:00\", got \"" + std::string(to) + "\"");
  }
  if (to_min <= from_min) {
    throw std::invalid_argument("to must be after from, got from \"" + std::string(trim_space(from)) + "\" and to \"" +
                                std::string(trim_space(to)) + "\"");
  }
  return WorkCalendar(mask, from_min, to_min);
}

WorkCalendar WorkCalendar::always() { return WorkCalendar(kAllDays, 0, kMinutesPerDay); }

bool WorkCalendar::is_open(Time t) const { return is_always() || hours_.is_open(t); }

Time WorkCalendar::next_open(Time t) const { return is_always() ? t : hours_.next_open(t); }

Time WorkCalendar::advance(Time t, Time work) const {
  assert(std::isfinite(t) && std::isfinite(work) && work >= 0);
  if (is_always()) return work > 0 ? t + work : t;
  return hours_.advance(t, work);
}

Time WorkCalendar::open_between(Time a, Time b) const { return is_always() ? b - a : hours_.open_between(a, b); }

Time WorkCalendar::add_working_days(Time t, double n) const {
  assert(std::isfinite(t) && std::isfinite(n) && n >= 0);
  if (mask_ == kAllDays) return n > 0 ? t + n : t;
  return days_.advance(t, n);
}

std::string WorkCalendar::describe() const {
  if (is_always()) return "always";
  std::string days;
  if (mask_ == kAllDays) {
    days = "mon-sun";
  } else {
    const auto open = [this](int d) { return (mask_ >> (d % 7)) & 1u; };
    int start = 0;  // a listed day whose predecessor is not, so that wrapping runs stay whole
    while (!(open(start) && !open(start + 6))) ++start;
    for (int i = 0; i < 7;) {
      const int d = start + i;
      if (!open(d)) {
        ++i;
        continue;
      }
      int run = 1;
      while (i + run < 7 && open(d + run)) ++run;
      if (!days.empty()) days += ',';
      days += kDayNames[d % 7];
      if (run > 1) {
        days += '-';
        days += kDayNames[(d + run - 1) % 7];
      }
      i += run;
    }
  }
  return days + " " + format_clock(from_min_) + "-" + format_clock(to_min_);
}

}  // namespace refsim
