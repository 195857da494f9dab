// `refsim exercise`: tabletop exercises without the visualiser (docs/exercises.md).
#include "sim/cli/exercise_cmd.hpp"

#include <unistd.h>

#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/cli/cli_common.hpp"
#include "sim/exercise/analysis.hpp"
#include "sim/exercise/director.hpp"
#include "sim/exercise/log.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/report/aar.hpp"
#include "sim/report/output_directory.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/exercise_loader.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::cli {
namespace {

using OrderedJson = nlohmann::ordered_json;

/// exercise.json: what fired and was decided, by simulated time only (no wall clock), so that a
/// replay writes the same file.
std::string exercise_json(const Exercise& x, const Scenario& s, const std::vector<FiredInject>& fired, bool complete,
                          Time ended_at) {
  OrderedJson j;
  j["exercise"] = x.name;
  j["scenario"] = s.name;
  j["seed"] = x.seed;
  j["horizon_days"] = x.horizon;
  j["complete"] = complete;
  j["ended_at_days"] = ended_at;
  OrderedJson injects = OrderedJson::array();
  for (const FiredInject& f : fired) {
    const Inject& in = x.injects[f.inject];
    OrderedJson e;
    e["id"] = in.id;
    e["fired_at_days"] = f.at;
    e["fired_at"] = sim_clock(f.at);
    e["how"] = in.at ? "at its time" : "trigger: " + in.trigger->describe(s);
    OrderedJson st = OrderedJson::object();
    for (const auto& [name, value] : f.state) st[name] = value;
    e["state"] = st;
    if (in.is_decision()) {
      if (f.option) {
        e["option"] = in.options[*f.option].id;
        e["decided_by"] = f.decided_by;
        e["decided_at_days"] = f.decided_at;
      } else {
        e["option"] = nullptr;  // waiting when the log ended
      }
    }
    injects.push_back(std::move(e));
  }
  j["fired"] = std::move(injects);
  OrderedJson pending = OrderedJson::array();
  for (std::size_t i = 0; i < x.injects.size(); ++i) {
    bool was = false;
    for (const FiredInject& f : fired) was = was || f.inject == i;
    if (!was) pending.push_back(x.injects[i].id);
  }
  j["not_fired"] = std::move(pending);
  return j.dump(2) + "\n";
}

/// Every file exercise run and replay may write in their output directory.
const std::vector<std::string> kExerciseResultFiles{
    "summary.json",         "agencies.csv",  "cases.csv",      "referrals.csv", "deadlines.csv", "cohorts.csv",
    "deadline_cohorts.csv", "countries.csv", "timeseries.csv", "exercise.json", "branch.json",   "run.json"};

/// The run's results and exercise.json, into `dir`'s staging directory (dir.commit() swaps them in).
void write_results(OutputDirectory& dir, const Scenario& s, std::uint64_t seed, const RunResult& res, Time sample_every,
                   const std::string& exercise_text, const std::string& command_line) {
  RunContext ctx{s, seed, 1};
  std::vector<std::pair<std::string, std::string>> texts{
      {"summary.json", summary_json(ctx, res)},
      {"agencies.csv", agencies_csv(ctx, res)},
      {"cases.csv", cases_csv(ctx, res)},
      {"referrals.csv", referrals_csv(ctx, res)},
      {"deadlines.csv", deadlines_csv(ctx, res)},
      {"cohorts.csv", cohorts_csv(ctx, res)},
      {"deadline_cohorts.csv", deadline_cohorts_csv(ctx, res)},
      {"exercise.json", exercise_text},
  };
  if (s.by_country()) texts.emplace_back("countries.csv", countries_csv(ctx, res));
  if (sample_every > 0) texts.emplace_back("timeseries.csv", timeseries_csv(ctx, res));
  texts.emplace_back("run.json", run_json(ctx, res, command_line));
  for (const auto& [name, text] : texts) dir.write(name, text);
}

void print_timeline(std::ostream& os, const Exercise& x, const std::vector<FiredInject>& fired) {
  std::vector<std::vector<std::string>> rows{{"simulated time", "inject", "how", "decision"}};
  for (const FiredInject& f : fired) {
    const Inject& in = x.injects[f.inject];
    std::string decision = "—";
    if (in.is_decision()) decision = f.option ? in.options[*f.option].id + " (" + f.decided_by + ")" : "waiting";
    rows.push_back({sim_clock(f.at), in.id, in.at ? "time" : "trigger", decision});
  }
  os << "MSEL: " << fired.size() << " of " << x.injects.size() << " injects fired\n";
  print_grid(os, "  ", rows);
}

/// Loads the exercise named by the log (or `override_file`), checks it is the one the log was
/// written for, and cuts its horizon at the log's last time when the log ends early.
LoadedExercise exercise_for_log(const std::string& log_path, const std::string& override_file,
                                std::vector<LogRecord>& records) {
  const std::vector<LogRecord> head = ExerciseLog::read(log_path, nullptr);
  const LogRecord& start = head.front();
  LoadedExercise x = load_exercise(override_file.empty() ? start.exercise_file : override_file);
  if (x.exercise.seed != start.seed || x.exercise.horizon != start.horizon) {
    throw UsageError(log_path + ": was written for seed " + std::to_string(start.seed) + " and a horizon of " +
                     format_duration(start.horizon) + ", but " + x.exercise.file + " now gives seed " +
                     std::to_string(x.exercise.seed) + " and " + format_duration(x.exercise.horizon) +
                     ": the exercise file changed since");
  }
  records = ExerciseLog::read(log_path, x.scenario.get());
  if (!log_complete(records)) {
    const Time last = log_last_time(records);
    x.scenario->run.horizon = last;
    x.scenario->run.warmup = std::min(x.scenario->run.warmup, last / 2);
  }
  return x;
}

int cmd_check(const ExerciseArgs& a) {
  const LoadedExercise lx = load_exercise(a.file);
  const Exercise& x = lx.exercise;
  const Scenario& s = *lx.scenario;
  std::cout << a.file << ": OK — \"" << x.name << "\" on " << x.scenario_file << " (\"" << s.name << "\"), "
            << x.injects.size() << " injects, " << x.objectives.size() << " objectives, " << x.participants.size()
            << " participating organisations; horizon " << format_duration(x.horizon) << ", seed " << x.seed << "\n\n";
  std::vector<std::vector<std::string>> rows{{"inject", "when", "to", "decision"}};
  for (const Inject& in : x.injects) {
    std::string options;
    for (std::size_t k = 0; k < in.options.size(); ++k) {
      options += (k ? ", " : "") + in.options[k].id + (k == in.default_option ? " (default)" : "");
    }
    rows.push_back({in.id, in.at ? sim_clock(*in.at) : "when " + in.trigger->describe(s),
                    in.to ? s.agencies[*in.to].id : "everyone", options.empty() ? "—" : options});
  }
  print_grid(std::cout, "  ", rows);
  return 0;
}

int cmd_run(const ExerciseArgs& a, const std::string& command_line) {
  const Time sample_every = sample_option(a.sample);
  if (a.log.empty()) throw UsageError("exercise run: --log LOG is required (where the exercise log is written)");
  if (std::error_code ec; fs::exists(a.log, ec)) {
    throw UsageError("--log " + a.log + ": exists already; an exercise log is never overwritten: give another name");
  }
  const LoadedExercise lx = load_exercise(a.file);
  const Exercise& x = lx.exercise;
  const Scenario& s = *lx.scenario;
  const DecisionScript script = a.decisions.empty() ? DecisionScript{} : load_decisions(a.decisions, x);
  const fs::path out = a.out.empty() ? fs::path("results") / fs::path(a.file).stem() : fs::path(a.out);
  // Locked and proved writable before the run.
  OutputDirectory dir(out, "refsim exercise", kExerciseResultFiles);
  if (dir.contains(a.log)) {
    throw UsageError("--log " + a.log + ": lies inside --out " + out.string() +
                     ", which is replaced whole when the results are written; put the log elsewhere");
  }
  ExerciseLog log(a.log, s);
  log.append(start_record(x, a.file));
  Director d(x, s, Director::Mode::script, script, &log);
  const ReferralGraph graph(s);
  ReplicationOptions o;
  o.controller = &d;
  o.sample_every = sample_every;
  RunResult res;
  const auto t0 = std::chrono::steady_clock::now();
  res.replications.push_back(run_replication(s, graph, x.seed, 0, o));
  res.events_processed = res.replications[0].events_processed;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  LogRecord end;
  end.kind = LogRecord::Kind::end;
  end.sim = x.horizon;
  end.wall = d.wall_now();
  log.append(end);
  write_results(dir, s, x.seed, res, sample_every, exercise_json(x, s, d.fired(), true, x.horizon), command_line);
  dir.commit();
  if (!a.quiet) {
    print_timeline(std::cout, x, d.fired());
    std::cout << "\n";
    print_summary_table(std::cout, RunContext{s, x.seed, 1}, res);
    std::cout << "\nexercise log written to " << a.log << "\nresults written to " << out.string()
              << "/ (exercise.json, summary.json, agencies.csv, …, run.json)\n";
  }
  return 0;
}

int cmd_replay(const ExerciseArgs& a, const std::string& command_line) {
  const Time sample_every = sample_option(a.sample);
  if (a.branch_at.empty() != a.choose.empty()) throw UsageError("--branch-at and --choose go together");
  std::vector<LogRecord> records;
  LoadedExercise lx = exercise_for_log(a.log, a.exercise, records);
  const Exercise& x = lx.exercise;
  const Scenario& s = *lx.scenario;
  const fs::path out =
      a.out.empty() ? fs::path("results") / (fs::path(a.log).stem().string() + "-replay") : fs::path(a.out);
  OutputDirectory dir(out, "refsim exercise", kExerciseResultFiles);  // before replaying
  if (a.branch_at.empty()) {
    const Replayed r = replay(x, s, records, sample_every);
    write_results(dir, s, x.seed, r.result, sample_every, exercise_json(x, s, r.fired, r.complete, r.ended_at),
                  command_line);
    dir.commit();
    if (!a.quiet) {
      if (!r.complete) {
        std::cout << "the log ends at " << sim_clock(r.ended_at)
                  << ", before the exercise's horizon (the exercise was stopped there): replayed to that point\n";
      }
      print_timeline(std::cout, x, r.fired);
      std::cout << "\nresults written to " << out.string() << "/\n";
    }
    return 0;
  }
  // A branch: the decisions as played, but `choose` at `branch_at`.
  const auto i = x.find_inject(a.branch_at);
  if (!i || !x.injects[*i].is_decision()) {
    std::string known;
    for (const Inject& in : x.injects) {
      if (in.is_decision()) known += (known.empty() ? "" : ", ") + in.id;
    }
    throw UsageError("--branch-at " + a.branch_at + ": not a decision point of " + x.file +
                     "; decision points: " + (known.empty() ? "none" : known));
  }
  const Inject& in = x.injects[*i];
  bool known_option = false;
  std::string options;
  for (const DecisionOption& op : in.options) {
    known_option = known_option || op.id == a.choose;
    options += (options.empty() ? "" : ", ") + op.id;
  }
  if (!known_option) throw UsageError("--choose " + a.choose + ": inject '" + in.id + "' has options " + options);
  if (a.replications < 2) throw UsageError("--replications must be at least 2 for paired differences");
  const DecisionScript played = decisions_of(records);
  DecisionScript branch = played;
  branch[in.id] = a.choose;
  std::vector<std::vector<FiredInject>> fired;
  const RunResult base = play(x, s, played, a.replications, a.threads);
  const RunResult other = play(x, s, branch, a.replications, a.threads, &fired);
  const std::vector<OptionDifference> diffs = key_differences(s, base, other, agencies_of(in));
  write_results(dir, s, x.seed, RunResult{{other.replications[0]}, other.replications[0].events_processed, 0, 1},
                sample_every, exercise_json(x, s, fired[0], true, s.run.horizon), command_line);
  OrderedJson j;
  j["branch_at"] = in.id;
  j["played"] = played.count(in.id) ? played.at(in.id) : in.options[in.default_option].id;
  j["chosen"] = a.choose;
  j["replications"] = a.replications;
  j["seed"] = x.seed;
  j["note"] =
      "both sides replay the decisions as logged (the facilitator's own changes are not in either), "
      "replication r of each on the streams of (seed, r)";
  OrderedJson rows = OrderedJson::array();
  for (const OptionDifference& d : diffs) {
    OrderedJson r;
    r["indicator"] = d.indicator;
    r["label"] = d.label;
    r["unit"] = d.unit;
    if (d.mean) {
      r["difference"] = *d.mean;
      r["ci95"] = d.ci_low ? OrderedJson::array({*d.ci_low, *d.ci_high}) : OrderedJson(nullptr);
      r["pairs"] = d.pairs;
      r["significant"] = d.significant;
    } else {
      r["difference"] = nullptr;
      r["not_applicable"] = d.not_applicable;
    }
    rows.push_back(std::move(r));
  }
  j["differences"] = std::move(rows);
  dir.write("branch.json", j.dump(2) + "\n");
  dir.commit();
  if (!a.quiet) {
    std::cout << "branch at " << in.id << ": " << a.choose << " instead of " << j["played"].get<std::string>()
              << ", paired over " << a.replications << " replications (branch − played, 95 % interval)\n";
    std::vector<std::vector<std::string>> table{{"indicator", "difference", "95 % interval", "pairs"}};
    const auto num = [](double v) {
      std::ostringstream os;
      os << std::setprecision(3) << v;
      return os.str();
    };
    for (const OptionDifference& d : diffs) {
      if (!d.mean) {
        table.push_back({d.label, "n/a", d.not_applicable, "0"});
        continue;
      }
      table.push_back(
          {d.label, num(*d.mean) + (d.unit.empty() ? "" : " " + d.unit),
           d.ci_low ? "[" + num(*d.ci_low) + ", " + num(*d.ci_high) + "]" + (d.significant ? "" : " ~0") : "n/a",
           std::to_string(d.pairs)});
    }
    print_grid(std::cout, "  ", table);
    std::cout << "  (~0: the interval includes zero)\nresults written to " << out.string() << "/ (branch.json, …)\n";
  }
  return 0;
}

int cmd_report(const ExerciseArgs& a) {
  std::vector<LogRecord> records;
  LoadedExercise lx = exercise_for_log(a.log, a.exercise, records);
  const fs::path out =
      a.out.empty() ? fs::path("results") / (fs::path(a.log).stem().string() + "-aar") : fs::path(a.out);
  AnalysisOptions opt;
  opt.replications = a.replications;
  opt.threads = a.threads;
  OutputDirectory dir(out, "refsim exercise report", {"after-action.md", "after-action.html"});  // before analysing
  const ExerciseAnalysis an = analyse(lx.exercise, *lx.scenario, records, opt);
  dir.write("after-action.md", after_action_markdown(an));
  dir.write("after-action.html", after_action_html(an));
  dir.commit();
  if (!a.quiet) {
    std::cout << "after-action report written to " << (out / "after-action.md").string() << " and "
              << (out / "after-action.html").string() << "\n";
  }
  return 0;
}

}  // namespace

