#include "sim/graph/referral_graph.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>

namespace refsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
struct VertexProps {
  AgencyId agency;
};
struct EdgeProps {
  ReferralId referral;
  double probability;
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexProps, EdgeProps>;

std::string dot_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

struct ReferralGraph::Impl {
  const Scenario* scenario;
  Graph g;
  std::vector<std::size_t> route_begin;  // CSR offsets into routes, size agencies + 1
  std::vector<Route> routes;
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
    double cumulative = 0;
    for (auto e : boost::make_iterator_range(boost::out_edges(v, g))) {
      const Referral& ref = s.referrals[g[e].referral];
      if (!ref.fork) cumulative += g[e].probability;
      impl_->routes.push_back(Route{g[e].referral, static_cast<AgencyId>(boost::target(e, g)), cumulative, ref.fork,
                                    ref.when.constant() == std::optional<bool>(true)});
    }
    impl_->route_begin.push_back(impl_->routes.size());
  }
}

ReferralGraph::~ReferralGraph() = default;
ReferralGraph::ReferralGraph(ReferralGraph&&) noexcept = default;
ReferralGraph& ReferralGraph::operator=(ReferralGraph&&) noexcept = default;

std::size_t ReferralGraph::agency_count() const { return boost::num_vertices(impl_->g); }

std::span<const Route> ReferralGraph::routes(AgencyId a) const {
  const auto b = impl_->route_begin[a], e = impl_->route_begin[a + 1];
  return {impl_->routes.data() + b, e - b};
}

std::vector<bool> ReferralGraph::reachable_from_sources() const {
  const Graph& g = impl_->g;
  std::vector<boost::default_color_type> color(boost::num_vertices(g), boost::white_color);
  auto cmap = boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g));
  for (const Source& src : impl_->scenario->sources) {
    if (color[src.to] == boost::white_color) boost::breadth_first_visit(g, src.to, boost::color_map(cmap));
  }
  std::vector<bool> out(color.size());
  for (std::size_t i = 0; i < color.size(); ++i) out[i] = color[i] != boost::white_color;
  return out;
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

std::vector<AgencyLoad> ReferralGraph::loads() const {
  const Scenario& s = *impl_->scenario;
  const Graph& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);

  // Cases are split into classes by the attributes that rule conditions name (adult is derived
  // from child, foreign from nationality); within a class every rule either applies or not, so
  // the traffic equations λ = γ + Wᵀλ are linear and exact for it. W holds each applicable rule's
  // probability, times consent for adults and (1 − loss); forks add flow without taking any.
  std::vector<std::uint32_t> used;
  for (const Referral& r : s.referrals) {
    for (std::uint32_t u : r.when.attributes_used()) {
      used.push_back(u == attr::kAdult ? attr::kChild : u == attr::kForeign ? attr::kNationality : u);
    }
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());

  std::vector<double> total(n, 0.0), lambda(n), next(n), weight(s.referrals.size());
  bool converged = true;
  std::vector<std::uint32_t> values(s.schema.attributes.size(), 0);
  for (;;) {
    values[attr::kAdult] = 1 - values[attr::kChild];
    for (const Source& src : s.sources) {
      double share = 1;
      if (src.profile == 0) {
        const Attributes fixed = s.default_attributes(src.to);
        for (std::uint32_t u : used) share *= fixed[u] == values[u] ? 1.0 : 0.0;
      } else {
        for (std::uint32_t u : used) share *= marginal(s.profiles[src.profile], u, values[u]);
      }
      if (share == 0) continue;
      values[attr::kForeign] = s.is_foreign(values[attr::kNationality], src.to);
      for (std::size_t i = 0; i < s.referrals.size(); ++i) {
        const Referral& r = s.referrals[i];
        const double consent = r.consent && values[attr::kAdult] ? *r.consent : 1.0;
        weight[i] = r.when(values) ? r.probability * consent * (1 - r.loss) : 0.0;
      }
      // Fixed-point iteration; converges when every case eventually leaves.
      std::fill(lambda.begin(), lambda.end(), 0.0);
      bool done = false;
      for (int it = 0; it < 100000 && !done; ++it) {
        std::fill(next.begin(), next.end(), 0.0);
        next[src.to] = src.rate_per_day * share;
        for (auto e : boost::make_iterator_range(boost::edges(g))) {
          next[boost::target(e, g)] += weight[g[e].referral] * lambda[boost::source(e, g)];
        }
        done = true;
        for (std::size_t i = 0; i < n; ++i) {
          if (std::fabs(next[i] - lambda[i]) > 1e-12 * std::max(1.0, next[i])) done = false;
        }
        lambda.swap(next);
      }
      converged = converged && done;
      for (std::size_t i = 0; i < n; ++i) total[i] += done ? lambda[i] : (lambda[i] > 0 ? kInf : 0.0);
    }
    std::size_t k = 0;
    for (; k < used.size(); ++k) {
      if (++values[used[k]] < s.schema.attributes[used[k]].value_count()) break;
      values[used[k]] = 0;
    }
    if (k == used.size()) break;
  }

  std::vector<AgencyLoad> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Agency& a = s.agencies[i];
    AgencyLoad& l = out[i];
    l.arrival_rate = total[i];
    l.offered_load = l.arrival_rate * a.service.mean();
    l.utilization = a.unlimited ? 0.0 : l.offered_load / a.servers;
  }
  return out;
}

void ReferralGraph::write_dot(std::ostream& os) const {
  const Scenario& s = *impl_->scenario;
  const Graph& g = impl_->g;
  os << "digraph \"" << dot_escape(s.name) << "\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const Agency& a = s.agencies[g[v].agency];
    os << "  \"" << a.id << "\" [label=\"" << dot_escape(a.name) << "\\n"
       << (a.unlimited ? std::string("unlimited") : std::to_string(a.servers) + " server(s)") << "\"];\n";
  }
  for (const Source& src : s.sources) {
    os << "  \"source:" << src.id << "\" [shape=ellipse, label=\"" << src.id << "\\n"
       << src.rate_per_day << "/d\"];\n  \"source:" << src.id << "\" -> \"" << s.agencies[src.to].id << "\";\n";
  }
  for (auto e : boost::make_iterator_range(boost::edges(g))) {
    os << "  \"" << s.agencies[boost::source(e, g)].id << "\" -> \"" << s.agencies[boost::target(e, g)].id
       << "\" [label=\"" << g[e].probability << "\"];\n";
  }
  os << "}\n";
}

}  // namespace refsim
