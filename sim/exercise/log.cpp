#include "sim/exercise/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/model/exercise.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kKinds[] = {"start", "inject", "decision", "change", "note", "mark", "end"};

/// nlohmann::json writes a double in the shortest form that reads back as the same double.
double exact(double v) { return v; }

json change_json(const Change& c, const Scenario& s) {
  json j;
  if (c.target != Change::Target::agency) throw std::logic_error("the exercise log records agency changes only");
  j["agency"] = s.agencies.at(c.index).id;
  if (c.servers) j[s.agencies[c.index].residential ? "beds" : "servers"] = *c.servers;
  if (c.open) j["open"] = *c.open;
  if (c.sensitivity) j["sensitivity"] = *c.sensitivity;
  if (c.specificity) j["specificity"] = *c.specificity;
  if (c.positive_rate) j["positive_rate"] = *c.positive_rate;
  if (c.surge || c.profile) throw std::logic_error("the exercise log records staff, beds, opening and decisions only");
  return j;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

const char* LogRecord::kind_name(Kind k) { return kKinds[static_cast<int>(k)]; }

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

LogRecord start_record(const Exercise& x, const std::string& exercise_file) {
  LogRecord start;
  start.kind = LogRecord::Kind::start;
  start.exercise = x.name;
  start.exercise_file = exercise_file;
  start.scenario_file = x.scenario_file;
  start.seed = x.seed;
  start.horizon = x.horizon;
  start.started = utc_now();
  start.version = REFSIM_VERSION;
  return start;
}

std::string to_json_line(const LogRecord& r, const Scenario& s) {
  json j;
  j["record"] = LogRecord::kind_name(r.kind);
  switch (r.kind) {
    case LogRecord::Kind::start:
      j["exercise"] = r.exercise;
      j["exercise_file"] = r.exercise_file;
      j["scenario_file"] = r.scenario_file;
      j["seed"] = r.seed;
      j["horizon_days"] = exact(r.horizon);
      j["started"] = r.started;
      j["refsim"] = r.version;
      break;
    case LogRecord::Kind::inject: j["inject"] = r.inject; break;
    case LogRecord::Kind::decision:
      j["inject"] = r.inject;
      j["option"] = r.option;
      j["by"] = r.by;
      break;
    case LogRecord::Kind::change:
      j["origin"] = r.by;
      j["change"] = change_json(*r.change, s);
      j["text"] = r.text;
      if (!r.refused.empty()) j["refused"] = r.refused;
      break;
    case LogRecord::Kind::note:
      j["author"] = r.by;
      j["text"] = r.text;
      if (!r.objective.empty()) j["objective"] = r.objective;
      if (!r.category.empty()) j["category"] = r.category;
      break;
    case LogRecord::Kind::mark: j["text"] = r.text; break;
    case LogRecord::Kind::end: break;
  }
  if (r.kind != LogRecord::Kind::start) {
    j["sim_days"] = exact(r.sim);
    j["wall_s"] = std::round(r.wall * 1000) / 1000;
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

ExerciseLog::ExerciseLog(const std::string& path, const Scenario& s) : path_(path), scenario_(s) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    if (errno == EEXIST) {
      throw std::runtime_error(path +
                               ": exists already; an exercise log is never overwritten: give another name, or "
                               "remove it first");
    }
    throw std::runtime_error(path + ": cannot create the exercise log: " + errno_text());
  }
}

ExerciseLog::~ExerciseLog() {
  if (fd_ >= 0) ::close(fd_);
}

void ExerciseLog::append(const LogRecord& r) {
  const std::string line = to_json_line(r, scenario_) + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path_ + ": cannot write the exercise log: " + errno_text());
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0 && errno != EINVAL) {
    throw std::runtime_error(path_ + ": cannot sync the exercise log: " + errno_text());
  }
}

