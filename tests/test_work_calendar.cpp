#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>

#include "sim/model/work_calendar.hpp"

using namespace refsim;

namespace {

constexpr double kHour = 1.0 / 24.0;
constexpr double kEps = 1e-9;  // days, ~86 microseconds

enum Day { Mon, Tue, Wed, Thu, Fri, Sat, Sun };

// Week `week`, weekday `day`, hh:mm, as simulated time (t = 0 is Monday 00:00).
Time at(int week, Day day, int hh, int mm = 0) { return 7.0 * week + static_cast<int>(day) + (hh * 60 + mm) / 1440.0; }

Approx same(Time t) { return Approx(t).margin(kEps); }

std::string message_of(std::string_view days, std::string_view from, std::string_view to) {
  try {
    WorkCalendar::parse(days, from, to);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace

TEST_CASE("WorkCalendar: Mon-Fri 09-17 has 40 h a week, 8 h a day") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  CHECK_FALSE(office.is_always());
  CHECK(office.open_per_week() == Approx(5.0 / 3.0));
  CHECK(office.open_per_day() == Approx(1.0 / 3.0));
  CHECK(office.describe() == "mon-fri 09:00-17:00");
}

TEST_CASE("WorkCalendar: is_open and next_open follow the weekly hours") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  CHECK(office.is_open(at(0, Mon, 9)));  // opening instant is open
  CHECK(office.is_open(at(3, Wed, 12)));
  CHECK_FALSE(office.is_open(at(0, Mon, 17)));  // closing instant is not
  CHECK_FALSE(office.is_open(at(0, Mon, 8, 59)));
  CHECK_FALSE(office.is_open(at(2, Sat, 12)));
  CHECK_FALSE(office.is_open(0.0));

  CHECK(office.next_open(at(1, Tue, 10)) == at(1, Tue, 10));  // already open: t itself
  CHECK(office.next_open(at(0, Mon, 0)) == same(at(0, Mon, 9)));
  CHECK(office.next_open(at(0, Mon, 17)) == same(at(0, Tue, 9)));
  CHECK(office.next_open(at(4, Fri, 18)) == same(at(5, Mon, 9)));
  CHECK(office.next_open(at(4, Sun, 23, 59)) == same(at(5, Mon, 9)));
}

TEST_CASE("WorkCalendar: advance carries work over the night and the weekend") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  CHECK(office.advance(at(0, Fri, 16), 2 * kHour) == same(at(1, Mon, 10)));  // doc example
  CHECK(office.advance(at(0, Sat, 11), 1 * kHour) == same(at(1, Mon, 10)));  // arrival while closed
  CHECK(office.advance(at(0, Tue, 6), 1 * kHour) == same(at(0, Tue, 10)));
  CHECK(office.advance(at(0, Tue, 16), 3 * kHour) == same(at(0, Wed, 11)));
  CHECK(office.advance(at(0, Mon, 10), 16 * kHour) == same(at(0, Wed, 10)));
}

TEST_CASE("WorkCalendar: advance(t, 0) is t, even while closed") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  for (const Time t : {0.0, at(0, Mon, 9), at(0, Mon, 17), at(3, Sat, 14), at(100, Wed, 13, 7)}) {
    CHECK(office.advance(t, 0.0) == t);
  }
}

TEST_CASE("WorkCalendar: a result landing exactly on a closing time stays at it") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  CHECK(office.advance(at(0, Mon, 9), 8 * kHour) == same(at(0, Mon, 17)));    // not Tuesday 09:00
  CHECK(office.advance(at(0, Thu, 13), 12 * kHour) == same(at(0, Fri, 17)));  // not Monday 09:00
  // A full working week from Monday's opening ends at Friday's closing; the week's last closing
  // time is also where a week boundary in the arithmetic falls.
  CHECK(office.advance(at(0, Mon, 9), 40 * kHour) == same(at(0, Fri, 17)));
  CHECK(office.advance(at(0, Mon, 9), 80 * kHour) == same(at(1, Fri, 17)));
  // Such a result counts as closed, however it was computed: work started there resumes on Monday.
  const Time closing = office.advance(at(30, Mon, 9), 40 * kHour);
  CHECK_FALSE(office.is_open(closing));
  CHECK_FALSE(office.is_open(at(30, Fri, 17)));
  CHECK(office.next_open(closing) == same(at(31, Mon, 9)));
  CHECK(office.advance(closing, kHour) == office.advance(at(31, Mon, 9), kHour));
}

