#pragma once
// Weekly working hours: when an agency is open, and how long work takes once only opening time counts.
//
// Simulated time is a double counting days, and t = 0 is Monday 00:00. So day d of week w starts at
// 7w + d with d = 0 for Monday ... 6 for Sunday, and 09:00 is 0.375 d after the day's start.
//
// Usage:
//   const WorkCalendar office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
//   office.advance(4 + 16.0 / 24, 2.0 / 24);   // Friday 16:00 + 2 h of work -> 7 + 10.0 / 24 (Monday 10:00)
//   office.add_working_days(4.625, 5);         // Friday 15:00 + 5 working days -> 11.625 (next Friday 15:00)
//
// Times within 1e-9 d (~86 us) of an opening or closing instant count as that instant, so that a
// closing time computed by other arithmetic (7 * w + 4 + 17.0 / 24) is closed, not open for one ulp.
//
// The calendar is an immutable value, cheap to copy (no heap); every query is O(1) in the length of
// the span it covers (whole weeks by arithmetic, then a binary search over at most 7 intervals).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/model/units.hpp"

namespace refsim {

/// Weekly opening hours: the same [open, close) hours on each listed weekday.
class WorkCalendar {
 public:
  /// days: e.g. "mon-fri", "mon-sat", "mon,wed,fri", "sun-thu" (ranges may wrap past Sunday), "all"
  /// (= "mon-sun"); three-letter names, case-insensitive, spaces around items ignored.
  /// from/to: "09:00", "17:30" (24-h clock, H:MM or HH:MM; from up to "23:59", to up to "24:00";
  /// to > from, so every calendar has some opening). Throws std::invalid_argument saying what was
  /// expected, e.g. `days must be weekdays like "mon-fri" or "mon,wed,fri", got "funday"`,
  /// `from must be a time like "09:00", got "9am"`, `to must be a time like "17:00", got "5pm"`,
  /// `to must be after from, got from "17:00" and to "09:00"`. The caller adds which agency.
  static WorkCalendar parse(std::string_view days, std::string_view from, std::string_view to);

  /// Open 24/7: advance(t, w) == t + w exactly, add_working_days(t, n) == t + n.
  static WorkCalendar always();

  /// True for always() and for anything equivalent ("all", "00:00", "24:00").
  bool is_always() const { return mask_ == kAllDays && from_min_ == 0 && to_min_ == kMinutesPerDay; }

  /// Days of opening time per week (e.g. 5 x 8 h = 5/3 d).
  double open_per_week() const { return hours_.open; }

  /// Length of one working day, in days (8 h = 1/3).
  double open_per_day() const { return (to_min_ - from_min_) / double(kMinutesPerDay); }

  /// Whether the agency is open at t (opening instants count as open, closing instants do not).
  bool is_open(Time t) const;

  /// t itself if open, else the next opening time.
  Time next_open(Time t) const;

  /// The calendar time at which `work` days of opening time have elapsed, starting at t (work only
  /// progresses while open). advance(t, 0) == t, the result is never before t, and a result that
  /// lands exactly on a closing time stays at it (Monday 09:00 + 8 h = Monday 17:00, not Tuesday
  /// 09:00). Exact within floating point: Friday 16:00 + 2 h at a Mon-Fri 09-17 office is Monday
  /// 10:00. Precondition: work >= 0 and finite (asserted; non-positive work returns t).
  Time advance(Time t, Time work) const;

  /// Opening time elapsed between a and b (a <= b; for a > b the result is negative): the inverse of
  /// advance, open_between(t, advance(t, w)) == w within floating point.
  Time open_between(Time a, Time b) const;

  /// "n working days" counted on the calendar's working weekdays as whole 24-h days, from t: from
  /// Friday 15:00, 5 working days (Mon-Fri) ends the next Friday 15:00; from Saturday 10:00 it ends
  /// Friday 24:00 (counting starts at the next working day's start). Fractional n allowed. Depends
  /// only on the weekdays, not on the hours. Precondition as for advance.
  Time add_working_days(Time t, double n) const;

  /// Canonical form, e.g. "mon-fri 09:00-17:00", "sun-thu 08:00-24:00", "mon,wed,fri 09:00-12:00";
  /// "always" for a 24/7 calendar. Other than "always", the parts parse back to the same calendar.
  std::string describe() const;

 private:
  static constexpr int kMinutesPerDay = 1440;
  static constexpr std::uint8_t kAllDays = 0x7f;  // bit d set = weekday d open, d = 0 is Monday
  static constexpr Time kSnap = 1e-9;             // days (~86 us): times this close to an opening/closing are at it

  /// One open interval [start, end) as offsets in days from Monday 00:00, with the opening time
  /// of the week before it (`before`) and up to its end (`through`).
  struct Interval {
    Time start = 0;
    Time end = 0;
    Time before = 0;
    Time through = 0;
  };

  /// A week's opening: sorted, disjoint, non-touching intervals inside [0, 7] (touching days
  /// merged), at least one, and their total.
  struct Week {
    std::array<Interval, 7> intervals{};
    int count = 0;
    Time open = 0;

    /// Where t falls: its week, its offset in [0, 7) snapped to a boundary within kSnap, and how many
    /// intervals start at or before that offset.
    struct Slot {
      double week;
      Time offset;
      int after;
    };

    static Week build(std::uint8_t mask, Time from, Time to);
    Slot find(Time t) const;
    Time open_before(const Slot& s) const;  // opening time from the slot's Monday 00:00 to it
    bool is_open(Time t) const;
    Time next_open(Time t) const;
    Time advance(Time t, Time work) const;
    Time open_between(Time a, Time b) const;
  };

  WorkCalendar(std::uint8_t mask, int from_min, int to_min);

  std::uint8_t mask_ = kAllDays;
  int from_min_ = 0;
  int to_min_ = kMinutesPerDay;
  Week hours_;  // the opening hours
  Week days_;   // the working weekdays as whole days, for add_working_days
};

}  // namespace refsim
