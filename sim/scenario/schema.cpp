#include "sim/scenario/schema.hpp"

#include "sim/model/cohorts.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/model/profile.hpp"

// The declarations below name only the fields they set; the others keep their defaults, which is
// the point of designated initializers (GCC 12 warns about them all the same).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace refsim::schema {
namespace {

using enum Type;
using enum Presence;

constexpr const char* kStates = "presumed, reasonable_grounds, identified, convicted";
constexpr const char* kProbability = "a probability between 0 and 1";
constexpr const char* kDuration = "a duration";

std::string names(auto const& values) {
  std::string out;
  for (auto v : values) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

/// The `dist` key of a distribution kind's table, and a parameter of it.
Key dist_key(const std::string& kind) {
  return {.name = "dist", .presence = required, .allowed = "`\"" + kind + "\"`", .help = "The kind of distribution."};
}
Key duration_param(std::string name, std::string allowed, std::string help, Presence presence = required,
                   std::string when = "") {
  return {.name = std::move(name),
          .type = duration,
          .presence = presence,
          .default_value = std::move(when),
          .unit = "days",
          .allowed = std::move(allowed),
          .help = std::move(help),
          .expects = kDuration};
}
Key number_param(std::string name, std::string help, Presence presence = required, std::string when = "") {
  return {.name = std::move(name),
          .type = number,
          .presence = presence,
          .default_value = std::move(when),
          .allowed = "> 0",
          .help = std::move(help),
          .expects = "a number"};
}

/// The keys of an expert range of probabilities or of rates.
std::vector<Key> range_keys(bool rates) {
  const std::string what = rates ? "a rate such as \"3/w\"" : kProbability;
  const Type type = rates ? rate : probability;
  const std::string unit = rates ? "per day" : "";
  return {
      {.name = "dist",
       .presence = required,
       .allowed = "`\"pert\"`",
       .help = "An expert range.",
       .expects = "\"pert\""},
      {.name = "min",
       .type = type,
       .presence = required,
       .unit = unit,
       .help = "The lowest plausible value.",
       .expects = what},
      {.name = "mode",
       .type = type,
       .presence = required,
       .unit = unit,
       .help = "The most likely value.",
       .expects = what},
      {.name = "max",
       .type = type,
       .presence = required,
       .unit = unit,
       .allowed = "> min",
       .help = "The highest plausible value.",
       .expects = what},
  };
}

std::vector<Section> declare() {
  std::vector<Section> s;

  s.push_back({
      .id = "file",
      .title = "The scenario file",
      .help = "A scenario is one TOML file holding these tables; nothing else may stand at its top level.",
      .keys =
          {
              {.name = "scenario",
               .type = table,
               .presence = required,
               .help = "What the scenario is.",
               .link = "scenario"},
              {.name = "run",
               .type = table,
               .presence = required,
               .help = "How long to simulate, and how often.",
               .link = "run"},
              {.name = "agency",
               .type = tables,
               .presence = required,
               .help = "The mechanism's agencies (at least one): the nodes of the referral graph.",
               .link = "agency"},
              {.name = "source",
               .type = tables,
               .presence = required,
               .help = "Where cases enter the mechanism (at least one).",
               .link = "source"},
              {.name = "referral",
               .type = tables,
               .help = "Who refers whom: the edges of the referral graph.",
               .link = "referral"},
              {.name = "profile", .type = tables, .help = "Who the cases of a source are.", .link = "profile"},
              {.name = "deadline", .type = tables, .help = "Time limits the mechanism must keep.", .link = "deadline"},
              {.name = "change",
               .type = tables,
               .help = "Changes to the running mechanism at set times.",
               .link = "change"},
              {.name = "intervention",
               .type = tables,
               .help = "Costed interventions that `refsim plan` weighs against a budget (a plain run applies none).",
               .link = "intervention"},
              {.name = "cohorts",
               .type = table,
               .help = "What results are broken down by (default: age × exploitation × foreign).",
               .link = "cohorts"},
          },
  });

  s.push_back({
      .id = "scenario",
      .title = "[scenario]",
      .help = "What the scenario is.",
      .keys =
          {
              {.name = "name",
               .presence = required,
               .help = "The scenario's name, shown in reports.",
               .expects = "the scenario's name"},
              {.name = "description", .help = "What it represents.", .expects = "a description"},
              {.name = "country",
               .allowed = "a country code in capitals, e.g. NA",
               .help = "The home country: a case is `foreign` when its nationality differs from the country where it "
                       "enters (the entry agency's `country`, else this one); agencies without a `country` are here "
                       "(`entered_in`, `in_country`).",
               .expects = "the home country's code, e.g. \"NA\""},
              {.name = "currency",
               .presence = conditional,
               .default_value = "required with `[[intervention]]` costs",
               .allowed = "a currency code or name, e.g. USD, EUR, SZL",
               .help = "What `[[intervention]]` costs are in, named once for the scenario.",
               .expects = "a currency, e.g. \"USD\""},
          },
  });

  s.push_back({
      .id = "run",
      .title = "[run]",
      .help = "How long to simulate and how many replications to run. `refsim run --seed` and `--replications` "
              "override the file's values.",
      .keys =
          {
              {.name = "horizon",
               .type = duration,
               .presence = required,
               .unit = "days",
               .allowed = "> 0",
               .help = "Total simulated time, warm-up included.",
               .expects = "total simulated time, e.g. \"365d\""},
              {.name = "warmup",
               .type = duration,
               .default_value = "0",
               .unit = "days",
               .allowed = ">= 0, < horizon",
               .help = "Statistics are reset at this time, so that they describe a mechanism already running."},
              {.name = "follow_up",
               .type = duration,
               .default_value = "20y",
               .unit = "days",
               .allowed = ">= 0",
               .help = "After the horizon nobody enters, and the persons still in the mechanism are followed until "
                       "the last has left (at most this long), so that a stay that began in the window counts in full "
                       "however long it lasts (an investigation of years), not only if it ended before the horizon. "
                       "Waits, times in agency and in the mechanism, cohorts and deadlines are measured over the "
                       "visits, persons and deadline clocks that began in the window; counts per day and time "
                       "averages stay within the window. 0: no follow-up (what is unfinished at the horizon is left "
                       "out, and long stays are under-counted)."},
              {.name = "replications",
               .type = integer,
               .default_value = "1",
               .allowed = "1 to " + std::to_string(kMaxReplications),
               .help = "Independent runs; results are means with 95 % confidence intervals over them."},
              {.name = "seed",
               .type = integer,
               .default_value = "1",
               .allowed = ">= 0",
               .help = "The seed of every random stream: the same seed gives the same results."},
          },
  });

  s.push_back({
      .id = "cohorts",
      .title = "[cohorts]",
      .help = "The groups of persons that cohort results (and deadlines per cohort) are broken down by, each "
              "fixed at the person's entry. A cohort is one value of each dimension, named by the values joined "
              "with '/' in the order given (\"child/labour/foreign\"). Results per country of entry are given "
              "besides, whatever the cohorts, when the scenario names two countries or more.",
      .keys =
          {
              {.name = "by",
               .type = list,
               .default_value = "[\"age\", \"exploitation\", \"foreign\"]",
               .allowed = "age (child, adult), sex (female, male), exploitation (" + names(kExploitationTypes) +
                          "), foreign (national, foreign), nationality (the scenario's nationality codes and "
                          "other), entry_country (the countries of the agencies and [scenario] country); each "
                          "once; at most " +
                          std::to_string(kMaxCohorts) + " cohorts in all",
               .help = "The dimensions, most significant first."},
          },
  });

  s.push_back({
      .id = "agency",
      .title = "[[agency]]",
      .help = "An agency: a hotline, an NGO, the police, a screening team, a competent authority, a shelter, a "
              "court… Cases wait in its queue (first come, first served) for one of its servers (caseworkers) or "
              "beds, are served for a time drawn from `service`, then follow the referral rules out of it.",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .allowed = "[a-z0-9_]+, unique (agencies and sources share one namespace)",
               .help = "How referrals, reports and random streams name the agency.",
               .expects = "an identifier of lowercase letters, digits and _"},
              {.name = "name", .default_value = "the id", .help = "Display name.", .expects = "a display name"},
              {.name = "kind",
               .help = "Free text: `ngo`, `police`, `shelter`…",
               .expects = "the kind of agency, e.g. \"ngo\""},
              {.name = "country",
               .allowed = "a country code in capitals, e.g. NA",
               .help = "Where the agency is: cases entering here are `foreign` when their nationality differs; "
                       "`entered_in` and `in_country` take this value for cases that enter or are here.",
               .expects = "a country code such as \"NA\""},
              {.name = "servers",
               .type = integer,
               .presence = conditional,
               .default_value = "required unless `beds`",
               .allowed = "1 to " + std::to_string(kMaxServers) + ", or `\"unlimited\"`",
               .help = "Parallel servers (caseworkers); `\"unlimited\"`: a pure delay, every case is served at once.",
               .expects = "an integer >= 1 or \"unlimited\"; or beds = N for a residential agency"},
              {.name = "beds",
               .type = integer,
               .allowed = "0 to " + std::to_string(kMaxServers),
               .help = "Instead of `servers`: a residential agency with this many places; `service` is the length of "
                       "stay."},
              {.name = "service",
               .type = distribution,
               .presence = required,
               .unit = "days",
               .help = "Service time (for a residential agency, the length of stay).",
               .expects = "a service-time distribution"},
              {.name = "position",
               .type = list,
               .allowed = "two numbers [x, y]",
               .help = "Where the visualiser draws the agency."},
              {.name = "decision",
               .type = table,
               .help = "A decision taken about each case at the end of its service.",
               .link = "agency.decision"},
              {.name = "patience",
               .type = distribution,
               .default_value = "the profile's, else none",
               .unit = "days",
               .help = "How long a case waits in the queue before it gives up and leaves (drop-out); not with "
                       "`servers = \"unlimited\"`."},
              {.name = "initial_cases",
               .type = integer,
               .default_value = "0",
               .allowed = "0 to " + std::to_string(kMaxInitialCases),
               .help = "Cases already waiting here at t = 0 (a backlog): they enter the mechanism then."},
              {.name = "initial_profile",
               .type = profile,
               .default_value = "the built-in profile",
               .help = "The profile of the initial cases; needs `initial_cases`.",
               .expects = "a profile id"},
              {.name = "when_full",
               .default_value = "`\"wait\"`",
               .allowed = "`\"wait\"`, `\"turn_away\"`, `\"overflow:<agency>\"`",
               .help = "What happens to a case arriving when every server or bed is taken: it waits in the queue, its "
                       "track ends (turned away), or it goes at once to another agency.",
               .expects = "\"wait\", \"turn_away\" or \"overflow:<agency>\""},
              {.name = "hours",
               .type = table,
               .default_value = "always open",
               .help = "Opening hours: service times count opening time only.",
               .link = "agency.hours"},
              {.name = "not_before",
               .type = table,
               .help = "A case may not be served before a gap after a milestone (a recovery and reflection period).",
               .link = "agency.not_before"},
              {.name = "supports",
               .type = boolean,
               .default_value = "false",
               .help = "Being served here is support (shelter, legal aid, a guardian): sets the person's `supported`."},
              {.name = "interview",
               .type = boolean,
               .default_value = "false",
               .help = "Service here includes an interview: the person tells their story again."},
              {.name = "provides",
               .type = list,
               .allowed = names(kNeeds),
               .help = "The needs met here, for the service-coverage report."},
              {.name = "stage",
               .allowed = "investigation, prosecution, trial, return, reintegration",
               .help = "A criminal-justice or return stage, for the report's counts.",
               .expects = "a stage"},
              {.name = "withdrawal",
               .type = probability_or_range,
               .default_value = "0",
               .help = "P(the person withdraws at the end of service here: their track ends); one value, or a table by "
                       "support.",
               .link = "agency.withdrawal"},
              {.name = "retrafficking",
               .type = table,
               .help = "At the end of service here, the person may be trafficked again and re-enter the mechanism.",
               .link = "agency.retrafficking"},
          },
  });

