#include "sim/report/report.hpp"

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
#include <ostream>
#include <sstream>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "sim/model/parameters.hpp"

namespace refsim {

using Json = nlohmann::ordered_json;

namespace {

/// The values of one metric over replications; `row_of(rep)` picks the row in a replication.
template <class Row, class RowOf>
std::vector<double> column(const RunResult& res, const Metric<Row>& m, RowOf row_of) {
  std::vector<double> v;
  v.reserve(res.replications.size());
  for (const auto& rep : res.replications) v.push_back(row_of(rep).*m.field);
  return v;
}

/// A CSV value: the number, or an empty cell for NaN (no observation).
std::string csv_cell(double v) { return std::isnan(v) ? "" : format_number(v); }

/// Tidy CSV rows "replication,<name>,metric,value" for every replication × entity × metric.
template <class Row, std::size_t N, class RowOf>
void tidy_rows(std::ostream& os, const RunResult& res, const std::vector<std::string>& names,
               const std::array<Metric<Row>, N>& metrics, RowOf row_of) {
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      for (const auto& m : metrics) {
        const double v = row_of(res.replications[r], i).*m.field;
        os << r << ',' << names[i] << ',' << m.name << ',' << csv_cell(v) << '\n';
      }
    }
  }
}

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json to_json(const Estimate& e);

/// {"<metric>": {"mean", "ci95"}, …} for one entity.
template <class Row, std::size_t N, class RowOf>
Json metrics_json(const RunResult& res, const std::array<Metric<Row>, N>& metrics, RowOf row_of) {
  Json j = Json::object();
  for (const auto& m : metrics) j[std::string(m.name)] = to_json(estimate(column(res, m, row_of)));
  return j;
}

Json to_json(const Estimate& e) {
  Json j;
  j["mean"] = number_or_null(e.mean);
  j["ci95"] = e.ci95 ? Json::array({number_or_null(e.ci95->first), number_or_null(e.ci95->second)}) : Json(nullptr);
  return j;
}

}  // namespace

std::string format_number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ptr);
}

std::string summary_json(const RunContext& ctx, const RunResult& res) {
  const Scenario& s = ctx.scenario;
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
        res, kAgencyMetrics, [a](const ReplicationResult& r) -> const auto& { return r.agencies[a]; }));
    agencies[s.agencies[a].id] = std::move(aj);
  }
  j["agencies"] = std::move(agencies);
  j["cases"] = metrics_json(
      res, kCaseMetrics, [](const ReplicationResult& r) -> const auto& { return r.cases; });
  Json referrals = Json::object();
  for (std::size_t i = 0; i < s.referrals.size(); ++i) {
    referrals[s.referrals[i].key] = metrics_json(
        res, kReferralMetrics, [i](const ReplicationResult& r) -> const auto& { return r.referrals[i]; });
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
    for (std::size_t c = 0; c < kCohortCount; ++c) {
      cohorts[cohort_name(c)] = metrics_json(
          res, kDeadlineCohortMetrics,
          [ i, c ](const ReplicationResult& r) -> const auto& { return r.deadlines[i].cohorts[c]; });
    }
    dj["cohorts"] = std::move(cohorts);
    deadlines[s.deadlines[i].id] = std::move(dj);
  }
  j["deadlines"] = std::move(deadlines);
  Json cohorts = Json::object();
  for (std::size_t c = 0; c < kCohortCount; ++c) {
    cohorts[cohort_name(c)] = metrics_json(
        res, kCohortMetrics, [c](const ReplicationResult& r) -> const auto& { return r.cohorts[c]; });
  }
  j["cohorts"] = std::move(cohorts);
  j["overall"] = metrics_json(
      res, kCohortMetrics, [](const ReplicationResult& r) -> const auto& { return r.cohorts[kCohortCount]; });
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
  return j.dump(2) + "\n";
}

std::string agencies_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,agency,metric,value\n";
  std::vector<std::string> names;
  for (const Agency& a : ctx.scenario.agencies) names.push_back(a.id);
  tidy_rows(
      os, res, names, kAgencyMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.agencies[i]; });
  return os.str();
}

std::string cases_csv(const RunContext&, const RunResult& res) {
  std::ostringstream os;
  os << "replication,metric,value\n";
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    for (const auto& m : kCaseMetrics) {
      const double v = res.replications[r].cases.*m.field;
      os << r << ',' << m.name << ',' << csv_cell(v) << '\n';
    }
  }
  return os.str();
}

