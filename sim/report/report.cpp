#include "sim/report/report.hpp"
#include "sim/report/summary_document.hpp"

#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "sim/experiment/applicability.hpp"
#include "sim/model/parameters.hpp"

namespace refsim {

using Json = nlohmann::ordered_json;

namespace {

/// The estimate of metric `m` over replications; `row_of(rep)` picks the row in a replication.
template <class Row, class RowOf>
Estimate estimate_of(const RunResult& res, const Metric<Row>& m, RowOf row_of) {
  std::vector<double> values, basis;
  values.reserve(res.replications.size());
  basis.reserve(res.replications.size());
  for (const auto& rep : res.replications) {
    values.push_back(row_of(rep).*m.field);
    basis.push_back(row_of(rep).*m.basis);
  }
  return estimate(m.kind, values, basis);
}

/// The estimate of the metric held in `field` (one of the `metrics`).
template <class Row, std::size_t N, class RowOf>
Estimate estimate_of(const RunResult& res, const std::array<Metric<Row>, N>& metrics, double Row::*field,
                     RowOf row_of) {
  return estimate_of(res, metrics[metric_index(metrics, field)], row_of);
}

/// A CSV value: the number, or an empty cell for NaN (no observation).
std::string csv_cell(double v) { return std::isnan(v) ? "" : format_number(v); }

/// The last three cells of a tidy CSV row: value, observations (the metric's basis in this
/// replication) and note ("n/a" with the value and observations empty; "few observations" below
/// kFewObservations; else empty).
template <class Row>
std::string csv_cells(const Row& row, const Metric<Row>& m, std::string_view not_applicable) {
  if (!not_applicable.empty()) return ",,n/a";
  const double basis = row.*m.basis;
  return csv_cell(row.*m.field) + ',' + csv_cell(basis) + (basis < kFewObservations ? ",few observations" : ",");
}

/// No metric of the entity is n/a.
constexpr auto kAllApply = [](std::size_t /*entity*/, std::size_t /*metric*/) { return std::string_view(); };

/// Tidy CSV rows "replication,<name>,metric,value,observations,note" for every replication × entity
/// × metric; `why(entity, metric index)` says why a metric is n/a (empty: it applies).
template <class Row, std::size_t N, class RowOf, class Why>
void tidy_rows(std::ostream& os, const RunResult& res, const std::vector<std::string>& names,
               const std::array<Metric<Row>, N>& metrics, RowOf row_of, Why why) {
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      const Row& row = row_of(res.replications[r], i);
      for (std::size_t k = 0; k < N; ++k)
        os << r << ',' << names[i] << ',' << metrics[k].name << ',' << csv_cells(row, metrics[k], why(i, k)) << '\n';
    }
  }
}

/// {"mean", "ci95", "n", "replications", "few_observations"}; for a measure that does not apply,
/// {"mean": null, "ci95": null, "not_applicable": reason}.
Json to_json(const Estimate& e, std::string_view not_applicable) {
  Json j;
  if (!not_applicable.empty()) {
    j["mean"] = nullptr;
    j["ci95"] = nullptr;
    j["not_applicable"] = std::string(not_applicable);
    return j;
  }
  j["mean"] = number_or_null(e.mean);
  j["ci95"] = e.ci95 ? Json::array({number_or_null(e.ci95->first), number_or_null(e.ci95->second)}) : Json(nullptr);
  j["n"] = static_cast<std::uint64_t>(std::llround(e.observations));
  j["replications"] = e.replications;
  j["few_observations"] = e.few_observations;
  return j;
}

/// {"<metric>": {…}, …} for one entity; `why(metric index)` as in tidy_rows.
template <class Row, std::size_t N, class RowOf, class Why>
Json metrics_json(const RunResult& res, const std::array<Metric<Row>, N>& metrics, RowOf row_of, Why why) {
  Json j = Json::object();
  for (std::size_t k = 0; k < N; ++k)
    j[std::string(metrics[k].name)] = to_json(estimate_of(res, metrics[k], row_of), why(k));
  return j;
}
template <class Row, std::size_t N, class RowOf>
Json metrics_json(const RunResult& res, const std::array<Metric<Row>, N>& metrics, RowOf row_of) {
  return metrics_json(res, metrics, row_of, [](std::size_t) { return std::string_view(); });
}

/// The agencies of each country (Scenario::countries order; without a country: the home country's).
std::vector<std::vector<AgencyId>> agencies_by_country(const Scenario& s) {
  std::vector<std::vector<AgencyId>> out(s.countries.size());
  for (AgencyId a = 0; a < s.agencies.size(); ++a) out[s.entry_country_index(a)].push_back(a);
  return out;
}

