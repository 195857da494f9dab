#pragma once
// What to fix first: where persons wait (attribution), what one more server or a few more beds at
// each agency would change (marginal value, paired under common random numbers), and the smallest
// staffing that meets a target (capacity needed). docs/bottlenecks.md gives the definitions.
//
//   refsim::BottleneckOptions opt;
//   opt.seed = 42;
//   opt.replications = 10;
//   opt.target = refsim::parse_capacity_target("deadlines.rg_decision_5wd.compliance>=0.95");
//   refsim::BottleneckResult r = refsim::find_bottlenecks(scenario, opt);
//   r.agencies[a].waiting_person_days.mean;  // person-days waited in a's queue per replication
//   r.marginal[0].effects[0].difference;     // the top-ranked agency's +1 on the first indicator
//
// Attribution follows every person of every baseline replication (BottleneckObserver, subscribed
// through ReplicationOptions::watchers only here: `refsim run` never pays for it). Replication r of
// every variant runs on the streams of (seed, r) and results are stored by (variant, replication),
// so the output depends only on the scenario, the seed and the options, never on the thread count.
// Only each replication's indicator values are kept, not its ReplicationResult.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/experiment/compare.hpp"
#include "sim/experiment/estimate.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/model/scenario.hpp"

namespace refsim {

/// Where a person's time is spent: an agency's queue, a hold before its service (not_before),
/// its service, or a referral's transfer delay.
enum class Spent : std::uint8_t { waiting, held, service, transfer };
inline constexpr std::size_t kSpentKinds = 4;
const char* to_string(Spent s);

/// The groups of persons that shares of time are given for (by their attributes at entry).
inline constexpr std::array<std::string_view, 5> kBottleneckGroups = {"all", "child", "adult", "national", "foreign"};
/// The milestones that shares of time are measured up to.
inline constexpr std::array<std::string_view, 2> kBottleneckMilestones = {"identification", "first_service"};

/// One replication's attribution (BottleneckObserver::result). Locations are numbered agencies
/// first (0 … A − 1), then referral rules (A + r).
struct AttributionSample {
  /// Per agency, over the visits that arrived in the window [warmup, horizon], followed to their end:
  std::vector<double> waiting_days;  ///< Σ queue waits (arrival → service start, drop-out or turn-away)
  std::vector<double> held_days;     ///< Σ holds before service (not_before)
  std::vector<double> service_days;  ///< Σ service times
  std::vector<double> visits;        ///< arrivals
  /// Per referral rule: Σ transfer delays and referrals sent (not lost), sent in the window.
  std::vector<double> transfer_days, sent;
  /// breaches[d][location]: breaches of deadline d (its clock started in the window) attributed to
  /// the location (see attributed_location in docs/bottlenecks.md).
  std::vector<std::vector<double>> breaches;
  /// Per group × milestone: persons who entered in the window and reached the milestone, their
  /// track-days from entry to it, and those days by location and kind (index loc * kSpentKinds + kind).
  struct ToMilestone {
    double persons = 0, track_days = 0, person_days = 0;
    std::vector<double> days;
  };
  std::array<std::array<ToMilestone, kBottleneckMilestones.size()>, kBottleneckGroups.size()> milestones;
};

/// Follows every person's time, track by track, until their milestones and deadlines: an Observer
/// for one replication (not thread-safe; one per replication).
class BottleneckObserver final : public ReplicationWatcher {
 public:
  explicit BottleneckObserver(const Scenario& s);
  AttributionSample result() const { return sample_; }

  void on_case_entered(Time t, const Case& c, const Attributes& attributes) override;
  void on_arrival(Time t, AgencyId a, const Case& c) override;
  void on_hold(Time t, AgencyId a, const Case& c, Time until) override;
  void on_hold_end(Time t, AgencyId a, const Case& c) override;
  void on_service_start(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_service_end(Time t, AgencyId a, const Case& c, Time in_agency) override;
  void on_referral(Time t, ReferralId r, const Case& c, Time delay) override;
  void on_dropout(Time t, AgencyId a, const Case& c, Time waited) override;
  void on_turned_away(Time t, AgencyId a, const Case& c) override;
  void on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) override;
  void on_decision(Time t, AgencyId a, const Case& c, const Attributes& attributes, std::uint32_t attribute,
                   bool positive) override;
  void on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency,
                   Time elapsed) override;

 private:
  struct Segment {
    std::uint32_t location = 0;
    Spent kind = Spent::waiting;
    Time start = 0, end = -1;  ///< end < 0: still open
  };
  struct Track {
    std::int32_t open = -1;  ///< index of its open segment in the person's list; -1: none
    Time visit_arrived = 0;  ///< arrival at its current agency (before any hold)
  };
  struct Person {
    Time entered = 0;
    bool in_window = false;
    std::uint8_t groups = 0;   ///< bit g: kBottleneckGroups[g]
    std::uint8_t reached = 0;  ///< bit m: kBottleneckMilestones[m] reached
    std::vector<Segment> segments;
    std::vector<Track> tracks;
  };
  bool in_window(Time t) const { return t >= warmup_ && t <= horizon_; }
  Track& track(const Case& c);
  void open(Time t, const Case& c, std::uint32_t location, Spent kind);
  void close(Time t, const Case& c);
  void reach(Time t, const Case& c, std::size_t milestone);

  const Scenario& scenario_;
  std::uint32_t agencies_ = 0;
  Time warmup_ = 0, horizon_ = 0;
  std::vector<bool> provides_;   ///< by agency: serving there is a first service
  std::vector<Person> persons_;  ///< by Case::person (slots recycled at entry)
  AttributionSample sample_;
};