  s.push_back({
      .id = "agency.decision",
      .title = "decision = { … }",
      .level = 3,
      .help = "At the end of each service the agency decides: it sets a state attribute to 1 (positive) or 0 "
              "(negative). Rules out of the agency see the outcome. Give `sensitivity` and `specificity`, or "
              "`positive_rate`.",
      .keys =
          {
              {.name = "sets",
               .presence = required,
               .allowed = kStates,
               .help = "The state the decision sets.",
               .expects = std::string("the state it decides: ") + kStates},
              {.name = "sensitivity",
               .type = probability_or_range,
               .presence = conditional,
               .default_value = "required unless `positive_rate`",
               .help = "P(positive | the person is in fact a victim).",
               .expects = kProbability},
              {.name = "specificity",
               .type = probability_or_range,
               .presence = conditional,
               .default_value = "required unless `positive_rate`",
               .help = "P(negative | the person is not a victim).",
               .expects = kProbability},
              {.name = "positive_rate",
               .type = probability_or_range,
               .presence = conditional,
               .default_value = "instead of sensitivity and specificity",
               .help = "P(positive), whoever the person is.",
               .expects = kProbability},
          },
  });

  s.push_back({
      .id = "agency.hours",
      .title = "hours = { … }",
      .level = 3,
      .help = "The agency works only on these days and hours: a service time counts opening time only (a 2-hour "
              "interview that starts on Friday at 16:00 ends on Monday at 10:00). Simulated time starts on a Monday "
              "at 00:00.",
      .keys =
          {
              {.name = "days",
               .presence = required,
               .allowed = "`\"mon-fri\"`, `\"sun-thu\"`, `\"mon,wed,fri\"`, `\"all\"`, …",
               .help = "Working days: ranges (which may wrap past Sunday) or lists of three-letter names.",
               .expects = "weekdays such as \"mon-fri\""},
              {.name = "from",
               .presence = required,
               .allowed = "`\"00:00\"` to `\"23:59\"`",
               .help = "Opening time.",
               .expects = "an opening time such as \"09:00\""},
              {.name = "to",
               .presence = required,
               .allowed = "after `from`, up to `\"24:00\"`",
               .help = "Closing time.",
               .expects = "a closing time such as \"17:00\""},
          },
  });

