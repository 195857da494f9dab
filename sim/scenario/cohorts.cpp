// [cohorts]: what cohort results are broken down by; and the scenario's countries of entry.
#include <algorithm>
#include <set>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {

void read_cohorts(const TableView& top, Scenario& s) {
  std::set<std::string> countries;
  if (!s.home_country.empty()) countries.insert(s.home_country);
  for (const Agency& a : s.agencies) {
    if (!a.country.empty()) countries.insert(a.country);
  }
  s.countries.assign(countries.begin(), countries.end());
  s.cohorts.nationalities = s.country_cohorts.nationalities = s.nationalities;
  s.cohorts.countries = s.country_cohorts.countries = s.countries;
  s.country_cohorts.by = {CohortDimension::entry_country};

  const toml::node* cn = top.find("cohorts");
  if (!cn) return;
  const Reader& r = top.reader();
  const TableView v(r, as_table(r, *cn, "[cohorts]"), "[cohorts]", schema::section("cohorts"));
  v.reject_unknown();
  const toml::node* by = v.find("by");
  if (!by) return;
  std::string known;
  for (auto name : kCohortDimensionNames) known += (known.empty() ? "" : ", ") + std::string(name);
  if (!by->is_array()) v.fail(*by, "by", "must be an array of dimensions (" + known + "), got " + type_name(*by));
  s.cohorts.by.clear();
  for (const toml::node& e : *by->as_array()) {
    const auto* str = e.as_string();
    const auto d = str ? cohort_dimension(str->get()) : std::nullopt;
    if (!d) {
      v.fail(e, "by", "must name dimensions (" + known + "), got " + (str ? "\"" + str->get() + "\"" : type_name(e)));
    }
    if (std::find(s.cohorts.by.begin(), s.cohorts.by.end(), *d) != s.cohorts.by.end())
      v.fail(e, "by", "names \"" + str->get() + "\" twice");
    if (*d == CohortDimension::entry_country && s.countries.empty())
      v.fail(e, "by",
             "\"entry_country\" needs countries: give agencies a `country`, or the scenario a [scenario] country");
    s.cohorts.by.push_back(*d);
    if (s.cohorts.count() > kMaxCohorts) {
      v.fail(e, "by",
             "gives " + std::to_string(s.cohorts.count()) + " cohorts (" + s.cohorts.describe() + "), more than " +
                 std::to_string(kMaxCohorts));
    }
  }
}

}  // namespace refsim::detail
