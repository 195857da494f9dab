#pragma once
// LiveView: the visualiser's Observer. It turns engine signals into "what is happening now":
// recent flow along each referral, recent throughput and waits, smoothed utilization, the oldest
// case waiting at each agency, deadline results (per deadline so far; breaches recently, per
// agency held responsible), referrals lost or refused consent, and decisions (per agency, and per
// attribute decided: presumed, reasonable grounds, identified), and the parameter changes heard
// (a scenario's [[change]]s, the facilitator's): each agency's servers in force, and a short log.
// Since day 0 it also keeps, per agency, the busy and staffed server-time and the waits of the
// visits that started service, and the persons in the mechanism by country of entry: the
// snapshot sums them per country (Snapshot::countries) when a frame is drawn.
//
// "Recent" is an exponentially weighted window of `window` simulated days: an event that
// happened d days ago weighs e^(-d/window). Every hook is O(1) amortised; queries are O(1) and
// never change state, so a renderer can call them through a const reference.
//
//   refsim::viz::LiveView live(scenario, /*window=*/7.0);
//   engine.add_observer(live);
//   engine.run_until(30);
//   live.referral_rate(r, engine.now());  // referrals per day along r, recently
#include <array>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/observer.hpp"

namespace refsim::viz {

/// One parameter change heard (Observer::on_parameter_changed), for the change log.
struct ChangeNote {
  Time t = 0;          ///< when it took effect, days
  std::string text;    ///< describe(): "competent_authority: servers 4 → 2"
  std::string origin;  ///< Change::origin: "refsim-viz", "[[change]] at 180d", …; may be empty
};

/// A count of events with exponentially fading weight.
class FadingCount {
 public:
  void add(Time t, double x, double window) {
    value_ = at(t, window) + x;
    last_ = t;
  }
  /// The faded sum at time t >= the last addition.
  double at(Time t, double window) const { return value_ * std::exp(-(t - last_) / window); }

 private:
  double value_ = 0;
  Time last_ = 0;
};

/// The exponentially weighted time average of a level that changes in steps.
class FadingLevel {
 public:
  void set(Time t, double level, double window) {
    avg_ = at(t, window);
    level_ = level;
    last_ = t;
  }
  double at(Time t, double window) const {
    const double keep = std::exp(-(t - last_) / window);
    return avg_ * keep + level_ * (1 - keep);
  }
  double level() const { return level_; }

 private:
  double avg_ = 0, level_ = 0;
  Time last_ = 0;
};

class LiveView final : public Observer {
 public:
  /// `scenario` must outlive the view; `window` > 0, in days.
  LiveView(const Scenario& scenario, double window);

  void on_case_entered(Time t, const Case& c, const Attributes&) override;
  void on_arrival(Time t, AgencyId a, const Case& c) override;
  void on_service_start(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_service_end(Time t, AgencyId a, const Case& c, Time in_agency) override;
  void on_referral(Time t, ReferralId r, const Case& c, Time delay) override;
  void on_case_exited(Time t, const Case& c, Time in_system) override;
  void on_referral_lost(Time t, ReferralId r, const Case& c) override;
  void on_dropout(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_consent_refused(Time t, ReferralId r, const Case& c) override;
  void on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                   Time elapsed) override;
  void on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override;
  void on_turned_away(Time t, AgencyId a, const Case& c) override;
  void on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) override;
  void on_hold(Time t, AgencyId a, const Case& c, Time until) override;
  void on_hold_end(Time t, AgencyId a, const Case& c) override;
  void on_withdrawal(Time t, AgencyId a, const Case& c) override;
  void on_parameter_changed(Time t, const Change& change, const Change& previous) override;

  double window() const { return window_; }

  // Recent rates, per day, at time `now` (>= the last event seen).
  double referral_rate(ReferralId r, Time now) const { return rate(referrals_[r], now); }
  double arrival_rate(AgencyId a, Time now) const { return rate(agencies_[a].arrivals, now); }
  double completion_rate(AgencyId a, Time now) const { return rate(agencies_[a].completions, now); }
  double entry_rate(Time now) const { return rate(entries_, now); }
  double exit_rate(Time now) const { return rate(exits_, now); }