  s.push_back({
      .id = "agency.not_before",
      .title = "not_before = { … }",
      .level = 3,
      .help = "The agency may not start serving a person before `gap` has passed since the milestone `after`. A "
              "case that arrives earlier is held (not in the queue, using no server) until then. This models the "
              "recovery and reflection period before a conclusive-grounds decision. A person who never reached the "
              "milestone is not held.",
      .keys =
          {
              {.name = "after",
               .type = milestone,
               .presence = required,
               .allowed = "`\"entered\"`, `\"decided:<state>\"`, `\"positive:<state>\"`",
               .help = "Where the gap starts.",
               .expects = "a milestone"},
              {.name = "gap",
               .type = duration,
               .presence = required,
               .unit = "days",
               .allowed = "> 0",
               .help = "How long after it service may start.",
               .expects = "a duration such as \"30d\""},
          },
  });

  s.push_back({
      .id = "agency.withdrawal",
      .title = "withdrawal = { … }",
      .level = 3,
      .help = "The table form of `withdrawal`: P(the person withdraws at the end of service here), by whether they "
              "are `supported` at that moment.",
      .keys =
          {
              {.name = "unsupported",
               .type = probability_or_range,
               .presence = required,
               .help = "For a person not supported.",
               .expects = kProbability},
              {.name = "supported",
               .type = probability_or_range,
               .presence = required,
               .help = "For a supported person.",
               .expects = kProbability},
          },
  });

  s.push_back({
      .id = "agency.retrafficking",
      .title = "retrafficking = { … }",
      .level = 3,
      .help = "At the end of service here (return, reintegration), the person may be trafficked again: a new case "
              "that keeps their profile re-enters the mechanism after a delay, linked to the first.",
      .keys =
          {
              {.name = "probability",
               .type = probability_or_range,
               .presence = required,
               .help = "P(trafficked again).",
               .expects = kProbability},
              {.name = "after",
               .type = distribution,
               .presence = required,
               .unit = "days",
               .help = "The delay before re-entry.",
               .expects = "a distribution of the delay before re-entry"},
              {.name = "reenters",
               .type = agency,
               .presence = required,
               .help = "The agency where the person re-enters.",
               .expects = "the agency where the person re-enters"},
          },
  });

