#include "sim/exercise/director.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "sim/engine/engine.hpp"
#include "sim/model/parameters.hpp"
#include "sim/model/units.hpp"

namespace refsim {
namespace {

constexpr Time kNever = std::numeric_limits<Time>::infinity();

bool decides_grounds(const Agency& a) {
  return a.decision && (a.decision->sets == attr::kReasonableGrounds || a.decision->sets == attr::kIdentified);
}

/// The change putting back what `previous` (Parameters::apply's answer) says `c` replaced.
Change reverting(const Change& previous, const std::string& origin) {
  Change back = previous;
  back.surge.reset();
  back.origin = origin;
  return back;
}

/// An instant in messages: the clock, and the exact number of days a log holds.
std::string exact_instant(Time t) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, t).ptr;  // shortest form that reads back as t
  return format_clock(t) + " (" + std::string(buf, end) + " d)";
}

LogRecord record(LogRecord::Kind kind, Time sim, double wall) {
  LogRecord r;
  r.kind = kind;
  r.sim = sim;
  r.wall = wall;
  return r;
}

}  // namespace

Director::Director(const Exercise& exercise, const Scenario& scenario, Mode mode, DecisionScript script,
                   ExerciseLog* log, std::function<double()> wall)
    : exercise_(exercise),
      scenario_(scenario),
      mode_(mode),
      script_(std::move(script)),
      log_(log),
      wall_(std::move(wall)) {
  if (!wall_) {
    const auto start = std::chrono::steady_clock::now();
    wall_ = [start] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  }
  fired_index_.assign(exercise_.injects.size(), kNotFired);
  for (std::size_t i = 0; i < exercise_.injects.size(); ++i) {
    const Inject& in = exercise_.injects[i];
    if (in.at) {
      timed_.push_back(i);
    } else {
      armed_.push_back({i});
    }
  }
  std::stable_sort(timed_.begin(), timed_.end(),
                   [&](std::size_t a, std::size_t b) { return *exercise_.injects[a].at < *exercise_.injects[b].at; });
  for (AgencyId a = 0; a < scenario_.agencies.size(); ++a) {
    if (decides_grounds(scenario_.agencies[a])) deciders_.push_back(a);
  }
  watched_.assign(scenario_.agencies.size(), 0);
  for (const Armed& a : armed_) {
    const Trigger& tr = *exercise_.injects[a.inject].trigger;
    if (tr.measure == Measure::awaiting_decision) {
      for (AgencyId d : deciders_) watched_[d] = 1;
    } else if (tr.agency) {
      watched_[*tr.agency] = 1;
    } else {
      watch_all_ = true;
    }
  }
}

Director Director::replay(const Exercise& exercise, const Scenario& scenario, std::vector<LogRecord> records,
                          ExerciseLog* log) {
  Director d(exercise, scenario, Mode::replay, {}, log);
  d.records_ = std::move(records);
  for (const LogRecord& r : d.records_) {
    if (r.kind != LogRecord::Kind::start) d.replay_end_ = std::max(d.replay_end_, r.sim);
  }
  return d;
}

void Director::control(EngineState& engine) { engine_ = &engine; }

double Director::measure(Measure m, std::optional<AgencyId> agency) const {
  const EngineState& e = *engine_;
  const auto sum = [&](auto per_agency) {
    double total = 0;
    for (AgencyId a = 0; a < scenario_.agencies.size(); ++a) total += per_agency(a);
    return total;
  };
  switch (m) {
    case Measure::waiting:
      return agency ? static_cast<double>(e.queue_length(*agency))
                    : sum([&](AgencyId a) { return static_cast<double>(e.queue_length(a)); });
    case Measure::in_service:
      return agency ? static_cast<double>(e.busy(*agency))
                    : sum([&](AgencyId a) { return static_cast<double>(e.busy(a)); });
    case Measure::occupancy: {
      const AgencyId a = *agency;
      const double servers = e.servers(a);
      if (servers <= 0) return e.busy(a) > 0 ? 1.0 : 0.0;
      return std::min(1.0, e.busy(a) / servers);
    }
    case Measure::full: {
      const AgencyId a = *agency;
      return e.busy(a) >= e.servers(a) ? 1.0 : 0.0;
    }
    case Measure::in_system: return static_cast<double>(e.cases_in_system());
    case Measure::awaiting_decision: {
      double n = 0;
      for (AgencyId a : deciders_) n += static_cast<double>(e.queue_length(a) + e.busy(a));
      return n;
    }
  }
  return 0;
}

