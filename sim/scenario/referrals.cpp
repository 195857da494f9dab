// [[referral]]: the rules, the check that rules on one from/to pair never apply together, and the
// check that an agency's main routes sum to at most 1.
#include "sim/model/parameters.hpp"
#include "sim/scenario/reader.hpp"

#include <string_view>
#include <unordered_map>

namespace refsim::detail {
namespace {

/// For each agency, the main-route (non-fork) probabilities of the rules that apply to one case
/// must not sum above 1 (see route_sum_excess); the error points at the probability that tips over.
void check_route_sums(const Reader& r, const Scenario& s, const std::vector<const toml::node*>& prob_nodes) {
  const Parameters p = Parameters::of(s);
  std::vector<std::vector<ReferralId>> from(s.agencies.size());
  for (ReferralId i = 0; i < s.referrals.size(); ++i) from[s.referrals[i].from].push_back(i);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    ReferralId culprit = 0;
    if (auto why = route_sum_excess(s, a, from[a], p.referrals, &culprit)) r.fail(*prob_nodes[culprit], *why);
  }
}

}  // namespace

void read_referrals(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("referral");
  std::map<std::pair<AgencyId, AgencyId>, std::vector<ReferralId>> on_pair;  // the rules so far, per pair
  std::vector<const toml::node*> prob_nodes;
  // Agencies by id, for the two references of every rule (Scenario::find_agency searches in
  // order: 10,000 searches among 1,000 agencies were a tenth of loading such a mechanism).
  std::unordered_map<std::string_view, AgencyId> agency_index;
  for (AgencyId a = 0; a < s.agencies.size(); ++a) agency_index.emplace(s.agencies[a].id, a);
  const auto agency = [&](const TableView& v, std::string_view key) {
    if (const toml::node* n = v.find(key); n && n->is_string()) {
      if (const auto it = agency_index.find(*n->value<std::string_view>()); it != agency_index.end()) return it->second;
    }
    return agency_ref(v, s, key);  // missing, not a string or unknown: its located message
  };
  std::unordered_map<std::string_view, Condition> compiled;  // by text; the views point into the TOML tree
  for (const toml::table* t : tables_of(top, "referral")) {
    const TableView pre(r, *t, "[[referral]]", section);
    Referral ref;
    ref.where = r.at(*t);
    ref.from = agency(pre, "from");
    ref.to = agency(pre, "to");
    // The first rule on a pair is "from->to", as when a pair could have only one: its random
    // streams stay those of older versions. The n-th is "from->to#n", as [[change]] names it.
    std::vector<ReferralId>& before = on_pair[{ref.from, ref.to}];
    const std::string nth = before.empty() ? std::string() : "#" + std::to_string(before.size() + 1);
    ref.key = s.agencies[ref.from].id + "->" + s.agencies[ref.to].id + nth;
    const TableView v(r, *t,
                      "referral " + s.agencies[ref.from].id + " -> " + s.agencies[ref.to].id +
                          (nth.empty() ? std::string() : " " + nth),
                      section);
    v.reject_unknown();
    ref.probability = v.probability("probability");
    prob_nodes.push_back(v.find("probability"));
    if (const toml::node* dn = v.find("delay")) ref.delay = read_distribution(r, *dn, v.context(), "delay");
    // Rules share conditions (`child`, `foreign`): each text is compiled once (the schema is
    // complete by now, so the same text always compiles the same).
    if (const toml::node* wn = v.find("when"); wn && wn->is_string()) {
      const auto text = *wn->value<std::string_view>();
      auto it = compiled.find(text);
      if (it == compiled.end()) it = compiled.emplace(text, read_condition(v, s, "when")).first;
      ref.when = it->second;
    } else {
      ref.when = read_condition(v, s, "when");
    }
    // Several rules on one pair are told apart by their conditions, which must never hold together:
    // checked over every combination of the attributes they name, else refused with one case for
    // which both hold.
    for (const ReferralId first : before) {
      const Referral& other = s.referrals[first];
      if (auto why = conditions_overlap(s, ref.from, other.when, ref.when)) {
        const toml::node* wn = v.find("when");
        r.fail(wn ? r.at(*wn) : ref.where,
               v.context() + ": its condition and that of the rule at " + other.where.str() + " " + *why +
                   "; rules on one from/to pair must have conditions that never hold together");
      }
    }
    before.push_back(static_cast<ReferralId>(s.referrals.size()));
    const auto index = static_cast<std::uint32_t>(s.referrals.size());
    ref.loss =
        read_uncertain(v, s, "loss", v.find("loss"), 0, UncertainParameter::Target::referral_loss, index, ref.key);
    if (const toml::node* cn = v.find("consent")) {
      ref.consent =
          read_uncertain(v, s, "consent", cn, 1, UncertainParameter::Target::referral_consent, index, ref.key);
    }
    if (const toml::node* fn = v.find("fork")) {
      if (!fn->is_boolean()) v.fail(*fn, "fork", "must be true or false, got " + type_name(*fn));
      ref.fork = *fn->value<bool>();
    }
    s.referrals.push_back(std::move(ref));
  }
  check_route_sums(r, s, prob_nodes);
}

}  // namespace refsim::detail