/// Why agency metric k does not apply to the agencies of one country together: when it applies to
/// none of them (the first one's reason), or when the country has no agency.
std::string_view country_agency_reason(const Applicability& ok, const std::vector<AgencyId>& agencies, std::size_t k) {
  if (agencies.empty()) return "no agency in this country";
  for (AgencyId a : agencies) {
    if (ok.agencies[a][k].empty()) return {};
  }
  return ok.agencies[agencies.front()][k];
}

}  // namespace

std::string csv_quoted(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

Json summary_document(const RunContext& ctx, const RunResult& res) {
  const Scenario& s = ctx.scenario;
  const Applicability ok = applicability(s);
  Json j;
  j["scenario"] = s.name;
  j["seed"] = ctx.seed;
  j["replications"] = ctx.replications;
  j["horizon_days"] = s.run.horizon;
  j["warmup_days"] = s.run.warmup;
  if (!ctx.warmup_rule.empty()) j["warmup_rule"] = ctx.warmup_rule;
  j["follow_up_days"] = s.run.follow_up;
  j["events_processed"] = res.events_processed;
  Json agencies = Json::object();
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    Json aj;
    aj["servers"] = s.agencies[a].unlimited ? Json("unlimited") : Json(s.agencies[a].servers);
    aj.update(metrics_json(
        res, kAgencyMetrics, [a](const ReplicationResult& r) -> const auto& { return r.agencies[a]; },
        [&](std::size_t k) { return ok.agencies[a][k]; }));
    agencies[s.agencies[a].id] = std::move(aj);
  }
  j["agencies"] = std::move(agencies);
  j["cases"] = metrics_json(
      res, kCaseMetrics, [](const ReplicationResult& r) -> const auto& { return r.cases; },
      [&](std::size_t k) { return ok.cases[k]; });
  Json referrals = Json::object();
  for (std::size_t i = 0; i < s.referrals.size(); ++i) {
    referrals[s.referrals[i].key] = metrics_json(
        res, kReferralMetrics, [i](const ReplicationResult& r) -> const auto& { return r.referrals[i]; },
        [&](std::size_t k) { return ok.referrals[i][k]; });
  }
  j["referrals"] = std::move(referrals);
  Json deadlines = Json::object();
  for (std::size_t i = 0; i < s.deadlines.size(); ++i) {
    Json dj;
    // A limit in working days has no fixed length in days: within_days is null then.
    if (s.deadlines[i].working_days > 0) {
      dj["within_days"] = nullptr;
      dj["within_working_days"] = s.deadlines[i].working_days;
    } else {
      dj["within_days"] = s.deadlines[i].limit;
    }
    dj.update(metrics_json(
        res, kDeadlineMetrics, [i](const ReplicationResult& r) -> const auto& { return r.deadlines[i]; }));
    Json cohorts = Json::object();
    for (std::size_t c = 0; c < ctx.scenario.cohorts.count(); ++c) {
      cohorts[ctx.scenario.cohorts.name(c)] = metrics_json(
          res, kDeadlineCohortMetrics,
          [ i, c ](const ReplicationResult& r) -> const auto& { return r.deadlines[i].cohorts[c]; });
    }
    dj["cohorts"] = std::move(cohorts);
    deadlines[s.deadlines[i].id] = std::move(dj);
  }
  j["deadlines"] = std::move(deadlines);
  Json cohorts = Json::object();
  for (std::size_t c = 0; c < ctx.scenario.cohorts.count(); ++c) {
    cohorts[ctx.scenario.cohorts.name(c)] = metrics_json(
        res, kCohortMetrics, [c](const ReplicationResult& r) -> const auto& { return r.cohorts[c]; },
        [&](std::size_t k) { return ok.cohorts[k]; });
  }
  j["cohorts"] = std::move(cohorts);
  j["overall"] = metrics_json(
      res, kCohortMetrics, [](const ReplicationResult& r) -> const auto& { return r.cohorts.back(); },
      [&](std::size_t k) { return ok.cohorts[k]; });
  // Regional scenarios: each country's agencies together, and the persons who entered there.
  if (s.by_country()) {
    const auto members = agencies_by_country(s);
    Json countries = Json::object();
    for (std::size_t k = 0; k < s.countries.size(); ++k) {
      Json cj;
      Json ids = Json::array();
      for (AgencyId a : members[k]) ids.push_back(s.agencies[a].id);
      cj["agencies"] = std::move(ids);
      cj["at_its_agencies"] = metrics_json(
          res, kAgencyMetrics, [k](const ReplicationResult& r) -> const auto& { return r.agency_countries[k]; },
          [&](std::size_t m) { return country_agency_reason(ok, members[k], m); });
      cj["entered_here"] = metrics_json(
          res, kCohortMetrics, [k](const ReplicationResult& r) -> const auto& { return r.countries[k]; },
          [&](std::size_t m) { return ok.cohorts[m]; });
      countries[s.countries[k]] = std::move(cj);
    }
    j["countries"] = std::move(countries);
  }
  // Only with [[change]] tables, so that the summary of a scenario without them is as it was.
  if (!s.changes.empty()) {
    Json changes = Json::array();
    for (const ReplayedChange& rc : replay_changes(s)) {
      const Change& c = s.changes[rc.declared].change;
      Json cj;
      cj["at_days"] = rc.at;
      cj["target"] = c.target == Change::Target::agency   ? "agency"
                     : c.target == Change::Target::source ? "source"
                                                          : "referral";
      cj["id"] = c.target == Change::Target::agency   ? s.agencies[c.index].id
                 : c.target == Change::Target::source ? s.sources[c.index].id
                                                      : s.referrals[c.index].key;
      cj["change"] = describe(c, rc.previous, s);
      cj["origin"] = c.origin;
      changes.push_back(std::move(cj));
    }
    j["changes"] = std::move(changes);
  }
  if (!ctx.warnings.empty()) j["warnings"] = ctx.warnings;
  return j;
}

