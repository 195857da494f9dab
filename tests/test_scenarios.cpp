// Every scenario shipped in scenarios/ loads, runs, and satisfies basic invariants; each one's
// story shows up in what happens (docs/scenarios.md lists the scenarios and their stories).
//
// Test time: one replication per scenario (replication 0 of its seed). A scenario whose sources
// bring more than 50 cases a day (the eight-country benchmark) runs a shortened horizon, so the
// whole file stays within seconds in Release and under the sanitizers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "sim/engine/engine.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// Counts what the statistics collector does not (yet) report, from the engine's signals: per-stage
/// completions, agencies and countries reached, cross-border referrals, holds, withdrawals,
/// re-trafficking, turned away, overflow; and persons in the mechanism when the warm-up ends.
class StoryCounter final : public Observer {
 public:
  explicit StoryCounter(const Scenario& s)
      : s_(s), arrivals_(s.agencies.size(), 0), served_(s.agencies.size(), 0), sent_(s.referrals.size(), 0) {}

  void on_case_entered(Time, const Case& c, const Attributes&) override {
    ++entered_total;
    if (c.previous != kNoPrevious) ++reentries;
  }
  void on_case_exited(Time, const Case&, Time) override { ++exited_total; }
  void on_arrival(Time, AgencyId a, const Case&) override { ++arrivals_[a]; }
  void on_service_end(Time, AgencyId a, const Case&, Time) override {
    ++served_[a];
    ++stage_done[s_.agencies[a].stage];
  }
  void on_referral(Time, ReferralId r, const Case&, Time) override { ++sent_[r]; }
  void on_decision(Time, AgencyId, const Case&, const Attributes&, std::uint32_t attribute, bool positive) override {
    if (positive) ++positive_decisions[attribute];
  }
  void on_hold(Time, AgencyId, const Case&, Time) override { ++holds; }
  void on_withdrawal(Time, AgencyId, const Case&) override { ++withdrawals; }
  void on_retrafficked(Time, AgencyId, const Case&, Time) override { ++retrafficked; }
  void on_turned_away(Time, AgencyId, const Case&) override { ++turned_away; }
  void on_overflow(Time, AgencyId, AgencyId, const Case&) override { ++overflowed; }
  void on_dropout(Time, AgencyId, const Case&, Time) override { ++dropouts; }
  void on_warmup_end(Time) override { in_system_at_warmup = entered_total - exited_total; }

  /// Agencies in `country` that someone arrived at.
  bool reached_country(const std::string& country) const {
    for (std::size_t a = 0; a < s_.agencies.size(); ++a) {
      if (s_.agencies[a].country == country && arrivals_[a] > 0) return true;
    }
    return false;
  }
  /// Referrals sent between agencies of two different countries.
  std::uint64_t cross_border_sent() const {
    std::uint64_t n = 0;
    for (std::size_t r = 0; r < s_.referrals.size(); ++r) {
      const Referral& ref = s_.referrals[r];
      const std::string& from = s_.agencies[ref.from].country;
      const std::string& to = s_.agencies[ref.to].country;
      if (!from.empty() && !to.empty() && from != to) n += sent_[r];
    }
    return n;
  }
  /// Arrivals at agencies of this kind.
  std::uint64_t arrivals_of_kind(const std::string& kind) const {
    std::uint64_t n = 0;
    for (std::size_t a = 0; a < s_.agencies.size(); ++a) {
      if (s_.agencies[a].kind == kind) n += arrivals_[a];
    }
    return n;
  }

  std::uint64_t entered_total = 0, exited_total = 0, in_system_at_warmup = 0;
  std::uint64_t reentries = 0, holds = 0, withdrawals = 0, retrafficked = 0, turned_away = 0, overflowed = 0;
  std::uint64_t dropouts = 0;
  std::map<Stage, std::uint64_t> stage_done;
  std::map<std::uint32_t, std::uint64_t> positive_decisions;

 private:
  const Scenario& s_;
  std::vector<std::uint64_t> arrivals_, served_, sent_;
};

