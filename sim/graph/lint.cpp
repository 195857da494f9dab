#include "sim/graph/lint.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>
#include <boost/graph/dominator_tree.hpp>
#include <boost/graph/filtered_graph.hpp>
#include <boost/graph/reverse_graph.hpp>
#include <boost/graph/strong_components.hpp>

namespace refsim {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "note";
}

std::size_t LintReport::errors() const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; }));
}
std::size_t LintReport::warnings() const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [](const Finding& f) { return f.severity == Severity::warning; }));
}

double distribution_minimum(const DistributionSpec& d) {
  switch (d.kind) {
    case DistKind::deterministic:
    case DistKind::uniform:
    case DistKind::triangular:
    case DistKind::pert: return std::max(0.0, d.p0);
    case DistKind::empirical:
      return d.values.empty() ? 0.0 : std::max(0.0, *std::min_element(d.values.begin(), d.values.end()));
    case DistKind::exponential:
    case DistKind::lognormal:
    case DistKind::gamma:
    case DistKind::erlang:
    case DistKind::weibull: return 0.0;
  }
  return 0.0;
}

namespace {

constexpr double kInfinite = std::numeric_limits<double>::infinity();

/// "5.08", "0.94", "123": three significant figures, no exponent, no trailing zeros.
std::string fmt(double x) {
  if (!std::isfinite(x)) return x > 0 ? "infinite" : "n/a";
  char buf[64];
  if (std::fabs(x) >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", x);
  }
  return buf;
}

/// A duration for people: "36h", "3.5d".
std::string fmt_days(double d) {
  if (d < 1) return fmt(d * 24) + "h";
  return fmt(d) + "d";
}

enum class EdgeKind : std::uint8_t { referral, overflow, reentry };
struct EdgeInfo {
  EdgeKind kind = EdgeKind::referral;
  std::uint32_t index = 0;  ///< ReferralId (referral), the full agency (overflow, reentry)
  std::size_t id = 0;       ///< position in Linter::edges_
};
using LGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property, EdgeInfo>;
using LEdge = boost::graph_traits<LGraph>::edge_descriptor;

/// Keeps the edges whose id is set in *mask.
struct EdgeMask {
  const LGraph* g = nullptr;
  const std::vector<bool>* mask = nullptr;
  bool operator()(const LEdge& e) const { return (*mask)[(*g)[e].id]; }
};

/// Possible values per attribute (Condition::can_hold's argument).
using Domain = std::vector<std::vector<bool>>;

struct Population {
  ProfileId profile = 0;
  std::string name;
  std::vector<AgencyId> entries;
  Domain domain;
};

class Linter {
 public:
  Linter(const Scenario& s, const ReferralGraph& g) : s_(s), graph_(g), n_(s.agencies.size()), g_(n_) {
    for (std::size_t r = 0; r < s.referrals.size(); ++r) {
      add_edge(s.referrals[r].from, s.referrals[r].to, EdgeKind::referral, static_cast<std::uint32_t>(r));
    }
    for (AgencyId a = 0; a < n_; ++a) {
      const Agency& ag = s.agencies[a];
      if (ag.when_full == WhenFull::overflow) add_edge(a, ag.overflow_to, EdgeKind::overflow, a);
      if (ag.retrafficking && ag.retrafficking->probability > 0) {
        add_edge(a, ag.retrafficking->reenters, EdgeKind::reentry, a);
      }
    }
    build_populations();
  }

