#include "sim/model/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace refsim {

Parameters Parameters::of(const Scenario& s) {
  Parameters p;
  p.agencies.reserve(s.agencies.size());
  for (const Agency& a : s.agencies) p.agencies.push_back({a.servers, true, a.decision});
  p.sources.reserve(s.sources.size());
  for (const Source& src : s.sources) p.sources.push_back({src.rate_per_day, src.profile});
  p.referrals.reserve(s.referrals.size());
  for (const Referral& r : s.referrals) p.referrals.push_back({r.probability, r.when, r.loss, r.consent, r.delay});
  return p;
}

namespace {

/// Beyond this many combinations of attribute values, the checks below do not try each.
constexpr double kMaxCombinations = 200000;

/// The combinations of attribute values that a case can have when a rule out of agency `at` is
/// drawn, over the attributes that `named` lists (what conditions name), tried one by one: adult
/// follows child; foreign follows nationality and entered_in (it is "entered somewhere the
/// scenario names, with another nationality"); in_country is the agency's country (a rule is
/// drawn for a track at its `from`); entered_in is one of the countries where cases enter (at a
/// source's agency, an initial backlog or a re-entry). Every other attribute takes each of its
/// values.
class Combinations {
 public:
  Combinations(const Scenario& s, AgencyId at, std::vector<std::uint32_t> named) : s_(s) {
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    for (const std::uint32_t u : named) {
      if (u == attr::kAdult) {
        free_.push_back(attr::kChild);
      } else if (u == attr::kForeign) {
        free_.push_back(attr::kNationality);
        free_.push_back(attr::kEnteredIn);
      } else if (u != attr::kInCountry) {
        free_.push_back(u);
      }
    }
    std::sort(free_.begin(), free_.end());
    free_.erase(std::unique(free_.begin(), free_.end()), free_.end());
    shown_ = free_;
    for (const std::uint32_t derived : {attr::kForeign, attr::kInCountry}) {
      if (std::binary_search(named.begin(), named.end(), derived)) shown_.push_back(derived);
    }
    std::sort(shown_.begin(), shown_.end());
    for (const std::uint32_t u : free_) {
      std::vector<std::uint32_t> d;
      if (u == attr::kEnteredIn) d = entry_countries();
      if (d.empty()) {
        for (std::uint32_t v = 0; v < s.schema.attributes[u].value_count(); ++v) d.push_back(v);
      }
      count_ *= static_cast<double>(d.size());
      domain_.push_back(std::move(d));
    }
    values_.assign(s.schema.attributes.size(), 0);
    values_[attr::kInCountry] = s.country_of(at);
  }

  /// How many combinations there are to try.
  double count() const { return count_; }

  /// Calls visit(values) for each combination until it returns true; returns whether one did.
  template <class Visit>
  bool any(Visit visit) {
    std::vector<std::size_t> at(free_.size(), 0);
    const std::uint32_t other = static_cast<std::uint32_t>(s_.nationalities.size() - 1);
    for (;;) {
      for (std::size_t k = 0; k < free_.size(); ++k) values_[free_[k]] = domain_[k][at[k]];
      values_[attr::kAdult] = 1 - values_[attr::kChild];
      values_[attr::kForeign] =
          values_[attr::kEnteredIn] != other && values_[attr::kNationality] != values_[attr::kEnteredIn];
      if (visit(static_cast<const std::vector<std::uint32_t>&>(values_))) return true;
      // Next combination (odometer over the free attributes).
      std::size_t k = 0;
      for (; k < free_.size(); ++k) {
        if (++at[k] < domain_[k].size()) break;
        at[k] = 0;
      }
      if (k == free_.size()) return false;
    }
  }

  /// The current combination for messages, over the attributes named (adult shown as child, and
  /// with foreign the nationality and entry country it follows from): child, exploitation == "labour".
  std::string describe() const {
    std::string out;
    for (const std::uint32_t i : shown_) {
      const auto& a = s_.schema.attributes[i];
      if (!out.empty()) out += ", ";
      if (a.boolean()) {
        out += (values_[i] ? "" : "not ") + a.name;
      } else {
        out += a.name + " == \"" + a.values[values_[i]] + "\"";
      }
    }
    return out;
  }