std::string summary_json(const RunContext& ctx, const RunResult& res) {
  return summary_document(ctx, res).dump(2) + "\n";
}

std::string agencies_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,agency,metric,value,observations,note\n";
  std::vector<std::string> names;
  for (const Agency& a : ctx.scenario.agencies) names.push_back(a.id);
  const Applicability ok = applicability(ctx.scenario);
  tidy_rows(
      os, res, names, kAgencyMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.agencies[i]; },
      [&](std::size_t i, std::size_t k) { return ok.agencies[i][k]; });
  return os.str();
}

std::string cases_csv(const RunContext& ctx, const RunResult& res) {
  const Applicability ok = applicability(ctx.scenario);
  std::ostringstream os;
  os << "replication,metric,value,observations,note\n";
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    for (const auto& m : kCaseMetrics)
      os << r << ',' << m.name << ','
         << csv_cells(res.replications[r].cases, m, ok.cases[metric_index(kCaseMetrics, m.field)]) << '\n';
  }
  return os.str();
}

std::string referrals_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,referral,metric,value,observations,note\n";
  std::vector<std::string> names;
  for (const Referral& r : ctx.scenario.referrals) names.push_back(r.key);
  const Applicability ok = applicability(ctx.scenario);
  tidy_rows(
      os, res, names, kReferralMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.referrals[i]; },
      [&](std::size_t i, std::size_t k) { return ok.referrals[i][k]; });
  return os.str();
}

std::string deadlines_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,deadline,metric,value,observations,note\n";
  std::vector<std::string> names;
  for (const Deadline& d : ctx.scenario.deadlines) names.push_back(d.id);
  tidy_rows(
      os, res, names, kDeadlineMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.deadlines[i]; }, kAllApply);
  return os.str();
}

std::string deadline_cohorts_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,deadline,cohort,metric,value,observations,note\n";
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    for (std::size_t d = 0; d < ctx.scenario.deadlines.size(); ++d) {
      for (std::size_t c = 0; c < ctx.scenario.cohorts.count(); ++c) {
        const std::string prefix =
            std::to_string(r) + ',' + ctx.scenario.deadlines[d].id + ',' + ctx.scenario.cohorts.name(c) + ',';
        const DeadlineCohortResult& row = res.replications[r].deadlines[d].cohorts[c];
        for (const auto& m : kDeadlineCohortMetrics) os << prefix << m.name << ',' << csv_cells(row, m, {}) << '\n';
      }
    }
  }
  return os.str();
}

std::string cohorts_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,cohort,metric,value,observations,note\n";
  std::vector<std::string> names;
  for (std::size_t c = 0; c < ctx.scenario.cohorts.count(); ++c) names.push_back(ctx.scenario.cohorts.name(c));
  names.emplace_back("overall");
  const Applicability ok = applicability(ctx.scenario);
  tidy_rows(
      os, res, names, kCohortMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.cohorts[i]; },
      [&](std::size_t, std::size_t k) { return ok.cohorts[k]; });
  return os.str();
}

