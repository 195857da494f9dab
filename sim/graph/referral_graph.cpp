#include "sim/graph/referral_graph.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <boost/graph/adjacency_list.hpp>

namespace refsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

// Named, not anonymous: ReferralGraph::Impl (external linkage) holds a Graph.
namespace referral_graph_detail {
struct VertexProps {
  AgencyId agency;
};
struct EdgeProps {
  ReferralId referral;
  double probability;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProps, EdgeProps>;
}  // namespace referral_graph_detail
using referral_graph_detail::EdgeProps;
using referral_graph_detail::Graph;
using referral_graph_detail::VertexProps;

struct ReferralGraph::Impl {
  const Scenario* scenario;
  Graph g;
  std::vector<std::size_t> route_begin;  // CSR offsets into routes, size agencies + 1
  std::vector<Route> routes;
  std::once_flag loads_once;
  std::vector<AgencyLoad> loads;
};

ReferralGraph::ReferralGraph(const Scenario& s) : impl_(std::make_unique<Impl>()) {
  impl_->scenario = &s;
  Graph& g = impl_->g;
  for (std::size_t i = 0; i < s.agencies.size(); ++i) boost::add_vertex(VertexProps{static_cast<AgencyId>(i)}, g);
  for (std::size_t r = 0; r < s.referrals.size(); ++r) {
    const Referral& ref = s.referrals[r];
    boost::add_edge(ref.from, ref.to, EdgeProps{static_cast<ReferralId>(r), ref.probability}, g);
  }
  // Compile the routing table from the out-edges (vecS keeps declaration order).
  impl_->route_begin.push_back(0);
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      const Referral& ref = s.referrals[g[e].referral];
      impl_->routes.push_back(Route{g[e].referral, static_cast<AgencyId>(boost::target(e, g)), ref.fork,
                                    ref.when.constant() == std::optional<bool>(true), ref.probability, ref.when});
    }
    impl_->route_begin.push_back(impl_->routes.size());
  }
}

ReferralGraph::~ReferralGraph() = default;
ReferralGraph::ReferralGraph(ReferralGraph&&) noexcept = default;
ReferralGraph& ReferralGraph::operator=(ReferralGraph&&) noexcept = default;

std::span<const Route> ReferralGraph::routes(AgencyId a) const {
  const auto b = impl_->route_begin[a], e = impl_->route_begin[a + 1];
  return {impl_->routes.data() + b, e - b};
}

std::vector<bool> ReferralGraph::reachable_from_sources() const {
  // Cases enter from sources and initial backlogs, and move along referrals, overflows (full
  // agencies) and re-entries after re-trafficking.
  const Scenario& s = *impl_->scenario;
  const Graph& g = impl_->g;
  std::vector<bool> seen(boost::num_vertices(g), false);
  std::vector<AgencyId> todo;
  auto visit = [&](AgencyId a) {
    if (!seen[a]) {
      seen[a] = true;
      todo.push_back(a);
    }
  };
  for (const Source& src : s.sources) visit(src.to);
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    if (s.agencies[a].initial_cases > 0) visit(a);
  }
  while (!todo.empty()) {
    const AgencyId a = todo.back();
    todo.pop_back();
    for (auto e : boost::make_iterator_range(boost::out_edges(a, g))) visit(static_cast<AgencyId>(boost::target(e, g)));
    const Agency& ag = s.agencies[a];
    if (ag.when_full == WhenFull::overflow) visit(ag.overflow_to);
    if (ag.retrafficking) visit(ag.retrafficking->reenters);
  }
  return seen;
}

namespace {

/// P(attribute u has value v) for a case drawn from profile p (attributes are drawn independently).
double marginal(const Profile& p, std::uint32_t u, std::uint32_t v) {
  auto flag = [v](double q) { return v ? q : 1 - q; };
  if (u == attr::kChild) return flag(p.child);
  if (u == attr::kSex) return v == 0 ? p.female : 1 - p.female;
  if (u == attr::kExploitation) return p.exploitation[v];
  if (u == attr::kNationality) {
    double q = 0;
    for (const auto& [nat, share] : p.nationality) q += nat == v ? share : 0;
    return q;
  }
  if (u == attr::kVictim) return flag(p.victim);
  if (u >= attr::kNeedsFirst) return flag(p.needs[u - attr::kNeedsFirst]);
  return 1;  // adult and foreign are derived
}

}  // namespace

