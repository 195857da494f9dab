// [[deadline]]: SOP time limits between milestones, in time or working days.
#include <charconv>
#include <cmath>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {

void read_deadlines(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("deadline");
  IdMap ids;
  for (const toml::table* t : tables_of(top, "deadline")) {
    const TableView pre(r, *t, "[[deadline]]", section);
    Deadline d;
    d.id = checked_id(pre, "id");
    d.where = r.at(*t);
    const TableView v(r, *t, "deadline '" + d.id + "'", section);
    v.reject_unknown();
    claim_id(v, ids, d.id, "deadline ");
    (void)v.string("description");
    d.from = read_milestone(v, s, "from");
    d.to = read_milestone(v, s, "to");
    if (d.to.kind == Milestone::Kind::entered)
      v.fail(*v.find("to"), "to", "cannot be \"entered\": every case has entered before any deadline starts");
    if (d.to.kind == d.from.kind && d.to.target == d.from.target) {
      v.fail(*v.find("to"), "to",
             "is the same milestone as from (\"" + d.from.text +
                 "\"): the deadline would measure nothing; give the "
                 "milestone it must be reached by, e.g. \"decided:identified\"");
    }
    const toml::node& wn = v.require("within");
    const std::string_view text = wn.is_string() ? *wn.value<std::string_view>() : std::string_view{};
    if (text.size() > 2 && text.substr(text.size() - 2) == "wd") {
      // Working days, Monday to Friday.
      const std::string_view number = text.substr(0, text.size() - 2);
      const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), d.working_days);
      if (ec != std::errc{} || end != number.data() + number.size()) {
        v.fail(wn, "within",
               "must be a duration such as \"24h\" or working days such as \"5wd\", got \"" + std::string(text) + "\"");
      }
      if (!(d.working_days > 0) || !std::isfinite(d.working_days))
        v.fail(wn, "within", "must be > 0 working days, got \"" + std::string(text) + "\"");
    } else {
      d.limit = v.duration(wn, "within");
      if (!(d.limit > 0)) v.fail(wn, "within", "must be > 0, got " + format_duration(d.limit));
    }
    d.when = read_condition(v, s, "when");
    s.deadlines.push_back(std::move(d));
  }
}

}  // namespace refsim::detail