std::vector<LogRecord> ExerciseLog::read(const std::string& path, const Scenario* s) {
  const std::string text = detail::read_scenario_file(path, "exercise log");
  std::vector<LogRecord> out;
  std::size_t pos = 0;
  std::uint32_t line = 0;
  while (pos < text.size()) {
    ++line;
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // killed while writing it: dropped
    const std::string row = text.substr(pos, nl - pos);
    pos = nl + 1;
    const auto fail = [&](const std::string& msg) -> void { throw ScenarioError({path, line, 1}, msg); };
    json j;
    try {
      j = json::parse(row);
    } catch (const json::parse_error& e) {
      fail(std::string("not a JSON record: ") + e.what());
    }
    if (!j.is_object() || !j.contains("record") || !j["record"].is_string())
      fail("expected a JSON object with \"record\"");
    LogRecord r;
    r.line = line;
    const std::string kind = j["record"];
    bool known = false;
    for (int k = 0; k < 7; ++k) {
      if (kind == kKinds[k]) r.kind = static_cast<LogRecord::Kind>(k), known = true;
    }
    if (!known) fail("unknown record \"" + kind + "\"; expected start, inject, decision, change, note, mark or end");
    const auto text_of = [&](const char* key) -> std::string {
      if (!j.contains(key) || !j[key].is_string()) fail(kind + " record: missing \"" + key + "\" (a string)");
      return j[key].get<std::string>();
    };
    const auto number_of = [&](const char* key) -> double {
      if (!j.contains(key) || !j[key].is_number()) fail(kind + " record: missing \"" + key + "\" (a number)");
      return j[key].get<double>();
    };
    if (out.empty() && r.kind != LogRecord::Kind::start)
      fail("the first record must be \"start\", got \"" + kind + "\"");
    if (!out.empty() && r.kind == LogRecord::Kind::start) fail("a second \"start\" record: one log holds one exercise");
    switch (r.kind) {
      case LogRecord::Kind::start:
        r.exercise = text_of("exercise");
        r.exercise_file = text_of("exercise_file");
        r.scenario_file = text_of("scenario_file");
        if (!j.contains("seed") || !j["seed"].is_number_unsigned()) fail("start record: missing \"seed\" (an integer)");
        r.seed = j["seed"].get<std::uint64_t>();
        r.horizon = number_of("horizon_days");
        r.started = text_of("started");
        r.version = text_of("refsim");
        break;
      case LogRecord::Kind::inject: r.inject = text_of("inject"); break;
      case LogRecord::Kind::decision:
        r.inject = text_of("inject");
        r.option = text_of("option");
        r.by = text_of("by");
        break;
      case LogRecord::Kind::change: {
        r.by = text_of("origin");
        r.text = text_of("text");
        if (j.contains("refused")) r.refused = text_of("refused");
        if (!j.contains("change") || !j["change"].is_object()) fail("change record: missing \"change\" (an object)");
        if (!s) break;
        const json& c = j["change"];
        if (!c.contains("agency") || !c["agency"].is_string()) fail("change record: the change names no agency");
        const auto a = s->find_agency(c["agency"].get<std::string>());
        if (!a) fail("change record: no agency '" + c["agency"].get<std::string>() + "' in " + s->file);
        Change ch;
        ch.target = Change::Target::agency;
        ch.index = *a;
        ch.origin = r.by;
        for (auto it = c.begin(); it != c.end(); ++it) {
          const std::string& k = it.key();
          const json& v = it.value();
          if (k == "agency") continue;
          if ((k == "servers" || k == "beds") && v.is_number_unsigned()) {
            ch.servers = v.get<std::uint32_t>();
          } else if (k == "open" && v.is_boolean()) {
            ch.open = v.get<bool>();
          } else if (k == "sensitivity" && v.is_number()) {
            ch.sensitivity = v.get<double>();
          } else if (k == "specificity" && v.is_number()) {
            ch.specificity = v.get<double>();
          } else if (k == "positive_rate" && v.is_number()) {
            ch.positive_rate = v.get<double>();
          } else {
            fail("change record: \"" + k +
                 "\" is not a change the log records (servers, beds, open, sensitivity, "
                 "specificity, positive_rate)");
          }
        }
        r.change = ch;
        break;
      }
      case LogRecord::Kind::note:
        r.by = text_of("author");
        r.text = text_of("text");
        if (j.contains("objective")) r.objective = text_of("objective");
        if (j.contains("category")) {
          r.category = text_of("category");
          if (r.category != "strength" && r.category != "improvement" && r.category != "observation")
            fail("note record: category must be strength, improvement or observation, got \"" + r.category + "\"");
        }
        break;
      case LogRecord::Kind::mark: r.text = text_of("text"); break;
      case LogRecord::Kind::end: break;
    }
    if (r.kind != LogRecord::Kind::start) {
      r.sim = number_of("sim_days");
      r.wall = number_of("wall_s");
      if (!(r.sim >= 0) || !std::isfinite(r.sim)) fail(kind + " record: sim_days must be a finite number >= 0");
    }
    out.push_back(std::move(r));
  }
  if (out.empty()) throw ScenarioError({path, 1, 1}, "empty exercise log: expected a \"start\" record first");
  return out;
}

}  // namespace refsim
