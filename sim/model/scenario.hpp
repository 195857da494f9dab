#pragma once
// The frozen scenario: plain, immutable data that every other module reads.
//
// Built only by load_scenario (sim/scenario/loader.hpp), which parses, validates and freezes it.
// Agencies, sources and referrals are referred to by their index in these vectors (stable
// integer ids); names are kept for messages, random-stream keys and output.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/model/cohorts.hpp"
#include "sim/model/distribution.hpp"
#include "sim/model/expression.hpp"
#include "sim/model/profile.hpp"
#include "sim/model/units.hpp"
#include "sim/model/work_calendar.hpp"

namespace refsim {

using AgencyId = std::uint32_t;
using SourceId = std::uint32_t;
using ReferralId = std::uint32_t;
using ProfileId = std::uint32_t;
using DeadlineId = std::uint32_t;

/// Where a scenario object was declared: file, 1-based line and column (0 when unknown).
struct SourceLocation {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string str() const;  ///< "file:line:column" (or "file" when the position is unknown)
};

/// 20 years: long enough for a criminal-justice track of years, short enough to end a run whose
/// persons would never leave (an agency closed for good).
inline constexpr Time kDefaultFollowUp = 20 * 365.0;

struct RunSettings {
  Time horizon = 0;           ///< total simulated days, warm-up included
  SourceLocation horizon_at;  ///< where the file sets it, for messages about its length
  Time warmup = 0;            ///< statistics are reset at this time
  /// After the horizon: how long the persons still inside are followed (BasicEngine::end_run).
  Time follow_up = kDefaultFollowUp;
  std::uint32_t replications = 1;
  std::uint64_t seed = 1;
};

/// A decision an agency takes about each case it serves, at the end of service: it sets a state
/// attribute (presumed, reasonable_grounds, identified) to 1 (positive) or 0 (negative).
struct Decision {
  std::uint32_t sets = 0;    ///< attribute index (attr::kPresumed, …)
  bool by_accuracy = true;   ///< true: P(positive) = sensitivity for victims, 1 − specificity for others
  double sensitivity = 1;    ///< P(positive | in fact a victim)
  double specificity = 1;    ///< P(negative | not a victim)
  double positive_rate = 0;  ///< when !by_accuracy: P(positive) whoever the person is
  /// P(positive) for a person who is (or is not) in fact a victim.
  double p_positive(bool victim) const {
    return by_accuracy ? (victim ? sensitivity : 1 - specificity) : positive_rate;
  }
};

/// A point in a case's path that a deadline can measure from or to.
struct Milestone {
  enum class Kind {
    entered,   ///< "entered"
    arrival,   ///< "arrival:<agency>": first arrival at the agency
    decided,   ///< "decided:<attribute>": a decision on the attribute, either way
    positive,  ///< "positive:<attribute>": a positive decision on it
  } kind = Kind::entered;
  std::uint32_t target = 0;  ///< the agency (arrival) or the state attribute (decided, positive)
  std::string text;          ///< as written
};

/// What an agency does with a case arriving when all its servers (or beds) are taken.
enum class WhenFull {
  wait,       ///< "wait": joins the FIFO queue (a wait list)
  turn_away,  ///< "turn_away": the track ends; counted as turned away
  overflow,   ///< "overflow:<agency>": referred at once to Agency::overflow_to
};

/// Criminal-justice and return stages, for the report's counts (prosecutions, trials, returns…).
enum class Stage { none, investigation, prosecution, trial, return_home, reintegration };
const char* to_string(Stage s);

/// An agency may not start serving a case before a milestone + a gap (e.g. the conclusive-grounds
/// decision waits for 30 days of recovery and reflection after the reasonable-grounds decision).
/// Cases held are not in the queue and use no server; they join the queue when the gap ends.
struct NotBefore {
  Milestone after;  ///< entered | decided:<state> | positive:<state>
  Time gap = 0;
};

/// After service at this agency (return, reintegration) the person may be trafficked again: with
/// `probability`, a new case linked to the first (Case::previous) enters at `reenters` after `after`.
struct Retrafficking {
  double probability = 0;
  DistributionSpec after;
  AgencyId reenters = 0;
};

struct Agency {
  std::string id;
  std::string name;           ///< display name; defaults to id
  std::string kind;           ///< free text for now ("ngo", "police", …)
  std::string country;        ///< optional country code
  bool unlimited = false;     ///< a pure delay: every case is served at once
  std::uint32_t servers = 1;  ///< parallel servers when !unlimited
  DistributionSpec service;
  std::optional<std::pair<double, double>> position;  ///< drawing position (x, y), if given
  std::optional<Decision> decision;
  /// How long a case waits in this agency's queue before giving up (drop-out); none: forever.
  std::optional<DistributionSpec> patience;
  /// A mechanism already running: cases waiting here at t = 0 (e.g. a backlog awaiting a decision),
  /// entering the mechanism at t = 0 with attributes from `initial_profile`.
  std::uint32_t initial_cases = 0;
  ProfileId initial_profile = 0;
  /// `beds = N` instead of `servers`: a residential agency (shelter); servers = beds, the service
  /// time is the length of stay, and reports call the busy servers "beds occupied".
  bool residential = false;
  WhenFull when_full = WhenFull::wait;
  AgencyId overflow_to = 0;  ///< when_full == overflow
  /// Opening hours: service times count opening time only (absent: always open).
  std::optional<WorkCalendar> hours;
  std::optional<NotBefore> not_before;
  bool supports = false;                ///< serving the person counts as support (sets `supported`)
  bool interview = false;               ///< service includes an interview: the person tells their story again
  std::vector<std::uint32_t> provides;  ///< needs served here (indices into kNeeds), for coverage
  Stage stage = Stage::none;
  /// P(the person withdraws at the end of service here; the track ends), unsupported / supported.
  double withdrawal = 0;
  double withdrawal_supported = 0;
  std::optional<Retrafficking> retrafficking;
  SourceLocation where;
};

struct Source {
  std::string id;
  AgencyId to = 0;
  ProfileId profile = 0;    ///< 0 is the built-in default profile
  double rate_per_day = 0;  ///< Poisson arrivals per day from t = 0 (0: batches only)
  /// Twelve monthly factors on the rate (month m covers [m, m+1) × 365/12 days of each 365-day
  /// year from t = 0); empty: constant rate. Arrivals are thinned from the peak rate.
  std::vector<double> seasonality;
  /// Batches (a raid, a rescued boat): `batch_size` cases enter together at each of these times.
  std::vector<Time> batches;
  std::uint32_t batch_size = 0;
  SourceLocation where;
};

struct Referral {
  AgencyId from = 0;
  AgencyId to = 0;
  double probability = 0;                 ///< drawn independently at each service end
  std::optional<DistributionSpec> delay;  ///< transfer time; no server needed
  Condition when;                         ///< the rule applies only to cases for which this holds
  double loss = 0;                        ///< P(the referral is sent but never received)
  std::optional<double> consent;          ///< adults: P(consent); refused → anonymous notification, exit
  bool fork = false;                      ///< a parallel track: taken besides the main route, not instead
  SourceLocation where;
  /// Names the rule's random streams, its figures in reports and its [[change]]s: "from->to" for
  /// the first rule on the pair, "from->to#n" for the n-th (several rules on one pair have `when`
  /// conditions that never hold together; the loader proves it).
  std::string key;
};

/// An SOP time limit: `to` must follow `from` within `limit` for every case matching `when`.
struct Deadline {
  std::string id;
  Milestone from, to;
  Time limit = 0;
  /// "5wd": the limit counts working days (Monday–Friday, t = 0 is a Monday) instead of `limit`.
  double working_days = 0;
  /// The limit as people write it: "24h", "5wd".
  std::string describe_limit() const;
  Condition when;
  SourceLocation where;
};

/// A probability or rate given as an expert range (beta-PERT on [min, max] with this mode): its
/// value is drawn once per replication, so replications spread over the range and confidence
/// intervals carry the parameter's uncertainty. The scenario's own field holds the PERT mean,
/// (min + 4·mode + max) / 6, which static checks (`refsim check`) use.
struct UncertainParameter {
  enum class Target {
    referral_loss,         ///< Scenario::referrals[index].loss
    referral_consent,      ///< Scenario::referrals[index].consent
    sensitivity,           ///< Scenario::agencies[index].decision->sensitivity
    specificity,           ///< … ->specificity
    positive_rate,         ///< … ->positive_rate
    withdrawal,            ///< Scenario::agencies[index].withdrawal
    withdrawal_supported,  ///< Scenario::agencies[index].withdrawal_supported
    retrafficking,         ///< Scenario::agencies[index].retrafficking->probability
    source_rate,           ///< Scenario::sources[index].rate_per_day
  } target;
  std::uint32_t index = 0;
  double min = 0, mode = 0, max = 0;
  std::string key;  ///< names the parameter's random stream, e.g. "ngo->police:loss"
};

/// A change to what may vary while a run goes on (servers or beds, opening, a decision's rates, a
/// source's rate and profile, a referral rule's numbers and condition), applied by
/// Engine::apply at the engine's current time. Every field left empty stays as it is. The
/// structure (ids, topology, deadlines) never changes. Validated by Parameters::apply, which
/// throws std::invalid_argument naming the object, and changes nothing when it throws.
struct Change {
  enum class Target : std::uint8_t { agency, source, referral } target = Target::agency;
  std::uint32_t index = 0;  ///< AgencyId, SourceId or ReferralId, by `target`
  // An agency's.
  std::optional<std::uint32_t> servers;  ///< servers, or beds for a residential agency (>= 0)
  std::optional<bool> open;              ///< false: closed, starts no service (arrivals queue, or when_full)
  std::optional<double> sensitivity, specificity, positive_rate;  ///< its decision's
  /// A surge: `count` persons of `profile` enter the mechanism at the agency now (a raid, a boat
  /// brought in): an exercise inject's. Not a parameter: nothing to put back, nothing in force.
  struct Surge {
    std::uint32_t count = 0;
    ProfileId profile = 0;
  };
  std::optional<Surge> surge;
  // A source's.
  std::optional<double> rate_per_day;  ///< Poisson rate (>= 0); the next gap is drawn anew
  std::optional<ProfileId> profile;
  // A referral rule's.
  std::optional<double> probability;
  std::optional<Condition> when;
  std::optional<double> loss;
  std::optional<double> consent;          ///< adults' P(consent); 1 lifts the gate in effect
  std::optional<DistributionSpec> delay;  ///< transfer time from now on
  /// Who asked for it, for logs and reports: "[[change]] at 180d", "refsim-viz", an inject's id.
  std::string origin;
  SourceLocation where;  ///< where a scenario's [[change]] was declared (line 0 otherwise)
};

/// A scenario's `[[change]]`: `change` applied at simulated time `at` (days from t = 0).
struct ScheduledChange {
  Time at = 0;
  Change change;
};

/// A costed intervention (`[[intervention]]`): a programme a ministry could fund — caseworkers,
/// beds, training that raises a decision's sensitivity, a regional forum that shortens a
/// cross-border delay — as the changes it makes from `start` on, and what it costs. `refsim plan`
/// evaluates the portfolios of them that fit a budget (sim/experiment/plan.hpp).
struct Intervention {
  std::string id;
  std::string name;         ///< for people; the id when not given
  std::string description;  ///< what it is
  /// Where its cost and effect come from: a source, or "illustrative" (the default).
  std::string basis;
  double cost_once = 0;    ///< in Scenario::currency, paid once
  double cost_yearly = 0;  ///< per year it runs within the measured period
  Time start = 0;          ///< when its changes apply (days from t = 0)
  /// One of its changes; `servers_delta` gives servers or beds relative to the value in force at
  /// `start` ("+2"), with `change.servers` empty.
  struct Step {
    Change change;
    std::optional<std::int64_t> servers_delta;
  };
  std::vector<Step> changes;
  std::vector<std::string> excludes;  ///< ids of interventions it cannot be combined with
  SourceLocation where;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string home_country;  ///< [scenario] country: where "foreign" is measured from, if agencies lack one
  std::string file;          ///< path it was loaded from
  RunSettings run;
  std::vector<Agency> agencies;
  std::vector<Source> sources;
  std::vector<Referral> referrals;
  std::vector<Profile> profiles;  ///< [0] is the built-in default: adult victims
  std::vector<Deadline> deadlines;
  std::vector<std::string> nationalities;  ///< values of the nationality attribute; "other" last
  AttributeSchema schema;                  ///< the attributes `when` conditions may name
  std::vector<UncertainParameter> uncertain;
  /// `[[change]]` tables in declaration order: the engine schedules each at its time.
  std::vector<ScheduledChange> changes;
  /// `[[intervention]]` tables in declaration order: candidates for `refsim plan`, not applied by a
  /// plain run (Scenario::with_interventions applies some).
  std::vector<Intervention> interventions;
  std::string currency;  ///< [scenario] currency: what intervention costs are in ("USD", "EUR")
  /// The countries named by agencies and [scenario] country, sorted: the values of a person's
  /// country of entry (entry_country) in results.
  std::vector<std::string> countries;
  /// What cohort results are broken down by ([cohorts] by; default age × exploitation × foreign).
  CohortScheme cohorts;
  /// Results per country of entry: `by = {entry_country}`; only when `countries` has two or more.
  CohortScheme country_cohorts;
  bool by_country() const { return countries.size() >= 2; }
  /// The index in `countries` of the country where a case entering at `entry` is (0 when the
  /// scenario names none).
  std::uint32_t entry_country_index(AgencyId entry) const;

