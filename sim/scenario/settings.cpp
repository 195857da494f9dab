// [scenario] and [run].
#include "sim/scenario/reader.hpp"

namespace refsim::detail {

void read_settings(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const toml::node* sn = top.find("scenario");
  if (!sn) r.fail(SourceLocation{r.file(), 1, 1}, "missing required table [scenario] (with at least name = \"...\")");
  const TableView meta(r, as_table(r, *sn, "[scenario]"), "[scenario]", schema::section("scenario"));
  meta.reject_unknown();
  s.name = meta.string("name");
  if (const toml::node* nn = meta.find("name"); nn && s.name.find_first_not_of(" \t") == std::string::npos) {
    meta.fail(*nn, "name", "must not be empty: it names the scenario in every report");
  }
  s.description = meta.string("description");
  s.home_country = meta.string("country");
  if (!s.home_country.empty() && !is_country_code(s.home_country)) {
    meta.fail(*meta.find("country"), "country",
              "must be a country code in capitals, e.g. \"NA\", got \"" + s.home_country + "\"");
  }
  s.currency = meta.string("currency");
  if (const toml::node* cn = meta.find("currency"); cn && s.currency.empty()) {
    meta.fail(*cn, "currency", "must not be empty (a currency code or name, e.g. \"USD\")");
  }

  const toml::node* rn = top.find("run");
  if (!rn) r.fail(SourceLocation{r.file(), 1, 1}, "missing required table [run] (with at least horizon = \"365d\")");
  const TableView v(r, as_table(r, *rn, "[run]"), "[run]", schema::section("run"));
  v.reject_unknown();
  const toml::node& hn = v.require("horizon");
  s.run.horizon = v.duration(hn, "horizon");
  s.run.horizon_at = r.at(hn);
  if (!(s.run.horizon > 0)) v.fail(hn, "horizon", "must be > 0, got " + format_duration(s.run.horizon));
  if (const toml::node* wn = v.find("warmup")) {
    s.run.warmup = v.duration(*wn, "warmup");
    if (s.run.warmup < 0) v.fail(*wn, "warmup", "must be >= 0, got " + format_duration(s.run.warmup));
    if (s.run.warmup >= s.run.horizon) {
      v.fail(
          *wn, "warmup",
          "(" + format_duration(s.run.warmup) + ") must be less than horizon (" + format_duration(s.run.horizon) + ")");
    }
  }
  if (const toml::node* n = v.find("follow_up")) {
    s.run.follow_up = v.duration(*n, "follow_up");
    if (!(s.run.follow_up >= 0)) v.fail(*n, "follow_up", "must be >= 0, got " + format_duration(s.run.follow_up));
  }
  if (const toml::node* n = v.find("replications")) {
    const auto reps = v.integer(*n, "replications", "an integer >= 1");
    if (reps < 1 || reps > schema::kMaxReplications)
      v.fail(*n, "replications",
             "must be an integer between 1 and " + std::to_string(schema::kMaxReplications) + ", got " +
                 std::to_string(reps));
    s.run.replications = static_cast<std::uint32_t>(reps);
  }
  if (const toml::node* n = v.find("seed")) {
    const auto seed = v.integer(*n, "seed", "an integer >= 0");
    if (seed < 0) v.fail(*n, "seed", "must be an integer >= 0, got " + std::to_string(seed));
    s.run.seed = static_cast<std::uint64_t>(seed);
  }
}

}  // namespace refsim::detail
