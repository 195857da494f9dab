#pragma once
// User input as commands. The window turns events into Commands and queues them; the app applies
// them between frames, before the next fixed simulation step. Nothing else changes the simulation
// or the view. (The SFML book's CommandQueue; OMNeT++'s Qtenv does the same with its run modes.)
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>

#include "sim/model/scenario.hpp"

namespace refsim::viz {

namespace cmd {
struct TogglePause {};
struct Step {
  Time days;  ///< advance this much simulated time, then stay paused
};
struct Faster {};
struct Slower {};
struct Restart {};  ///< a new replication with the next seed
struct Zoom {
  float factor;  ///< > 1 zooms in
  float x, y;    ///< screen point that stays put
};
struct Pan {
  float dx, dy;  ///< screen pixels
};
struct Select {
  std::optional<AgencyId> agency;
};
struct SelectAt {
  float x, y;  ///< screen point: the agency drawn there, or none
};
/// The pointer moved to a screen point (inside: over the window): the agency drawn there, if
/// any, shows its full name beside it.
struct HoverAt {
  float x = 0, y = 0;
  bool inside = true;
};
struct FitView {};
struct SaveScreenshot {};
struct Resize {
  unsigned width, height;
};
struct Quit {};
// The facilitator's changes to the running mechanism (viz/facilitator.hpp turns them into a
// Change for Engine::apply). `agency`: nullopt means the agency selected when the command is
// applied (a key pressed just after a click acts on the agency clicked).
struct ChangeCapacity {
  std::int32_t delta;  ///< staff (or beds) to add; negative removes
  std::optional<AgencyId> agency;
};
struct ToggleOpen {  ///< closes an open agency, reopens a closed one
  std::optional<AgencyId> agency;
};
// Exercise mode (refsim-viz --exercise; viz/exercise_session.hpp).
struct Decide {
  std::size_t option;  ///< index in the waiting decision's options (key 1 is option 0)
};
struct RunToInject {};  ///< as fast as possible until the next inject fires, then pause
struct Note {
  std::string text;  ///< the facilitator's note, UTF-8, logged with both clocks
};
}  // namespace cmd

using Command =
    std::variant<cmd::TogglePause, cmd::Step, cmd::Faster, cmd::Slower, cmd::Restart, cmd::Zoom, cmd::Pan, cmd::Select,
                 cmd::SelectAt, cmd::FitView, cmd::SaveScreenshot, cmd::Resize, cmd::Quit, cmd::ChangeCapacity,
                 cmd::ToggleOpen, cmd::HoverAt, cmd::Decide, cmd::RunToInject, cmd::Note>;

class CommandQueue {
 public:
  void push(Command c) { queue_.push_back(std::move(c)); }
  bool empty() const { return queue_.empty(); }
  Command pop() {
    Command c = std::move(queue_.front());
    queue_.pop_front();
    return c;
  }

 private:
  std::deque<Command> queue_;
};

inline constexpr double kSecondsPerDay = 86400;  ///< to turn simulated days into seconds
inline constexpr double kMinutesPerDay = 1440;   ///< to turn simulated days into minutes
inline constexpr double kHoursPerDay = 24;       ///< to turn simulated days into hours
/// Real time: one simulated second per real second, in simulated days per real second.
inline constexpr double kRealTime = 1.0 / kSecondsPerDay;

/// The speed ladder, in simulated days per real second, from real time upwards; the last rung
/// means "as fast as the frame budget allows".
inline constexpr double kSpeeds[] = {kRealTime,
                                     1.0 / kMinutesPerDay,
                                     10.0 / kMinutesPerDay,
                                     1.0 / kHoursPerDay,
                                     6.0 / kHoursPerDay,
                                     1.0,
                                     2.0,
                                     7.0,
                                     14.0,
                                     30.0,
                                     90.0,
                                     365.0};
inline constexpr double kMaxSpeed = 0;  ///< speed value meaning "as fast as possible"

}  // namespace refsim::viz