  /// This scenario with each uncertain parameter drawn for (seed, replication); every other
  /// value unchanged. Without uncertain parameters, an identical copy.
  Scenario with_parameters_drawn(std::uint64_t seed, std::uint32_t replication) const;

  std::optional<AgencyId> find_agency(std::string_view id) const;
  /// The country where a case entering at `entry` is: the agency's country, else the home country.
  const std::string& entry_country(AgencyId entry) const;
  /// The value of the location attributes (entered_in, in_country) for a case at agency `a`: the
  /// index of entry_country(a) among the nationalities, or of "other" when it is empty.
  std::uint32_t country_of(AgencyId a) const;
  /// Whether nationality value `nationality` is foreign for a case entering at `entry` (false when
  /// neither the agency nor the scenario names a country).
  bool is_foreign(std::uint32_t nationality, AgencyId entry) const;
  /// The attributes of every case from the built-in default profile: an adult victim of the home
  /// nationality (or "other"), sex "female" (index 0: the profile does not record it), exploitation
  /// "other", no needs, entered and now in the country of `entry`. Nothing is drawn for them.
  Attributes default_attributes(AgencyId entry) const;
  /// Whether anybody can give up waiting: an agency or a profile has a patience.
  bool has_patience() const;
  /// "a, b, c": the agency ids, for "unknown agency" messages.
  std::string agency_list() const;
};

}  // namespace refsim