std::string countries_csv(const RunContext& ctx, const RunResult& res) {
  const Scenario& s = ctx.scenario;
  std::ostringstream os;
  os << "replication,country,group,metric,value,observations,note\n";
  if (!s.by_country()) return os.str();
  const Applicability ok = applicability(s);
  const auto members = agencies_by_country(s);
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    const ReplicationResult& rep = res.replications[r];
    for (std::size_t k = 0; k < s.countries.size(); ++k) {
      for (std::size_t m = 0; m < kAgencyMetrics.size(); ++m) {
        os << r << ',' << s.countries[k] << ",at_its_agencies," << kAgencyMetrics[m].name << ','
           << csv_cells(rep.agency_countries[k], kAgencyMetrics[m], country_agency_reason(ok, members[k], m)) << '\n';
      }
      for (std::size_t m = 0; m < kCohortMetrics.size(); ++m) {
        os << r << ',' << s.countries[k] << ",entered_here," << kCohortMetrics[m].name << ','
           << csv_cells(rep.countries[k], kCohortMetrics[m], ok.cohorts[m]) << '\n';
      }
    }
  }
  return os.str();
}

std::string timeseries_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,time_days,agency,queue,in_service,held,grounds_backlog,capacity\n";
  const std::size_t n = ctx.scenario.agencies.size();
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    const TimeSeries& ts = res.replications[r].timeseries;
    for (std::size_t k = 0; k < ts.times.size(); ++k) {
      for (std::size_t a = 0; a < n; ++a) {
        const std::size_t i = k * n + a;
        os << r << ',' << format_number(ts.times[k]) << ',' << ctx.scenario.agencies[a].id << ',' << ts.queue[i] << ','
           << ts.in_service[i] << ',' << ts.held[i] << ',' << ts.grounds_backlog[k] << ',';
        if (ts.capacity[i] != TimeSeries::kUnlimited) os << ts.capacity[i];
        os << '\n';
      }
    }
  }
  return os.str();
}

std::string run_json(const RunContext& ctx, const RunResult& res, const std::string& command_line) {
  Json j;
  j["refsim_version"] = REFSIM_VERSION;
  j["scenario_file"] = ctx.scenario.file;
  j["command"] = command_line;
  j["threads"] = res.threads_used;
  j["wall_seconds"] = res.wall_seconds;
  j["events_processed"] = res.events_processed;
  j["events_per_second"] = res.wall_seconds > 0 ? static_cast<double>(res.events_processed) / res.wall_seconds : 0.0;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0) j["peak_rss_mib"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
  return j.dump(2) + "\n";
}

namespace {

/// The figures of the table, and the notes under it that they need: what the few-observation mark
/// means, and why a measure is n/a, once per reason.
class TableNotes {
 public:
  /// "mean [lo,hi]" (just the mean without an interval) at `precision` decimals, then "*" on few
  /// observations; "-" when no replication observed it; "n/a" when `not_applicable` is set, noted
  /// under the table as the reason for `column` of `entity` (empty: every entity of the table).
  std::string cell(const Estimate& e, int precision, std::string_view not_applicable = {},
                   const std::string& column = {}, const std::string& entity = {}) {
    if (!not_applicable.empty()) {
      add(not_applicable, column, entity);
      return "n/a";
    }
    if (std::isnan(e.mean)) return "-";
    std::ostringstream c;
    c << std::fixed << std::setprecision(precision) << e.mean;
    if (e.ci95) c << " [" << e.ci95->first << ',' << e.ci95->second << ']';
    if (e.few_observations) {
      c << '*';
      few_ = true;
    }
    return c.str();
  }
  void print(std::ostream& os) const {
    if (!few_ && columns_.empty()) return;
    os << "\nnotes:\n";
    if (few_) {
      os << "  * fewer than " << static_cast<int>(kFewObservations)
         << " observations per replication behind the figure (\"n\" in summary.json); never chosen as the worst\n";
    }
    if (columns_.empty()) return;
    os << "  n/a: the scenario cannot produce the measure\n";
    // One line per reason and set of entities, naming the columns it applies to.
    std::vector<std::pair<std::string, std::vector<std::string>>> lines;  // (reason — entities, columns)
    for (const Column& c : columns_) {
      std::string key = std::string(c.reason);
      if (!c.entities.empty()) {
        key += " (";
        for (std::size_t i = 0; i < c.entities.size(); ++i) key += (i ? ", " : "") + c.entities[i];
        key += ")";
      }
      auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == key; });
      if (it == lines.end()) it = lines.insert(lines.end(), {key, {}});
      it->second.push_back(c.column);
    }
    for (const auto& [key, columns] : lines) {
      os << "    ";
      for (std::size_t i = 0; i < columns.size(); ++i) os << (i ? ", " : "") << columns[i];
      os << ": " << key << "\n";
    }
  }

 private:
  struct Column {
    std::string column;
    std::string_view reason;
    std::vector<std::string> entities;
  };
  void add(std::string_view reason, const std::string& column, const std::string& entity) {
    auto it = std::find_if(columns_.begin(), columns_.end(),
                           [&](const Column& c) { return c.column == column && c.reason == reason; });
    if (it == columns_.end()) it = columns_.insert(columns_.end(), {column, reason, {}});
    if (!entity.empty() && std::find(it->entities.begin(), it->entities.end(), entity) == it->entities.end())
      it->entities.push_back(entity);
  }
  bool few_ = false;
  std::vector<Column> columns_;
};

}  // namespace

