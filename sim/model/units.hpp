#pragma once
// Durations and rates as scenario files write them.
//
// Simulated time is a double counting days. A duration is a number of days or a string
// "<number><unit>" with unit s, min, h, d, w or y (365 d); a rate is a number per day or a
// string "<number>/<unit>". Both parsers throw std::invalid_argument with a message that says
// what was expected; the scenario loader adds the file position.
#include <string>
#include <string_view>

namespace refsim {

using Time = double;  ///< simulated time, in days

/// Days in one `unit` ("s", "min", "h", "d", "w", "y"); throws std::invalid_argument otherwise.
double unit_in_days(std::string_view unit);

/// Parses "90min", "4h", "2.5d", "1w", "1y" into days. A bare number without unit is rejected.
double parse_duration(std::string_view text);

/// Parses "3/h", "20/w", "1000/y", "1.5/d" into events per day.
double parse_rate(std::string_view text);

/// `s` without its leading and trailing ASCII white space (space, tab, line breaks, form feed,
/// vertical tab): the blanks that every parser of scenario text ignores around a value.
std::string_view trim_space(std::string_view s);

/// Renders days compactly for people: "45min", "3.5h", "12d", "2.1y".
std::string format_duration(double days);

/// A simulated instant for people: "day 12 (Fri) 09:00" (t = 0 is Monday 00:00; rounded to the
/// minute).
std::string format_clock(double t);

}  // namespace refsim
