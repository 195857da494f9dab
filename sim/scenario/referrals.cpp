// [[referral]]: the rules, and the check that an agency's main routes sum to at most 1.
#include "sim/model/parameters.hpp"
#include "sim/scenario/reader.hpp"

namespace refsim::detail {
namespace {

/// For each agency, the main-route (non-fork) probabilities of the rules that apply to one case
/// must not sum above 1 (see route_sum_excess); the error points at the probability that tips over.
void check_route_sums(const Reader& r, const Scenario& s, const std::vector<const toml::node*>& prob_nodes) {
  const Parameters p = Parameters::of(s);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    ReferralId culprit = 0;
    if (auto why = route_sum_excess(s, a, p.referrals, &culprit)) r.fail(*prob_nodes[culprit], *why);
  }
}

}  // namespace

void read_referrals(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("referral");
  std::map<std::pair<AgencyId, AgencyId>, SourceLocation> seen;
  std::vector<const toml::node*> prob_nodes;
  for (const toml::table* t : tables_of(top, "referral")) {
    const TableView pre(r, *t, "[[referral]]", section);
    Referral ref;
    ref.where = r.at(*t);
    ref.from = agency_ref(pre, s, "from");
    ref.to = agency_ref(pre, s, "to");
    ref.key = s.agencies[ref.from].id + "->" + s.agencies[ref.to].id;
    const TableView v(r, *t, "referral " + s.agencies[ref.from].id + " -> " + s.agencies[ref.to].id, section);
    v.reject_unknown();
    if (auto [it, fresh] = seen.emplace(std::pair{ref.from, ref.to}, ref.where); !fresh) {
      r.fail(*t,
             v.context() + ": declared twice (first at " + it->second.str() + "); a from/to pair appears at most once");
    }
    ref.probability = v.probability("probability");
    prob_nodes.push_back(v.find("probability"));
    if (const toml::node* dn = v.find("delay")) ref.delay = read_distribution(r, *dn, v.context(), "delay");
    ref.when = read_condition(v, s, "when");
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