/// Agencies the scenario's header declares intentionally overloaded, on a line
/// `# intentionally overloaded: a, b` (a documented bottleneck; see docs/scenarios.md).
std::set<std::string> declared_overloaded(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::set<std::string> out;
  const std::string marker = "# intentionally overloaded:";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(marker, 0) != 0) continue;
    std::stringstream items(line.substr(marker.size()));
    for (std::string id; std::getline(items, id, ',');) {
      id.erase(0, id.find_first_not_of(' '));
      id.erase(id.find_last_not_of(' ') + 1);
      if (!id.empty()) out.insert(id);
    }
  }
  return out;
}

std::vector<std::filesystem::path> scenario_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(REFSIM_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

double cases_per_day(const Scenario& s) {
  double rate = 0;
  for (const Source& src : s.sources) rate += src.rate_per_day;
  return rate;
}

using Story = std::function<void(const Scenario&, const StoryCounter&, const ReplicationResult&)>;

/// What each scenario is about, checked on its run (file stem → check). Scenarios not listed get
/// the generic invariants only.
const std::map<std::string, Story>& stories() {
  static const std::map<std::string, Story> m = {
      {"baseline-nrm",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult&) {
         CHECK(k.holds > 0);  // recovery and reflection before the conclusive-grounds decision
         CHECK(k.positive_decisions.count(attr::kIdentified));
         CHECK(k.stage_done.count(Stage::trial));
         CHECK(k.positive_decisions.count(attr::kConvicted));
         CHECK(k.withdrawals > 0);
       }},
      {"namibia",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult& r) {
         CHECK(k.positive_decisions.count(attr::kIdentified));
         CHECK(k.stage_done.count(Stage::return_home));  // repatriation and family reunification
         double lost = 0;
         for (const ReferralResult& x : r.referrals) lost += x.lost;
         CHECK(lost > 0);  // referrals to NamPol that never arrive
       }},
      {"morocco",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult&) {
         CHECK(k.positive_decisions.count(attr::kPresumed));  // CSOs identify presumed victims
         CHECK(k.dropouts > 0);                               // people in transit move on
       }},
      {"ukraine",
       [](const Scenario& s, const StoryCounter& k, const ReplicationResult&) {
         CHECK(std::any_of(s.agencies.begin(), s.agencies.end(), [](const Agency& a) { return a.initial_cases > 0; }));
         CHECK(std::any_of(s.sources.begin(), s.sources.end(), [](const Source& x) { return !x.batches.empty(); }));
         CHECK(k.arrivals_of_kind("guardian") > 0);  // children get a guardian
         CHECK(k.overflowed > 0);                    // displacement waves fill the shelter
       }},
      {"mexico",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult&) {
         CHECK(k.arrivals_of_kind("child_protection") > 0);
         CHECK(k.withdrawals > 0);
         CHECK(k.positive_decisions.count(attr::kConvicted));
       }},
      {"eswatini",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult&) {
         CHECK(k.stage_done.count(Stage::trial));
         CHECK(k.positive_decisions.count(attr::kConvicted));
         CHECK(k.reached_country("MZ"));  // return to Mozambique
       }},
      {"ethiopia",
       [](const Scenario& s, const StoryCounter& k, const ReplicationResult&) {
         CHECK(std::any_of(s.sources.begin(), s.sources.end(), [](const Source& x) { return !x.seasonality.empty(); }));
         CHECK(std::any_of(s.sources.begin(), s.sources.end(), [](const Source& x) { return !x.batches.empty(); }));
         CHECK(k.stage_done.count(Stage::reintegration));
       }},
      {"sri-lanka",
       [](const Scenario& s, const StoryCounter& k, const ReplicationResult&) {
         CHECK(k.stage_done.count(Stage::return_home));    // people are returned home
         CHECK(k.stage_done.count(Stage::reintegration));  // … and reintegrated
         CHECK(k.reached_country("KW"));
         CHECK(k.reached_country("LK"));
         CHECK(std::any_of(s.agencies.begin(), s.agencies.end(), [](const Agency& a) { return a.retrafficking; }));
         CHECK(k.retrafficked > 0);
         CHECK(k.reentries > 0);
       }},
      {"southern-africa",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult&) {
         for (const char* cc : {"ZA", "MZ", "ZW", "LS", "MW"}) {
           INFO("country " << cc);
           CHECK(k.reached_country(cc));
         }
         CHECK(k.cross_border_sent() > 0);  // cross-border investigation requests and returns
         CHECK(k.stage_done.count(Stage::return_home));
         CHECK(k.positive_decisions.count(attr::kConvicted));
       }},
      {"south-america",
       [](const Scenario&, const StoryCounter& k, const ReplicationResult&) {
         for (const char* cc : {"BO", "BR", "CL", "CO", "EC", "PE"}) {
           INFO("country " << cc);
           CHECK(k.reached_country(cc));
         }
         CHECK(k.cross_border_sent() > 0);
         CHECK(k.stage_done.count(Stage::trial));
         CHECK(k.positive_decisions.count(attr::kConvicted));
         CHECK(k.withdrawals > 0);
       }},
      {"uk-nrm",
       [](const Scenario& s, const StoryCounter& k, const ReplicationResult& r) {
         // A mechanism already running: backlogs at both decision stages, and a new year's
         // volumes, capacities and positive rates from 1 January 2024 (docs/calibration.md).
         CHECK(std::count_if(s.agencies.begin(), s.agencies.end(),
                             [](const Agency& a) { return a.initial_cases > 0; }) == 2);
         CHECK(!s.changes.empty());
         CHECK(k.holds > 0);  // the 30-day recovery period before the conclusive-grounds decision
         CHECK(k.positive_decisions.count(attr::kReasonableGrounds));
         CHECK(k.positive_decisions.count(attr::kIdentified));
         double refused = 0;
         for (const ReferralResult& x : r.referrals) refused += x.consent_refused;
         CHECK(refused > 0);  // adults who decline: Duty to Notify reports
       }},
      {"sea-fisheries",
       [](const Scenario& s, const StoryCounter& k, const ReplicationResult&) {
         // Cases in all eight countries of the forum.
         for (const char* cc : {"TH", "ID", "MY", "PH", "VN", "MM", "KH", "LA"}) {
           INFO("country " << cc);
           CHECK(k.reached_country(cc));
         }
         CHECK(k.cross_border_sent() > 0);
         // Every feature of the model is in use (it doubles as the speed benchmark).
         const auto any_agency = [&](auto pred) { return std::any_of(s.agencies.begin(), s.agencies.end(), pred); };
         const auto any_referral = [&](auto pred) { return std::any_of(s.referrals.begin(), s.referrals.end(), pred); };
         const auto any_source = [&](auto pred) { return std::any_of(s.sources.begin(), s.sources.end(), pred); };
         CHECK(s.profiles.size() > 1);
         CHECK(!s.deadlines.empty());
         CHECK(any_agency([](const Agency& a) { return a.decision.has_value(); }));
         CHECK(any_agency([](const Agency& a) { return a.patience.has_value(); }));
         CHECK(any_agency([](const Agency& a) { return a.initial_cases > 0; }));
         CHECK(any_agency([](const Agency& a) { return a.residential; }));
         CHECK(any_agency([](const Agency& a) { return a.when_full == WhenFull::overflow; }));
         CHECK(any_agency([](const Agency& a) { return a.when_full == WhenFull::turn_away; }));
         CHECK(any_agency([](const Agency& a) { return a.hours.has_value(); }));
         CHECK(any_agency([](const Agency& a) { return a.not_before.has_value(); }));
         CHECK(any_agency([](const Agency& a) { return a.supports; }));
         CHECK(any_agency([](const Agency& a) { return a.withdrawal > a.withdrawal_supported; }));
         CHECK(any_agency([](const Agency& a) { return a.stage != Stage::none; }));
         CHECK(any_agency([](const Agency& a) { return a.retrafficking.has_value(); }));
         CHECK(any_referral([](const Referral& r) { return r.consent.has_value(); }));
         CHECK(any_referral([](const Referral& r) { return r.loss > 0; }));
         CHECK(any_referral([](const Referral& r) { return r.fork; }));
         CHECK(any_referral([](const Referral& r) { return !r.when.constant(); }));
         CHECK(any_source([](const Source& x) { return !x.seasonality.empty(); }));
         CHECK(any_source([](const Source& x) { return !x.batches.empty(); }));
         CHECK(k.holds > 0);
         CHECK(k.withdrawals > 0);
       }},
  };
  return m;
}

}  // namespace