const std::vector<AgencyLoad>& ReferralGraph::cached_loads() const {
  std::call_once(impl_->loads_once, [this] { impl_->loads = loads(); });
  return impl_->loads;
}

std::vector<AgencyLoad> ReferralGraph::loads() const {
  const Scenario& s = *impl_->scenario;
  const Graph& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);

  // Cases are split into classes by the attributes that rule conditions name (adult is derived
  // from child, foreign from nationality; entered_in is the source's agency's country and
  // in_country the country of the agency drawing the rule, so neither splits a class). Decisions move a case between
  // classes as it goes, so the traffic equations run over (agency, class) pairs: λ = γ + Wᵀλ, where W holds, for a case
  // of class c served at agency a, the decision's class change and then each applicable rule's
  // probability, times consent for adults and (1 − loss); forks add flow without taking any.
  // Linear and exact for each class mix, whatever the service times.
  std::vector<std::uint32_t> used;
  for (const Referral& r : s.referrals) {
    for (std::uint32_t u : r.when.attributes_used()) {
      if (u == attr::kEnteredIn || u == attr::kInCountry) continue;
      used.push_back(u == attr::kAdult ? attr::kChild : u == attr::kForeign ? attr::kNationality : u);
    }
    // Consent is asked of adults only: a rule with consent splits cases by age even when no
    // condition names it.
    if (r.consent) used.push_back(attr::kChild);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  // Withdrawal that depends on support splits cases by `supported`.
  for (const Agency& a : s.agencies) {
    if (a.withdrawal != a.withdrawal_supported) used.push_back(attr::kSupported);
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  // A decision by accuracy depends on whether the person is a victim: split by it too.
  for (const Agency& a : s.agencies) {
    if (a.decision && a.decision->by_accuracy && std::binary_search(used.begin(), used.end(), a.decision->sets)) {
      used.insert(std::lower_bound(used.begin(), used.end(), attr::kVictim), attr::kVictim);
      used.erase(std::unique(used.begin(), used.end()), used.end());
    }
  }
  // Mixed-radix class numbering over the used attributes.
  std::vector<std::size_t> radix(used.size());
  std::size_t classes = 1;
  for (std::size_t k = 0; k < used.size(); ++k) {
    radix[k] = classes;
    classes *= s.schema.attributes[used[k]].value_count();
    if (classes > kMaxLoadStates / std::max<std::size_t>(n, 1)) {
      // Too many combinations to solve (each named attribute multiplies them): no figures.
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return std::vector<AgencyLoad>(n, AgencyLoad{nan, nan, nan});
    }
  }
  // A class's attribute values, into a buffer the caller keeps (no allocation per state).
  std::vector<std::uint32_t> value_count(used.size());
  for (std::size_t k = 0; k < used.size(); ++k) value_count[k] = s.schema.attributes[used[k]].value_count();
  auto values_into = [&](std::size_t cls, std::vector<std::uint32_t>& v) -> std::vector<std::uint32_t>& {
    v.assign(s.schema.attributes.size(), 0);
    for (std::size_t k = 0; k < used.size(); ++k)
      v[used[k]] = static_cast<std::uint32_t>((cls / radix[k]) % value_count[k]);
    v[attr::kAdult] = 1 - v[attr::kChild];
    return v;
  };
  std::vector<std::uint32_t> scratch, scratch2;
  auto position = [&](std::uint32_t attribute) -> std::optional<std::size_t> {
    const auto it = std::lower_bound(used.begin(), used.end(), attribute);
    if (it == used.end() || *it != attribute) return std::nullopt;
    return static_cast<std::size_t>(it - used.begin());
  };

  // Flows out of each (agency, class), per source (foreign depends on where the case entered).
  struct Flow {
    std::size_t from, to;  // state indices: agency * classes + class
    double weight;
    bool fork;  // a parallel track: adds flow besides the main route
  };
  // A class with every state attribute back at 0 (a re-entry after re-trafficking).
  auto reset_state = [&](std::size_t cls) {
    const auto& v = values_into(cls, scratch2);
    for (std::size_t k = 0; k < used.size(); ++k) {
      if (used[k] >= attr::kPresumed) cls -= v[used[k]] * radix[k];
    }
    return cls;
  };
  std::vector<std::uint32_t> country(n);  // each agency's value of in_country
  for (std::size_t a = 0; a < n; ++a) country[a] = s.country_of(static_cast<AgencyId>(a));
  std::vector<double> total(n, 0.0);
  const std::size_t states = n * classes;
  // The flows depend on a source only through its entry agency's country (foreign, entered_in),
  // and the equations are linear: the sources entering in one country are solved together, their
  // arrival rates added (one solve per country, not per source: 1,000 agencies and 200 sources
  // took 5 s).
  std::vector<std::vector<const Source*>> groups;
  {
    std::map<std::string, std::size_t> group_of;
    for (const Source& src : s.sources) {
      const auto [it, fresh] = group_of.try_emplace(s.entry_country(src.to), groups.size());
      if (fresh) groups.emplace_back();
      groups[it->second].push_back(&src);
    }
  }
  for (const std::vector<const Source*>& group : groups) {
    const AgencyId entry = group.front()->to;  // any of the group's: they share the entry country
    std::vector<double> gamma(states, 0.0);
    for (const Source* src_ptr : group) {
      const Source& src = *src_ptr;
      // The long-run mean rate: seasonal factors averaged; batches spread over the horizon.
      double mean_rate = src.rate_per_day;
      if (!src.seasonality.empty()) {
        double sum = 0;
        for (const double f : src.seasonality) sum += f;
        mean_rate *= sum / 12;
      }
      if (s.run.horizon > 0) {
        mean_rate += static_cast<double>(src.batches.size()) * src.batch_size / s.run.horizon;
      }
      // Entering classes: state attributes start at 0; the others follow the source's profile.
      for (std::size_t cls = 0; cls < classes; ++cls) {
        const auto& v = values_into(cls, scratch);
        double share = 1;
        if (src.profile == 0) {
          const Attributes fixed = s.default_attributes(src.to);
          for (std::uint32_t u : used) share *= fixed[u] == v[u] ? 1.0 : 0.0;
        } else {
          for (std::uint32_t u : used) {
            share *= u >= attr::kPresumed ? (v[u] == 0 ? 1.0 : 0.0) : marginal(s.profiles[src.profile], u, v[u]);
          }
        }
        gamma[src.to * classes + cls] += mean_rate * share;
      }
    }
    // The flows out of the (agency, class) states that cases can reach, found from the entering
    // ones: classes that no case can have (a nationality or exploitation type no profile brings,
    // combinations of them) are never built.
    std::vector<Flow> flows;
    std::vector<bool> reached(states, false);
    std::vector<std::size_t> frontier;
    for (std::size_t i = 0; i < states; ++i) {
      if (gamma[i] > 0) {
        reached[i] = true;
        frontier.push_back(i);
      }
    }
    while (!frontier.empty()) {
      const std::size_t state = frontier.back();
      frontier.pop_back();
      const std::size_t first_flow = flows.size();
      {
        const std::size_t a = state / classes, cls = state % classes;
        const Agency& ag = s.agencies[a];
        // Support starts with service: the class moves to supported.
        std::size_t served = cls;
        if (const auto k = position(attr::kSupported); k && ag.supports) {
          served = cls - values_into(cls, scratch)[attr::kSupported] * radix[*k] + radix[*k];
        }
        // The decision at a, if it matters to routing, splits the class.
        std::vector<std::pair<std::size_t, double>> after = {{served, 1.0}};
        const auto& dec = ag.decision;
        if (dec) {
          if (const auto k = position(dec->sets)) {
            const auto& v = values_into(served, scratch);
            const double p = dec->p_positive(v[attr::kVictim] != 0);
            const std::size_t base = served - v[dec->sets] * radix[*k];
            after = {{base + radix[*k], p}, {base, 1 - p}};
          }
        }
        for (const auto& [c2, share] : after) {
          if (share == 0) continue;
          auto& v = values_into(c2, scratch);
          v[attr::kForeign] = s.is_foreign(v[attr::kNationality], entry);
          v[attr::kEnteredIn] = country[entry];
          v[attr::kInCountry] = country[a];
          // Withdrawal (after the decision) takes its share before any referral.
          // (When `supported` is not tracked, both probabilities are equal.)
          const double stays = 1 - (v[attr::kSupported] ? ag.withdrawal_supported : ag.withdrawal);
          for (const Route& r : routes(static_cast<AgencyId>(a))) {
            const Referral& ref = s.referrals[r.referral];
            if (!ref.when(v)) continue;
            const double consent = ref.consent && v[attr::kAdult] ? *ref.consent : 1.0;
            flows.push_back({a * classes + cls, r.to * classes + c2,
                             share * stays * ref.probability * consent * (1 - ref.loss), ref.fork});
          }
          if (ag.retrafficking) {
            flows.push_back({a * classes + cls, ag.retrafficking->reenters * classes + reset_state(c2),
                             share * stays * ag.retrafficking->probability, false});
          }
        }
      }
      for (std::size_t f = first_flow; f < flows.size(); ++f) {
        if (!reached[flows[f].to]) {
          reached[flows[f].to] = true;
          frontier.push_back(flows[f].to);
        }
      }
    }
    // From here on only the states that cases can reach count (a tenth of them or fewer in large
    // mechanisms): numbered densely, in the order of the full numbering, so that every sum below
    // adds the same terms in the same order as over all states.
    std::vector<std::size_t> full;  // dense index -> state
    {
      std::vector<std::uint32_t> dense(states, 0);
      for (std::size_t i = 0; i < states; ++i) {
        if (reached[i]) {
          dense[i] = static_cast<std::uint32_t>(full.size());
          full.push_back(i);
        }
      }
      for (Flow& f : flows) {
        f.from = dense[f.from];
        f.to = dense[f.to];
      }
    }
    const std::size_t m = full.size();
    std::vector<double> inflow(m);  // gamma, densely
    for (std::size_t k = 0; k < m; ++k) inflow[k] = gamma[full[k]];
    // States that cases can never leave: from them, every path stays among states whose main
    // routes take all the flow (no withdrawal, loss, refusal or end of track). Found first, by a
    // backward search from the states that let some flow out, so that the iteration below runs
    // only where it converges (a trap would otherwise run it to its iteration limit), and only the
    // trap and what feeds into it from inside grow without bound, not every agency upstream.
    std::vector<double> kept(m, 0.0);
    for (const Flow& f : flows) {
      if (!f.fork) kept[f.from] += f.weight;
    }
    std::vector<std::size_t> in_begin(m + 1, 0), in_from(flows.size());
    for (const Flow& f : flows) ++in_begin[f.to + 1];
    for (std::size_t i = 0; i < m; ++i) in_begin[i + 1] += in_begin[i];
    {
      std::vector<std::size_t> fill(in_begin.begin(), in_begin.end() - 1);
      for (const Flow& f : flows) in_from[fill[f.to]++] = f.from;
    }
    std::vector<bool> leaves(m, false);
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < m; ++i) {
      if (kept[i] < 1 - 1e-12) {
        leaves[i] = true;
        todo.push_back(i);
      }
    }
    while (!todo.empty()) {
      const std::size_t i = todo.back();
      todo.pop_back();
      for (std::size_t k = in_begin[i]; k < in_begin[i + 1]; ++k) {
        if (!leaves[in_from[k]]) {
          leaves[in_from[k]] = true;
          todo.push_back(in_from[k]);
        }
      }
    }
    // Trapped states are on a loop that keeps all its flow, below one, or above one. Those above
    // (no trapped state leads to them: removed layer by layer, as in a topological sort) get their
    // finite flow like the others; the rest are `deep`, infinite as soon as any flow reaches them.
    std::vector<std::size_t> out_begin(m + 1, 0), out_to(flows.size());
    for (const Flow& f : flows) ++out_begin[f.from + 1];
    for (std::size_t i = 0; i < m; ++i) out_begin[i + 1] += out_begin[i];
    {
      std::vector<std::size_t> fill(out_begin.begin(), out_begin.end() - 1);
      for (const Flow& f : flows) out_to[fill[f.from]++] = f.to;
    }
    std::vector<bool> deep(m, false);
    {
      std::vector<std::size_t> indegree(m, 0);
      for (const Flow& f : flows) {
        if (!leaves[f.from] && !leaves[f.to]) ++indegree[f.to];
      }
      for (std::size_t i = 0; i < m; ++i) {
        deep[i] = !leaves[i];
        if (deep[i] && indegree[i] == 0) todo.push_back(i);
      }
      while (!todo.empty()) {
        const std::size_t i = todo.back();
        todo.pop_back();
        deep[i] = false;
        for (std::size_t k = out_begin[i]; k < out_begin[i + 1]; ++k) {
          if (!leaves[out_to[k]] && --indegree[out_to[k]] == 0) todo.push_back(out_to[k]);
        }
      }
    }
    // Fixed-point iteration over the other states; converges when every case eventually leaves or
    // falls into a trap (forks on a loop can still make it diverge: then every state it feeds is infinite).
    std::vector<double> lambda(m, 0.0), next(m);
    bool done = false;
    for (int it = 0; it < 100000 && !done; ++it) {
      next = inflow;
      for (const Flow& f : flows) {
        if (!deep[f.from] && !deep[f.to]) next[f.to] += f.weight * lambda[f.from];
      }
      done = true;
      for (std::size_t i = 0; i < m; ++i) {
        if (!deep[i] && std::fabs(next[i] - lambda[i]) > 1e-12 * std::max(1.0, next[i])) done = false;
      }
      lambda.swap(next);
    }
    // A deep state is infinite when any flow reaches it: from outside, or from another deep state.
    std::vector<bool> infinite(m, false);
    for (std::size_t i = 0; i < m; ++i) {
      if (deep[i] && inflow[i] > 0 && !infinite[i]) {
        infinite[i] = true;
        todo.push_back(i);
      }
    }
    for (const Flow& f : flows) {
      if (!deep[f.from] && deep[f.to] && f.weight > 0 && lambda[f.from] > 0 && !infinite[f.to]) {
        infinite[f.to] = true;
        todo.push_back(f.to);
      }
    }
    while (!todo.empty()) {
      const std::size_t i = todo.back();
      todo.pop_back();
      for (std::size_t k = out_begin[i]; k < out_begin[i + 1]; ++k) {
        if (!infinite[out_to[k]]) {
          infinite[out_to[k]] = true;
          todo.push_back(out_to[k]);
        }
      }
    }
    for (std::size_t i = 0; i < m; ++i) {
      if (infinite[i]) {
        total[full[i] / classes] = kInf;
      } else if (!deep[i]) {
        total[full[i] / classes] += done ? lambda[i] : (lambda[i] > 0 ? kInf : 0.0);
      }
    }
  }

  std::vector<AgencyLoad> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Agency& a = s.agencies[i];
    AgencyLoad& l = out[i];
    l.arrival_rate = total[i];
    l.offered_load = l.arrival_rate * a.service.mean();
    const double open_share = a.hours ? a.hours->open_per_week() / 7 : 1.0;
    l.utilization = a.unlimited ? 0.0 : l.offered_load / (a.servers * open_share);
  }
  return out;
}

}  // namespace refsim