/// Display columns of UTF-8 text: setw counts bytes, and "→" is three.
std::size_t display_width(const std::string& t) {
  std::size_t n = 0;
  for (unsigned char ch : t) n += (ch & 0xC0) != 0x80;
  return n;
}

/// Rows of cells, the first the header: the first column left-aligned, the others right-aligned,
/// each as wide as its widest cell, two spaces apart, each line after `indent`.
void print_grid(std::ostream& os, const std::string& indent, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], display_width(row[k]));
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t k = 0; k < row.size(); ++k) {
      const std::string pad(width[k] - display_width(row[k]), ' ');
      line += k == 0 ? row[k] + pad : "  " + pad + row[k];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    os << line << "\n";
  }
}

void print_summary_table(std::ostream& os, const RunContext& ctx, const RunResult& res) {
  const Scenario& s = ctx.scenario;
  const Applicability ok = applicability(s);
  TableNotes notes;
  const auto per_replication = [&](const Estimate& e) {
    return e.observations / static_cast<double>(std::max<std::size_t>(1, res.replications.size()));
  };
  // Servers as the run goes: "4→2→4" for an agency whose [[change]]s set them; longer than 9
  // columns, the first and the last value.
  const std::vector<ReplayedChange> replayed = replay_changes(s);
  std::vector<std::string> servers_text(s.agencies.size());
  for (std::size_t a = 0; a < s.agencies.size(); ++a)
    servers_text[a] = s.agencies[a].unlimited ? std::string("unlim.") : std::to_string(s.agencies[a].servers);
  for (const ReplayedChange& rc : replayed) {
    const Change& c = s.changes[rc.declared].change;
    if (c.target == Change::Target::agency && c.servers) servers_text[c.index] += "→" + std::to_string(*c.servers);
  }
  for (std::string& t : servers_text) {
    if (display_width(t) > 9) t = t.substr(0, t.find("→")) + "→…" + t.substr(t.rfind("→") + 3);
  }
  os << s.name << " — " << ctx.replications << " replication(s), seed " << ctx.seed << ", horizon "
     << format_duration(s.run.horizon) << ", warm-up " << format_duration(s.run.warmup) << "\n";
  os << "(mean [95% confidence interval] over replications; times in days; * and n/a: see the notes at the end)\n\n";

  const auto agency_estimate = [&](std::size_t a, double AgencyResult::*field) {
    return estimate_of(
        res, kAgencyMetrics, field, [a](const ReplicationResult& r) -> const auto& { return r.agencies[a]; });
  };
  const auto agency_cell = [&](std::size_t a, double AgencyResult::*field, int precision, const std::string& column) {
    return notes.cell(agency_estimate(a, field), precision, ok.agencies[a][metric_index(kAgencyMetrics, field)], column,
                      s.agencies[a].id);
  };
  std::vector<std::vector<std::string>> grid{
      {"agency", "servers", "throughput/d", "utilization", "queue", "wait", "time in agency"}};
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    grid.push_back({s.agencies[a].id, servers_text[a],
                    agency_cell(a, &AgencyResult::throughput_per_day, 3, "throughput/d"),
                    agency_cell(a, &AgencyResult::utilization, 3, "utilization"),
                    agency_cell(a, &AgencyResult::mean_queue_length, 2, "queue"),
                    agency_cell(a, &AgencyResult::mean_wait_days, 2, "wait"),
                    agency_cell(a, &AgencyResult::mean_time_in_agency_days, 2, "time in agency")});
  }
  print_grid(os, "", grid);
  if (!replayed.empty()) {
    os << "\nchanges during the run (" << replayed.size() << " [[change]]; servers above: before → after):\n";
    for (const ReplayedChange& rc : replayed) {
      const Change& c = s.changes[rc.declared].change;
      os << "  at " << std::left << std::setw(8) << format_duration(rc.at) << std::right << " "
         << describe(c, rc.previous, s);
      if (!c.origin.empty() && c.origin.rfind("[[change]]", 0) != 0) os << "  (" << c.origin << ")";
      os << "\n";
    }
  }
  const auto cases = [&](double CaseResult::*f, int precision) {
    return notes.cell(estimate_of(
                          res, kCaseMetrics, f, [](const ReplicationResult& r) -> const auto& { return r.cases; }),
                      precision);
  };
  os << "\ncases entered " << cases(&CaseResult::entered, 1) << ", exited " << cases(&CaseResult::exited, 1)
     << ", in the mechanism at the horizon " << cases(&CaseResult::in_system_at_end, 1)
     << "\nmean time in the mechanism " << cases(&CaseResult::mean_time_in_system_days, 2)
     << " days (persons who entered in the window, followed to their exit";
  if (s.run.follow_up > 0) {
    os << " for up to " << format_duration(s.run.follow_up) << " after the horizon";
    const Estimate still = estimate_of(
        res, kCaseMetrics, &CaseResult::still_in_after_follow_up,
        [](const ReplicationResult& r) -> const auto& { return r.cases; });
    if (still.mean > 0) os << "; " << notes.cell(still, 1) << " still inside after it, left out";
  } else {
    os << "; no follow-up: those still inside at the horizon are left out, long stays count less";
  }
  os << ")\n";

  // Referrals that did not arrive: losses and consent refusals, where there were any.
  bool header = false;
  for (std::size_t i = 0; i < s.referrals.size(); ++i) {
    const auto row_of = [i](const ReplicationResult& r) -> const auto& { return r.referrals[i]; };
    const Estimate lost = estimate_of(res, kReferralMetrics, &ReferralResult::lost, row_of);
    const Estimate refused = estimate_of(res, kReferralMetrics, &ReferralResult::consent_refused, row_of);
    if (!(lost.mean > 0) && !(refused.mean > 0)) continue;
    if (!header) os << "\nreferrals that did not arrive (per replication):\n";
    header = true;
    const auto why = [&](double ReferralResult::*f) { return ok.referrals[i][metric_index(kReferralMetrics, f)]; };
    os << "  " << std::left << std::setw(40) << s.referrals[i].key << std::right << " lost " << std::setw(20)
       << notes.cell(lost, 1, why(&ReferralResult::lost), "lost", s.referrals[i].key) << "   consent refused "
       << notes.cell(refused, 1, why(&ReferralResult::consent_refused), "consent refused", s.referrals[i].key) << "\n";
  }

  // Deadlines: compliance, and the agencies whose holding of cases breached them.
  if (!s.deadlines.empty())
    os << "\ndeadlines (compliance = met / (met + breached); left first = left the mechanism before the limit):\n";
  for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
    const auto est = [&](double DeadlineResult::*f) {
      return estimate_of(
          res, kDeadlineMetrics, f, [d](const ReplicationResult& r) -> const auto& { return r.deadlines[d]; });
    };
    os << "  " << std::left << std::setw(40) << s.deadlines[d].id << std::right << " within " << std::setw(6)
       << s.deadlines[d].describe_limit() << "  compliance " << std::setw(20)
       << notes.cell(est(&DeadlineResult::compliance), 3) << "  breached "
       << notes.cell(est(&DeadlineResult::breached), 1) << "  left first " << notes.cell(est(&DeadlineResult::left), 1)
       << "\n";
    // The cohort with the lowest (pooled) compliance among those with enough measured cases (the
    // first in cohort order on a tie): a cohort of a few cases would be "worst" by chance.
    std::size_t worst = ctx.scenario.cohorts.count(), measured = 0;
    Estimate worst_compliance;
    for (std::size_t c = 0; c < ctx.scenario.cohorts.count(); ++c) {
      const Estimate e = estimate_of(
          res, kDeadlineCohortMetrics, &DeadlineCohortResult::compliance,
          [ d, c ](const ReplicationResult& r) -> const auto& { return r.deadlines[d].cohorts[c]; });
      if (std::isnan(e.mean)) continue;
      ++measured;
      if (e.few_observations || (worst < ctx.scenario.cohorts.count() && !(e.mean < worst_compliance.mean))) continue;
      worst = c;
      worst_compliance = e;
    }
    if (worst < ctx.scenario.cohorts.count()) {
      os << "    worst cohort: " << ctx.scenario.cohorts.name(worst) << " " << notes.cell(worst_compliance, 3)
         << "  (measured " << std::fixed << std::setprecision(1) << per_replication(worst_compliance)
         << " per replication)\n";
    } else if (measured > 0) {
      os << "    worst cohort: none with " << static_cast<int>(kFewObservations)
         << " or more measured cases per replication (" << measured << " cohort(s) measured, all fewer)\n";
    }
  }
  if (!s.deadlines.empty()) {
    // Ranked by the mean per replication; agencies with few arrivals are listed apart, unranked.
    std::vector<std::pair<double, std::size_t>> caused, apart;
    for (std::size_t a = 0; a < s.agencies.size(); ++a) {
      const Estimate e = agency_estimate(a, &AgencyResult::deadline_breaches_caused);
      if (e.mean > 0) (e.few_observations ? apart : caused).emplace_back(-e.mean, a);
    }
    std::sort(caused.begin(), caused.end());
    if (!caused.empty()) os << "  breaches caused, by agency (mean per replication):";
    for (std::size_t k = 0; k < caused.size() && k < 5; ++k) {
      os << (k ? ", " : " ") << s.agencies[caused[k].second].id << " " << std::fixed << std::setprecision(1)
         << -caused[k].first;
    }
    if (!caused.empty()) os << "\n";
    if (!apart.empty()) {
      os << "  breaches caused at agencies with fewer than " << static_cast<int>(kFewObservations)
         << " arrivals per replication:";
      for (std::size_t k = 0; k < apart.size(); ++k) {
        os << (k ? ", " : " ") << s.agencies[apart[k].second].id << " " << std::fixed << std::setprecision(1)
           << -apart[k].first << "*";
      }
      os << "\n";
    }
  }

  // Agencies that were full, held people, or interviewed them: the new per-agency counts.
  grid = {{"agency", "beds", "turned away", "overflowed", "held", "withdrawals", "interviews"}};
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    const Agency& ag = s.agencies[a];
    bool any = ag.residential;
    for (auto f : {&AgencyResult::turned_away, &AgencyResult::overflowed, &AgencyResult::held,
                   &AgencyResult::withdrawals, &AgencyResult::interviews})
      any = any || agency_estimate(a, f).mean > 0;
    if (!any) continue;
    grid.push_back({ag.id, agency_cell(a, &AgencyResult::beds_occupied, 2, "beds"),
                    agency_cell(a, &AgencyResult::turned_away, 1, "turned away"),
                    agency_cell(a, &AgencyResult::overflowed, 1, "overflowed"),
                    agency_cell(a, &AgencyResult::held, 1, "held"),
                    agency_cell(a, &AgencyResult::withdrawals, 1, "withdrawals"),
                    agency_cell(a, &AgencyResult::interviews, 1, "interviews")});
  }
  if (grid.size() > 1) {
    os << "\nbeds, full agencies, holds, withdrawals and interviews (per replication; beds = mean occupied):\n";
    print_grid(os, "  ", grid);
  }

  // Cohorts with exits, then overall: persons who left the mechanism in the window.
  os << "\ncohorts (persons who entered in the window, followed to their exit; identified = share of true victims; "
        "times from entry in days; exited = those who left):\n";
  grid = {{"cohort", "exited", "identified", "to ident. p50", "to ident. p90", "to service p50", "drop-out",
           "hand-offs", "interviews"}};
  for (std::size_t c = 0; c <= ctx.scenario.cohorts.count(); ++c) {
    const auto est = [&](double CohortResult::*f) {
      return estimate_of(
          res, kCohortMetrics, f, [c](const ReplicationResult& r) -> const auto& { return r.cohorts[c]; });
    };
    const auto cell = [&](double CohortResult::*f, int precision, const std::string& column) {
      return notes.cell(est(f), precision, ok.cohorts[metric_index(kCohortMetrics, f)], column);
    };
    if (c < ctx.scenario.cohorts.count() && !(est(&CohortResult::exited).mean > 0)) continue;
    grid.push_back(
        {c < ctx.scenario.cohorts.count() ? ctx.scenario.cohorts.name(c) : std::string("overall"),
         cell(&CohortResult::exited, 1, "exited"), cell(&CohortResult::victims_identified_share, 3, "identified"),
         cell(&CohortResult::time_to_identified_days_median, 1, "to ident. p50"),
         cell(&CohortResult::time_to_identified_days_p90, 1, "to ident. p90"),
         cell(&CohortResult::time_to_first_service_days_median, 1, "to service p50"),
         cell(&CohortResult::dropout_share, 3, "drop-out"), cell(&CohortResult::handoffs_per_case, 2, "hand-offs"),
         cell(&CohortResult::interviews_per_case, 2, "interviews")});
  }
  print_grid(os, "  ", grid);

  // Regional scenarios: each country's agencies together, and the persons who entered there.
  if (s.by_country()) {
    const auto members = agencies_by_country(s);
    os << "\nby country (its agencies together; persons who entered there, followed to their exit wherever they "
          "went):\n";
    grid = {{"country", "agencies", "throughput/d", "utilization", "wait", "entered", "identified", "to ident. p50",
             "to service p50", "drop-out"}};
    for (std::size_t k = 0; k < s.countries.size(); ++k) {
      const auto country_cell = [&](double AgencyResult::*f, int precision, const std::string& column) {
        const Estimate e = estimate_of(
            res, kAgencyMetrics, f, [k](const ReplicationResult& r) -> const auto& { return r.agency_countries[k]; });
        return notes.cell(e, precision, country_agency_reason(ok, members[k], metric_index(kAgencyMetrics, f)), column,
                          s.countries[k]);
      };
      const auto person_cell = [&](double CohortResult::*f, int precision, const std::string& column) {
        const Estimate e = estimate_of(
            res, kCohortMetrics, f, [k](const ReplicationResult& r) -> const auto& { return r.countries[k]; });
        return notes.cell(e, precision, ok.cohorts[metric_index(kCohortMetrics, f)], column);
      };
      grid.push_back({s.countries[k], std::to_string(members[k].size()),
                      country_cell(&AgencyResult::throughput_per_day, 3, "throughput/d"),
                      country_cell(&AgencyResult::utilization, 3, "utilization"),
                      country_cell(&AgencyResult::mean_wait_days, 2, "wait"),
                      person_cell(&CohortResult::entered, 1, "entered"),
                      person_cell(&CohortResult::victims_identified_share, 3, "identified"),
                      person_cell(&CohortResult::time_to_identified_days_median, 1, "to ident. p50"),
                      person_cell(&CohortResult::time_to_first_service_days_median, 1, "to service p50"),
                      person_cell(&CohortResult::dropout_share, 3, "drop-out")});
    }
    print_grid(os, "  ", grid);
  }
  notes.print(os);
}