  /// Recent mean wait (arrival → service start) at agency a, in days; NaN before any service start.
  double mean_wait(AgencyId a, Time now) const;
  /// Recent mean wait over all agencies, in days; NaN before any service start.
  double mean_wait_all(Time now) const;
  /// Time-average of busy servers / staffed servers over the window; NaN for unlimited agencies.
  /// Staffed = the servers in force (servers(a)), or the busy ones when more: after a cut, cases
  /// in service finish, and the agency counts as full, not above 100 %. The same definition as
  /// refsim run's utilization (StatisticsCollector).
  double utilization(AgencyId a, Time now) const;
  /// Servers (or beds) of agency a in force now, as the changes heard have set them; the
  /// scenario's before any change (meaningless for an unlimited agency).
  std::uint32_t servers(AgencyId a) const { return agencies_[a].servers; }
  /// When the longest-waiting case at agency a arrived; nullopt when nobody waits.
  std::optional<Time> oldest_waiting_since(AgencyId a) const;
  /// Cases waiting (not in service) at agency a, as this view counted them.
  std::size_t waiting(AgencyId a) const { return agencies_[a].queue.size(); }

  // Since day 0 (warm-up included), at time `now` (>= the last event seen); O(1).
  /// Busy server-time at agency a, in server-days (0 for an unlimited agency).
  double busy_time(AgencyId a, Time now) const {
    const AgencyLive& ag = agencies_[a];
    return ag.busy_integral + ag.level_busy * (now - ag.level_since);
  }
  /// Staffed server-time at agency a, in server-days: the servers in force, or the busy ones when
  /// more (as utilization()); 0 for an unlimited agency. busy_time / staffed_time is the
  /// agency's utilization so far, as refsim run defines it.
  double staffed_time(AgencyId a, Time now) const {
    const AgencyLive& ag = agencies_[a];
    return ag.staffed_integral + ag.level_staffed * (now - ag.level_since);
  }
  /// Visits to agency a that started service so far, and the sum of their waits (arrival, or the
  /// end of a hold, to service start), days. Drop-outs and cases still waiting are not in them.
  std::uint64_t service_starts(AgencyId a) const { return agencies_[a].service_starts; }
  double wait_total(AgencyId a) const { return agencies_[a].wait_total; }
  /// Persons in the mechanism now who entered it in country k (an index into
  /// Scenario::countries, as Scenario::entry_country_index gives it); they add up to
  /// Engine::cases_in_system.
  std::size_t inside_entered_in(std::size_t k) const { return inside_by_country_[k]; }
  /// Scenario::entry_country_index(a), kept: the country whose results agency a counts in.
  std::uint32_t country_of(AgencyId a) const { return entry_country_[a]; }

  /// How deadline d has ended so far in this run (from day 0, warm-up included).
  struct DeadlineTally {
    std::uint64_t met = 0, breached = 0, left = 0;
  };
  const DeadlineTally& deadline(DeadlineId d) const { return deadlines_[d]; }

  // Recent counts: events in about the last `window` days (the fading sum, corrected for a run
  // shorter than the window like the rates are), at time `now` (>= the last event seen).
  double recent_breaches(Time now) const { return recent(breaches_, now); }
  /// Breaches charged to agency a: it held (or was sending) the person when the limit passed.
  double recent_breaches(AgencyId a, Time now) const { return recent(agencies_[a].breaches, now); }
  double recent_lost(Time now) const { return recent(lost_, now); }
  double recent_dropouts(Time now) const { return recent(dropouts_, now); }
  std::uint64_t dropouts() const { return dropouts_total_; }
  double recent_refused(Time now) const { return recent(refused_, now); }
  /// Cases that found an agency full and were turned away or sent on (when_full), recently.
  double recent_turned_away(Time now) const { return recent(turned_away_, now); }
  double recent_overflows(Time now) const { return recent(overflows_, now); }
  /// Cases held at agency a now (its not_before: e.g. a recovery and reflection period).
  std::size_t held(AgencyId a) const { return agencies_[a].held; }
  /// Since day 0: cases agency a turned away when full, sent on when full (overflow, counted at
  /// the full agency), and people who withdrew at the end of service there.
  std::uint64_t turned_away(AgencyId a) const { return agencies_[a].turned_away; }
  std::uint64_t overflowed(AgencyId a) const { return agencies_[a].overflowed; }
  std::uint64_t withdrawals(AgencyId a) const { return agencies_[a].withdrawals; }
  /// Breaches charged to agency a since day 0, and when the last one happened (nullopt if none).
  std::uint64_t breaches(AgencyId a) const { return agencies_[a].breach_total; }
  std::optional<Time> last_breach(AgencyId a) const { return agencies_[a].last_breach; }
  std::uint64_t lost() const { return lost_total_; }
  std::uint64_t refused() const { return refused_total_; }