std::string referrals_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,referral,metric,value\n";
  std::vector<std::string> names;
  for (const Referral& r : ctx.scenario.referrals) names.push_back(r.key);
  tidy_rows(
      os, res, names, kReferralMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.referrals[i]; });
  return os.str();
}

std::string deadlines_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,deadline,metric,value\n";
  std::vector<std::string> names;
  for (const Deadline& d : ctx.scenario.deadlines) names.push_back(d.id);
  tidy_rows(
      os, res, names, kDeadlineMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.deadlines[i]; });
  return os.str();
}

std::string deadline_cohorts_csv(const RunContext& ctx, const RunResult& res) {
  std::ostringstream os;
  os << "replication,deadline,cohort,metric,value\n";
  for (std::size_t r = 0; r < res.replications.size(); ++r) {
    for (std::size_t d = 0; d < ctx.scenario.deadlines.size(); ++d) {
      for (std::size_t c = 0; c < kCohortCount; ++c) {
        const std::string prefix = std::to_string(r) + ',' + ctx.scenario.deadlines[d].id + ',' + cohort_name(c) + ',';
        for (const auto& m : kDeadlineCohortMetrics) {
          const double v = res.replications[r].deadlines[d].cohorts[c].*m.field;
          os << prefix << m.name << ',' << csv_cell(v) << '\n';
        }
      }
    }
  }
  return os.str();
}