TEST_CASE("WorkCalendar: whole weeks of work are whole calendar weeks") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  // 40 h of work at 40 h/week: exactly one calendar week later from inside opening hours.
  CHECK(office.advance(at(0, Mon, 10), 40 * kHour) == same(at(1, Mon, 10)));
  CHECK(office.advance(at(0, Wed, 14, 30), 40 * kHour) == same(at(1, Wed, 14, 30)));
  // From a closed time, counting starts at the next opening.
  CHECK(office.advance(at(0, Sat, 12), 40 * kHour) == same(at(1, Fri, 17)));
  // Many weeks: arithmetic, not iteration, and no drift.
  CHECK(office.advance(at(0, Mon, 10), 52 * 40 * kHour) == same(at(52, Mon, 10)));
  CHECK(office.advance(at(3, Thu, 11), 1000 * 40 * kHour + 2 * kHour) == same(at(1003, Thu, 13)));
  CHECK(office.advance(at(2000, Tue, 16), 1e6 * 40 * kHour) == Approx(at(1002000, Tue, 16)).margin(1e-6));
}

TEST_CASE("WorkCalendar: weekday ranges wrap past Sunday") {
  const auto cal = WorkCalendar::parse("sun-thu", "08:00", "16:00");
  CHECK(cal.describe() == "sun-thu 08:00-16:00");
  CHECK(cal.open_per_week() == Approx(5.0 / 3.0));
  CHECK(cal.is_open(at(0, Sun, 8)));
  CHECK_FALSE(cal.is_open(at(0, Fri, 10)));
  CHECK(cal.advance(at(0, Thu, 15), 2 * kHour) == same(at(0, Sun, 9)));  // Friday, Saturday closed
  CHECK(cal.advance(at(0, Sun, 15), 2 * kHour) == same(at(1, Mon, 9)));  // across the week boundary
  CHECK(cal.next_open(at(0, Fri, 0)) == same(at(0, Sun, 8)));

  CHECK(WorkCalendar::parse("fri-mon", "09:00", "17:00").describe() == "fri-mon 09:00-17:00");
  CHECK(WorkCalendar::parse("sat,sun,mon", "09:00", "17:00").describe() == "sat-mon 09:00-17:00");
}

TEST_CASE("WorkCalendar: \"24:00\" closes at midnight and consecutive days merge") {
  const auto late = WorkCalendar::parse("mon-fri", "18:00", "24:00");
  CHECK(late.open_per_day() == Approx(0.25));
  CHECK(late.describe() == "mon-fri 18:00-24:00");
  CHECK(late.advance(at(0, Mon, 23), 2 * kHour) == same(at(0, Tue, 19)));
  CHECK(late.advance(at(0, Mon, 18), 6 * kHour) == same(at(0, Tue, 0)));  // = Monday 24:00

  // Whole days Mon-Fri form one interval Monday 00:00 - Saturday 00:00.
  const auto days = WorkCalendar::parse("mon-fri", "00:00", "24:00");
  CHECK(days.open_per_week() == Approx(5.0));
  CHECK(days.is_open(at(0, Tue, 0)));
  CHECK(days.is_open(at(0, Fri, 23, 59)));
  CHECK_FALSE(days.is_open(at(0, Sat, 0)));
  CHECK(days.advance(at(0, Mon, 12), 2.0) == same(at(0, Wed, 12)));
  CHECK(days.advance(at(0, Thu, 12), 2.0) == same(at(1, Mon, 12)));
  CHECK(days.open_between(at(0, Mon, 0), at(0, Sat, 0)) == same(5.0));

  // Sunday and Monday whole days touch across the week boundary.
  const auto weekend_shift = WorkCalendar::parse("sun-mon", "00:00", "24:00");
  CHECK(weekend_shift.advance(at(0, Sun, 12), 1.0) == same(at(1, Mon, 12)));
  CHECK(weekend_shift.open_between(at(0, Sun, 12), at(1, Mon, 12)) == same(1.0));
}

