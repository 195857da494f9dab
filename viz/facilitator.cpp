#include "viz/facilitator.hpp"

#include <cassert>
#include <cstdint>
#include <stdexcept>

namespace refsim::viz {

namespace {

template <class Command>
std::optional<std::string> apply_checked(Simulation& sim, const Command& c) {
  try {
    sim.apply(to_change(c, sim.engine()));
  } catch (const std::invalid_argument& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

}  // namespace

Change to_change(const cmd::ChangeCapacity& c, const Engine& engine) {
  assert(c.agency);
  const AgencyId a = *c.agency;
  const Agency& ag = engine.scenario().agencies[a];
  Change change;
  change.target = Change::Target::agency;
  change.index = a;
  change.origin = kFacilitatorOrigin;
  const std::int64_t wanted = static_cast<std::int64_t>(engine.servers(a)) + c.delta;
  if (!ag.unlimited && wanted < 0) {
    throw std::invalid_argument("agency '" + ag.id + "': " + (ag.residential ? "beds" : "servers") +
                                " must be >= 0, got " + std::to_string(wanted));
  }
  if (wanted > static_cast<std::int64_t>(UINT32_MAX)) {
    throw std::invalid_argument("agency '" + ag.id + "': " + (ag.residential ? "beds" : "servers") +
                                " must be at most " + std::to_string(UINT32_MAX) + ", got " + std::to_string(wanted));
  }
  change.servers = static_cast<std::uint32_t>(wanted < 0 ? 0 : wanted);
  return change;
}

Change to_change(const cmd::ToggleOpen& c, const Engine& engine) {
  assert(c.agency);
  Change change;
  change.target = Change::Target::agency;
  change.index = *c.agency;
  change.origin = kFacilitatorOrigin;
  change.open = !engine.is_open(*c.agency);
  return change;
}

std::optional<std::string> facilitate(Simulation& sim, const cmd::ChangeCapacity& c) { return apply_checked(sim, c); }
std::optional<std::string> facilitate(Simulation& sim, const cmd::ToggleOpen& c) { return apply_checked(sim, c); }

}  // namespace refsim::viz