 private:
  /// The values of entered_in that cases can have, sorted.
  std::vector<std::uint32_t> entry_countries() const {
    std::vector<std::uint32_t> out;
    for (const Source& src : s_.sources) out.push_back(s_.country_of(src.to));
    for (AgencyId a = 0; a < s_.agencies.size(); ++a) {
      const Agency& ag = s_.agencies[a];
      if (ag.initial_cases > 0) out.push_back(s_.country_of(a));
      if (ag.retrafficking) out.push_back(s_.country_of(ag.retrafficking->reenters));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  const Scenario& s_;
  std::vector<std::uint32_t> free_;   // enumerated, by attribute index
  std::vector<std::uint32_t> shown_;  // described in messages
  std::vector<std::vector<std::uint32_t>> domain_;
  std::vector<std::uint32_t> values_;
  double count_ = 1;
};

std::string number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

/// `object` names the object for the message, only when there is one (a change is applied on the
/// engine's path: no string is built for a valid one).
template <class Name>
void check_share(const Name& object, const char* what, double v) {
  if (!(v >= 0 && v <= 1))
    throw std::invalid_argument(object() + ": " + what + " must be between 0 and 1, got " + number(v));
}

std::string object_name(const Change& c, const Scenario& s) {
  switch (c.target) {
    case Change::Target::agency: return "agency '" + s.agencies[c.index].id + "'";
    case Change::Target::source: return "source '" + s.sources[c.index].id + "'";
    case Change::Target::referral: return "referral '" + s.referrals[c.index].key + "'";
  }
  return "?";
}

}  // namespace

std::optional<std::string> route_sum_excess(const Scenario& s, AgencyId a,
                                            const std::vector<ReferralParameters>& referrals, ReferralId* culprit) {
  std::vector<ReferralId> from_a;
  for (ReferralId i = 0; i < s.referrals.size(); ++i) {
    if (s.referrals[i].from == a) from_a.push_back(i);
  }
  return route_sum_excess(s, a, from_a, referrals, culprit);
}

std::optional<std::string> route_sum_excess(const Scenario& s, AgencyId a, std::span<const ReferralId> rules_from_a,
                                            const std::vector<ReferralParameters>& referrals, ReferralId* culprit) {
  std::vector<ReferralId> rules;
  std::vector<std::uint32_t> named;
  for (const ReferralId i : rules_from_a) {
    const Referral& ref = s.referrals[i];
    if (ref.from != a || ref.fork) continue;
    rules.push_back(i);
    for (std::uint32_t u : referrals[i].when.attributes_used()) named.push_back(u);
  }
  Combinations cases(s, a, named);
  if (cases.count() > kMaxCombinations) return std::nullopt;
  std::optional<std::string> why;
  cases.any([&](const std::vector<std::uint32_t>& values) {
    double total = 0;
    for (ReferralId i : rules) {
      if (!referrals[i].when(values)) continue;
      total += referrals[i].probability;
      if (total > 1 + 1e-9) {
        std::ostringstream os;
        os << "agency '" << s.agencies[a].id << "': referral probabilities sum to " << total;
        if (const std::string with = cases.describe(); !with.empty()) os << " for cases with " << with;
        os << ", more than 1 (the remainder is the probability of leaving the mechanism)";
        if (culprit) *culprit = i;
        why = os.str();
        return true;
      }
    }
    return false;
  });
  return why;
}

std::optional<std::string> conditions_overlap(const Scenario& s, AgencyId at, const Condition& a, const Condition& b) {
  std::vector<std::uint32_t> named = a.attributes_used();
  named.insert(named.end(), b.attributes_used().begin(), b.attributes_used().end());
  Combinations cases(s, at, named);
  if (cases.count() > kMaxCombinations) {
    std::ostringstream os;
    os << "cannot be shown never to hold together: the attributes they name combine in more than " << kMaxCombinations
       << " ways";
    return os.str();
  }
  if (!cases.any([&](const std::vector<std::uint32_t>& values) { return a(values) && b(values); })) return std::nullopt;
  const std::string with = cases.describe();
  return with.empty() ? std::string("both hold for every case") : "both hold for cases with " + with;
}

Change Parameters::apply(const Change& c, const Scenario& s) {
  using T = Change::Target;
  const std::size_t count = c.target == T::agency   ? s.agencies.size()
                            : c.target == T::source ? s.sources.size()
                                                    : s.referrals.size();
  if (c.index >= count)
    throw std::invalid_argument("a change names object " + std::to_string(c.index) + " of " + std::to_string(count));
  const auto object = [&] { return object_name(c, s); };
  Change previous;
  previous.target = c.target;
  previous.index = c.index;
  const bool agency_fields = c.servers || c.open || c.sensitivity || c.specificity || c.positive_rate || c.surge;
  const bool source_fields = c.rate_per_day || c.profile;
  const bool referral_fields = c.probability || c.when || c.loss || c.consent || c.delay;
  if ((c.target != T::agency && agency_fields) || (c.target != T::source && source_fields) ||
      (c.target != T::referral && referral_fields)) {
    throw std::invalid_argument(object() + ": the change sets a field that only " +
                                (agency_fields   ? "an agency"
                                 : source_fields ? "a source"
                                                 : "a referral") +
                                " has");
  }
  switch (c.target) {
    case T::agency: {
      const Agency& ag = s.agencies[c.index];
      AgencyParameters next = agencies[c.index];
      if (c.servers) {
        if (ag.unlimited)
          throw std::invalid_argument(object() +
                                      ": has no capacity limit (servers = \"unlimited\"): its servers cannot change");
        next.servers = *c.servers;
      }
      if (c.open) next.open = *c.open;
      if (c.surge) {
        if (c.surge->count < 1 || c.surge->count > kMaxSurge)
          throw std::invalid_argument(object() + ": a surge must bring between 1 and " + std::to_string(kMaxSurge) +
                                      " persons, got " + std::to_string(c.surge->count));
        if (c.surge->profile >= s.profiles.size())
          throw std::invalid_argument(object() + ": no profile number " + std::to_string(c.surge->profile));
      }
      if (c.sensitivity || c.specificity || c.positive_rate) {
        if (!next.decision)
          throw std::invalid_argument(object() +
                                      ": takes no decision: no sensitivity, specificity or positive_rate to change");
        if ((c.sensitivity || c.specificity) && !next.decision->by_accuracy)
          throw std::invalid_argument(object() +
                                      ": its decision has a positive_rate, not a sensitivity and specificity");
        if (c.positive_rate && next.decision->by_accuracy)
          throw std::invalid_argument(object() +
                                      ": its decision has a sensitivity and specificity, not a positive_rate");
        if (c.sensitivity)
          check_share(object, "sensitivity", *c.sensitivity), next.decision->sensitivity = *c.sensitivity;
        if (c.specificity)
          check_share(object, "specificity", *c.specificity), next.decision->specificity = *c.specificity;
        if (c.positive_rate)
          check_share(object, "positive_rate", *c.positive_rate), next.decision->positive_rate = *c.positive_rate;
      }
      const AgencyParameters& was = agencies[c.index];
      if (c.servers) previous.servers = was.servers;
      if (c.open) previous.open = was.open;
      if (c.sensitivity) previous.sensitivity = was.decision->sensitivity;
      if (c.specificity) previous.specificity = was.decision->specificity;
      if (c.positive_rate) previous.positive_rate = was.decision->positive_rate;
      agencies[c.index] = next;
      break;
    }
    case T::source: {
      SourceParameters next = sources[c.index];
      if (c.rate_per_day) {
        if (!(*c.rate_per_day >= 0) || !std::isfinite(*c.rate_per_day))
          throw std::invalid_argument(object() + ": rate must be a finite number >= 0 per day, got " +
                                      number(*c.rate_per_day));
        next.rate_per_day = *c.rate_per_day;
      }
      if (c.profile) {
        if (*c.profile >= s.profiles.size())
          throw std::invalid_argument(object() + ": no profile number " + std::to_string(*c.profile));
        next.profile = *c.profile;
      }
      if (c.rate_per_day) previous.rate_per_day = sources[c.index].rate_per_day;
      if (c.profile) previous.profile = sources[c.index].profile;
      sources[c.index] = next;
      break;
    }
    case T::referral: {
      ReferralParameters next = referrals[c.index];
      if (c.probability) check_share(object, "probability", *c.probability), next.probability = *c.probability;
      if (c.loss) check_share(object, "loss", *c.loss), next.loss = *c.loss;
      if (c.consent) check_share(object, "consent", *c.consent), next.consent = *c.consent;
      if (c.when) next.when = *c.when;
      if (c.delay) {
        validate_distribution(*c.delay);
        next.delay = *c.delay;
      }
      if (c.when) {
        const Referral& self = s.referrals[c.index];
        for (ReferralId j = 0; j < s.referrals.size(); ++j) {
          const Referral& other = s.referrals[j];
          if (j == c.index || other.from != self.from || other.to != self.to) continue;
          if (auto why = conditions_overlap(s, self.from, next.when, referrals[j].when)) {
            throw std::invalid_argument(object() + ": its condition and that of referral '" + other.key + "' (" +
                                        other.where.str() + ") " + *why +
                                        "; rules on one from/to pair must have conditions that never hold together");
          }
        }
      }
      if (c.probability || c.when) {
        std::vector<ReferralParameters> trial = referrals;
        trial[c.index] = next;
        if (auto why = route_sum_excess(s, s.referrals[c.index].from, trial)) throw std::invalid_argument(*why);
      }
      const ReferralParameters& was = referrals[c.index];
      if (c.probability) previous.probability = was.probability;
      if (c.when) previous.when = was.when;
      if (c.loss) previous.loss = was.loss;
      // An absent consent gate is the same as consent 1; a delay-free rule, as a delay of 0.
      if (c.consent) previous.consent = was.consent.value_or(1.0);
      if (c.delay) previous.delay = was.delay.value_or(DistributionSpec::constant(0));
      referrals[c.index] = std::move(next);
      break;
    }
  }
  return previous;
}

std::vector<std::size_t> application_order(const std::vector<ScheduledChange>& changes) {
  std::vector<std::size_t> order(changes.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return changes[a].at < changes[b].at; });
  return order;
}

std::vector<ReplayedChange> replay_changes(const Scenario& s) {
  Parameters p = Parameters::of(s);
  std::vector<ReplayedChange> out;
  out.reserve(s.changes.size());
  for (std::size_t i : application_order(s.changes))
    out.push_back({s.changes[i].at, i, p.apply(s.changes[i].change, s)});
  return out;
}

std::string describe(const Change& c, const Change& p, const Scenario& s) {
  std::ostringstream os;
  bool first = true;
  const auto item = [&](const char* name) -> std::ostream& {
    os << (first ? "" : ", ") << name << ' ';
    first = false;
    return os;
  };
  switch (c.target) {
    case Change::Target::agency: {
      const Agency& ag = s.agencies[c.index];
      os << ag.id << ": ";
      if (c.servers) item(ag.residential ? "beds" : "servers") << *p.servers << " → " << *c.servers;
      if (c.open) {
        os << (first ? "" : ", ") << (*c.open ? "opens" : "closes") << (*c.open == *p.open ? " (no change)" : "");
        first = false;
      }
      if (c.sensitivity) item("sensitivity") << *p.sensitivity << " → " << *c.sensitivity;
      if (c.specificity) item("specificity") << *p.specificity << " → " << *c.specificity;
      if (c.positive_rate) item("positive_rate") << *p.positive_rate << " → " << *c.positive_rate;
      if (c.surge) {
        item("surge") << c.surge->count << (c.surge->count == 1 ? " person" : " persons") << " enter";
        if (c.surge->profile != 0) os << " (profile " << s.profiles[c.surge->profile].id << ")";
      }
      break;
    }
    case Change::Target::source:
      os << "source " << s.sources[c.index].id << ": ";
      if (c.rate_per_day) item("rate") << *p.rate_per_day << "/d → " << *c.rate_per_day << "/d";
      if (c.profile) item("profile") << s.profiles[*p.profile].id << " → " << s.profiles[*c.profile].id;
      break;
    case Change::Target::referral: {
      const Referral& r = s.referrals[c.index];
      os << "referral " << r.key << ": ";
      const auto text = [](const Condition& w) { return w.text().empty() ? std::string("true") : w.text(); };
      if (c.probability) item("probability") << *p.probability << " → " << *c.probability;
      if (c.when) item("when") << '"' << text(*p.when) << "\" → \"" << text(*c.when) << '"';
      if (c.loss) item("loss") << *p.loss << " → " << *c.loss;
      if (c.consent) item("consent") << *p.consent << " → " << *c.consent;
      if (c.delay) item("delay") << p.delay->describe() << " → " << c.delay->describe();
      break;
    }
  }
  return os.str();
}

}  // namespace refsim