TEST_CASE("WorkCalendar: always() is open 24/7 and advance adds exactly") {
  const auto a = WorkCalendar::always();
  CHECK(a.is_always());
  CHECK(a.describe() == "always");
  CHECK(a.open_per_week() == 7.0);
  CHECK(a.open_per_day() == 1.0);
  CHECK(a.is_open(at(0, Sun, 3)));
  CHECK(a.next_open(12.345) == 12.345);
  CHECK(a.advance(12.345, 0.678) == 12.345 + 0.678);
  CHECK(a.open_between(1.5, 9.25) == 7.75);
  CHECK(a.add_working_days(3.25, 5) == 8.25);
  CHECK(WorkCalendar::parse("all", "00:00", "24:00").is_always());
  CHECK(WorkCalendar::parse("mon-sun", "00:00", "24:00").is_always());
  CHECK(WorkCalendar::parse("all", "08:00", "20:00").describe() == "mon-sun 08:00-20:00");
}

TEST_CASE("WorkCalendar: open_between is the inverse of advance") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:30");
  const auto odd = WorkCalendar::parse("mon,wed,sat", "07:15", "24:00");
  CHECK(office.open_between(at(0, Fri, 16), at(1, Mon, 10)) == same(2.5 * kHour));
  CHECK(office.open_between(at(0, Sat, 0), at(0, Sun, 23)) == 0.0);
  CHECK(office.open_between(at(0, Mon, 0), at(10, Mon, 0)) == same(10 * office.open_per_week()));

  std::mt19937_64 rng(20240611);
  std::uniform_real_distribution<double> when(0.0, 700.0);
  std::uniform_real_distribution<double> how_long(0.0, 30.0);
  for (const auto* cal : {&office, &odd}) {
    for (int i = 0; i < 20000; ++i) {
      const Time t = when(rng);
      const Time w = i % 10 == 0 ? how_long(rng) * 1e-6 : how_long(rng);
      const Time end = cal->advance(t, w);
      REQUIRE(end >= t);
      REQUIRE(cal->open_between(t, end) == Approx(w).margin(1e-9));
    }
  }
}

TEST_CASE("WorkCalendar: advance is increasing in the work and in the start") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  const auto wrap = WorkCalendar::parse("sun-thu", "22:00", "24:00");
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> when(0.0, 70.0);
  std::uniform_real_distribution<double> how_long(0.0, 5.0);
  for (const auto* cal : {&office, &wrap}) {
    for (int i = 0; i < 20000; ++i) {
      const Time t1 = when(rng);
      const Time t2 = t1 + how_long(rng) * (i % 2 ? 1.0 : 1e-3);
      const Time w1 = how_long(rng);
      const Time w2 = w1 + how_long(rng) * (i % 3 ? 1.0 : 1e-6);
      REQUIRE(cal->advance(t1, w1) <= cal->advance(t1, w2));
      REQUIRE(cal->advance(t1, w1) <= cal->advance(t2, w1));
      // Strictly increasing in the work: more work always finishes later.
      if (w2 - w1 > 1e-9) REQUIRE(cal->advance(t1, w1) < cal->advance(t1, w2));
    }
  }
  // Walking a fine grid of starts across a whole week never goes backwards.
  Time previous = office.advance(0.0, 3 * kHour);
  for (int m = 1; m <= 7 * 1440; ++m) {
    const Time next = office.advance(m / 1440.0, 3 * kHour);
    REQUIRE(next >= previous);
    previous = next;
  }
}

TEST_CASE("WorkCalendar: every start while closed finishes at the same instant, bit for bit") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  for (const Time w : {kHour, 0.123456789, 7.5 * kHour, 40 * kHour, 1234.5678}) {
    const Time from_monday = office.advance(at(3, Mon, 9), w);
    for (const Time t :
         {at(2, Fri, 17), at(2, Fri, 23), at(2, Sat, 12), at(2, Sun, 23, 59), at(3, Mon, 0), at(3, Mon, 8, 59)}) {
      CHECK(office.advance(t, w) == from_monday);
    }
    const Time from_tuesday = office.advance(at(3, Tue, 9), w);
    CHECK(office.advance(at(3, Mon, 17), w) == from_tuesday);
    CHECK(office.advance(at(3, Tue, 3), w) == from_tuesday);
  }
}

TEST_CASE("WorkCalendar: advance never returns a time before t near boundaries") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  for (int week : {0, 1, 52, 5000}) {
    for (const Time t : {at(week, Mon, 9), at(week, Fri, 17), at(week, Sun, 23, 59), 7.0 * week}) {
      for (const Time u : {std::nextafter(t, 0.0), t, std::nextafter(t, 1e12)}) {
        for (const Time w : {1e-15, 1e-12, 8 * kHour, 40 * kHour}) {
          const Time end = office.advance(u, w);
          REQUIRE(end >= u);
          REQUIRE(office.open_between(u, end) == Approx(w).margin(1e-9));
        }
      }
    }
  }
}