  s.push_back({
      .id = "source",
      .title = "[[source]]",
      .help = "Where cases enter: Poisson arrivals from t = 0 at `rate`, batches (`at` with `cases`), or both.",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .allowed = "[a-z0-9_]+, unique (agencies and sources share one namespace)",
               .help = "How reports and random streams name the source.",
               .expects = "an identifier of lowercase letters, digits and _"},
              {.name = "to",
               .type = agency,
               .presence = required,
               .help = "The agency where its cases enter.",
               .expects = "the agency where cases enter"},
              {.name = "rate",
               .type = rate_or_range,
               .presence = conditional,
               .default_value = "required unless `at`",
               .unit = "per day",
               .allowed = "> 0",
               .help = "Poisson arrivals.",
               .expects = "Poisson arrivals per day, or a string such as \"3/w\"; or batches: at = [times], cases = N"},
              {.name = "profile",
               .type = profile,
               .default_value = "the built-in profile",
               .help = "Who its cases are (the built-in profile: adult victims of the home nationality).",
               .expects = "a profile id"},
              {.name = "seasonality",
               .type = list,
               .allowed = "12 factors >= 0, not all 0",
               .help = "Monthly factors (January to December) multiplying `rate`; month m of each 365-day year covers "
                       "days [m, m + 1) × 365/12."},
              {.name = "at",
               .type = list,
               .unit = "days",
               .allowed = "durations >= 0, in increasing order",
               .help = "Times of batches (a raid, a rescued boat): `cases` people enter together at each."},
              {.name = "cases",
               .type = integer,
               .presence = conditional,
               .default_value = "required with `at`",
               .allowed = "1 to " + std::to_string(kMaxBatchCases),
               .help = "People in each batch.",
               .expects = "the number of cases in each batch"},
          },
  });

  s.push_back({
      .id = "referral",
      .title = "[[referral]]",
      .help = "A referral rule, drawn at each service end at `from`: every applicable `fork` rule on its own, then "
              "one main route among the applicable other rules, their probabilities taken in declaration order (the "
              "rest leave the mechanism). For every case, the applicable main-route probabilities of an agency must "
              "not sum above 1. A from/to pair may have several rules when their `when` conditions never hold "
              "together (children and adults on one edge with different probabilities): the loader proves it over "
              "every combination of the attributes they name, or refuses the later rule. The first rule on a pair "
              "is `from->to` in reports and `[[change]]`, the n-th `from->to#n`.",
      .keys =
          {
              {.name = "from",
               .type = agency,
               .presence = required,
               .help = "The referring agency.",
               .expects = "the referring agency"},
              {.name = "to",
               .type = agency,
               .presence = required,
               .help = "The receiving agency.",
               .expects = "the receiving agency"},
              {.name = "probability",
               .type = probability,
               .presence = required,
               .help = "P(this route) among the applicable rules (not a range: the shares must keep summing to at most "
                       "1).",
               .expects = kProbability},
              {.name = "delay",
               .type = distribution,
               .default_value = "none",
               .unit = "days",
               .help = "Transfer time; it needs no server."},
              {.name = "when",
               .type = condition,
               .default_value = "every case",
               .help = "The rule applies only to the cases for which this holds (`in_country` is `from`'s country); "
                       "on a pair with several rules, never together with another's."},
              {.name = "loss",
               .type = probability_or_range,
               .default_value = "0",
               .help = "P(the referral is sent but never received)."},
              {.name = "consent",
               .type = probability_or_range,
               .default_value = "no consent asked",
               .help = "Adults only: P(consent); without it the case is counted anonymously and leaves."},
              {.name = "fork",
               .type = boolean,
               .default_value = "false",
               .help = "A parallel track besides the main route: the person is in both places."},
          },
  });

  s.push_back({
      .id = "profile",
      .title = "[[profile]]",
      .help = "Who a source's cases are: the shares from which each new case's attributes are drawn. The built-in "
              "profile `default` has adult victims of the home nationality.",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .allowed = "[a-z0-9_]+, unique, not `default`",
               .help = "How sources and agencies name the profile.",
               .expects = "an identifier of lowercase letters, digits and _"},
              {.name = "description", .help = "Who they are.", .expects = "a description"},
              {.name = "child", .type = probability, .default_value = "0", .help = "P(child)."},
              {.name = "female", .type = probability, .default_value = "0.5", .help = "P(sex = `\"female\"`)."},
              {.name = "victim",
               .type = probability,
               .default_value = "1",
               .help = "P(in fact a victim of trafficking)."},
              {.name = "exploitation",
               .type = shares,
               .default_value = "other = 1",
               .allowed = names(kExploitationTypes),
               .help = "Shares of the forms of exploitation."},
              {.name = "nationality",
               .type = shares,
               .default_value = "the home country = 1",
               .allowed = "country codes in capitals, or other",
               .help = "Shares of the nationalities."},
              {.name = "needs", .type = table, .help = "P(each need), independently.", .link = "profile.needs"},
              {.name = "patience",
               .type = distribution,
               .default_value = "none",
               .unit = "days",
               .help = "How long these people wait in a queue before giving up, at agencies without a `patience` of "
                       "their own."},
          },
  });

  Section needs{.id = "profile.needs",
                .title = "needs = { … }",
                .level = 3,
                .help = "P(the person has each need), independently. An agency that `provides` a need covers it.",
                .keys = {}};
  for (auto need : kNeeds) {
    needs.keys.push_back({.name = std::string(need),
                          .type = probability,
                          .default_value = "0",
                          .help = "P(needs " + std::string(need) + ")."});
  }
  s.push_back(std::move(needs));

  s.push_back({
      .id = "deadline",
      .title = "[[deadline]]",
      .help = "A time limit: `to` must follow `from` within `within` for every case for which `when` holds. It is "
              "met when reached within the limit, breached when the limit passes while the person is still in the "
              "mechanism, and left when the person leaves first.",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .allowed = "[a-z0-9_]+, unique",
               .help = "How reports name the deadline.",
               .expects = "an identifier of lowercase letters, digits and _"},
              {.name = "description", .help = "What it requires.", .expects = "a description"},
              {.name = "from",
               .type = milestone,
               .presence = required,
               .allowed = "`\"entered\"`, `\"arrival:<agency>\"`, `\"decided:<state>\"`, `\"positive:<state>\"`",
               .help = "When the clock starts (`arrival`: the first arrival there).",
               .expects =
                   "a milestone: \"entered\", \"arrival:<agency>\", \"decided:<state>\" or \"positive:<state>\""},
              {.name = "to",
               .type = milestone,
               .presence = required,
               .allowed = "`\"arrival:<agency>\"`, `\"decided:<state>\"`, `\"positive:<state>\"`",
               .help = "What must follow.",
               .expects =
                   "a milestone: \"entered\", \"arrival:<agency>\", \"decided:<state>\" or \"positive:<state>\""},
              {.name = "within",
               .type = duration,
               .presence = required,
               .unit = "days",
               .allowed = "> 0, or working days such as `\"5wd\"`",
               .help = "The limit; `\"5wd\"` counts working days (Monday to Friday, whole days).",
               .expects = "the time limit, e.g. \"24h\" or \"5wd\" (working days)"},
              {.name = "when",
               .type = condition,
               .default_value = "every case",
               .help = "The cases it applies to, evaluated once, when the deadline starts: `in_country` is the "
                       "country of the agency where `from` is reached, so `\"in_country == 'GH'\"` limits a "
                       "national limit to its country's cases in a regional scenario."},
          },
  });

  s.push_back({
      .id = "change",
      .title = "[[change]]",
      .help = "A change to the running mechanism at time `at`: an agency's capacity, opening or decision, a source's "
              "rate or profile, a referral rule's numbers or condition. Keys left out stay as they are; the "
              "structure (ids, who may refer to whom, deadlines) never changes. Give exactly one target (`agency`, "
              "`source` or `referral`) and at least one key that target takes. Changes apply in order of `at` "
              "(equal times in the order written), and each is checked at load time against the values it will "
              "change: a rise in a probability that makes an agency's routes sum above 1 is an error.",
      .keys =
          {
              {.name = "at",
               .type = duration,
               .presence = required,
               .unit = "days from t = 0",
               .allowed = ">= 0, at most the horizon",
               .help = "When the change applies.",
               .expects = "when the change applies: a duration from t = 0, such as \"180d\""},
              {.name = "agency",
               .type = agency,
               .presence = conditional,
               .default_value = "one target",
               .help = "Target: the agency to change.",
               .expects = "the agency to change"},
              {.name = "source",
               .type = source,
               .presence = conditional,
               .default_value = "one target",
               .help = "Target: the source to change.",
               .expects = "the source to change"},
              {.name = "referral",
               .type = referral,
               .presence = conditional,
               .default_value = "one target",
               .help =
                   "Target: the rule `from->to` (`from->to#2`: the second rule with that key, in the order written).",
               .expects = "a referral rule written from->to"},
              {.name = "servers",
               .type = integer,
               .allowed = "0 to " + std::to_string(kMaxServers),
               .help = "Agency: its servers (not for `servers = \"unlimited\"`); cases in service finish."},
              {.name = "beds",
               .type = integer,
               .allowed = "0 to " + std::to_string(kMaxServers),
               .help = "Residential agency: its beds; nobody is evicted."},
              {.name = "open",
               .type = boolean,
               .help = "Agency: `false` closes it (no service starts; arrivals queue, or follow `when_full`), `true` "
                       "reopens it."},
              {.name = "sensitivity", .type = probability, .help = "Agency: its decision's sensitivity."},
              {.name = "specificity", .type = probability, .help = "Agency: its decision's specificity."},
              {.name = "positive_rate", .type = probability, .help = "Agency: its decision's positive rate."},
              {.name = "rate",
               .type = rate,
               .unit = "per day",
               .allowed = ">= 0",
               .help = "Source: its Poisson rate (0 stops it)."},
              {.name = "profile",
               .type = profile,
               .help = "Source: who its cases are from now on.",
               .expects = "a profile id"},
              {.name = "probability", .type = probability, .help = "Referral: the rule's probability."},
              {.name = "when",
               .type = condition,
               .help = "Referral: the rule's condition (never holding together with another rule's on its pair)."},
              {.name = "loss", .type = probability, .help = "Referral: P(sent but never received)."},
              {.name = "consent", .type = probability, .help = "Referral: adults' P(consent); 1 lifts the gate."},
              {.name = "delay",
               .type = distribution,
               .unit = "days",
               .help = "Referral: the transfer time from now on."},
              {.name = "note",
               .default_value = "`\"[[change]] at <at>\"`",
               .help = "Why: shown with the change in reports and logs.",
               .expects = "a note on the change"},
          },
  });

  s.push_back({
      .id = "intervention",
      .title = "[[intervention]]",
      .help = "A costed intervention: a programme that could be funded (caseworkers, beds, training that raises a "
              "decision's sensitivity, a forum that shortens a cross-border delay, a new referral route declared "
              "with probability 0 and opened here), as the changes it makes from `start` on and what it costs. "
              "A plain `refsim run` applies none; `refsim plan` evaluates the portfolios of them that fit a budget "
              "(docs/plan.md). Its cost over the run is `cost_once` plus `cost_yearly` times the years it runs "
              "within the measured period (from the later of `start` and the warm-up's end to the horizon).",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .help = "Unique among the interventions.",
               .expects = "a unique id made of a-z, 0-9 and _"},
              {.name = "name", .default_value = "the id", .help = "For people.", .expects = "a name"},
              {.name = "description", .help = "What it is.", .expects = "a description"},
              {.name = "basis",
               .default_value = "`\"illustrative\"`",
               .help = "Where its cost and effect come from: a source, or illustrative.",
               .expects = "a source, or \"illustrative\""},
              {.name = "cost_once",
               .type = number,
               .default_value = "0",
               .unit = "[scenario] currency",
               .allowed = ">= 0",
               .help = "Paid once."},
              {.name = "cost_yearly",
               .type = number,
               .default_value = "0",
               .unit = "[scenario] currency per year",
               .allowed = ">= 0",
               .help = "Paid every year it runs."},
              {.name = "start",
               .type = duration,
               .default_value = "0",
               .unit = "days from t = 0",
               .allowed = ">= 0, at most the horizon",
               .help = "When its changes apply (a programme that starts on a date)."},
              {.name = "excludes",
               .type = list,
               .allowed = "intervention ids",
               .help = "Interventions it cannot be combined with (two sizes of one programme)."},
              {.name = "change",
               .type = tables,
               .presence = required,
               .help = "What it changes (at least one).",
               .link = "intervention.change"},
          },
  });
  {
    Section c = s[static_cast<std::size_t>(
        std::find_if(s.begin(), s.end(), [](const Section& x) { return x.id == "change"; }) - s.begin())];
    c.id = "intervention.change";
    c.title = "[[intervention.change]]";
    c.level = 3;
    c.help =
        "A change an intervention makes at its `start`: the keys of `[[change]]` but `at` and `note`; `servers` "
        "or `beds` may also be relative to the value in force then (`\"+2\"`).";
    c.keys.erase(c.keys.begin());  // at
    c.keys.pop_back();             // note
    for (Key& k : c.keys) {
      if (k.name == "servers" || k.name == "beds") k.help += " Or relative: `\"+2\"`, `\"-1\"`.";
    }
    s.push_back(std::move(c));
  }

  s.push_back({
      .id = "variant.file",
      .title = "A variant file",
      .help = "A variant names a base scenario and changes parts of it, addressing tables by id and referral rules "
              "by their key (`from->to`, `from->to#n`), never by position; it loads into an ordinary scenario, so "
              "every command takes it (docs/variants.md). A file with a `[variant]` table holds only these tables. "
              "The changes apply in this order: `[remove]` and `[set]` name what the base declares, then "
              "`[[add.X]]` appends; the result is checked like any scenario.",
      .keys =
          {
              {.name = "variant",
               .type = table,
               .presence = required,
               .help = "Which scenario this one changes, and its name.",
               .link = "variant"},
              {.name = "set", .type = table, .help = "Keys to change, by path.", .link = "variant.set"},
              {.name = "add",
               .type = table,
               .help = "Tables to add, written `[[add.<table>]]`.",
               .link = "variant.add"},
              {.name = "remove", .type = table, .help = "Tables to remove, by id or key.", .link = "variant.remove"},
          },
  });
  s.push_back({
      .id = "variant",
      .title = "[variant]",
      .level = 3,
      .help = "The base and the variant's name.",
      .keys =
          {
              {.name = "base",
               .presence = required,
               .allowed = "a path relative to the variant's directory",
               .help = "The scenario (or variant) this one changes; a cycle of bases is an error.",
               .expects = "the base scenario's file, e.g. \"../baseline-nrm.toml\""},
              {.name = "name",
               .default_value = "the base's name — variant <file stem>",
               .help = "The variant's name, shown in reports (replaces the base's `[scenario] name`).",
               .expects = "the variant's name"},
              {.name = "description",
               .default_value = "the base's",
               .help = "What the variant changes (replaces the base's `[scenario] description`).",
               .expects = "a description"},
          },
  });
  s.push_back({
      .id = "variant.set",
      .title = "[set]",
      .level = 3,
      .help = "Each key is a path and its value the new value, of the type the scenario's key takes: "
              "`\"agency.<id>.<key>\"`, `\"source.<id>.<key>\"`, `\"profile.<id>.<key>\"`, "
              "`\"deadline.<id>.<key>\"`, `\"referral.<from>-><to>.<key>\"` (`#n` for the n-th rule on a pair), "
              "`\"run.<key>\"`, `\"scenario.<key>\"`, `\"cohorts.<key>\"`; nested keys continue the path "
              "(`\"agency.screening.decision.sensitivity\"`). A key the base leaves out may be set; ids may not. "
              "`refsim run --set PATH=VALUE` and `refsim check --set` take the same paths.",
      .open = true,
  });
  s.push_back({
      .id = "variant.add",
      .title = "[[add.<table>]]",
      .level = 3,
      .help = "Tables appended to the base's, with the keys of the scenario's tables.",
      .keys =
          {
              {.name = "agency", .type = tables, .help = "New agencies.", .link = "agency"},
              {.name = "source", .type = tables, .help = "New sources.", .link = "source"},
              {.name = "referral", .type = tables, .help = "New referral rules.", .link = "referral"},
              {.name = "profile", .type = tables, .help = "New profiles.", .link = "profile"},
              {.name = "deadline", .type = tables, .help = "New deadlines.", .link = "deadline"},
              {.name = "change", .type = tables, .help = "New scheduled changes.", .link = "change"},
              {.name = "intervention", .type = tables, .help = "New interventions.", .link = "intervention"},
          },
  });
  s.push_back({
      .id = "variant.remove",
      .title = "[remove]",
      .level = 3,
      .help = "Tables of the base to remove. Removing what another table still names (an agency that a referral "
              "rule sends to) is an error naming that table; remove or change it too.",
      .keys =
          {
              {.name = "agency", .type = list, .allowed = "agency ids", .help = "Agencies to remove."},
              {.name = "source", .type = list, .allowed = "source ids", .help = "Sources to remove."},
              {.name = "profile", .type = list, .allowed = "profile ids", .help = "Profiles to remove."},
              {.name = "deadline", .type = list, .allowed = "deadline ids", .help = "Deadlines to remove."},
              {.name = "intervention", .type = list, .allowed = "intervention ids", .help = "Interventions to remove."},
              {.name = "referral",
               .type = list,
               .allowed = "referral keys `from->to`, `from->to#n`",
               .help = "Referral rules to remove."},
          },
  });

  s.push_back({
      .id = "distributions",
      .title = "Distributions",
      .help = "Service times, delays and patience are distributions, written as a table such as `{ dist = "
              "\"exponential\", mean = \"2d\" }`, or as a bare duration (`delay = \"1d\"`), which is deterministic. "
              "Every time parameter is a duration. A distribution's mean is at least 1 µs (an empirical value is 0 "
              "or at least 1 µs): the clock resolves about 0.3 µs over a 20-year follow-up. A lognormal, gamma or "
              "Weibull whose standard deviation is more than 100 times its mean is refused: no run's average "
              "would settle near so heavy-tailed a mean.",
  });
  s.push_back({.id = "dist.exponential",
               .title = "dist = \"exponential\"",
               .level = 3,
               .keys = {dist_key("exponential"), duration_param("mean", "> 0", "The mean.")}});
  s.push_back({.id = "dist.deterministic",
               .title = "dist = \"deterministic\"",
               .level = 3,
               .keys = {dist_key("deterministic"), duration_param("value", "> 0", "Always this long.")}});
  s.push_back({.id = "dist.uniform",
               .title = "dist = \"uniform\"",
               .level = 3,
               .keys = {dist_key("uniform"), duration_param("min", ">= 0", "The shortest."),
                        duration_param("max", "> min", "The longest.")}});
  s.push_back({.id = "dist.triangular",
               .title = "dist = \"triangular\"",
               .level = 3,
               .keys = {dist_key("triangular"), duration_param("min", ">= 0", "The shortest."),
                        duration_param("mode", "min to max", "The most likely."),
                        duration_param("max", "> min", "The longest.")}});
  s.push_back({.id = "dist.lognormal",
               .title = "dist = \"lognormal\"",
               .level = 3,
               .keys = {dist_key("lognormal"), duration_param("mean", "> 0", "The mean of the duration itself."),
                        duration_param("sd", "> 0", "Its standard deviation (not that of its logarithm).")}});
  s.push_back({.id = "dist.gamma",
               .title = "dist = \"gamma\"",
               .level = 3,
               .help = "Either `mean` and `cv`, or `shape` and `scale`.",
               .keys = {dist_key("gamma"), duration_param("mean", "> 0", "The mean.", conditional, "with `cv`"),
                        number_param("cv", "The coefficient of variation, sd / mean.", conditional, "with `mean`"),
                        number_param("shape", "The shape.", conditional, "with `scale`"),
                        duration_param("scale", "> 0", "The scale.", conditional, "with `shape`")}});
  s.push_back({.id = "dist.erlang",
               .title = "dist = \"erlang\"",
               .level = 3,
               .keys = {dist_key("erlang"),
                        {.name = "k",
                         .type = integer,
                         .presence = required,
                         .allowed = ">= 1",
                         .help = "The number of exponential phases.",
                         .expects = "an integer >= 1"},
                        duration_param("mean", "> 0", "The mean of the whole duration.")}});
  s.push_back({.id = "dist.weibull",
               .title = "dist = \"weibull\"",
               .level = 3,
               .keys = {dist_key("weibull"), number_param("shape", "The shape."),
                        duration_param("scale", "> 0", "The scale.")}});
  s.push_back({.id = "dist.empirical",
               .title = "dist = \"empirical\"",
               .level = 3,
               .keys = {dist_key("empirical"),
                        {.name = "values",
                         .type = list,
                         .presence = required,
                         .unit = "days",
                         .allowed = "durations >= 0, at least one",
                         .help = "The possible durations.",
                         .expects = "an array of durations"},
                        {.name = "weights",
                         .type = list,
                         .default_value = "equal",
                         .allowed = "numbers >= 0",
                         .help = "Their weights, one per value (normalised)."}}});
  s.push_back({.id = "dist.pert",
               .title = "dist = \"pert\"",
               .level = 3,
               .help = "Beta-PERT, for expert ranges: mean (min + 4 · mode + max) / 6.",
               .keys = {dist_key("pert"), duration_param("min", ">= 0", "The shortest."),
                        duration_param("mode", "min to max", "The most likely."),
                        duration_param("max", "> min", "The longest.")}});

  s.push_back({
      .id = "ranges",
      .title = "Expert ranges",
      .help = "Where data are scarce, a probability or a rate marked *or range* above may be an expert range, "
              "`{ dist = \"pert\", min = …, mode = …, max = … }`. Its value is drawn once per replication "
              "(beta-PERT on [min, max]), so that the replications spread over the range and the confidence "
              "intervals carry this uncertainty; `refsim check` uses its mean, (min + 4 · mode + max) / 6.",
  });
  s.push_back({.id = "range.probability", .title = "A range of probabilities", .level = 3, .keys = range_keys(false)});
  s.push_back({.id = "range.rate", .title = "A range of rates", .level = 3, .keys = range_keys(true)});

  // Exercise files (docs/exercises.md).
  s.push_back({
      .id = "exercise.file",
      .title = "An exercise file",
      .help = "A tabletop exercise (HSEEP conventions) on a scenario: what it tests, who plays, and the master "
              "scenario events list (MSEL) of injects. `refsim exercise run` plays it headless, `refsim-viz "
              "--exercise` live (docs/exercises.md).",
      .keys =
          {
              {.name = "exercise",
               .type = table,
               .presence = required,
               .help = "The exercise: its name, scenario and dates.",
               .expects = "an [exercise] table: name, scenario",
               .link = "exercise"},
              {.name = "objective", .type = tables, .help = "What the exercise tests.", .link = "objective"},
              {.name = "participant",
               .type = tables,
               .help = "The organisations that play: agencies of the scenario.",
               .link = "participant"},
              {.name = "inject",
               .type = tables,
               .presence = required,
               .help = "The MSEL: events delivered to the players (at least one).",
               .expects = "[[inject]] tables: the MSEL",
               .link = "inject"},
          },
  });
  s.push_back({
      .id = "exercise",
      .title = "[exercise]",
      .level = 3,
      .help = "What the exercise is.",
      .keys =
          {
              {.name = "name", .presence = required, .help = "Its title.", .expects = "the exercise's title"},
              {.name = "scenario",
               .presence = required,
               .help = "The scenario (or variant) file it runs, relative to the exercise file's folder.",
               .expects = "the scenario file, relative to this file"},
              {.name = "description", .help = "Its scope: what it is about, for the after-action report."},
              {.name = "start_date", .help = "The day it is held (YYYY-MM-DD)."},
              {.name = "end_date", .help = "Its last day (YYYY-MM-DD)."},
              {.name = "sponsor", .help = "The organisation that runs it."},
              {.name = "seed",
               .type = integer,
               .default_value = "the scenario's `run.seed`",
               .allowed = ">= 0",
               .help = "The story's random streams (replication 0 of this seed)."},
              {.name = "horizon",
               .type = duration,
               .default_value = "the scenario's horizon",
               .unit = "days",
               .allowed = "> 0",
               .help = "How long the story runs, simulated time from t = 0."},
          },
  });
  s.push_back({
      .id = "objective",
      .title = "[[objective]]",
      .level = 3,
      .help = "An exercise objective, tied to a capability; an inject names the objective it tests.",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .help = "Unique among objectives.",
               .expects = "a unique id"},
              {.name = "text",
               .presence = required,
               .help = "The objective: \"Identify and refer child victims within 24 h\".",
               .expects = "the objective"},
              {.name = "capability",
               .presence = required,
               .help = "The capability it tests (HSEEP core capability, or the mechanism's own name).",
               .expects = "the capability it tests"},
              {.name = "deadline",
               .help = "A deadline of the scenario that measures it: its compliance is reported with the objective.",
               .expects = "a deadline's id"},
          },
  });
  s.push_back({
      .id = "participant",
      .title = "[[participant]]",
      .level = 3,
      .help = "A participating organisation: an agency of the scenario, played by people in the room.",
      .keys =
          {
              {.name = "agency",
               .type = agency,
               .presence = required,
               .help = "The agency played.",
               .expects = "the agency played"},
              {.name = "organisation", .default_value = "the agency's name", .help = "As the players call it."},
              {.name = "contact", .help = "A point of contact, for the improvement plan."},
          },
  });
  s.push_back({
      .id = "inject",
      .title = "[[inject]]",
      .level = 3,
      .help = "An inject: fires once, at `at` or when its `trigger` first holds, makes its changes, and may offer a "
              "decision between options (the run waits for it; `default` when the time allowed runs out).",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .help = "Unique among injects.",
               .expects = "a unique id"},
              {.name = "at",
               .type = duration,
               .presence = conditional,
               .default_value = "`at` or `trigger`",
               .unit = "days from t = 0",
               .allowed = ">= 0, before the horizon",
               .help = "When it fires: a duration, or `\"day 12 09:00\"` (day 0 is the first).",
               .expects = "when it fires, such as \"12d\" or \"day 12 09:00\""},
              {.name = "trigger",
               .type = table,
               .presence = conditional,
               .default_value = "`at` or `trigger`",
               .help = "Fires when a condition on the running mechanism first holds.",
               .expects = "a table { measure = …, … }",
               .link = "inject.trigger"},
              {.name = "synopsis",
               .presence = required,
               .help = "What the players are told.",
               .expects = "what the players are told"},
              {.name = "from", .help = "Who delivers it in the story (\"Labour inspector on site\")."},
              {.name = "to",
               .type = agency,
               .presence = conditional,
               .default_value = "none: every player",
               .help = "The player agency it is addressed to.",
               .expects = "the agency it is addressed to"},
              {.name = "expected_action", .help = "What the addressed agency should do, for evaluators."},
              {.name = "objective", .help = "The objective it tests.", .expects = "an objective's id"},
              {.name = "delivery", .help = "How it is delivered: phone call, email, verbal, …"},
              {.name = "time_allowed",
               .type = duration,
               .default_value = "none",
               .unit = "days",
               .allowed = ">= 0",
               .help = "Exercise (wall) time for the players' discussion; a decision takes its default after it."},
              {.name = "note", .help = "For the controller only: never shown to players."},
              {.name = "change", .type = tables, .help = "Changes it makes when it fires.", .link = "exercise.change"},
              {.name = "option", .type = tables, .help = "A decision point's options (two or more).", .link = "option"},
              {.name = "default",
               .presence = conditional,
               .default_value = "required with options",
               .help = "The option taken when the time allowed runs out (and headless, without `--decisions`).",
               .expects = "the id of the option taken when time runs out"},
          },
  });
  s.push_back({
      .id = "inject.trigger",
      .title = "trigger = { … }",
      .level = 3,
      .help = "A condition on the running mechanism, checked after every event that may change it: `measure` (at "
              "`agency`) compared with one threshold, holding without a break `for` a while, not before `after`. "
              "`full` needs no comparison.",
      .keys =
          {
              {.name = "measure",
               .presence = required,
               .allowed = "waiting, in_service, occupancy, full, in_system, awaiting_decision",
               .help = "What it watches: cases queued, in service, busy share of staff or beds, all taken, persons "
                       "in the mechanism, cases waiting or in service at grounds-decision agencies.",
               .expects = "waiting, in_service, occupancy, full, in_system or awaiting_decision"},
              {.name = "agency",
               .type = agency,
               .presence = conditional,
               .default_value = "required for occupancy and full",
               .help = "The agency watched (waiting, in_service: all agencies without one).",
               .expects = "the agency watched"},
              {.name = "above", .type = number, .help = "Holds when the measure is above this."},
              {.name = "at_least", .type = number, .help = "… at least this."},
              {.name = "below", .type = number, .help = "… below this."},
              {.name = "at_most", .type = number, .help = "… at most this."},
              {.name = "for",
               .type = duration,
               .default_value = "0",
               .unit = "days",
               .help = "How long it must hold without a break."},
              {.name = "after",
               .type = duration,
               .default_value = "0",
               .unit = "days from t = 0",
               .help = "It may not fire before this."},
          },
  });
  {
    Section c = s[static_cast<std::size_t>(
        std::find_if(s.begin(), s.end(), [](const Section& x) { return x.id == "change"; }) - s.begin())];
    c.id = "exercise.change";
    c.title = "[[inject.change]], [[inject.option.change]]";
    c.level = 3;
    c.help =
        "A change an inject or option makes when it fires or is chosen: the keys of `[[change]]` but `at`, "
        "and also: `servers` or `beds` relative to the values in force (`\"+20\"`, `\"-2\"`), a surge of "
        "persons entering at an agency now, and `for`: put back what it changed after a while.";
    c.keys.erase(c.keys.begin());  // at
    for (Key& k : c.keys) {
      if (k.name == "servers" || k.name == "beds") k.help += " Or relative: `\"+2\"`, `\"-1\"`.";
      if (k.name == "profile") k.help = "Source: who its cases are from now on. With `surge`: who the surge brings.";
      if (k.name == "note") k.default_value = "";
    }
    c.keys.push_back({.name = "surge",
                      .type = integer,
                      .allowed = "1 to " + std::to_string(kMaxBatchCases),
                      .help = "Agency: this many persons enter the mechanism there now (of `profile`, default "
                              "the built-in adult profile)."});
    c.keys.push_back({.name = "for",
                      .type = duration,
                      .unit = "days",
                      .allowed = "> 0",
                      .help = "Puts back the values it replaced after this long (an agency closed for 3 days)."});
    s.push_back(std::move(c));
  }
  s.push_back({
      .id = "option",
      .title = "[[inject.option]]",
      .level = 3,
      .help = "A decision option: what the players may decide, and the changes it makes (none: do nothing).",
      .keys =
          {
              {.name = "id",
               .type = identifier,
               .presence = required,
               .help = "Unique within the inject.",
               .expects = "a unique id"},
              {.name = "text",
               .presence = required,
               .help = "The option as the players see it.",
               .expects = "the option as the players see it"},
              {.name = "change", .type = tables, .help = "Its changes.", .link = "exercise.change"},
          },
  });

  for (Section& sec : s) {
    if (sec.id != "exercise.file" && sec.id != "exercise" && sec.id != "objective" && sec.id != "participant" &&
        sec.id != "inject" && sec.id != "inject.trigger" && sec.id != "option" && sec.id != "exercise.change")
      continue;
    for (Key& k : sec.keys) {
      if (k.type == text && k.expects.empty()) k.expects = "text";
      if (k.presence != optional && k.expects.empty()) k.expects = k.help;
    }
  }

  // Tables whose keys are data, read as shares (not part of the reference's key tables).
  s.push_back({.id = "profile.exploitation", .title = "exploitation = { … }", .level = 0, .open = true});
  s.push_back({.id = "profile.nationality", .title = "nationality = { … }", .level = 0, .open = true});
  return s;
}

}  // namespace

const Key* Section::find(std::string_view name) const {
  for (const Key& k : keys) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const Key& Section::key(std::string_view name) const {
  if (const Key* k = find(name)) return *k;
  throw std::logic_error("key '" + std::string(name) + "' of section '" + id +
                         "' is not declared in sim/scenario/schema.cpp");
}

std::string Section::key_list() const {
  std::string out;
  for (const Key& k : keys) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

const std::vector<Section>& sections() {
  static const std::vector<Section> all = declare();
  return all;
}

const Section& section(std::string_view id) {
  for (const Section& s : sections()) {
    if (s.id == id) return s;
  }
  throw std::logic_error("section '" + std::string(id) + "' is not declared in sim/scenario/schema.cpp");
}

std::vector<std::string> distribution_kinds() {
  std::vector<std::string> kinds;
  for (const Section& s : sections()) {
    if (s.id.rfind("dist.", 0) == 0) kinds.push_back(s.id.substr(5));
  }
  return kinds;
}

}  // namespace refsim::schema
