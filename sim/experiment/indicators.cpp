#include "sim/experiment/indicators.hpp"

#include <algorithm>
#include <cctype>

#include "sim/experiment/applicability.hpp"

namespace refsim {

namespace {

/// "mean_wait_days" → "mean wait days"
std::string words(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

/// The unit of a metric, from its kind and name.
std::string unit_of(std::string_view metric, Kind kind) {
  const auto ends = [&](std::string_view suffix) {
    return metric.size() >= suffix.size() && metric.substr(metric.size() - suffix.size()) == suffix;
  };
  if (kind == Kind::share || kind == Kind::fraction) return "share";
  if (metric.find("_days") != std::string_view::npos) return "days";
  if (ends("per_day")) return "per day";
  if (kind == Kind::count) return "cases";
  if (metric == "mean_queue_length" || metric == "mean_in_service" || metric == "beds_occupied") return "cases";
  return "";
}

/// A readable phrase for a metric: "mean wait", "time to identification (p90)".
std::string phrase(std::string_view metric) {
  struct Named {
    std::string_view metric, phrase;
  };
  static constexpr Named kNamed[] = {
      {"mean_wait_days", "mean wait"},
      {"mean_time_in_agency_days", "mean time in agency"},
      {"mean_time_in_system_days", "mean time in the mechanism"},
      {"mean_queue_length", "mean queue length"},
      {"mean_in_service", "mean cases in service"},
      {"throughput_per_day", "throughput"},
      {"in_agency_at_end", "cases in the agency at the horizon"},
      {"in_system_at_end", "persons in the mechanism at the horizon"},
      {"still_in_after_follow_up", "persons still in after the follow-up"},
      {"grounds_backlog_at_end", "grounds-decision backlog at the horizon"},
      {"victims_identified_share", "share of true victims identified"},
      {"dropout_share", "drop-out share"},
      {"mean_elapsed_days", "mean time to the target"},
      {"deadline_breaches_caused", "deadline breaches caused"},
  };
  for (const Named& n : kNamed) {
    if (n.metric == metric) return std::string(n.phrase);
  }
  // time_to_<milestone>_days_<stat>
  if (metric.rfind("time_to_", 0) == 0) {
    const std::size_t days = metric.find("_days_");
    if (days != std::string_view::npos) {
      std::string what = words(metric.substr(8, days - 8));
      if (what == "identified") what = "identification";
      if (what == "presumed") what = "presumed-victim status";
      if (what == "reasonable grounds") what = "reasonable-grounds decision";
      return "time to " + what + " (" + std::string(metric.substr(days + 6)) + ")";
    }
  }
  return words(metric);
}

/// Adds the indicators of one entity's metrics.
template <class Row, std::size_t N, class RowOf, class Why, class Key>
void add_all(std::vector<IndicatorDef>& out, const std::string& prefix, const std::string& label_suffix,
             const std::array<Metric<Row>, N>& metrics, RowOf row_of, Why why, Key key) {
  for (std::size_t k = 0; k < N; ++k) {
    const Metric<Row>& m = metrics[k];
    IndicatorDef d;
    d.name = prefix + std::string(m.name);
    d.label = capitalised(phrase(m.name)) + label_suffix;
    d.unit = unit_of(m.name, m.kind);
    d.kind = m.kind;
    d.not_applicable = std::string(why(k));
    d.key = d.not_applicable.empty() && key(m.name);
    d.read = [field = m.field, basis = m.basis, row_of](const ReplicationResult& r) {
      const Row& row = row_of(r);
      return std::pair<double, double>{row.*field, row.*basis};
    };
    out.push_back(std::move(d));
  }
}

constexpr auto kNone = [](std::size_t) { return std::string_view(); };
constexpr auto kNotKey = [](std::string_view) { return false; };

}  // namespace

IndicatorSeries IndicatorDef::series(const RunResult& r) const {
  IndicatorSeries s;
  s.values.reserve(r.replications.size());
  s.basis.reserve(r.replications.size());
  for (const ReplicationResult& rep : r.replications) {
    const auto [v, b] = read(rep);
    s.values.push_back(not_applicable.empty() ? v : kNaN);
    s.basis.push_back(b);
  }
  return s;
}

Estimate IndicatorDef::estimate(const RunResult& r) const {
  const IndicatorSeries s = series(r);
  return refsim::estimate(kind, s.values, s.basis);
}

std::string canonical_indicator_name(std::string_view name) {
  if (name.rfind("agency.", 0) == 0) return "agencies." + std::string(name.substr(7));
  return std::string(name);
}

std::vector<IndicatorDef> indicators(const Scenario& s) {
  const Applicability ok = applicability(s);
  std::vector<IndicatorDef> out;
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    const std::string& id = s.agencies[a].id;
    add_all(
        out, "agencies." + id + ".", " at " + id, kAgencyMetrics,
        [a](const ReplicationResult& r) -> const AgencyResult& { return r.agencies[a]; },
        [&ok, a](std::size_t k) { return ok.agencies[a][k]; },
        [unlimited = s.agencies[a].unlimited](std::string_view m) {
          return !unlimited && (m == "mean_wait_days" || m == "utilization");  // unlimited: no wait
        });
  }
  add_all(
      out, "cases.", "", kCaseMetrics, [](const ReplicationResult& r) -> const CaseResult& { return r.cases; },
      [&ok](std::size_t k) { return ok.cases[k]; },
      [](std::string_view m) { return m == "grounds_backlog_at_end" || m == "mean_time_in_system_days"; });
  for (std::size_t i = 0; i < s.referrals.size(); ++i) {
    add_all(
        out, "referrals." + s.referrals[i].key + ".", " on " + s.referrals[i].key, kReferralMetrics,
        [i](const ReplicationResult& r) -> const ReferralResult& { return r.referrals[i]; },
        [&ok, i](std::size_t k) { return ok.referrals[i][k]; }, kNotKey);
  }
  for (std::size_t i = 0; i < s.deadlines.size(); ++i) {
    const std::string& id = s.deadlines[i].id;
    add_all(
        out, "deadlines." + id + ".", ", deadline " + id, kDeadlineMetrics,
        [i](const ReplicationResult& r) -> const DeadlineResult& { return r.deadlines[i]; }, kNone,
        [](std::string_view m) { return m == "compliance"; });
    for (std::size_t c = 0; c < s.cohorts.count(); ++c) {
      const std::string cohort = s.cohorts.name(c);
      add_all(
          out, "deadlines." + id + ".cohorts." + cohort + ".", ", deadline " + id + ", " + cohort,
          kDeadlineCohortMetrics,
          [i, c](const ReplicationResult& r) -> const DeadlineCohortResult& { return r.deadlines[i].cohorts[c]; },
          kNone, kNotKey);
    }
  }
  const auto cohort_why = [&ok](std::size_t k) { return ok.cohorts[k]; };
  for (std::size_t c = 0; c < s.cohorts.count(); ++c) {
    const std::string cohort = s.cohorts.name(c);
    add_all(
        out, "cohorts." + cohort + ".", ", " + cohort, kCohortMetrics,
        [c](const ReplicationResult& r) -> const CohortResult& { return r.cohorts[c]; }, cohort_why, kNotKey);
  }
  add_all(
      out, "overall.", "", kCohortMetrics,
      [](const ReplicationResult& r) -> const CohortResult& { return r.cohorts.back(); }, cohort_why,
      [](std::string_view m) {
        return m == "time_to_identified_days_mean" || m == "time_to_identified_days_p90" ||
               m == "time_to_first_service_days_mean" || m == "time_to_first_service_days_p90" ||
               m == "victims_identified_share" || m == "dropout_share" || m == "prosecutions" || m == "convictions";
      });
  if (s.by_country()) {
    for (std::size_t k = 0; k < s.countries.size(); ++k) {
      const std::string& code = s.countries[k];
      // Per country, as summary.json: the agencies' metrics are n/a where none of its agencies
      // can produce them (the reasons are those of report.cpp's country_agency_reason).
      add_all(
          out, "countries." + code + ".at_its_agencies.", " at the agencies of " + code, kAgencyMetrics,
          [k](const ReplicationResult& r) -> const AgencyResult& { return r.agency_countries[k]; },
          [&ok, &s, k](std::size_t m) {
            // As summary.json: n/a when it applies to none of the country's agencies (the first
            // one's reason), or when the country has none.
            std::string_view reason = "no agency in this country";
            bool first = true;
            for (AgencyId a = 0; a < s.agencies.size(); ++a) {
              if (s.entry_country_index(a) != k) continue;
              if (ok.agencies[a][m].empty()) return std::string_view();
              if (first) reason = ok.agencies[a][m];
              first = false;
            }
            return reason;
          },
          kNotKey);
      add_all(
          out, "countries." + code + ".entered_here.", ", persons who entered in " + code, kCohortMetrics,
          [k](const ReplicationResult& r) -> const CohortResult& { return r.countries[k]; }, cohort_why, kNotKey);
    }
  }
  return out;
}

}  // namespace refsim