void Director::touch(AgencyId a) {
  if (engine_ && (watch_all_ || (a < watched_.size() && watched_[a]))) engine_->request_stop();
}

void Director::touch_all() {
  if (engine_ && !armed_.empty()) engine_->request_stop();
}

Time Director::next_stop() const {
  Time next = kNever;
  const Time now = engine_ ? engine_->now() : 0;
  if (next_timed_ < timed_.size()) next = std::min(next, *exercise_.injects[timed_[next_timed_]].at);
  for (const Armed& a : armed_) {
    const Trigger& tr = *exercise_.injects[a.inject].trigger;
    if (tr.after > now) next = std::min(next, tr.after);
    if (a.since >= 0 && tr.hold_for > 0) next = std::min(next, a.since + tr.hold_for);
  }
  if (!reverts_.empty()) next = std::min(next, reverts_.front().at);
  for (std::size_t k = cursor_; k < records_.size(); ++k) {
    const LogRecord& r = records_[k];
    if (r.kind == LogRecord::Kind::change) {
      next = std::min(next, r.sim);
      break;
    }
    if (r.kind == LogRecord::Kind::inject || r.kind == LogRecord::Kind::decision) break;
  }
  return next;
}

std::optional<std::size_t> Director::pending() const { return pending_; }

std::optional<std::size_t> Director::next_timed() const {
  if (next_timed_ < timed_.size()) return timed_[next_timed_];
  return std::nullopt;
}

void Director::skip_unread() {
  while (cursor_ < records_.size() &&
         (records_[cursor_].kind == LogRecord::Kind::note || records_[cursor_].kind == LogRecord::Kind::mark ||
          records_[cursor_].kind == LogRecord::Kind::start)) {
    ++cursor_;
  }
}

void Director::write(LogRecord r) {
  if (log_) log_->append(r);
}

void Director::act(const ApplyChange& apply) {
  for (;;) {
    if (unreleased_) return;  // held at the inject that fired: release() lets it go on
    if (pending_) {
      if (mode_ != Mode::replay) return;
      // The log says what came next: the facilitator's changes made while the decision waited,
      // then the decision.
      skip_unread();
      if (cursor_ >= records_.size() || records_[cursor_].kind == LogRecord::Kind::end) return;  // cut short
      const LogRecord& r = records_[cursor_];
      const Inject& in = exercise_.injects[fired_[*pending_].inject];
      if (r.kind == LogRecord::Kind::change) {
        ++cursor_;
        if (r.change && r.refused.empty()) apply(*r.change);
        continue;
      }
      if (r.kind != LogRecord::Kind::decision || r.inject != in.id) {
        throw std::runtime_error("line " + std::to_string(r.line) + ": the log has a " + LogRecord::kind_name(r.kind) +
                                 " record where the replay waits for the decision on '" + in.id +
                                 "' (the exercise or scenario file changed since the exercise?)");
      }
      std::size_t option = in.options.size();
      for (std::size_t k = 0; k < in.options.size(); ++k) {
        if (in.options[k].id == r.option) option = k;
      }
      if (option == in.options.size()) {
        throw std::runtime_error("line " + std::to_string(r.line) + ": inject '" + in.id + "' has no option '" +
                                 r.option + "'");
      }
      ++cursor_;
      take(option, r.by, apply);
      continue;
    }
    if (!step(apply)) return;
  }
}