std::string cohorts_csv(const RunContext&, const RunResult& res) {
  std::ostringstream os;
  os << "replication,cohort,metric,value\n";
  std::vector<std::string> names;
  for (std::size_t c = 0; c < kCohortCount; ++c) names.push_back(cohort_name(c));
  names.emplace_back("overall");
  tidy_rows(
      os, res, names, kCohortMetrics,
      [](const ReplicationResult& r, std::size_t i) -> const auto& { return r.cohorts[i]; });
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

void print_summary_table(std::ostream& os, const RunContext& ctx, const RunResult& res) {
  const Scenario& s = ctx.scenario;
  auto cell = [](const Estimate& e, int precision) {
    std::ostringstream c;
    if (std::isnan(e.mean)) return std::string("-");
    c << std::fixed << std::setprecision(precision) << e.mean;
    if (e.ci95) c << " ±" << std::setprecision(precision) << e.half_width();
    return c.str();
  };
  std::size_t idw = 6;
  for (const auto& a : s.agencies) idw = std::max(idw, a.id.size());
  // Servers as the run goes: "4→2→4" for an agency whose [[change]]s set them.
  const std::vector<ReplayedChange> replayed = replay_changes(s);
  std::vector<std::string> servers_text(s.agencies.size());
  for (std::size_t a = 0; a < s.agencies.size(); ++a)
    servers_text[a] = s.agencies[a].unlimited ? std::string("unlim.") : std::to_string(s.agencies[a].servers);
  for (const ReplayedChange& rc : replayed) {
    const Change& c = s.changes[rc.declared].change;
    if (c.target == Change::Target::agency && c.servers) servers_text[c.index] += "→" + std::to_string(*c.servers);
  }
  // Right-aligned in 10 columns by hand: setw counts bytes, and "→" is three. Longer: the first
  // and the last value.
  const auto columns = [](const std::string& t) {
    std::size_t n = 0;
    for (unsigned char ch : t) n += (ch & 0xC0) != 0x80;
    return n;
  };
  for (std::string& t : servers_text) {
    if (columns(t) > 9) t = t.substr(0, t.find("→")) + "→…" + t.substr(t.rfind("→") + 3);
    t.insert(0, 10 - columns(t), ' ');
  }
  os << s.name << " — " << ctx.replications << " replication(s), seed " << ctx.seed << ", horizon "
     << format_duration(s.run.horizon) << ", warm-up " << format_duration(s.run.warmup) << "\n";
  os << "(mean ± half-width of the 95% confidence interval over replications; times in days)\n\n";
  os << std::left << std::setw(static_cast<int>(idw)) << "agency" << std::right << std::setw(10) << "servers"
     << std::setw(18) << "throughput/d" << std::setw(18) << "utilization" << std::setw(18) << "queue" << std::setw(18)
     << "wait" << std::setw(18) << "time in agency"
     << "\n";
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    auto est = [&](double AgencyResult::*f) {
      std::vector<double> v;
      for (const auto& rep : res.replications) v.push_back(rep.agencies[a].*f);
      return estimate(v);
    };
    const Agency& ag = s.agencies[a];
    os << std::left << std::setw(static_cast<int>(idw)) << ag.id << std::right << servers_text[a] << std::setw(18)
       << cell(est(&AgencyResult::throughput_per_day), 3) << std::setw(18) << cell(est(&AgencyResult::utilization), 3)
       << std::setw(18) << cell(est(&AgencyResult::mean_queue_length), 2) << std::setw(18)
       << cell(est(&AgencyResult::mean_wait_days), 2) << std::setw(18)
       << cell(est(&AgencyResult::mean_time_in_agency_days), 2) << "\n";
  }
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
  auto cases = [&](double CaseResult::*f) {
    std::vector<double> v;
    for (const auto& rep : res.replications) v.push_back(rep.cases.*f);
    return estimate(v);
  };
  os << "\ncases entered " << cell(cases(&CaseResult::entered), 1) << ", exited " << cell(cases(&CaseResult::exited), 1)
     << ", in the mechanism at the horizon " << cell(cases(&CaseResult::in_system_at_end), 1)
     << "\nmean time in the mechanism " << cell(cases(&CaseResult::mean_time_in_system_days), 2)
     << " days (persons who entered in the window, followed to their exit";
  if (s.run.follow_up > 0) {
    os << " for up to " << format_duration(s.run.follow_up) << " after the horizon";
    const Estimate still = cases(&CaseResult::still_in_after_follow_up);
    if (still.mean > 0) os << "; " << cell(still, 1) << " still inside after it, left out";
  } else {
    os << "; no follow-up: those still inside at the horizon are left out, long stays count less";
  }
  os << ")\n";

  // Referrals that did not arrive: losses and consent refusals, where there were any.
  bool header = false;
  for (std::size_t i = 0; i < s.referrals.size(); ++i) {
    const Estimate lost = estimate(column(
        res, Metric<ReferralResult>{"lost", &ReferralResult::lost}, [i](const ReplicationResult& r) -> const auto& {
          return r.referrals[i];
        }));
    const Estimate refused = estimate(column(
        res, Metric<ReferralResult>{"consent_refused", &ReferralResult::consent_refused},
        [i](const ReplicationResult& r) -> const auto& { return r.referrals[i]; }));
    if (!(lost.mean > 0) && !(refused.mean > 0)) continue;
    if (!header) os << "\nreferrals that did not arrive (per replication):\n";
    header = true;
    os << "  " << std::left << std::setw(40) << s.referrals[i].key << std::right << " lost " << std::setw(14)
       << cell(lost, 1) << "   consent refused " << cell(refused, 1) << "\n";
  }

  // Deadlines: compliance, and the agencies whose holding of cases breached them.
  if (!s.deadlines.empty())
    os << "\ndeadlines (compliance = met / (met + breached); left first = left the mechanism before the limit):\n";
  for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
    auto est = [&](double DeadlineResult::*f) {
      std::vector<double> v;
      for (const auto& rep : res.replications) v.push_back(rep.deadlines[d].*f);
      return estimate(v);
    };
    os << "  " << std::left << std::setw(40) << s.deadlines[d].id << std::right << " within " << std::setw(6)
       << s.deadlines[d].describe_limit() << "  compliance " << std::setw(14)
       << cell(est(&DeadlineResult::compliance), 3) << "  breached " << cell(est(&DeadlineResult::breached), 1)
       << "  left first " << cell(est(&DeadlineResult::left), 1) << "\n";
    // The cohort with the lowest mean compliance over the replications that measured it (the
    // first in cohort order on a tie), with how many of its cases were measured per replication.
    std::size_t worst = kCohortCount;
    Estimate worst_compliance;
    for (std::size_t c = 0; c < kCohortCount; ++c) {
      const Estimate e = estimate(column(
          res, Metric<DeadlineCohortResult>{"compliance", &DeadlineCohortResult::compliance},
          [ d, c ](const ReplicationResult& r) -> const auto& { return r.deadlines[d].cohorts[c]; }));
      if (std::isnan(e.mean) || (worst < kCohortCount && !(e.mean < worst_compliance.mean))) continue;
      worst = c;
      worst_compliance = e;
    }
    if (worst < kCohortCount) {
      std::vector<double> measured;
      for (const auto& rep : res.replications)
        measured.push_back(rep.deadlines[d].cohorts[worst].met + rep.deadlines[d].cohorts[worst].breached);
      os << "    worst cohort: " << cohort_name(worst) << " " << cell(worst_compliance, 3) << "  (measured "
         << cell(estimate(measured), 1) << ")\n";
    }
  }
  if (!s.deadlines.empty()) {
    std::vector<std::pair<double, std::size_t>> caused;
    for (std::size_t a = 0; a < s.agencies.size(); ++a) {
      double sum = 0;
      for (const auto& rep : res.replications) sum += rep.agencies[a].deadline_breaches_caused;
      if (sum > 0) caused.emplace_back(-sum / static_cast<double>(res.replications.size()), a);
    }
    std::sort(caused.begin(), caused.end());
    if (!caused.empty()) os << "  breaches caused, by agency (mean per replication):";
    for (std::size_t k = 0; k < caused.size() && k < 5; ++k) {
      os << (k ? ", " : " ") << s.agencies[caused[k].second].id << " " << std::fixed << std::setprecision(1)
         << -caused[k].first;
    }
    if (!caused.empty()) os << "\n";
  }

  // Agencies that were full, held people, or interviewed them: the new per-agency counts.
  bool agency_header = false;
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    auto est = [&](double AgencyResult::*f) {
      std::vector<double> v;
      for (const auto& rep : res.replications) v.push_back(rep.agencies[a].*f);
      return estimate(v);
    };
    const Agency& ag = s.agencies[a];
    const Estimate turned = est(&AgencyResult::turned_away), over = est(&AgencyResult::overflowed);
    const Estimate held = est(&AgencyResult::held), withdrawn = est(&AgencyResult::withdrawals);
    const Estimate interviews = est(&AgencyResult::interviews);
    if (!ag.residential && !(turned.mean > 0) && !(over.mean > 0) && !(held.mean > 0) && !(withdrawn.mean > 0) &&
        !(interviews.mean > 0))
      continue;
    if (!agency_header) {
      os << "\nbeds, full agencies, holds, withdrawals and interviews (per replication; beds = mean occupied):\n";
      os << "  " << std::left << std::setw(static_cast<int>(idw)) << "agency" << std::right << std::setw(16) << "beds"
         << std::setw(16) << "turned away" << std::setw(16) << "overflowed" << std::setw(16) << "held" << std::setw(16)
         << "withdrawals" << std::setw(16) << "interviews"
         << "\n";
      agency_header = true;
    }
    os << "  " << std::left << std::setw(static_cast<int>(idw)) << ag.id << std::right << std::setw(16)
       << cell(est(&AgencyResult::beds_occupied), 2) << std::setw(16) << cell(turned, 1) << std::setw(16)
       << cell(over, 1) << std::setw(16) << cell(held, 1) << std::setw(16) << cell(withdrawn, 1) << std::setw(16)
       << cell(interviews, 1) << "\n";
  }

  // Cohorts with exits, then overall: persons who left the mechanism in the window.
  os << "\ncohorts (persons who entered in the window, followed to their exit; identified = share of true victims; "
        "times from entry in days; exited = those who left):\n";
  constexpr int kName = 34;  // "adult/domestic_servitude/national" and a space
  os << "  " << std::left << std::setw(kName) << "cohort" << std::right << std::setw(15) << "exited" << std::setw(15)
     << "identified" << std::setw(15) << "to ident. p50" << std::setw(15) << "to ident. p90" << std::setw(15)
     << "to service p50" << std::setw(15) << "drop-out" << std::setw(13) << "hand-offs" << std::setw(13) << "interviews"
     << "\n";
  for (std::size_t c = 0; c <= kCohortCount; ++c) {
    auto est = [&](double CohortResult::*f) {
      std::vector<double> v;
      for (const auto& rep : res.replications) v.push_back(rep.cohorts[c].*f);
      return estimate(v);
    };
    const Estimate exited = est(&CohortResult::exited);
    if (c < kCohortCount && !(exited.mean > 0)) continue;
    os << "  " << std::left << std::setw(kName) << (c < kCohortCount ? cohort_name(c) : std::string("overall"))
       << std::right << std::setw(15) << cell(exited, 1) << std::setw(15)
       << cell(est(&CohortResult::victims_identified_share), 3) << std::setw(15)
       << cell(est(&CohortResult::time_to_identified_days_median), 1) << std::setw(15)
       << cell(est(&CohortResult::time_to_identified_days_p90), 1) << std::setw(15)
       << cell(est(&CohortResult::time_to_first_service_days_median), 1) << std::setw(15)
       << cell(est(&CohortResult::dropout_share), 3) << std::setw(13) << cell(est(&CohortResult::handoffs_per_case), 2)
       << std::setw(13) << cell(est(&CohortResult::interviews_per_case), 2) << "\n";
  }
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

}  // namespace refsim