AtomicOutputFile::AtomicOutputFile(std::filesystem::path path)
    : path_(std::move(path)),
      tmp_(path_.parent_path() / ("." + path_.filename().string() + ".tmp." + std::to_string(::getpid()))),
      out_(tmp_, std::ios::binary | std::ios::trunc) {
  // The temporary file is in the target's directory: what stops it stops the target too, and the
  // user knows the target's name, not the temporary one.
  if (!out_) throw std::runtime_error(path_.string() + ": cannot create file: " + std::strerror(errno));
}

AtomicOutputFile::~AtomicOutputFile() {
  if (committed_) return;
  out_.close();
  std::error_code ignored;
  std::filesystem::remove(tmp_, ignored);
}

void AtomicOutputFile::close() {
  if (closed_) return;
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) throw std::runtime_error(path_.string() + ": write failed (disk full?)");
  closed_ = true;
}

void AtomicOutputFile::commit() {
  close();
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) throw std::runtime_error(path_.string() + ": cannot replace file: " + ec.message());
  committed_ = true;
}

void write_file_atomic(const std::filesystem::path& path, const std::string& content) {
  AtomicOutputFile file(path);
  file.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  file.commit();
}

void write_files_atomic(const std::vector<std::pair<std::filesystem::path, std::string>>& files) {
  std::vector<std::unique_ptr<AtomicOutputFile>> open;
  for (const auto& [path, text] : files) {
    open.push_back(std::make_unique<AtomicOutputFile>(path));
    open.back()->stream().write(text.data(), static_cast<std::streamsize>(text.size()));
    open.back()->close();
  }
  for (const auto& f : open) f->commit();
}

}  // namespace refsim