bool Director::step(const ApplyChange& apply) {
  const Time now = engine_->now();
  // 0. Replay: the log's next record first, when it is a change whose time has come: the
  // facilitator made it before whatever follows it in the log.
  if (mode_ == Mode::replay) {
    skip_unread();
    if (cursor_ < records_.size()) {
      const LogRecord& r = records_[cursor_];
      if (r.kind == LogRecord::Kind::change && r.sim <= now) {
        ++cursor_;
        if (r.change && r.refused.empty()) apply(*r.change);
        return true;
      }
      if (r.kind == LogRecord::Kind::decision) {
        throw std::runtime_error("line " + std::to_string(r.line) + ": the log has a decision on '" + r.inject +
                                 "', which is not waiting for one in the replay");
      }
    }
  }
  // 1. Timed injects, by time, then in MSEL order.
  if (next_timed_ < timed_.size() && *exercise_.injects[timed_[next_timed_]].at <= now) {
    fire(timed_[next_timed_++], apply);
    return true;
  }
  // 2. Triggers, in MSEL order.
  for (std::size_t k = 0; k < armed_.size(); ++k) {
    Armed& a = armed_[k];
    const Trigger& tr = *exercise_.injects[a.inject].trigger;
    if (now < tr.after || !tr.holds(measure(tr.measure, tr.agency))) {
      a.since = -1;
      continue;
    }
    if (a.since < 0) a.since = now;
    if (now >= a.since + tr.hold_for) {
      const std::size_t inject = a.inject;
      armed_.erase(armed_.begin() + static_cast<std::ptrdiff_t>(k));
      fire(inject, apply);
      return true;
    }
  }
  // 3. What an inject's change put back after its time.
  if (!reverts_.empty() && reverts_.front().at <= now) {
    const Change back = reverts_.front().change;
    reverts_.erase(reverts_.begin());
    try {
      apply(back);
    } catch (const std::invalid_argument& e) {
      {
        LogRecord r = record(LogRecord::Kind::mark, now, wall_());
        r.text = "not put back: " + std::string(e.what());
        write(std::move(r));
      }
    }
    return true;
  }
  return false;
}

void Director::fire(std::size_t i, const ApplyChange& apply) {
  const Inject& in = exercise_.injects[i];
  const Time now = engine_->now();
  if (mode_ == Mode::replay) {
    skip_unread();
    if (cursor_ >= records_.size() || records_[cursor_].kind == LogRecord::Kind::end) {
      throw std::runtime_error("inject '" + in.id + "' fires at " + exact_instant(now) +
                               " in the replay, after the log ends (the exercise or scenario file changed since?)");
    }
    const LogRecord& r = records_[cursor_];
    if (r.kind != LogRecord::Kind::inject || r.inject != in.id || r.sim != now) {
      throw std::runtime_error("line " + std::to_string(r.line) + ": the log has " +
                               (r.kind == LogRecord::Kind::inject
                                    ? "inject '" + r.inject + "' at " + exact_instant(r.sim)
                                    : std::string("a ") + LogRecord::kind_name(r.kind) + " record") +
                               " where the replay fires inject '" + in.id + "' at " + exact_instant(now) +
                               " (the exercise or scenario file changed since the exercise?)");
    }
    ++cursor_;
  }
  FiredInject f;
  f.inject = i;
  f.at = now;
  f.wall = wall_();
  f.state.emplace_back("in_system", measure(Measure::in_system, std::nullopt));
  f.state.emplace_back("waiting", measure(Measure::waiting, std::nullopt));
  if (!deciders_.empty()) f.state.emplace_back("awaiting_decision", measure(Measure::awaiting_decision, std::nullopt));
  if (in.to) {
    const std::string& id = scenario_.agencies[*in.to].id;
    f.state.emplace_back(id + ".waiting", measure(Measure::waiting, in.to));
    if (!scenario_.agencies[*in.to].unlimited)
      f.state.emplace_back(id + ".occupancy", measure(Measure::occupancy, in.to));
  }
  fired_index_[i] = fired_.size();
  fired_.push_back(f);
  {
    LogRecord r = record(LogRecord::Kind::inject, now, f.wall);
    r.inject = in.id;
    write(std::move(r));
  }
  if (mode_ == Mode::interactive) unreleased_ = true;
  apply_changes(in.changes, "inject " + in.id, apply);
  if (!in.is_decision()) return;
  pending_ = fired_.size() - 1;
  if (mode_ == Mode::script) {
    const auto it = script_.find(in.id);
    std::size_t option = in.default_option;
    std::string by = "default";
    if (it != script_.end()) {
      for (std::size_t k = 0; k < in.options.size(); ++k) {
        if (in.options[k].id == it->second) option = k, by = "decisions file";
      }
    }
    take(option, by, apply);
  }
}

