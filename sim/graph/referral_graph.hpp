#pragma once
// The referral graph: agencies as vertices, referral rules as edges (Boost.Graph).
//
// Boost.Graph types stay inside this module; callers use AgencyId / ReferralId. The engine routes
// through routes(a), a table compiled from the graph's out-edges; static analyses (reachability,
// offered load from the traffic equations) run on the graph itself; the checks of `refsim check` are
// in lint.hpp, the DOT/GraphML/JSON export in export.hpp.
#include <memory>
#include <span>
#include <vector>

#include "sim/model/scenario.hpp"

namespace refsim {

/// One way out of an agency, in declaration order (the engine draws among the applicable ones).
struct Route {
  ReferralId referral;
  AgencyId to;
  bool fork;           ///< a parallel track (drawn on its own), not part of the main route
  bool unconditional;  ///< no `when`: applies to every case
  double probability;  ///< the rule's Referral::probability (never an uncertain parameter)
  Condition when;      ///< the rule's Referral::when, copied here: the engine tests it at every service end
};

/// Long-run flow through an agency from the traffic equations λ = γ + Pᵀλ.
/// The traffic equations run over (agency, case class) pairs, a class per combination of the
/// attribute values that rule conditions name; beyond this many pairs loads() does not solve them.
inline constexpr std::size_t kMaxLoadStates = std::size_t{1} << 22;

struct AgencyLoad {
  double arrival_rate = 0;  ///< visits per day (infinite when cases can never leave)
  double offered_load = 0;  ///< arrival_rate × mean service time, in busy servers
  /// offered_load / servers (0 for unlimited agencies); with opening `hours`, over the servers'
  /// opening time only: offered_load / (servers × the open share of the week).
  double utilization = 0;
};

class ReferralGraph {
 public:
  explicit ReferralGraph(const Scenario& scenario);
  ~ReferralGraph();
  ReferralGraph(ReferralGraph&&) noexcept;
  ReferralGraph& operator=(ReferralGraph&&) noexcept;

  /// Routes out of agency `a`; empty when every case leaves after service there.
  std::span<const Route> routes(AgencyId a) const;
  /// Agencies that some source's cases can reach.
  std::vector<bool> reachable_from_sources() const;
  /// Steady-state flows assuming every agency keeps up (Jackson network traffic equations); all
  /// NaN when the conditions' attributes give more than kMaxLoadStates (agency, class) pairs.
  std::vector<AgencyLoad> loads() const;
  /// loads(), computed at the first call and kept; safe to call from several threads at once
  /// (every replication's run-size check reads it).
  const std::vector<AgencyLoad>& cached_loads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace refsim
