#pragma once
// Snapshot: everything one frame draws, as plain data read from a Simulation through const
// references. The renderer draws a const Snapshot and never sees the engine.
//
// Indicators the scenario or the model cannot give are std::nullopt, and the panel says so instead
// of showing a made-up number: decisions and the backlog awaiting a grounds decision only when
// some agency takes such decisions; drop-outs only when some agency has a patience.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "viz/colour.hpp"
#include "viz/simulation.hpp"

namespace refsim::viz {

struct AgencyNow {
  bool unlimited = false;
  bool residential = false;  ///< declared with `beds`: servers are beds, busy are beds occupied
  /// Staff or beds in force now (Engine::servers: the scenario's, changed since by a [[change]] or
  /// the facilitator); 0 when unlimited. May be below busy after a cut: those cases finish.
  std::uint32_t servers = 0;
  std::uint32_t scenario_servers = 0;  ///< what the scenario declares (the disc's size); 0 when unlimited
  std::uint32_t busy = 0;              ///< serving now (for a residential agency: beds occupied)
  std::size_t waiting = 0;             ///< queued now
  /// Held now before service (the agency's not_before, e.g. a recovery and reflection period):
  /// at the agency but not in its queue, using no staff or bed. 0 without a not_before.
  std::size_t held = 0;
  /// False while the agency is outside its opening hours (`hours`); cases in service then are
  /// paused, not stuck. Always true without hours. Says nothing of `closed`.
  bool open = true;
  /// Closed by a change (Engine::is_open false: a scenario's [[change]] or the facilitator): no
  /// service starts until a change reopens it; cases in service finish.
  bool closed = false;
  /// Since day 0: cases turned away / sent on (overflow) because the agency was full, and people
  /// who withdrew at the end of service here.
  std::uint64_t turned_away = 0, overflowed = 0, withdrawals = 0;
  double utilization = 0;       ///< recent time-average busy / servers; NaN when unlimited
  double oldest_wait = 0;       ///< days the longest-waiting case has waited so far; 0 if none
  double mean_wait = 0;         ///< recent mean wait before service, days; NaN if no service yet
  double arrivals_per_day = 0;  ///< recent
  double completions_per_day = 0;
  double bottleneck_score = 0;               ///< waiting × utilization: how much this agency holds cases up now
  double breaches_recent = 0;                ///< deadline breaches charged to this agency, recent count
  std::uint64_t breaches = 0;                ///< deadline breaches charged to this agency since day 0
  bool decides = false;                      ///< the agency has a `decision`; the next three are 0 / NaN otherwise
  std::uint64_t positive = 0, negative = 0;  ///< its decisions since day 0
  double share_positive = 0;                 ///< positive / (positive + negative); NaN before any
};

/// A case moving along a referral, drawn as a dot.
struct MovingCase {
  ReferralId referral = 0;
  double progress = 0;  ///< 0 at the referring agency … 1 on arrival
  CaseLook look;
};

/// A deadline breach to flash at the agency held responsible (the one holding or sending the
/// person when the limit passed): the latest breach there, if less than kBreachFlashDays ago.
struct BreachFlash {
  AgencyId agency = 0;
  double age_days = 0;  ///< how long ago it happened
};
inline constexpr double kBreachFlashDays = 2;

/// How many agencies the list of bottlenecks holds at most (take_snapshot()).
inline constexpr std::size_t kBottlenecksListed = 8;

/// One SOP deadline's results so far (from day 0).
struct DeadlineNow {
  std::uint64_t met = 0, breached = 0;
  std::uint64_t left = 0;  ///< the person left the mechanism before the limit: neither met nor breached
  double compliance = 0;   ///< met / (met + breached); NaN before any is settled
};

/// Decisions on one state attribute (presumed, reasonable grounds or identified), all agencies.
struct DecisionNow {
  double positive_per_day = 0;  ///< recent positive decisions per day
  std::uint64_t positive = 0;   ///< since day 0
  std::uint64_t negative = 0;   ///< since day 0
};

/// One country of a regional scenario (Scenario::by_country()): its agencies together — an agency
/// without a `country` is the home country's, as in refsim run's results per country — and the
/// persons who entered the mechanism there. Summed from the per-agency state when the snapshot is
/// taken, not on every event.
struct CountryNow {
  std::string code;              ///< Scenario::countries[k]
  std::size_t agencies = 0;      ///< how many agencies are in it (may be 0: the home country of none)
  std::size_t entered_here = 0;  ///< persons in the mechanism now who entered it here, wherever they are now
  std::size_t waiting = 0;       ///< queued now at its agencies
  std::size_t in_service = 0;    ///< in service now at its agencies (all of them, unlimited ones too)
  std::size_t held = 0;          ///< held before service now at its agencies (not_before)
  /// Among its agencies with a capacity limit: staff or beds busy now and in force now; `limited`
  /// false when it has none (then these are 0 and utilization is NaN: "n/a").
  bool limited = false;
  std::uint32_t busy = 0, staffed = 0;
  /// Busy server-time / staffed server-time of its limited agencies since day 0 (warm-up
  /// included); NaN when none is limited.
  double utilization = 0;
  /// Mean wait before service of the visits to its agencies that started service since day 0,
  /// days, and how many visits that is; NaN when none yet.
  double mean_wait = 0;
  std::uint64_t visits = 0;
};

/// A mean over fewer visits than this is marked as uncertain in the panel.
inline constexpr std::uint64_t kFewVisits = 10;

/// The counts under NOW. `in_system` counts persons; the others count tracks. A person on
/// parallel tracks (a referral with `fork`, e.g. criminal justice beside services) is one person
/// but one track per branch, each waiting, in service, held or in transfer somewhere; `tracks`
/// is their sum, so in_service <= tracks and in_system <= tracks (equal without a fork).
struct Indicators {
  std::size_t in_system = 0;                ///< persons in the mechanism (Engine::cases_in_system)
  std::size_t tracks = 0;                   ///< their tracks: waiting + in_service + held_now + in_transfer
  std::size_t waiting = 0;                  ///< tracks queued now, all agencies
  std::size_t in_service = 0;               ///< tracks in service now, all agencies (busy staff or beds, unlimited too)
  std::size_t held_now = 0;                 ///< tracks held before service now (not_before), all agencies
  std::size_t in_transfer = 0;              ///< tracks moving along a referral now
  bool parallel_tracks = false;             ///< some referral of the scenario is a `fork`: tracks may exceed persons
  double entries_per_day = 0;               ///< recent
  double throughput_per_day = 0;            ///< cases leaving the mechanism, recent
  double mean_wait = 0;                     ///< recent mean wait before service, all agencies; NaN if none
  std::optional<AgencyId> busiest;          ///< highest recent utilization among limited agencies
  std::optional<double> deadline_breaches;  ///< recent count; nullopt when the scenario has no deadlines
  double lost_referrals = 0;                ///< referrals sent but never received, recent count
  double consent_refused = 0;               ///< adults who refused a referral, recent count
  // nullopt when no agency in the scenario decides the attribute (see the header comment).
  std::optional<DecisionNow> presumed, reasonable_grounds, identified;
  /// Cases waiting or in service now at agencies deciding reasonable_grounds or identified;
  /// nullopt when there is none (Simulation::backlog).
  std::optional<std::size_t> backlog;
  std::optional<double> dropouts;  ///< gave up waiting, recent window; nullopt when no agency or profile has a patience
  /// Found an agency full and turned away / sent on, recent counts; nullopt when no agency has
  /// such a when_full policy.
  std::optional<double> turned_away, overflows;
  /// Cases held now before service (agencies' not_before); nullopt when no agency has one.
  std::optional<std::size_t> held;
};

struct Snapshot {
  Time now = 0;
  Time horizon = 0;
  Time warmup = 0;
  std::uint64_t seed = 0;
  std::uint32_t restarts = 0;
  double window = 0;  ///< days over which "recent" figures are averaged
  std::vector<AgencyNow> agencies;
  std::vector<double> referral_flow;  ///< recent referrals per day, by ReferralId
  std::vector<MovingCase> moving;
  std::vector<BreachFlash> breaches;   ///< at most one per agency
  std::vector<DeadlineNow> deadlines;  ///< by DeadlineId
  Indicators indicators;
  std::vector<AgencyId> bottlenecks;  ///< most held-up first; only agencies with waiting cases
  /// The latest parameter changes heard (LiveView::changes), newest first, and how many in all.
  std::vector<ChangeNote> changes;
  std::uint64_t changes_heard = 0;
  /// Per country, in the order of Scenario::countries; empty unless Scenario::by_country().
  std::vector<CountryNow> countries;
  const std::vector<Sample>* history = nullptr;  ///< the simulation's (valid while it lives)
};

/// Reads the simulation's current state. O(agencies + referrals + cases in transfer + countries).
Snapshot take_snapshot(const Simulation& sim);

/// The countries the panel lists when it has room for `room` rows (room >= 1): all of them if
/// they fit, else the room − 1 busiest (most cases waiting and in service at their agencies, then
/// most persons who entered there, then the first in Scenario::countries), one row being left for
/// "+N more". Indices into `countries`, in their order.
std::vector<std::size_t> countries_listed(const std::vector<CountryNow>& countries, std::size_t room);

/// Bottleneck order: waiting × utilization, then longest current wait, then id. Only agencies
/// with cases waiting, at most `limit`.
std::vector<AgencyId> rank_bottlenecks(const std::vector<AgencyNow>& agencies, std::size_t limit);

}  // namespace refsim::viz
