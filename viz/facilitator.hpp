#pragma once
// The facilitator's changes to a running mechanism. A command (viz/commands.hpp: one staff or bed
// more or less, close or reopen) becomes a Change, computed from the values in force in the engine
// now, and goes through Simulation::apply → Engine::apply: the same door as a scenario's
// [[change]] and an exercise inject (STYLE 6). The visualiser never changes the engine otherwise.
//
//   if (auto why = refsim::viz::facilitate(sim, refsim::viz::cmd::ChangeCapacity{-1, agency}))
//     show(*why);  // "agency 'shelter': beds must be >= 0, got -1"; nothing changed
#include <optional>
#include <string>

#include "sim/engine/engine.hpp"
#include "viz/commands.hpp"
#include "viz/simulation.hpp"

namespace refsim::viz {

/// Change::origin of the changes made in the visualiser, for the change log.
inline constexpr const char* kFacilitatorOrigin = "refsim-viz";

/// The Change giving agency c.agency (required) c.delta more servers or beds than it has in
/// `engine` now, origin kFacilitatorOrigin. Throws std::invalid_argument naming the agency when
/// the result would be below 0 ("agency 'shelter': beds must be >= 0, got -1"). An unlimited
/// agency's change is left for Engine::apply to refuse, with its own message.
Change to_change(const cmd::ChangeCapacity& c, const Engine& engine);
/// The Change closing agency c.agency (required) if it is open in `engine` now (Engine::is_open),
/// reopening it if a change closed it; origin kFacilitatorOrigin.
Change to_change(const cmd::ToggleOpen& c, const Engine& engine);

/// Turns the command into a Change and applies it now (Simulation::apply). Returns nullopt when
/// applied; otherwise the reason it was refused (the std::invalid_argument message), and nothing
/// changed. The command's agency must be set.
std::optional<std::string> facilitate(Simulation& sim, const cmd::ChangeCapacity& c);
std::optional<std::string> facilitate(Simulation& sim, const cmd::ToggleOpen& c);

}  // namespace refsim::viz