std::string sim_clock(Time t) { return format_clock(t); }

CLI::App* add_exercise_command(CLI::App& app, ExerciseArgs& a) {
  auto* ex =
      app.add_subcommand("exercise", "Tabletop exercises: check, play headless, replay, report (docs/exercises.md)");
  ex->require_subcommand(1);
  a.check = ex->add_subcommand("check", "Validate an exercise file and its scenario, and list the MSEL");
  a.check->add_option("file", a.file, "Exercise file (TOML)")->required();

  a.run = ex->add_subcommand("run",
                             "Play an exercise headless (a rehearsal, CI): every decision from --decisions, "
                             "else its default");
  a.run->add_option("file", a.file, "Exercise file (TOML)")->required();
  a.run->add_option("--log", a.log, "The exercise log to write (JSON lines; must not exist)")->required();
  a.run->add_option("-o,--out", a.out, "Output directory (default: results/<exercise name>)");
  a.run->add_option("--decisions", a.decisions, "Decisions file: [decisions] inject = \"option\"")->type_name("D.toml");
  a.run->add_option("--sample", a.sample, "Time series interval (0: none)")->default_str("1d");
  a.run->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");

  a.replay = ex->add_subcommand("replay",
                                "Reproduce an exercise from its log (the same files, byte for byte, but "
                                "run.json), or branch it: what if another option had been chosen");
  a.replay->add_option("log", a.log, "The exercise log")->required();
  a.replay->add_option("-o,--out", a.out, "Output directory (default: results/<log>-replay)");
  a.replay->add_option("--exercise", a.exercise, "The exercise file, instead of the one the log names");
  a.replay->add_option("--branch-at", a.branch_at, "A decision point (inject id) to decide otherwise");
  a.replay->add_option("--choose", a.choose, "The option to choose there instead");
  a.replay->add_option("-r,--replications", a.replications, "Replications behind the paired differences of a branch")
      ->default_str("20");
  a.replay->add_option("-j,--threads", a.threads, "Worker threads (0: all cores)")->default_str("0");
  a.replay->add_option("--sample", a.sample, "Time series interval (0: none)")->default_str("1d");
  a.replay->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");

  a.report = ex->add_subcommand("report", "Write the after-action report / improvement plan (HTML and Markdown)");
  a.report->add_option("log", a.log, "The exercise log")->required();
  a.report->add_option("-o,--out", a.out, "Output directory (default: results/<log>-aar)");
  a.report->add_option("--exercise", a.exercise, "The exercise file, instead of the one the log names");
  a.report->add_option("-r,--replications", a.replications, "Replications behind each counterfactual")
      ->default_str("20");
  a.report->add_option("-j,--threads", a.threads, "Worker threads (0: all cores)")->default_str("0");
  a.report->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");
  return ex;
}

int run_exercise(const ExerciseArgs& a, const std::string& command_line) {
  if (*a.check) return cmd_check(a);
  if (*a.run) return cmd_run(a, command_line);
  if (*a.replay) return cmd_replay(a, command_line);
  if (*a.report) return cmd_report(a);
  return 0;
}

}  // namespace refsim::cli