TEST_CASE("WorkCalendar: add_working_days counts whole working weekdays") {
  const auto office = WorkCalendar::parse("mon-fri", "09:00", "17:00");
  CHECK(office.add_working_days(at(0, Fri, 15), 5) == same(at(1, Fri, 15)));    // doc example
  CHECK(office.add_working_days(at(0, Sat, 10), 5) == same(at(1, Sat, 0)));     // = Friday 24:00
  CHECK(office.add_working_days(at(0, Sun, 23), 1) == same(at(1, Tue, 0)));     // weekend start
  CHECK(office.add_working_days(at(0, Sat, 10), 0.5) == same(at(1, Mon, 12)));  // fractional
  CHECK(office.add_working_days(at(0, Wed, 8), 10) == same(at(2, Wed, 8)));
  CHECK(office.add_working_days(at(0, Wed, 8), 0) == at(0, Wed, 8));
  // Only the weekdays matter, not the hours.
  const auto night = WorkCalendar::parse("mon-fri", "22:00", "23:00");
  CHECK(night.add_working_days(at(0, Fri, 15), 5) == same(at(1, Fri, 15)));
  // Wrapping weekdays: Sun-Thu.
  const auto sun_thu = WorkCalendar::parse("sun-thu", "08:00", "16:00");
  CHECK(sun_thu.add_working_days(at(0, Thu, 12), 1) == same(at(0, Sun, 12)));
  CHECK(sun_thu.add_working_days(at(0, Fri, 12), 5) == same(at(1, Fri, 0)));
  // Every day a working day: plain addition.
  CHECK(WorkCalendar::parse("all", "09:00", "17:00").add_working_days(2.5, 3) == 5.5);
}

TEST_CASE("WorkCalendar: day lists accept ranges, lists, case and spaces") {
  const auto hours = [](std::string_view days) { return WorkCalendar::parse(days, "09:00", "17:00").describe(); };
  CHECK(hours("mon-sat") == "mon-sat 09:00-17:00");
  CHECK(hours("mon,wed,fri") == "mon,wed,fri 09:00-17:00");
  CHECK(hours(" Mon - Fri ") == "mon-fri 09:00-17:00");
  CHECK(hours("mon-wed, fri") == "mon-wed,fri 09:00-17:00");
  CHECK(hours("tue,mon") == "mon-tue 09:00-17:00");
  CHECK(hours("wed-wed") == "wed 09:00-17:00");
  CHECK(hours("all") == "mon-sun 09:00-17:00");
  CHECK(WorkCalendar::parse("mon", "9:30", "12:00").describe() == "mon 09:30-12:00");
}

TEST_CASE("WorkCalendar: bad inputs say what was expected") {
  CHECK(message_of("funday", "09:00", "17:00") ==
        "days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"funday\"");
  CHECK(message_of("", "09:00", "17:00") == "days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"\"");
  CHECK(message_of("mon,,fri", "09:00", "17:00") ==
        "days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"mon,,fri\"");
  CHECK(message_of("monday-friday", "09:00", "17:00") ==
        "days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"monday-friday\"");
  CHECK(message_of("mon-", "09:00", "17:00") ==
        "days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"mon-\"");
  CHECK(message_of("mon-fri", "9am", "17:00") == "from must be a time like \"09:00\", got \"9am\"");
  CHECK(message_of("mon-fri", "24:00", "24:00") == "from must be a time like \"09:00\", got \"24:00\"");
  CHECK(message_of("mon-fri", "09:60", "17:00") == "from must be a time like \"09:00\", got \"09:60\"");
  CHECK(message_of("mon-fri", "", "17:00") == "from must be a time like \"09:00\", got \"\"");
  CHECK(message_of("mon-fri", "09:00", "5pm") == "to must be a time like \"17:00\", got \"5pm\"");
  CHECK(message_of("mon-fri", "09:00", "24:01") == "to must be a time like \"17:00\", got \"24:01\"");
  CHECK(message_of("mon-fri", "09:00", "17:0") == "to must be a time like \"17:00\", got \"17:0\"");
  CHECK(message_of("mon-fri", "17:00", "09:00") == "to must be after from, got from \"17:00\" and to \"09:00\"");
  CHECK(message_of("mon-fri", "09:00", "09:00") == "to must be after from, got from \"09:00\" and to \"09:00\"");
}