  LintReport run() {
    LintReport out;
    out.loads = graph_.cached_loads();  // shared with the run-size check of a run that follows
    loads_ = &out.loads;
    any_mask_.assign(edges_.size(), false);
    any_reach_.assign(n_, false);
    for (Population& p : populations_) {
      masks_.push_back(edge_mask(p.domain));
      for (std::size_t e = 0; e < edges_.size(); ++e) {
        if (masks_.back()[e]) any_mask_[e] = true;
      }
      const auto reach = reach_from(masks_.back(), p.entries);
      reaches_.push_back(reach);
      for (std::size_t a = 0; a < n_; ++a) any_reach_[a] = any_reach_[a] || reach[a];
    }
    unreachable();
    no_path_to_service();
    dead_ends();
    cycles();
    single_points_of_failure();
    capacity();
    deadlines();
    cross_border();
    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
      if (a.severity != b.severity) return a.severity < b.severity;
      return a.code < b.code;
    });
    out.findings = std::move(findings_);
    return out;
  }

 private:
  struct Edge {
    AgencyId from, to;
    EdgeKind kind;
    std::uint32_t index;
  };

  void add_edge(AgencyId from, AgencyId to, EdgeKind kind, std::uint32_t index) {
    boost::add_edge(from, to, EdgeInfo{kind, index, edges_.size()}, g_);
    edges_.push_back({from, to, kind, index});
  }

  const std::string& id(AgencyId a) const { return s_.agencies[a].id; }

  void build_populations() {
    std::map<ProfileId, std::set<AgencyId>> entries;
    for (const Source& src : s_.sources) entries[src.profile].insert(src.to);
    for (AgencyId a = 0; a < n_; ++a) {
      if (s_.agencies[a].initial_cases > 0) entries[s_.agencies[a].initial_profile].insert(a);
    }
    const auto& schema = s_.schema.attributes;
    std::vector<bool> decided(attr::kCount, false);
    bool supports = false;
    for (const Agency& a : s_.agencies) {
      if (a.decision) decided[a.decision->sets] = true;
      supports = supports || a.supports;
    }
    for (const auto& [p, ents] : entries) {
      Population pop;
      pop.profile = p;
      pop.name = s_.profiles[p].id;
      pop.entries.assign(ents.begin(), ents.end());
      Domain& d = pop.domain;
      d.resize(schema.size());
      for (std::size_t u = 0; u < schema.size(); ++u) d[u].assign(schema[u].value_count(), false);
      const auto set = [&d](std::uint32_t u, std::uint32_t v) {
        if (u < d.size() && v < d[u].size()) d[u][v] = true;
      };
      const auto flag = [&set](std::uint32_t u, double share) {
        if (share > 0) set(u, 1);
        if (share < 1) set(u, 0);
      };
      if (p == 0) {
        for (AgencyId e : pop.entries) {
          const Attributes a = s_.default_attributes(e);
          for (std::uint32_t u = 0; u < attr::kPresumed; ++u) set(u, a[u]);
        }
      } else {
        const Profile& pr = s_.profiles[p];
        flag(attr::kChild, pr.child);
        flag(attr::kAdult, 1 - pr.child);
        if (pr.female > 0) set(attr::kSex, 0);
        if (pr.female < 1) set(attr::kSex, 1);
        for (std::uint32_t v = 0; v < pr.exploitation.size(); ++v) {
          if (pr.exploitation[v] > 0) set(attr::kExploitation, v);
        }
        for (const auto& [nat, share] : pr.nationality) {
          if (share > 0) set(attr::kNationality, nat);
        }
        if (attr::kNationality < d.size() &&
            std::none_of(d[attr::kNationality].begin(), d[attr::kNationality].end(), [](bool b) { return b; })) {
          d[attr::kNationality].assign(d[attr::kNationality].size(), true);
        }
        for (std::uint32_t nat = 0; attr::kNationality < d.size() && nat < d[attr::kNationality].size(); ++nat) {
          if (!d[attr::kNationality][nat]) continue;
          for (AgencyId e : pop.entries) set(attr::kForeign, s_.is_foreign(nat, e) ? 1 : 0);
        }
        flag(attr::kVictim, pr.victim);
        for (std::uint32_t i = 0; i < pr.needs.size(); ++i) flag(attr::kNeedsFirst + i, pr.needs[i]);
      }
      for (std::uint32_t u = attr::kPresumed; u < attr::kSupported; ++u) {
        set(u, 0);
        if (decided[u]) set(u, 1);
      }
      set(attr::kSupported, 0);
      if (supports) set(attr::kSupported, 1);
      for (AgencyId e : pop.entries) set(attr::kEnteredIn, s_.country_of(e));
      if (attr::kInCountry < d.size()) d[attr::kInCountry].assign(d[attr::kInCountry].size(), true);
      populations_.push_back(std::move(pop));
    }
  }

  /// Whether referral r can be taken by some case whose attributes lie in `d`.
  bool applies(const Referral& r, Domain& d) const { return rule_can_carry(r, d) && condition_can_hold(r, d); }

  /// Whether r's probability, loss and consent let anyone through (its condition aside).
  static bool rule_can_carry(const Referral& r, const Domain& d) {
    if (r.probability <= 0 || r.loss >= 1) return false;
    if (r.consent && *r.consent <= 0 &&
        !(attr::kChild < d.size() && d[attr::kChild].size() > 1 && d[attr::kChild][1])) {
      return false;  // only adults, and none consents
    }
    return true;
  }

  /// Whether r's condition can hold for some case in `d`, drawn by r's agency (in_country).
  bool condition_can_hold(const Referral& r, Domain& d) const {
    if (r.when.constant()) return *r.when.constant();
    if (attr::kInCountry < d.size()) {
      auto& c = d[attr::kInCountry];
      const std::vector<bool> saved = c;
      std::fill(c.begin(), c.end(), false);
      const std::uint32_t here = s_.country_of(r.from);
      if (here < c.size()) c[here] = true;
      const bool ok = r.when.can_hold(d);
      c = saved;
      return ok;
    }
    return r.when.can_hold(d);
  }

  std::vector<bool> edge_mask(const Domain& domain) const {
    Domain d = domain;
    std::vector<bool> mask(edges_.size(), true);
    // Rules share conditions (`child`, `foreign and exploitation == "labour"`): within one domain
    // a condition's answer depends only on its text and the country of the agency drawing the rule.
    std::unordered_map<std::string_view, std::vector<signed char>> known;  // text -> per country: -1 unknown
    const std::size_t countries = attr::kInCountry < d.size() ? d[attr::kInCountry].size() : 0;
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      if (edges_[e].kind != EdgeKind::referral) continue;
      const Referral& r = s_.referrals[edges_[e].index];
      const std::uint32_t here = s_.country_of(r.from);
      if (r.when.constant() || here >= countries) {
        mask[e] = applies(r, d);
        continue;
      }
      auto& memo = known.try_emplace(r.when.text(), countries, static_cast<signed char>(-1)).first->second;
      if (memo[here] < 0) {
        // The rule's own probability, consent and loss are checked by applies: remember the
        // condition's answer alone.
        memo[here] = condition_can_hold(r, d) ? 1 : 0;
      }
      mask[e] = memo[here] == 1 && rule_can_carry(r, d);
    }
    return mask;
  }

  template <class Graph>
  std::vector<bool> bfs(const Graph& g, const std::vector<AgencyId>& from) const {
    std::vector<boost::default_color_type> color(n_, boost::white_color);
    auto cmap = boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, g_));
    boost::queue<std::size_t> q;
    for (AgencyId a : from) {
      if (color[a] == boost::white_color) boost::breadth_first_visit(g, a, q, boost::default_bfs_visitor(), cmap);
    }
    std::vector<bool> seen(n_);
    for (std::size_t a = 0; a < n_; ++a) seen[a] = color[a] != boost::white_color;
    return seen;
  }

  /// Agencies reachable from `from` along the edges in `mask`.
  std::vector<bool> reach_from(const std::vector<bool>& mask, const std::vector<AgencyId>& from) const {
    const boost::filtered_graph<LGraph, EdgeMask> fg(g_, EdgeMask{&g_, &mask});
    return bfs(fg, from);
  }
  /// Agencies from which some agency of `to` is reachable along the edges in `mask`.
  std::vector<bool> reach_to(const std::vector<bool>& mask, const std::vector<AgencyId>& to) const {
    const boost::filtered_graph<LGraph, EdgeMask> fg(g_, EdgeMask{&g_, &mask});
    return bfs(boost::make_reverse_graph(fg), to);
  }

  std::string agency_names(const std::vector<AgencyId>& as, std::size_t max = 5) const {
    std::string out;
    for (std::size_t i = 0; i < as.size() && i < max; ++i) out += (i ? ", " : "") + id(as[i]);
    if (as.size() > max) out += " and " + std::to_string(as.size() - max) + " more";
    return out;
  }

  Finding& add(std::string code, Severity sev, SourceLocation where, std::string message, std::string advice) {
    Finding f;
    f.code = std::move(code);
    f.severity = sev;
    f.where = std::move(where);
    f.message = std::move(message);
    f.advice = std::move(advice);
    findings_.push_back(std::move(f));
    return findings_.back();
  }

  // --- the checks ---------------------------------------------------------------------------

  void unreachable() {
    for (AgencyId a = 0; a < n_; ++a) {
      if (any_reach_[a]) continue;
      std::vector<ReferralId> dead;  // rules into it that could lead there but never apply
      for (std::size_t e = 0; e < edges_.size(); ++e) {
        if (edges_[e].to == a && edges_[e].kind == EdgeKind::referral && any_reach_[edges_[e].from] && !any_mask_[e]) {
          dead.push_back(edges_[e].index);
        }
      }
      std::string msg = "agency '" + id(a) + "' receives no case: no source reaches it for any profile";
      if (!dead.empty()) {
        msg += "; the rule" + std::string(dead.size() > 1 ? "s" : "") + " into it (";
        for (std::size_t i = 0; i < dead.size(); ++i) msg += (i ? ", " : "") + s_.referrals[dead[i]].key;
        msg += ") can never be taken";
      }
      Finding& f = add("unreachable-agency", Severity::warning,
                       dead.empty() ? s_.agencies[a].where : s_.referrals[dead.front()].where, msg,
                       "refer cases to it with a rule whose `when` some profile meets, or remove it");
      f.agencies = {a};
      f.rules = dead;
    }
  }

  struct Need {
    std::string what;  ///< "a guardian or child protection"
    std::string who;   ///< "children"
    std::uint32_t attribute;
    std::vector<AgencyId> providers;
  };

  std::vector<Need> needs_of(const Population& p) const {
    std::vector<Need> out;
    const auto possible = [&](std::uint32_t u) {
      return u < p.domain.size() && p.domain[u].size() > 1 && p.domain[u][1];
    };
    std::vector<AgencyId> guardians, foreign_services;
    for (AgencyId a = 0; a < n_; ++a) {
      const Agency& ag = s_.agencies[a];
      if (ag.kind == "guardian" || ag.kind == "child_protection") guardians.push_back(a);
      const bool returns =
          ag.stage == Stage::return_home || std::any_of(ag.provides.begin(), ag.provides.end(), [](std::uint32_t k) {
            return kNeeds[k] == "interpretation" || kNeeds[k] == "repatriation";
          });
      if (returns) foreign_services.push_back(a);
    }
    if (possible(attr::kChild)) out.push_back({"a guardian or child protection", "children", attr::kChild, guardians});
    if (possible(attr::kForeign)) {
      out.push_back({"interpretation or return", "foreign nationals", attr::kForeign, foreign_services});
    }
    if (p.profile != 0) {
      for (std::uint32_t i = 0; i < kNeeds.size(); ++i) {
        if (!(s_.profiles[p.profile].needs[i] > 0)) continue;
        std::vector<AgencyId> prov;
        for (AgencyId a = 0; a < n_; ++a) {
          const auto& pv = s_.agencies[a].provides;
          if (std::find(pv.begin(), pv.end(), i) != pv.end()) prov.push_back(a);
        }
        out.push_back({std::string(kNeeds[i]),
                       "people who need " + std::string(kNeeds[i]) + " (a need the profile declares)",
                       attr::kNeedsFirst + i, prov});
      }
    }
    return out;
  }

  void no_path_to_service() {
    for (std::size_t pi = 0; pi < populations_.size(); ++pi) {
      const Population& p = populations_[pi];
      for (const Need& need : needs_of(p)) {
        Domain d = p.domain;
        std::fill(d[need.attribute].begin(), d[need.attribute].end(), false);
        d[need.attribute][1] = true;
        if (need.attribute == attr::kChild && attr::kAdult < d.size()) {
          d[attr::kAdult].assign(d[attr::kAdult].size(), false);
          d[attr::kAdult][0] = true;
        }
        const auto mask = edge_mask(d);
        const auto can = reach_to(mask, need.providers);
        std::vector<AgencyId> cut;
        for (AgencyId e : p.entries) {
          if (!can[e]) cut.push_back(e);
        }
        if (cut.empty()) continue;
        std::string msg = "profile '" + p.name + "': " + need.who + " entering at " + agency_names(cut) +
                          " have no path to " + need.what;
        if (need.providers.empty()) msg += ": no agency provides it";
        Finding& f = add("no-path-to-service", Severity::warning, s_.agencies[cut.front()].where, msg,
                         need.providers.empty() ? "add an agency that provides it and a rule that refers them there"
                                                : "add a rule that refers them to " + agency_names(need.providers, 3));
        f.agencies = cut;
        f.profile = p.name;
      }
    }
  }

  void dead_ends() {
    // Per agency: the profiles whose positive decision there leads nowhere. Only agencies on a
    // case's main track count: a parallel track (a fork) that ends is not the case ending, its
    // main track goes on elsewhere (e.g. a police identification interview beside assistance).
    std::map<AgencyId, std::vector<std::string>> found;
    for (std::size_t pi = 0; pi < populations_.size(); ++pi) {
      const Population& p = populations_[pi];
      std::vector<bool> main_mask = masks_[pi];
      for (std::size_t e = 0; e < edges_.size(); ++e) {
        if (edges_[e].kind == EdgeKind::referral && s_.referrals[edges_[e].index].fork) main_mask[e] = false;
      }
      const auto on_main = reach_from(main_mask, p.entries);
      for (AgencyId a = 0; a < n_; ++a) {
        const Agency& ag = s_.agencies[a];
        if (!on_main[a] || !ag.decision || ag.decision->sets == attr::kConvicted) continue;
        if (!(ag.decision->p_positive(true) > 0 || ag.decision->p_positive(false) > 0)) continue;
        if (ag.retrafficking && ag.retrafficking->probability > 0) continue;
        Domain d = p.domain;
        auto& x = d[ag.decision->sets];
        std::fill(x.begin(), x.end(), false);
        x[1] = true;
        bool out = false;
        for (const Route& r : graph_.routes(a)) out = out || applies(s_.referrals[r.referral], d);
        if (!out) found[a].push_back(p.name);
      }
    }
    for (const auto& [a, profiles] : found) {
      const Agency& ag = s_.agencies[a];
      const std::string what = s_.schema.attributes[ag.decision->sets].name;
      std::string who;
      for (std::size_t i = 0; i < profiles.size(); ++i) who += (i ? ", " : "") + profiles[i];
      Finding& f =
          add("dead-end", Severity::warning, ag.where,
              "a positive " + what + " decision at '" + ag.id + "' leads nowhere: no rule out of it applies (" +
                  (profiles.size() > 1 ? "profiles " : "profile ") + who + "), so the case ends there",
              "add a rule out of '" + ag.id + "' for cases with " + what + " (e.g. when = \"" + what + "\")");
      f.agencies = {a};
      for (const Route& r : graph_.routes(a)) f.rules.push_back(r.referral);
      f.profile = profiles.size() == 1 ? profiles.front() : "";
    }
  }

  /// Weight of an edge for cycle counting: P(a case served at `from` takes it), at most.
  double weight(const Edge& e) const {
    const Agency& from = s_.agencies[e.from];
    const double stays = 1 - std::min(from.withdrawal, from.withdrawal_supported);
    if (e.kind == EdgeKind::overflow) return 0;  // only when full: not a routing probability
    if (e.kind == EdgeKind::reentry) return stays * from.retrafficking->probability;
    const Referral& r = s_.referrals[e.index];
    return stays * r.probability * (1 - r.loss);
  }

  void cycles() {
    std::vector<bool> mask = any_mask_;
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      if (edges_[e].kind == EdgeKind::overflow) mask[e] = false;
    }
    const boost::filtered_graph<LGraph, EdgeMask> fg(g_, EdgeMask{&g_, &mask});
    std::vector<std::size_t> comp(n_);
    const std::size_t count = boost::strong_components(
        fg, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, g_)));
    std::vector<std::vector<AgencyId>> members(count);
    for (AgencyId a = 0; a < n_; ++a) members[comp[a]].push_back(a);
    std::vector<std::vector<std::size_t>> inner(count);  // edges inside each component
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      if (mask[e] && comp[edges_[e].from] == comp[edges_[e].to]) inner[comp[edges_[e].from]].push_back(e);
    }
    // Components in order of their first agency, for a stable output.
    std::vector<std::size_t> order(count);
    for (std::size_t c = 0; c < count; ++c) order[c] = c;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return members[a][0] < members[b][0]; });
    for (const std::size_t c : order) {
      if (inner[c].empty() || !any_reach_[members[c][0]]) continue;
      const AgencyId h = members[c][0];
      // P(back at h | leaving h), by value iteration within the component: x_v = Σ w (1 at h, else x_t).
      std::vector<double> x(n_, 0.0);
      std::vector<double> scale(n_, 1.0);  // main routes' probabilities add up to 1 at most
      std::vector<double> main(n_, 0.0);
      bool conditional = false, reentry = false;
      for (const std::size_t e : inner[c]) {
        if (edges_[e].kind == EdgeKind::referral) {
          const Referral& r = s_.referrals[edges_[e].index];
          if (!r.fork) main[edges_[e].from] += r.probability;
          conditional = conditional || !r.when.constant();
        } else {
          reentry = true;
        }
      }
      for (AgencyId v : members[c]) scale[v] = main[v] > 1 ? 1 / main[v] : 1.0;
      double rho = 0;
      for (int it = 0; it < 5000; ++it) {
        std::vector<double> y(n_, 0.0);
        for (const std::size_t e : inner[c]) {
          const Edge& ed = edges_[e];
          const bool is_main = ed.kind == EdgeKind::referral && !s_.referrals[ed.index].fork;
          y[ed.from] += weight(ed) * (is_main ? scale[ed.from] : 1.0) * (ed.to == h ? 1.0 : x[ed.to]);
        }
        double change = 0;
        for (AgencyId v : members[c]) change = std::max(change, std::fabs(y[v] - x[v]));
        x.swap(y);
        if (change < 1e-13) break;
      }
      rho = x[h];
      bool never_leave = rho >= 1 - 1e-9;
      for (AgencyId v : members[c]) never_leave = never_leave || std::isinf((*loads_)[v].arrival_rate);
      const double loops = never_leave ? kInfinite : rho / (1 - rho);
      std::vector<ReferralId> rules;
      for (const std::size_t e : inner[c]) {
        if (edges_[e].kind == EdgeKind::referral) rules.push_back(edges_[e].index);
      }
      std::sort(rules.begin(), rules.end());
      std::string path = agency_names(members[c], 6);
      std::string msg;
      Severity sev = reentry && rules.empty() ? Severity::note : Severity::warning;
      if (never_leave) {
        sev = Severity::error;
        msg = std::string(reentry ? "re-trafficking loop" : "referral cycle") + " through " + path +
              ": cases can never leave it, so its load grows without bound";
      } else {
        msg = std::string(reentry ? "re-trafficking loop" : "referral cycle") + " through " + path +
              ": a case leaving '" + id(h) + "' comes back with probability " + (conditional ? "up to " : "") +
              fmt(rho) + ", " + fmt(loops) + " loop" + (loops == 1 ? "" : "s") + " per visit on average";
      }
      Finding& f =
          add("referral-cycle", sev, rules.empty() ? s_.agencies[h].where : s_.referrals[rules.front()].where, msg,
              never_leave ? "give the cycle a way out (a rule out of it, a loss, a withdrawal or a lower "
                            "probability)"
                          : (reentry ? "intended when modelling re-trafficking; check the probability"
                                     : "make sure a person is not sent round again: condition the rule "
                                       "back on a state the first pass changes"));
      f.agencies = members[c];
      f.rules = rules;
      f.value = loops;
    }
  }

  void single_points_of_failure() {
    // Services: agencies that provide a need or support victims.
    std::vector<AgencyId> services;
    for (AgencyId a = 0; a < n_; ++a) {
      const Agency& ag = s_.agencies[a];
      if ((!ag.provides.empty() || ag.supports) && any_reach_[a]) services.push_back(a);
    }
    if (services.empty()) return;
    // The union graph plus a root that feeds every entry agency; the dominator tree from the root.
    using DGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
    DGraph dg(n_ + 1);
    const std::size_t root = n_;
    std::set<AgencyId> entries;
    for (const Population& p : populations_) entries.insert(p.entries.begin(), p.entries.end());
    for (AgencyId e : entries) boost::add_edge(root, e, dg);
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      if (any_mask_[e]) boost::add_edge(edges_[e].from, edges_[e].to, dg);
    }
    // An agency's overflow is its backup: were it closed, what would have come to it can go to
    // the overflow instead, so the overflow is not cut off with it (a shelter is not a single
    // point of failure for its own overflow shelter).
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      if (edges_[e].kind != EdgeKind::overflow || !any_mask_[e]) continue;
      const AgencyId full = edges_[e].from, backup = edges_[e].to;
      if (entries.count(full)) boost::add_edge(root, backup, dg);
      for (std::size_t k = 0; k < edges_.size(); ++k) {
        if (any_mask_[k] && edges_[k].to == full && edges_[k].from != backup) {
          boost::add_edge(edges_[k].from, backup, dg);
        }
      }
    }
    using V = boost::graph_traits<DGraph>::vertex_descriptor;
    std::vector<V> idom(n_ + 1, boost::graph_traits<DGraph>::null_vertex());
    auto idom_map = boost::make_iterator_property_map(idom.begin(), boost::get(boost::vertex_index, dg));
    boost::lengauer_tarjan_dominator_tree(dg, root, idom_map);
    std::map<AgencyId, std::vector<AgencyId>> cuts;  // dominator → services it cuts off
    for (AgencyId sv : services) {
      for (V d = idom[sv]; d != root && d != boost::graph_traits<DGraph>::null_vertex(); d = idom[d]) {
        cuts[static_cast<AgencyId>(d)].push_back(sv);
      }
    }
    for (auto& [d, cut] : cuts) {
      // An entry point cuts off only the services that some other entry point reaches: closing
      // the one entry to a service takes away its detection, not a path (e.g. the only port
      // inspection of a country, whose services no other entry point serves).
      if (entries.count(d)) {
        std::vector<AgencyId> others;
        for (AgencyId e : entries) {
          if (e != d) others.push_back(e);
        }
        const auto reach = reach_from(any_mask_, others);
        std::erase_if(cut, [&](AgencyId sv) { return !reach[sv]; });
        if (cut.empty()) continue;
      }
      std::sort(cut.begin(), cut.end());
      Finding& f = add("single-point-of-failure", Severity::warning, s_.agencies[d].where,
                       "every path from the entry points to " + agency_names(cut) + " goes through '" + id(d) +
                           "': if it closes, no case reaches " + (cut.size() > 1 ? "them" : "it"),
                       "add a second path to these services that avoids '" + id(d) + "', or plan for its continuity");
      f.agencies.push_back(d);
      f.agencies.insert(f.agencies.end(), cut.begin(), cut.end());
    }
  }

  void capacity() {
    const bool profile_patience =
        std::any_of(s_.profiles.begin(), s_.profiles.end(), [](const Profile& p) { return p.patience.has_value(); });
    for (AgencyId a = 0; a < n_; ++a) {
      const Agency& ag = s_.agencies[a];
      const AgencyLoad& l = (*loads_)[a];
      if (ag.unlimited || !std::isfinite(l.utilization) || !any_reach_[a]) continue;
      if (l.utilization < kNearCapacity) continue;
      const std::string unit = ag.residential ? "beds" : "servers";
      std::string msg = "agency '" + ag.id + "' is offered " + fmt(l.offered_load) + " busy " + unit + " for " +
                        std::to_string(ag.servers) + " " + unit;
      if (ag.hours) msg += " open " + ag.hours->describe();
      msg += " (utilization " + fmt(l.utilization) + ")";
      const bool over = l.utilization >= 1;
      const bool gives_up = ag.patience.has_value() || profile_patience;
      Severity sev = Severity::warning;
      if (over && ag.when_full == WhenFull::wait && !gives_up) {
        sev = Severity::error;
        msg += ": its queue grows without bound";
      } else if (over && ag.when_full != WhenFull::wait) {
        msg += std::string(": most cases will find it full (") +
               (ag.when_full == WhenFull::turn_away ? "turned away" : "overflow") + ")";
      } else if (over) {
        msg += ": its queue grows until people give up waiting";
      } else {
        msg += ": within " + fmt((1 - l.utilization) * 100) + " % of capacity, queues will be long";
      }
      Finding& f = add(over ? "over-capacity" : "near-capacity", sev, ag.where, msg,
                       "add " + unit + ", open longer, or refer fewer cases to it");
      f.agencies = {a};
      f.value = l.utilization;
    }
  }

  /// The least calendar time a service of `work` days of opening time can take at agency a.
  double min_service(const Agency& a) const {
    const double work = distribution_minimum(a.service);
    if (!a.hours || work <= 0 || a.hours->is_always()) return work;
    double best = kInfinite;
    for (int d = 0; d < 7; ++d) {
      const Time t = a.hours->next_open(d);
      best = std::min(best, a.hours->advance(t, work) - t);
    }
    return best;
  }

  void deadlines() {
    if (s_.deadlines.empty()) return;
    // Vertices: arrival at a (a), end of service at a (n + a), a root (2n) for the start milestone.
    using WGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                         boost::property<boost::edge_weight_t, double>>;
    std::vector<std::tuple<std::size_t, std::size_t, double>> base;
    for (AgencyId a = 0; a < n_; ++a) base.emplace_back(a, n_ + a, min_service(s_.agencies[a]));
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      const Edge& ed = edges_[e];
      if (!any_mask_[e]) continue;
      if (ed.kind == EdgeKind::referral) {
        const Referral& r = s_.referrals[ed.index];
        base.emplace_back(n_ + ed.from, ed.to, r.delay ? distribution_minimum(*r.delay) : 0.0);
      } else if (ed.kind == EdgeKind::overflow) {
        base.emplace_back(ed.from, ed.to, 0.0);
      } else {
        base.emplace_back(n_ + ed.from, ed.to, distribution_minimum(s_.agencies[ed.from].retrafficking->after));
      }
    }
    std::vector<AgencyId> entries;
    for (const Population& p : populations_) entries.insert(entries.end(), p.entries.begin(), p.entries.end());
    // Where a milestone is reached: arrival at an agency, or the end of service at one deciding it.
    const auto vertices_of = [&](const Milestone& m) {
      std::vector<std::size_t> out;
      switch (m.kind) {
        case Milestone::Kind::entered: out.assign(entries.begin(), entries.end()); break;
        case Milestone::Kind::arrival: out.push_back(m.target); break;
        case Milestone::Kind::decided:
        case Milestone::Kind::positive:
          for (AgencyId a = 0; a < n_; ++a) {
            if (s_.agencies[a].decision && s_.agencies[a].decision->sets == m.target) out.push_back(n_ + a);
          }
          break;
      }
      return out;
    };
    const std::size_t root = 2 * n_;
    for (DeadlineId di = 0; di < s_.deadlines.size(); ++di) {
      const Deadline& dl = s_.deadlines[di];
      WGraph wg(2 * n_ + 1);
      for (const auto& [u, v, w] : base) boost::add_edge(u, v, w, wg);
      for (std::size_t v : vertices_of(dl.from)) boost::add_edge(root, v, 0.0, wg);
      std::vector<double> dist(2 * n_ + 1, kInfinite);
      std::vector<std::size_t> pred(2 * n_ + 1);
      boost::dijkstra_shortest_paths(
          wg, root,
          boost::distance_map(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, wg)))
              .predecessor_map(boost::make_iterator_property_map(pred.begin(), boost::get(boost::vertex_index, wg)))
              .distance_inf(kInfinite));
      std::size_t best = root;
      double fastest = kInfinite;
      for (std::size_t v : vertices_of(dl.to)) {
        if (dist[v] < fastest) {
          fastest = dist[v];
          best = v;
        }
      }
      if (dl.to.kind == Milestone::Kind::entered) continue;  // reached at once
      const double limit = dl.working_days > 0 ? dl.working_days : dl.limit;
      if (std::isinf(fastest)) {
        Finding& f = add("deadline-never-reached", Severity::warning, dl.where,
                         "deadline '" + dl.id + "': no path leads from " + dl.from.text + " to " + dl.to.text +
                             ", so it is never measured",
                         "check its milestones, or the rules that should lead from one to the other");
        f.deadline = di;
        continue;
      }
      if (fastest <= limit * (1 + 1e-9)) continue;
      // The fastest path's agencies, from the start.
      std::vector<AgencyId> path;
      for (std::size_t v = best; v != root; v = pred[v]) {
        const AgencyId a = static_cast<AgencyId>(v % n_);
        if (path.empty() || path.back() != a) path.push_back(a);
        if (pred[v] == v) break;
      }
      std::reverse(path.begin(), path.end());
      std::string route;
      for (std::size_t i = 0; i < path.size(); ++i) route += (i ? " → " : "") + id(path[i]);
      Finding& f =
          add("deadline-unmeetable", Severity::error, dl.where,
              "deadline '" + dl.id + "' (" + dl.from.text + " to " + dl.to.text + " within " + dl.describe_limit() +
                  ") cannot be met: the fastest path takes " + fmt_days(fastest) + " (" + route + ")",
              "shorten the services or delays on that path, or give the deadline a limit it can meet");
      f.deadline = di;
      f.agencies = path;
      f.value = fastest;
    }
  }

  /// Whether some case that is foreign in the country of r.to can take rule r (in some population).
  bool foreigners_can_take(const Referral& r) const {
    if (attr::kNationality >= s_.schema.attributes.size()) return true;
    for (const Population& p : populations_) {
      Domain d = p.domain;
      auto& nat = d[attr::kNationality];
      bool any = false;
      for (std::uint32_t v = 0; v < nat.size(); ++v) {
        nat[v] = nat[v] && s_.is_foreign(v, r.to);
        any = any || nat[v];
      }
      if (any && applies(r, d)) return true;
    }
    return false;
  }

  void cross_border() {
    std::vector<AgencyId> returns;
    for (AgencyId a = 0; a < n_; ++a) {
      const Agency& ag = s_.agencies[a];
      const bool r = ag.stage == Stage::return_home || ag.stage == Stage::reintegration ||
                     std::any_of(ag.provides.begin(), ag.provides.end(),
                                 [](std::uint32_t k) { return kNeeds[k] == "repatriation"; });
      if (r) returns.push_back(a);
    }
    const auto can = reach_to(any_mask_, returns);
    for (std::size_t e = 0; e < edges_.size(); ++e) {
      const Edge& ed = edges_[e];
      if (ed.kind != EdgeKind::referral || !any_mask_[e] || !any_reach_[ed.from]) continue;
      const std::string& from = s_.agencies[ed.from].country;
      const std::string& to = s_.agencies[ed.to].country;
      if (from.empty() || to.empty() || from == to || can[ed.to]) continue;
      const Referral& r = s_.referrals[ed.index];
      // A parallel track into the other country's justice system (a mutual legal assistance or
      // investigation request) moves a case file, not the person.
      const Stage st = s_.agencies[ed.to].stage;
      if (r.fork && (st == Stage::investigation || st == Stage::prosecution || st == Stage::trial)) continue;
      // Nobody but that country's nationals takes the rule: they are going home, which is return.
      if (!foreigners_can_take(r)) continue;
      Finding& f = add("cross-border-without-return", Severity::warning, r.where,
                       "rule " + r.key + " sends cases from " + from + " to " + to +
                           ", where no path leads to return, "
                           "repatriation or reintegration",
                       "refer them on to an agency with stage = \"return\" or \"reintegration\", or one that provides "
                       "repatriation");
      f.agencies = {ed.from, ed.to};
      f.rules = {ed.index};
    }
  }

  const Scenario& s_;
  const ReferralGraph& graph_;
  std::size_t n_;
  LGraph g_;
  std::vector<Edge> edges_;
  std::vector<Population> populations_;
  std::vector<std::vector<bool>> masks_, reaches_;
  std::vector<bool> any_mask_, any_reach_;
  const std::vector<AgencyLoad>* loads_ = nullptr;
  std::vector<Finding> findings_;
};

}  // namespace

LintReport lint(const Scenario& s, const ReferralGraph& g) { return Linter(s, g).run(); }

}  // namespace refsim