  /// Decisions taken so far (from day 0): each service end at a deciding agency is one decision,
  /// so a person decided twice counts twice.
  struct DecisionTally {
    std::uint64_t positive = 0, negative = 0;
  };
  /// Decisions taken by agency a (zero for an agency without `decision`).
  const DecisionTally& decisions(AgencyId a) const { return agencies_[a].decisions; }
  /// Decisions on state attribute `attribute` (attr::kPresumed, kReasonableGrounds or
  /// kIdentified), by all agencies.
  const DecisionTally& decisions_on(std::uint32_t attribute) const { return decided_[decided_index(attribute)]; }
  /// Recent positive decisions on `attribute` per day, at time `now` (>= the last event seen).
  double positive_rate(std::uint32_t attribute, Time now) const {
    return rate(decided_recent_[decided_index(attribute)], now);
  }

  std::uint64_t entered() const { return entered_; }
  std::uint64_t exited() const { return exited_; }

  /// The last kChangeLog parameter changes heard, oldest first, and how many were heard in all.
  const std::deque<ChangeNote>& changes() const { return changes_; }
  std::uint64_t changes_heard() const { return changes_heard_; }
  static constexpr std::size_t kChangeLog = 8;

 private:
  struct AgencyLive {
    FadingCount arrivals, completions, wait_sum, wait_count, breaches;
    FadingLevel busy_fraction;
    std::uint64_t breach_total = 0;
    DecisionTally decisions;
    std::optional<Time> last_breach;
    std::uint32_t busy = 0;
    std::uint32_t servers = 0;  // in force now
    std::size_t held = 0;
    std::uint64_t turned_away = 0, overflowed = 0, withdrawals = 0;
    // Since day 0: server-time integrals up to level_since, and the levels since then.
    double busy_integral = 0, staffed_integral = 0;
    std::uint32_t level_busy = 0, level_staffed = 0;
    Time level_since = 0;
    std::uint64_t service_starts = 0;
    double wait_total = 0;
    std::deque<std::pair<std::uint64_t, Time>> queue;  // (serial, arrival) in arrival order
  };
  double rate(const FadingCount& c, Time now) const;
  double recent(const FadingCount& c, Time now) const { return rate(c, now) * window_; }
  static std::size_t decided_index(std::uint32_t attribute) {
    assert(attribute >= attr::kPresumed && attribute < attr::kPresumed + kDecidable);
    return attribute - attr::kPresumed;
  }
  static constexpr std::size_t kDecidable = 4;  // presumed, reasonable_grounds, identified, convicted
  /// Removes the case with this serial from agency a's queue (it left without being served).
  void leave_queue(AgencyId a, std::uint64_t serial);
  /// Agency a's busy / staffed level changed at t (busy or servers did).
  void busy_changed(AgencyId a, Time t);

  const Scenario& scenario_;
  double window_;
  std::vector<AgencyLive> agencies_;
  std::vector<FadingCount> referrals_;
  FadingCount entries_, exits_, wait_sum_, wait_count_, breaches_, lost_, refused_, dropouts_, turned_away_, overflows_;
  std::vector<DeadlineTally> deadlines_;
  std::array<DecisionTally, kDecidable> decided_{};
  std::array<FadingCount, kDecidable> decided_recent_{};  // positive decisions
  std::uint64_t lost_total_ = 0, refused_total_ = 0, dropouts_total_ = 0;
  std::uint64_t entered_ = 0, exited_ = 0;
  std::deque<ChangeNote> changes_;
  std::uint64_t changes_heard_ = 0;
  std::vector<std::uint32_t> entry_country_;    // by agency: Scenario::entry_country_index
  std::vector<std::uint32_t> person_country_;   // by person slot (Case::person): country of entry
  std::vector<std::size_t> inside_by_country_;  // by index in Scenario::countries
};

}  // namespace refsim::viz
