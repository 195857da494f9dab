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

/// A description of attribute values for messages: child, exploitation == "labour".
std::string describe_values(const Scenario& s, const std::vector<std::uint32_t>& attrs,
                            const std::vector<std::uint32_t>& values) {
  std::string out;
  for (std::uint32_t i : attrs) {
    const auto& a = s.schema.attributes[i];
    if (!out.empty()) out += ", ";
    if (a.boolean()) {
      out += (values[i] ? "" : "not ") + a.name;
    } else {
      out += a.name + " == \"" + a.values[values[i]] + "\"";
    }
  }
  return out;
}

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
  std::vector<ReferralId> rules;
  std::vector<std::uint32_t> used;
  for (ReferralId i = 0; i < s.referrals.size(); ++i) {
    const Referral& ref = s.referrals[i];
    if (ref.from != a || ref.fork) continue;
    rules.push_back(i);
    for (std::uint32_t u : referrals[i].when.attributes_used()) used.push_back(u == attr::kAdult ? attr::kChild : u);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  double combos = 1;
  for (std::uint32_t u : used) combos *= s.schema.attributes[u].value_count();
  if (combos > 200000) return std::nullopt;
  std::vector<std::uint32_t> values(s.schema.attributes.size(), 0);
  for (;;) {
    values[attr::kAdult] = 1 - values[attr::kChild];
    double total = 0;
    for (ReferralId i : rules) {
      if (!referrals[i].when(values)) continue;
      total += referrals[i].probability;
      if (total > 1 + 1e-9) {
        std::ostringstream os;
        os << "agency '" << s.agencies[a].id << "': referral probabilities sum to " << total;
        if (!used.empty()) os << " for cases with " << describe_values(s, used, values);
        os << ", more than 1 (the remainder is the probability of leaving the mechanism)";
        if (culprit) *culprit = i;
        return os.str();
      }
    }
    // Next combination (odometer over the used attributes).
    std::size_t k = 0;
    for (; k < used.size(); ++k) {
      if (++values[used[k]] < s.schema.attributes[used[k]].value_count()) break;
      values[used[k]] = 0;
    }
    if (k == used.size()) return std::nullopt;
  }
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
  const bool agency_fields = c.servers || c.open || c.sensitivity || c.specificity || c.positive_rate;
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