TEST_CASE("Scenario library: every scenario runs and its results are sane") {
  const auto files = scenario_files();
  REQUIRE_FALSE(files.empty());
  for (const auto& f : files) {
    INFO(f.string());
    Scenario s = load_scenario(f);
    // Declared defaults that the docs promise: a few replications, a modest horizon.
    CHECK(s.run.replications >= 1);
    CHECK(s.run.replications <= 10);
    CHECK(s.run.horizon <= 10 * 365 + 1e-9);
    if (cases_per_day(s) > 50) {  // the benchmark-sized scenario: a shortened run
      s.run.horizon = std::min<Time>(s.run.horizon, 120);
      s.run.warmup = std::min<Time>(s.run.warmup, 30);
    }
    const ReferralGraph g(s);

    // Static: no agency offered more than it can do (office hours counted), unless declared.
    const auto overloaded_ok = declared_overloaded(f);
    const auto loads = g.loads();
    const auto reach = g.reachable_from_sources();
    for (std::size_t a = 0; a < s.agencies.size(); ++a) {
      const Agency& ag = s.agencies[a];
      INFO("agency " << ag.id);
      CHECK(reach[a]);
      CHECK(std::isfinite(loads[a].arrival_rate));
      if (ag.unlimited || overloaded_ok.count(ag.id)) continue;
      const double open_share = ag.hours ? ag.hours->open_per_week() / 7 : 1.0;
      CHECK(loads[a].offered_load / (ag.servers * open_share) < 1);
    }
    for (const auto& id : overloaded_ok) {
      INFO("declared overloaded: " << id);
      CHECK(s.find_agency(id).has_value());
    }

    // The statistics as `refsim run` computes them, and the same replication again (same seed,
    // same streams: the same history) with the story counter subscribed.
    const ReplicationResult r = run_replication(s, g, s.run.seed, 0);
    Engine engine(s, g, s.run.seed, 0);
    StoryCounter story(s);
    engine.add_observer(story);
    engine.run_until(s.run.horizon);
    CHECK(static_cast<double>(engine.cases_in_system()) == r.cases.in_system_at_end);

    CHECK(r.cases.entered > 0);
    CHECK(r.cases.exited > 0);
    CHECK(r.events_processed > 0);
    // Conservation, exactly: everyone who entered left or is still inside; over the statistics
    // window, those inside when it opened plus those entering = those leaving + those inside at
    // the end (re-entries after re-trafficking are new entries).
    CHECK(story.entered_total == story.exited_total + engine.cases_in_system());
    CHECK(static_cast<double>(story.in_system_at_warmup) + r.cases.entered ==
          r.cases.exited + r.cases.in_system_at_end);
    if (s.run.warmup == 0) CHECK(r.cases.entered == r.cases.exited + r.cases.in_system_at_end);
    if (!std::isnan(r.cases.mean_time_in_system_days)) CHECK(r.cases.mean_time_in_system_days >= 0);

    for (std::size_t a = 0; a < s.agencies.size(); ++a) {
      const AgencyResult& x = r.agencies[a];
      INFO("agency " << s.agencies[a].id);
      if (!s.agencies[a].unlimited) {
        CHECK(x.utilization >= 0);
        CHECK(x.utilization <= 1 + 1e-12);
      }
      CHECK(x.mean_queue_length >= 0);
      CHECK(x.mean_in_service >= 0);
      CHECK(x.dropouts >= 0);
      CHECK(x.false_positives <= x.decisions_positive);
      CHECK(x.false_negatives <= x.decisions_negative);
      if (!std::isnan(x.mean_wait_days)) CHECK(x.mean_wait_days >= 0);
      if (!std::isnan(x.mean_time_in_agency_days)) CHECK(x.mean_time_in_agency_days >= 0);
    }
    for (std::size_t i = 0; i < s.referrals.size(); ++i) {
      INFO("referral " << s.referrals[i].key);
      CHECK(r.referrals[i].lost <= r.referrals[i].sent);
      CHECK(r.referrals[i].consent_refused >= 0);
    }
    for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
      const DeadlineResult& x = r.deadlines[d];
      INFO("deadline " << s.deadlines[d].id);
      if (!std::isnan(x.compliance)) {
        CHECK(x.compliance >= 0);
        CHECK(x.compliance <= 1);
      }
      if (!std::isnan(x.mean_elapsed_days)) CHECK(x.mean_elapsed_days >= 0);
    }

    const std::string stem = f.stem().string();
    if (const auto it = stories().find(stem); it != stories().end()) {
      INFO("story of " << stem);
      it->second(s, story, r);
    }
  }
}
