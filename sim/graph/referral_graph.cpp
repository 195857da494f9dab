#include "sim/graph/referral_graph.hpp"

#include <cmath>
#include <limits>
#include <ostream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>

namespace refsim {

namespace {
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

std::vector<AgencyLoad> ReferralGraph::loads() const {
  const Scenario& s = *impl_->scenario;
  const Graph& g = impl_->g;
  const std::size_t n = boost::num_vertices(g);
  std::vector<double> gamma(n, 0.0), lambda(n, 0.0), next(n, 0.0);
  for (const Source& src : s.sources) gamma[src.to] += src.rate_per_day;
  // Fixed-point iteration λ ← γ + Pᵀλ; converges when every case eventually leaves.
  bool converged = false;
  for (int it = 0; it < 100000 && !converged; ++it) {
    next = gamma;
    for (auto e : boost::make_iterator_range(boost::edges(g))) {
      next[boost::target(e, g)] += g[e].probability * lambda[boost::source(e, g)];
    }
    converged = true;
    for (std::size_t i = 0; i < n; ++i) {
      if (std::fabs(next[i] - lambda[i]) > 1e-12 * std::max(1.0, next[i])) converged = false;
    }
    lambda.swap(next);
  }
  std::vector<AgencyLoad> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Agency& a = s.agencies[i];
    AgencyLoad& l = out[i];
    l.arrival_rate = converged ? lambda[i] : (lambda[i] > 0 ? std::numeric_limits<double>::infinity() : 0.0);
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