void Director::decide(std::size_t option, const std::string& by, const ApplyChange& apply) {
  if (!pending_) throw std::invalid_argument("no decision is waiting");
  const Inject& in = exercise_.injects[fired_[*pending_].inject];
  if (option >= in.options.size()) {
    throw std::invalid_argument("inject '" + in.id + "' has " + std::to_string(in.options.size()) +
                                " options; there is no option " + std::to_string(option + 1));
  }
  take(option, by, apply);
}

void Director::take(std::size_t option, const std::string& by, const ApplyChange& apply) {
  FiredInject& f = fired_[*pending_];
  const Inject& in = exercise_.injects[f.inject];
  f.option = option;
  f.decided_at = engine_->now();
  f.decided_wall = wall_();
  f.decided_by = by;
  pending_.reset();
  {
    LogRecord r = record(LogRecord::Kind::decision, f.decided_at, f.decided_wall);
    r.inject = in.id;
    r.option = in.options[option].id;
    r.by = by;
    write(std::move(r));
  }
  apply_changes(in.options[option].changes, "inject " + in.id + ": " + in.options[option].id, apply);
}

void Director::apply_changes(const std::vector<InjectChange>& changes, const std::string& origin,
                             const ApplyChange& apply) {
  const Time now = engine_->now();
  for (const InjectChange& ic : changes) {
    Change c = ic.change;
    c.origin = origin;
    try {
      if (ic.servers_delta) {
        const std::int64_t next = static_cast<std::int64_t>(engine_->servers(c.index)) + *ic.servers_delta;
        if (next < 0) {
          throw std::invalid_argument("agency '" + scenario_.agencies[c.index].id +
                                      "': " + (scenario_.agencies[c.index].residential ? "beds" : "servers") +
                                      " must be >= 0, got " + std::to_string(next));
        }
        c.servers = static_cast<std::uint32_t>(next);
      }
      if (ic.revert_after) {
        Parameters trial = engine_->parameters();
        const Change previous = trial.apply(c, scenario_);  // throws as the engine would
        Revert r{now + *ic.revert_after,
                 reverting(previous, origin + " (put back after " + format_duration(*ic.revert_after) + ")")};
        const auto at =
            std::upper_bound(reverts_.begin(), reverts_.end(), r.at, [](Time t, const Revert& x) { return t < x.at; });
        apply(c);
        reverts_.insert(at, std::move(r));
      } else {
        apply(c);
      }
    } catch (const std::invalid_argument& e) {
      // The loader checked the change against the scenario's values; the run's may differ (the
      // facilitator cut the staff it adds to): said in the log, the exercise goes on.
      {
        LogRecord r = record(LogRecord::Kind::mark, now, wall_());
        r.text = origin + ": refused: " + e.what();
        write(std::move(r));
      }
    }
  }
}

void Director::facilitator_change(const Change& change, const ApplyChange& apply) {
  LogRecord r = record(LogRecord::Kind::change, engine_->now(), wall_());
  r.by = change.origin;
  r.change = change;
  try {
    Parameters trial = engine_->parameters();
    const Change previous = trial.apply(change, scenario_);
    r.text = describe(change, previous, scenario_);
    apply(change);
  } catch (const std::invalid_argument& e) {
    r.refused = e.what();
    write(r);
    throw;
  }
  write(r);
}

void Director::note(const std::string& author, const std::string& text, const std::string& objective,
                    const std::string& category) {
  {
    LogRecord r = record(LogRecord::Kind::note, engine_ ? engine_->now() : 0, wall_());
    r.by = author;
    r.text = text;
    r.objective = objective;
    r.category = category;
    write(std::move(r));
  }
}

void Director::mark(const std::string& what) {
  {
    LogRecord r = record(LogRecord::Kind::mark, engine_ ? engine_->now() : 0, wall_());
    r.text = what;
    write(std::move(r));
  }
}

}  // namespace refsim
