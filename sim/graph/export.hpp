#pragma once
// The referral graph as files for other tools (`refsim graph`): Graphviz DOT, GraphML, JSON.
//
//   std::ofstream out("sop.dot");
//   write_graph(out, s, GraphFormat::dot);
//
// Each says what the simulation will do: agencies with their capacity as declared (beds as beds,
// "unlimited" for a pure delay), service time, opening hours, decision and what happens when full;
// sources with their rate and profile; referral rules with probability, condition, consent, loss,
// delay and forks; overflow edges (when full) and re-entry edges (re-trafficking); countries as
// clusters (DOT) or an attribute; and each agency's position in the visualiser's layout
// (layout_agencies with the visualiser's default boxes). Deterministic: the same scenario gives the
// same bytes.
#include <iosfwd>
#include <optional>
#include <string_view>

#include "sim/model/scenario.hpp"

namespace refsim {

enum class GraphFormat { dot, graphml, json };
/// "dot", "graphml", "json"; std::nullopt for anything else.
std::optional<GraphFormat> parse_graph_format(std::string_view name);

void write_graph(std::ostream& os, const Scenario& s, GraphFormat format);

}  // namespace refsim