/// `--target "INDICATOR>=VALUE"` (or <=): the smallest capacity whose 95 % interval lies wholly
/// on the target's side.
struct CapacityTarget {
  std::string indicator;  ///< canonical name
  bool at_least = true;   ///< >=; else <=
  double value = 0;
  std::string text;  ///< as given, for reports
};
/// Parses "NAME>=VALUE" or "NAME<=VALUE" (VALUE a number or a duration such as 5d); throws
/// std::invalid_argument saying what was expected.
CapacityTarget parse_capacity_target(const std::string& text);

struct BottleneckProgress {
  std::uint32_t done = 0, total = 0;  ///< replications run / planned so far (grows with searches)
};

struct BottleneckOptions {
  std::uint64_t seed = 1;
  std::uint32_t replications = 10;
  unsigned threads = 0;  ///< 0: all hardware threads
  /// Indicators judged for the marginal value (canonical names); empty: default_bottleneck_indicators.
  std::vector<std::string> indicators;
  std::uint32_t extra_servers = 1;  ///< the marginal step at agencies with servers
  std::uint32_t extra_beds = 5;     ///< … and at residential agencies (beds)
  bool marginal = true;             ///< evaluate the marginal value of every agency
  std::optional<CapacityTarget> target;
  /// Agencies to search capacity at; empty with a target: those whose marginal step improves the
  /// target indicator significantly (all agencies with a limit when `marginal` is off).
  std::vector<AgencyId> at;
  std::uint32_t max_capacity = 0;  ///< the largest capacity tried; 0: max(64, 16 × the current)
  std::function<void(const BottleneckProgress&)> progress;  ///< serialised, from worker threads
};

/// The indicators judged by default: time to identification and to first service (means), every
/// deadline's compliance, the drop-out share and the grounds-decision backlog — those the
/// scenario can produce.
std::vector<std::string> default_bottleneck_indicators(const Scenario& s);

struct MarginalEffect {
  std::string indicator, label, unit;
  Kind kind = Kind::unbounded;
  bool smaller_is_better = true;
  Estimate baseline;                     ///< the indicator without the change
  std::optional<Difference> difference;  ///< with the change minus without, paired
  /// The (adjusted) interval includes 0: no effect shown. True when there is no difference.
  bool includes_zero = true;
  bool improves = false;  ///< a significant change in the better direction
};

struct MarginalValue {
  AgencyId agency = 0;
  std::uint32_t from = 0, to = 0;       ///< servers or beds, now and in the variant
  std::vector<MarginalEffect> effects;  ///< by options' indicator
  std::size_t rank = 0;                 ///< 1 = most valuable
};

struct CapacityStep {
  std::uint32_t capacity = 0;
  Estimate estimate;
  bool met = false;
};

struct CapacitySearch {
  AgencyId agency = 0;
  CapacityTarget target;
  std::uint32_t current = 0;
  std::uint32_t max_tried = 0;
  std::optional<std::uint32_t> needed;  ///< none when even max_tried does not meet it
  Estimate at_needed;                   ///< the indicator at `needed`
  /// needed − current paired with the current capacity (absent when needed == current or none).
  std::optional<Difference> versus_current;
  std::vector<CapacityStep> steps;  ///< in the order tried
  std::string note;                 ///< "already met", "not met up to 64", …
};

struct AgencyAttribution {
  Estimate waiting_person_days, held_person_days, service_person_days, visits, breaches;
  Estimate utilization;  ///< from the baseline's statistics
};
struct ReferralAttribution {
  Estimate transfer_person_days, sent, breaches;
};
struct ShareOfTime {
  std::uint32_t location = 0;
  Spent kind = Spent::waiting;
  Estimate share;  ///< of the track-days to the milestone
};
struct MilestoneAttribution {
  Estimate persons, mean_days;
  std::vector<ShareOfTime> shares;  ///< the locations with any time, largest share first
};
struct DeadlineAttribution {
  Estimate breached;
  std::vector<std::pair<std::uint32_t, Estimate>> by_location;  ///< locations with breaches, most first
};

struct BottleneckResult {
  std::uint32_t replications = 0;
  std::vector<AgencyAttribution> agencies;     ///< by agency
  std::vector<ReferralAttribution> referrals;  ///< by referral rule
  std::vector<DeadlineAttribution> deadlines;  ///< by deadline
  /// [group][milestone], kBottleneckGroups × kBottleneckMilestones.
  std::array<std::array<MilestoneAttribution, kBottleneckMilestones.size()>, kBottleneckGroups.size()> milestones;
  std::vector<std::string> indicators;  ///< judged for the marginal value
  std::size_t comparisons = 0;          ///< marginal variants (Bonferroni divisor)
  std::vector<MarginalValue> marginal;  ///< ranked, most valuable first
  std::vector<CapacitySearch> capacity;
  std::uint64_t events_processed = 0;
  std::uint32_t runs = 0;  ///< replications run, all variants and searches together
  double wall_seconds = 0;
  unsigned threads_used = 1;
};

/// "competent_authority" for an agency, "screening->ca" for a referral rule.
std::string location_name(const Scenario& s, std::uint32_t location);

/// Runs the analysis. Throws std::invalid_argument for an unknown or inapplicable indicator or
/// target, or an `at` agency without a limit (unlimited).
BottleneckResult find_bottlenecks(const Scenario& s, const BottleneckOptions& options);

}  // namespace refsim
