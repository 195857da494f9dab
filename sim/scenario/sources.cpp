// [[source]]: Poisson arrivals (with seasonality) and batches.
#include <algorithm>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {

void read_sources(const TableView& top, Scenario& s, IdMap& ids) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("source");
  for (const toml::table* t : tables_of(top, "source")) {
    const TableView pre(r, *t, "[[source]]", section);
    Source src;
    src.id = checked_id(pre, "id");
    src.where = r.at(*t);
    const TableView v(r, *t, "source '" + src.id + "'", section);
    v.reject_unknown();
    claim_id(v, ids, src.id, "", "; agencies and sources share one namespace");
    src.to = agency_ref(v, s, "to");
    const toml::node* an = v.find("at");
    if (an) {
      if (!an->is_array() || an->as_array()->empty())
        v.fail(*an, "at", "must be a non-empty array of times (durations from the start), got " + type_name(*an));
      for (const toml::node& e : *an->as_array()) {
        const Time when = v.duration(e, "at");
        if (when < 0) v.fail(e, "at", "must be times >= 0, got " + format_duration(when));
        if (!src.batches.empty() && when < src.batches.back()) v.fail(e, "at", "must be in increasing order");
        src.batches.push_back(when);
      }
      const toml::node& cn = v.require("cases");
      const auto n = v.integer(cn, "cases", "an integer >= 1");
      if (n < 1 || n > schema::kMaxBatchCases)
        v.fail(cn, "cases",
               "must be an integer between 1 and " + std::to_string(schema::kMaxBatchCases) + ", got " +
                   std::to_string(n));
      src.batch_size = static_cast<std::uint32_t>(n);
    } else if (const toml::node* cn = v.find("cases")) {
      v.fail(*cn, "cases", "has no effect without at = [times of the batches]");
    }
    // With batches the rate is optional; without, required.
    if (const toml::node* rn = an ? v.find("rate") : &v.require("rate")) {
      src.rate_per_day = read_uncertain(v, s, "rate", rn, 0, UncertainParameter::Target::source_rate,
                                        static_cast<std::uint32_t>(s.sources.size()), src.id, true);
      if (!(src.rate_per_day > 0)) {
        v.fail(*rn, "rate",
               rn->is_table() ? "must be > 0 per day: the range's mean, (min + 4 mode + max) / 6, is 0"
                              : "must be > 0 per day, got " + type_name(*rn));
      }
    }
    if (const toml::node* n = v.find("seasonality")) {
      const toml::array* arr = n->as_array();
      if (!arr || arr->size() != 12)
        v.fail(*n, "seasonality", "must be an array of 12 monthly factors (January to December), got " + type_name(*n));
      if (src.rate_per_day == 0) v.fail(*n, "seasonality", "has no effect without a rate");
      for (const toml::node& e : *arr) {
        const double f = v.number(e, "seasonality");
        if (f < 0) v.fail(e, "seasonality", "must be factors >= 0, got " + type_name(e));
        src.seasonality.push_back(f);
      }
      if (*std::max_element(src.seasonality.begin(), src.seasonality.end()) == 0)
        v.fail(*n, "seasonality", "has every factor 0: the source would never produce a case");
    }
    if (v.find("profile")) src.profile = profile_ref(v, s, "profile");
    s.sources.push_back(std::move(src));
  }
  if (s.sources.empty()) {
    r.fail(SourceLocation{r.file(), 1, 1}, "no [[source]] declared; cases would never enter the mechanism");
  }
}

}  // namespace refsim::detail
