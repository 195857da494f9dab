#include "viz/exercise_session.hpp"
#include "viz/commands.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace refsim::viz {

namespace {
constexpr const char* kWeekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr int kDaysPerWeek = 7;
constexpr long kSecondsPerHour = 3600;
constexpr long kSecondsPerMinute = 60;
constexpr double kSlack = 1e-6;  // seconds: "20min" is 20/1440 days, not exactly 1200 s once multiplied back

std::unique_ptr<ExerciseLog> open_log(const std::string& path, const Scenario& s) {
  if (path.empty()) return nullptr;
  return std::make_unique<ExerciseLog>(path, s);
}

std::string hms(long s, bool hours_always) {
  char buf[32];
  const long h = s / kSecondsPerHour, m = s % kSecondsPerHour / kSecondsPerMinute, sec = s % kSecondsPerMinute;
  if (hours_always || h > 0) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", h, m, sec);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", m, sec);
  }
  return buf;
}
}  // namespace

std::string sim_clock(Time t) {
  const double day = std::floor(t);
  long minutes = std::lround((t - day) * kMinutesPerDay);
  double d = day;
  if (minutes >= static_cast<long>(kMinutesPerDay)) minutes -= static_cast<long>(kMinutesPerDay), d += 1;
  const int weekday = static_cast<int>(std::fmod(d, static_cast<double>(kDaysPerWeek)));
  char buf[64];
  std::snprintf(buf, sizeof buf, "day %.0f (%s) %02ld:%02ld", d, kWeekdays[weekday], minutes / 60, minutes % 60);
  return buf;
}

std::string wall_clock(double seconds) { return hms(seconds > 0 ? static_cast<long>(seconds) : 0, true); }

std::string countdown(double seconds) {
  return hms(seconds > kSlack ? static_cast<long>(std::ceil(seconds - kSlack)) : 0, false);
}

ExerciseSession::ExerciseSession(const Exercise& exercise, const Scenario& scenario, const std::string& exercise_file,
                                 const std::string& log_path, std::function<double()> wall)
    : exercise_(exercise),
      scenario_(scenario),
      log_(open_log(log_path, scenario)),
      director_(exercise, scenario, Director::Mode::interactive, {}, log_.get(), std::move(wall)) {
  if (!log_) return;
  log_->append(start_record(exercise, exercise_file));  // as `refsim exercise run` writes it
}

std::optional<std::size_t> ExerciseSession::pending_inject() const {
  const auto p = director_.pending();
  if (!p) return std::nullopt;
  return director_.fired()[*p].inject;
}

std::optional<double> ExerciseSession::seconds_left() const {
  const auto p = director_.pending();
  if (!p) return std::nullopt;
  const FiredInject& f = director_.fired()[*p];
  const Inject& in = exercise_.injects[f.inject];
  if (!(in.time_allowed > 0)) return std::nullopt;
  return f.wall + in.time_allowed * kSecondsPerDay - director_.wall_now();
}

bool ExerciseSession::timed_out() const {
  const auto left = seconds_left();
  return left && *left <= kSlack;
}

std::size_t ExerciseSession::default_option() const { return exercise_.injects[*pending_inject()].default_option; }

void ExerciseSession::finish(Time sim) {
  if (finished_) return;
  finished_ = true;
  if (!log_) return;
  LogRecord end;
  end.kind = LogRecord::Kind::end;
  end.sim = sim;
  end.wall = director_.wall_now();
  log_->append(end);
}

}  // namespace refsim::viz
