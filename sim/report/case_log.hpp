#pragma once
// Per-person outputs of replication 0, streamed while it runs: the milestone file
// (cases_milestones.csv) and an event log in XES (IEEE 1849-2016) for process-mining tools.
//
// Both buffer what they need per person only while the person is in the mechanism (indexed by the
// recycled person slot), and write a person out when they exit, so memory is bounded by the
// persons in the mechanism at once. Both write to a temporary file in the target directory and
// rename it into place on commit(); a writer destroyed without commit() removes its temporary
// file. Cases are synthetic: the files hold serial numbers, cohorts and times, no personal data.
//
//   MilestoneWriter milestones(scenario, out / "cases_milestones.csv");
//   RunOptions opt;
//   opt.watchers = {&milestones};
//   run_replications(scenario, graph, opt);
//   milestones.commit();
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sim/experiment/person_ledger.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/report/report.hpp"

namespace refsim {

/// The XES log's clock: simulated time t (days) is the instant kXesEpoch + t. The epoch is a
/// Monday, like the model's t = 0, so weekdays in the log match opening hours.
inline constexpr const char* kXesEpoch = "2025-01-06T00:00:00.000Z";
/// "2025-01-06T00:00:00.000Z" + t days, to the millisecond (UTC, ISO 8601).
std::string xes_timestamp(Time t);

/// cases_milestones.csv: one row per person who exits, in order of exit:
/// serial,previous,cohort,entered,presumed_at,reasonable_grounds_at,identified_at,
/// first_service_at,exited,handoffs,interviews,outcome (times in days; empty when not reached).
class MilestoneWriter final : public ReplicationWatcher {
 public:
  MilestoneWriter(const Scenario& scenario, const std::filesystem::path& path);
  /// Finishes writing the temporary file (AtomicOutputFile::close); commit() renames it into place.
  void close() { file_.close(); }
  void commit() { file_.commit(); }

  void attach(const EngineState&, const PersonLedger& ledger) override { ledger_ = &ledger; }
  void on_case_exited(Time t, const Case& c, Time in_system) override;

 private:
  const Scenario& scenario_;
  const PersonLedger* ledger_ = nullptr;
  AtomicOutputFile file_;
};

/// An XES event log: a <trace> per person (concept:name = serial; refsim:cohort, refsim:victim,
/// refsim:outcome, refsim:previous for re-entries) written when the person exits, in order of
/// exit; persons still inside at the horizon follow in serial order, with outcome "in_mechanism".
/// Events: concept:name "<agency>:<activity>", lifecycle:transition, time:timestamp
/// (xes_timestamp), org:resource = the agency, refsim:track = the person's track (forks).
class XesWriter final : public ReplicationWatcher {
 public:
  XesWriter(const Scenario& scenario, const std::filesystem::path& path);
  /// Ends the log and finishes writing the temporary file; commit() renames it into place.
  void close();
  /// close(), then renames the log into place.
  void commit();

  void attach(const EngineState&, const PersonLedger& ledger) override { ledger_ = &ledger; }
  /// Writes the persons still in the mechanism, in serial order.
  void on_run_end(Time horizon) override;
  void on_case_entered(Time t, const Case& c, const Attributes&) override;
  void on_arrival(Time t, AgencyId a, const Case& c) override;
  void on_service_start(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_service_end(Time t, AgencyId a, const Case& c, Time in_agency) override;
  void on_referral(Time t, ReferralId r, const Case& c, Time delay) override;
  void on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) override;
  void on_dropout(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override;
  void on_turned_away(Time t, AgencyId a, const Case& c) override;
  void on_referral_lost(Time t, ReferralId r, const Case& c) override;
  void on_consent_refused(Time t, ReferralId r, const Case& c) override;
  void on_hold(Time t, AgencyId a, const Case& c, Time until) override;
  void on_hold_end(Time t, AgencyId a, const Case& c) override;
  void on_withdrawal(Time t, AgencyId a, const Case& c) override;
  void on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) override;
  void on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                   Time elapsed) override;
  void on_case_exited(Time t, const Case& c, Time in_system) override;

 private:
  /// Appends an event to the person's buffer; `extra` is further attribute elements.
  void event(Time t, AgencyId a, const Case& c, const char* activity, const char* transition,
             const std::string& extra = {});
  void write_trace(std::uint32_t person);

  const Scenario& scenario_;
  const PersonLedger* ledger_ = nullptr;
  std::vector<std::string> events_;  // per person slot: the <event> elements so far
  AtomicOutputFile file_;
  bool closed_ = false;
};

}  // namespace refsim
