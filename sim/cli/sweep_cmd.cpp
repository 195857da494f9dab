// `refsim sweep`: a scenario run over a grid of overrides, every point on the same replications
// (common random numbers), each point a run with a stable id written whole to runs/<id>.json;
// shards of the runs for a cluster (`--shard I/N`, or Slurm's array variables), `--resume`, and
// `refsim merge`, which joins the shards' directories into the files one process would write.
#include "sim/cli/sweep_cmd.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "sim/cli/cli_common.hpp"
#include "sim/cli/progress.hpp"
#include "sim/experiment/indicators.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/sweep.hpp"
#include "sim/model/sweep.hpp"
#include "sim/random/streams.hpp"
#include "sim/report/html.hpp"
#include "sim/report/report.hpp"
#include "sim/report/sweep_output.hpp"
#include "sim/scenario/loader.hpp"
#include "sim/scenario/sweep_loader.hpp"

namespace refsim::cli {

namespace {

using Json = nlohmann::ordered_json;

/// The files that hold the results over all runs (written only when every run is there).
constexpr const char* kResultFiles[] = {"sweep.json", "sweep.csv", "report.html"};

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream os;
  os << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return os.str();
}

/// The shard: --shard I/N, else Slurm's array variables, else 0/1. `how` says where it came from.
Shard shard_of(const std::string& option, std::string& how) {
  if (!option.empty()) {
    try {
      how = "--shard";
      return parse_shard(option);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  if (!id || !*id) return Shard{};
  const auto number = [](const char* name, const char* text) {
    unsigned long long v = 0;
    const std::string t = text;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) {
      throw UsageError(std::string(name) + "=" + t + ": expected a whole number (Slurm's array variables)");
    }
    return v;
  };
  const auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  const unsigned long long task = number("SLURM_ARRAY_TASK_ID", id);
  const unsigned long long min =
      env("SLURM_ARRAY_TASK_MIN") ? number("SLURM_ARRAY_TASK_MIN", env("SLURM_ARRAY_TASK_MIN")) : 0;
  const unsigned long long step =
      env("SLURM_ARRAY_TASK_STEP") ? number("SLURM_ARRAY_TASK_STEP", env("SLURM_ARRAY_TASK_STEP")) : 1;
  unsigned long long count = 0;
  if (env("SLURM_ARRAY_TASK_COUNT")) {
    count = number("SLURM_ARRAY_TASK_COUNT", env("SLURM_ARRAY_TASK_COUNT"));
  } else if (env("SLURM_ARRAY_TASK_MAX")) {
    const unsigned long long max = number("SLURM_ARRAY_TASK_MAX", env("SLURM_ARRAY_TASK_MAX"));
    if (max >= min && step > 0) count = (max - min) / step + 1;
  }
  if (count == 0 || step == 0 || task < min || (task - min) % step != 0 || (task - min) / step >= count) {
    throw UsageError("SLURM_ARRAY_TASK_ID=" + std::string(id) +
                     ": not a task of a regular array (--array=0-N or a range with a step; with "
                     "SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MAX); give --shard I/N instead");
  }
  how = "SLURM_ARRAY_TASK_ID";
  return Shard{static_cast<std::uint32_t>((task - min) / step), static_cast<std::uint32_t>(count)};
}

std::string values_text(const Json& values) {
  std::string out;
  for (auto it = values.begin(); it != values.end(); ++it)
    out += (out.empty() ? "" : ", ") + it.key() + "=" + it.value().get<std::string>();
  return out;
}

double peak_rss_mib() {
  rusage usage{};
  return ::getrusage(RUSAGE_SELF, &usage) == 0 ? static_cast<double>(usage.ru_maxrss) / 1024.0 : 0.0;
}

fs::path run_path(const fs::path& dir, const std::string& id) { return dir / "runs" / (id + ".json"); }

/// Run `id` of the sweep `identity` as written in `dir`: nothing when it is not there whole.
std::optional<SweepRunRecord> read_run(const fs::path& dir, const std::string& identity, const std::string& id) {
  const auto text = read_file(run_path(dir, id));
  return text ? parse_sweep_run(*text, identity, id) : std::nullopt;
}

/// Writes sweep.json, sweep.csv and report.html for the runs in `dir/runs` (each whole or not at
/// all), streaming: `threads` runs at a time are read and formatted, then written in plan order
/// and dropped, so that memory holds a run per thread and the few estimates the report draws.
/// `present(i)` says whether run i is there; a run said present and found missing is an error.
/// Returns the terminal table (print_sweep_table's).
std::string write_results(const fs::path& dir, const Json& plan, const std::function<bool(std::size_t)>& present,
                          unsigned threads, bool quiet) {
  const std::string identity = plan.at("identity").get<std::string>();
  const Json& planned = plan.at("runs");
  AtomicOutputFile json(dir / "sweep.json"), csv(dir / "sweep.csv");
  // What waits for the end goes to scratch files, removed when done: sweep.json's runs (they come
  // after the indicators, known at the end), the estimates the report draws (read a column at a
  // time), and the report's figures' data (the page's last element).
  struct Scratch {
    fs::path path;
    std::fstream stream;
    Scratch(const fs::path& dir, const std::string& what)
        : path(dir / ("." + what + ".tmp." + std::to_string(::getpid()))),
          stream(path, std::ios::binary | std::ios::in | std::ios::out | std::ios::trunc) {
      if (!stream) throw std::runtime_error(path.string() + ": cannot create file: " + std::strerror(errno));
    }
    ~Scratch() {
      stream.close();
      std::error_code ignored;
      fs::remove(path, ignored);
    }
    void rewind(const char* what) {
      stream.flush();
      if (!stream) throw std::runtime_error(path.string() + ": write failed (disk full?) in " + what);
      stream.seekg(0);
    }
  };
  Scratch scratch(dir, "sweep.json.runs"), report_scratch(dir, "report.html.estimates"),
      figures(dir, "report.html.figures");
  SweepResultsWriter writer(plan, csv.stream(), scratch.stream, report_scratch.stream);
  const std::size_t n = planned.size();
  const std::size_t batch = std::max<std::size_t>(1, threads ? threads : std::thread::hardware_concurrency());
  std::vector<SweepRunPart> parts;
  for (std::size_t base = 0; base < n; base += batch) {
    const std::size_t count = std::min(batch, n - base);
    parts.assign(count, SweepRunPart{});
    run_parallel(static_cast<std::uint32_t>(count), threads, [&](std::uint32_t k) {
      const std::size_t i = base + k;
      std::optional<SweepRunRecord> rec;
      if (present(i)) {
        const std::string id = planned[i].at("id").get<std::string>();
        rec = read_run(dir, identity, id);
        if (!rec) throw std::runtime_error(run_path(dir, id).string() + ": changed while the results were written");
      }
      parts[k] = sweep_run_part(plan, i, rec ? &*rec : nullptr);
    });
    for (SweepRunPart& p : parts) writer.add(std::move(p));
  }
  scratch.rewind("sweep.json");
  writer.finish(json.stream(), scratch.stream);
  json.close();
  csv.close();
  // The page is written as it is made: without Chart.js (the page's first step throws) or when a
  // scratch file fails, the warning says why and the partial file is removed, never renamed.
  auto report = std::make_unique<AtomicOutputFile>(dir / "report.html");
  try {
    report_scratch.rewind("report.html");
    writer.write_report(report->stream(), report_scratch.stream, figures.stream);
  } catch (const std::runtime_error& e) {
    report.reset();
    if (!quiet) std::cerr << "refsim: warning: no report.html: " << e.what() << "\n";
  }
  if (report) report->close();
  json.commit();
  csv.commit();
  if (report) report->commit();
  std::ostringstream table;
  writer.print_table(table);
  return table.str();
}

std::string unknown_indicator(const std::string& name, const std::vector<IndicatorDef>& defs) {
  std::string close;
  std::size_t shown = 0;
  const std::string head = name.substr(0, name.find('.') + 1);
  for (const IndicatorDef& d : defs) {
    if (shown < 8 && !head.empty() && d.name.rfind(head, 0) == 0) {
      close += (shown ? ", " : "") + d.name;
      ++shown;
    }
  }
  return "--indicator: unknown indicator '" + name + "'" + (close.empty() ? "" : "; for example: " + close + ", …") +
         " (every indicator is a path in summary.json joined by dots)";
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app, SweepArgs& a) {
  auto* c = app.add_subcommand(
      "sweep",
      "Run a scenario over a grid of parameter values, every run on the same replications (common random "
      "numbers): sweep.csv, sweep.json and report.html with every indicator's mean and 95 % interval per run");
  a.command = c;
  c->add_option("file", a.file, "Scenario file (TOML), or a sweep file ([sweep] and [[vary]], docs/sweeps.md)")
      ->required();
  a.vary_option = c->add_option("--vary", a.vary,
                                "A swept key and its values: a list (agency.screening.servers=2,3,4) or a range "
                                "(agency.shelter.beds=20..60:10); repeated: a grid (repeatable)")
                      ->type_name("PATH=VALUES")
                      ->expected(1)
                      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  a.with_option = c->add_option("--with", a.with,
                                "A key varying in lockstep with the --vary before it (as many values; repeatable)")
                      ->type_name("PATH=VALUES")
                      ->expected(1)
                      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--where", a.where,
                "A constraint that drops the combinations where it is false, e.g. \"beds + ngo_beds <= 80\" "
                "(names: swept paths or their unique endings; repeatable: all must hold)")
      ->type_name("EXPR")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--set", a.sets, "Override a key in every run, as for run (repeatable; docs/variants.md)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("-r,--replications", a.replications, "Replications of every run (default: the scenario's)")
      ->check(CLI::Range(1u, 1000000u));
  c->add_option("--seed", a.seed, "Base random seed, 0 to 2^64 - 1 (default: the scenario's run.seed)")->type_name("N");
  c->add_option("--indicator", a.indicators,
                "Keep only this indicator (repeatable; its path in summary.json joined by dots; default: all, the "
                "report drawing the key ones)")
      ->type_name("NAME")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("-o,--out", a.out, "Output directory (default: results/<scenario name>-sweep)");
  c->add_option("--shard", a.shard,
                "Run only shard I of N (runs whose index is I modulo N), for a cluster (default: from "
                "SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT when set, else all)")
      ->type_name("I/N");
  c->add_flag("--resume", a.resume, "Skip the runs already written whole in the output directory");
  c->add_option("-j,--threads", a.threads, "Worker threads (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0u, 1024u));
  c->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");
  return c;
}

CLI::App* add_merge_command(CLI::App& app, MergeArgs& a) {
  auto* c = app.add_subcommand("merge",
                               "Join the output directories of a sweep's shards into one, with the files one process "
                               "running every shard would write (names missing and duplicate runs)");
  c->add_option("dirs", a.dirs, "The shards' output directories")->required()->expected(1, 1000000);
  c->add_option("-o,--out", a.out, "The merged output directory (may be one of the shards')")->required();
  c->add_flag("--allow-incomplete", a.allow_incomplete,
              "Write the results of the runs there are when some are missing (they are listed), and exit 0");
  c->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");
  return c;
}

int run_sweep_command(const SweepArgs& a, const std::string& command_line) {
  const auto start = std::chrono::steady_clock::now();
  const std::optional<std::uint64_t> given_seed = seed_option(a.seed);
  std::string shard_from;
  const Shard shard = shard_of(a.shard, shard_from);

  // What is swept: the sweep file's axes and constraints, then the command line's.
  std::string scenario_file = a.file;
  SweepSpec spec;
  std::vector<std::string> sets;
  std::optional<std::uint64_t> file_seed;
  std::optional<std::uint32_t> file_reps;
  std::vector<std::string> chosen;
  if (is_sweep_file(a.file)) {
    SweepFile f = load_sweep_file(a.file);
    scenario_file = f.scenario;
    spec = std::move(f.spec);
    sets = std::move(f.sets);
    file_seed = f.seed;
    file_reps = f.replications;
    chosen = std::move(f.indicators);
  }
  std::size_t vary_seen = 0, with_seen = 0;
  for (const CLI::Option* o : a.command->parse_order()) {
    try {
      if (o == a.vary_option) {
        spec.axes.push_back(SweepAxis{{parse_vary(a.vary.at(vary_seen++))}});
      } else if (o == a.with_option) {
        const std::string& w = a.with.at(with_seen++);
        if (spec.axes.empty()) throw UsageError("--with " + w + ": must follow a --vary, with which it varies");
        spec.axes.back().parameters.push_back(parse_vary(w));
      }
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string(o == a.vary_option ? "--vary " : "--with ") + e.what());
    }
  }
  spec.where.insert(spec.where.end(), a.where.begin(), a.where.end());
  sets.insert(sets.end(), a.sets.begin(), a.sets.end());
  if (!a.indicators.empty()) chosen = a.indicators;
  for (std::string& n : chosen) n = canonical_indicator_name(n);
  SweepGrid grid;
  try {
    grid = expand_sweep(spec);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  // Everything is checked before anything runs: the scenario, then every point's overrides.
  const Scenario base = load_scenario(scenario_file, sets);
  const std::uint64_t seed = given_seed ? *given_seed : file_seed.value_or(base.run.seed);
  const std::uint32_t reps = a.replications ? *a.replications : file_reps.value_or(base.run.replications);
  if (!chosen.empty()) {
    const std::vector<IndicatorDef> defs = indicators(base);
    for (const std::string& n : chosen) {
      if (std::none_of(defs.begin(), defs.end(), [&](const IndicatorDef& d) { return d.name == n; }))
        throw UsageError(unknown_indicator(n, defs));
    }
    std::vector<std::string> unique;
    for (const std::string& n : chosen)
      if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    chosen = std::move(unique);
  }
  const auto point_sets = [&](const SweepPoint& p) {
    std::vector<std::string> s = sets;
    const std::vector<std::string> own = p.sets();
    s.insert(s.end(), own.begin(), own.end());
    return s;
  };
  for (const SweepPoint& p : grid.points) {
    try {
      (void)load_scenario(scenario_file, point_sets(p));
    } catch (const ScenarioError& e) {
      std::string msg = e.what();
      if (msg.rfind("--set ", 0) == 0) msg = "--vary " + msg.substr(6);
      throw UsageError("run " + std::to_string(p.index) + " (" + p.id + "): " + msg);
    }
  }

  // The plan: what defines every file of the results.
  const std::string fingerprint = scenario_fingerprint(scenario_file, sets);
  std::string identity_text = std::string("refsim ") + REFSIM_VERSION + "\nscenario " + fingerprint + "\nseed " +
                              std::to_string(seed) + "\nreplications " + std::to_string(reps) + "\n";
  for (const std::string& s : sets) identity_text += "set " + s + "\n";
  for (const std::string& n : chosen) identity_text += "indicator " + n + "\n";
  const std::string identity = fnv1a_hex(identity_text);
  Json plan;
  plan["refsim_sweep"] = 1;
  plan["refsim_version"] = REFSIM_VERSION;
  plan["identity"] = identity;
  plan["scenario"] = Json{{"file", scenario_file}, {"name", base.name}, {"fingerprint", fingerprint}};
  plan["seed"] = seed;
  plan["replications"] = reps;
  plan["set"] = sets;
  plan["chosen_indicators"] = chosen;
  Json axes = Json::array();
  for (const SweepAxis& axis : spec.axes) {
    Json ax = Json::array();
    for (const SweepParameter& p : axis.parameters) ax.push_back(Json{{"path", p.path}, {"values", p.values}});
    axes.push_back(std::move(ax));
  }
  plan["axes"] = std::move(axes);
  plan["where"] = spec.where;
  plan["combinations"] = grid.combinations;
  plan["dropped"] = grid.dropped;
  Json runs = Json::array();
  for (const SweepPoint& p : grid.points) {
    Json values = Json::object();
    for (const auto& [path, value] : p.values) values[path] = value;
    runs.push_back(Json{{"index", p.index}, {"id", p.id}, {"values", std::move(values)}});
  }
  plan["runs"] = std::move(runs);
  const std::string plan_text = plan.dump(2) + "\n";

  const fs::path out =
      a.out.empty() ? fs::path("results") / (fs::path(scenario_file).stem().string() + "-sweep") : fs::path(a.out);
  CreatedDirectory out_dir(out);
  std::error_code ec;
  fs::create_directories(out / "runs", ec);
  if (ec) throw std::runtime_error((out / "runs").string() + ": cannot create the directory: " + ec.message());
  // Another sweep's results would mislead: they go when the plan changes (runs stay, and are
  // run again unless they are of this sweep).
  if (read_file(out / "plan.json") != plan_text) {
    for (const char* f : kResultFiles) fs::remove(out / f, ec);
    write_file_atomic(out / "plan.json", plan_text);
  }

  // This shard's runs, less those written already (--resume).
  std::vector<std::size_t> todo;
  std::size_t mine = 0, skipped = 0;
  // The runs known whole: those --resume finds, and those written here.
  std::vector<char> whole(grid.points.size(), 0);
  for (const SweepPoint& p : grid.points) {
    if (!shard.contains(p.index)) continue;
    ++mine;
    if (a.resume) {
      if (const auto text = read_file(run_path(out, p.id))) {
        std::string why;
        if (parse_sweep_run(*text, identity, p.id, &why)) {
          ++skipped;
          whole[p.index] = 1;
          continue;
        }
        if (!a.quiet) std::cerr << "refsim: run " << p.id << " is run again: " << why << "\n";
      }
    }
    todo.push_back(p.index);
  }
  if (!a.quiet) {
    std::cerr << "sweep: " << grid.points.size() << " runs (" << grid.combinations << " combinations"
              << (grid.dropped ? ", " + std::to_string(grid.dropped) + " dropped by the constraint" : "") << ") × "
              << reps << " replication(s), seed " << seed;
    if (shard.count > 1) {
      std::cerr << "; shard " << shard.index << "/" << shard.count << " (from " << shard_from << "): " << mine
                << " runs";
    }
    if (a.resume) std::cerr << "; " << skipped << " written already";
    std::cerr << "\n";
  }

  SweepRunOptions opt;
  opt.seed = seed;
  opt.replications = reps;
  opt.threads = a.threads;
  opt.indicators = chosen;
  ProgressBar bar(std::cerr, !a.quiet && ::isatty(STDERR_FILENO), "replications");
  opt.progress = [&bar](std::uint64_t done, std::uint64_t total, std::size_t runs_done, std::size_t runs_total) {
    bar.update(done, total, "runs " + std::to_string(runs_done) + "/" + std::to_string(runs_total));
  };
  const Json& planned = plan["runs"];
  // Each run's file is formatted and written by the thread that made it (concurrent_done): the
  // files differ, whole[i] is the run's own, and events adds atomically.
  opt.concurrent_done = true;
  std::atomic<std::uint64_t> events = 0;
  const unsigned threads = run_sweep(
      todo.size(), [&](std::size_t j) { return load_scenario(scenario_file, point_sets(grid.points[todo[j]])); }, opt,
      [&](SweepRunRecord&& rec) {
        const std::size_t i = todo[rec.job];
        events += rec.events_processed;
        write_file_atomic(run_path(out, grid.points[i].id), sweep_run_file(identity, planned[i], rec));
        whole[i] = 1;
      });
  bar.finish();

  // The results, when every run is there (a shard that finishes the sweep in a shared directory
  // writes them too: the other shards' runs are checked here).
  for (const SweepPoint& p : grid.points) {
    if (!whole[p.index] && read_run(out, identity, p.id)) whole[p.index] = 1;
  }
  const std::size_t present = static_cast<std::size_t>(std::count(whole.begin(), whole.end(), 1));
  const bool complete = present == whole.size();
  std::string table;
  if (complete)
    table = write_results(
        out, plan, [&](std::size_t i) { return whole[i] != 0; }, a.threads, a.quiet);

  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json run;
  run["refsim_version"] = REFSIM_VERSION;
  run["command"] = command_line;
  run["shard"] = std::to_string(shard.index) + "/" + std::to_string(shard.count);
  run["runs_in_shard"] = mine;
  run["runs_run"] = todo.size();
  run["runs_skipped"] = skipped;
  run["threads"] = threads;
  run["wall_seconds"] = wall;
  run["events_processed"] = events.load();
  run["events_per_second"] = wall > 0 ? static_cast<double>(events.load()) / wall : 0.0;
  run["peak_rss_mib"] = peak_rss_mib();
  write_file_atomic(out / "run.json", run.dump(2) + "\n");
  out_dir.keep();

  if (!a.quiet) {
    if (complete) {
      std::cout << table << "\n";
    }
    std::cout << todo.size() << " runs in " << std::fixed << std::setprecision(1) << wall << " s (" << threads
              << " thread(s))";
    if (complete) {
      std::cout << "; results written to " << out.string()
                << "/ (sweep.csv, sweep.json, report.html, plan.json, runs/, "
                << "run.json)\n";
    } else {
      std::cout << "; " << present << " of " << whole.size() << " runs in " << out.string()
                << "/runs; join the shards' directories with refsim merge DIR… --out DIR\n";
    }
  }
  return 0;
}

int run_merge_command(const MergeArgs& a, const std::string& command_line) {
  const auto start = std::chrono::steady_clock::now();
  // Every input holds the plan of the same sweep.
  Json plan;
  std::string plan_text;
  for (const std::string& d : a.dirs) {
    const auto text = read_file(fs::path(d) / "plan.json");
    if (!text) throw UsageError(d + ": no plan.json: not the output directory of refsim sweep");
    const Json p = Json::parse(*text, nullptr, false);
    if (p.is_discarded() || !p.contains("identity") || !p.contains("runs")) {
      throw UsageError(d + "/plan.json: not a sweep plan (cut short, or not written by refsim sweep)");
    }
    if (plan.is_null()) {
      plan = p;
      plan_text = *text;
    } else if (p["identity"] != plan["identity"] || p["runs"] != plan["runs"]) {
      throw UsageError(d + " holds another sweep than " + a.dirs.front() + " (identity " +
                       p["identity"].get<std::string>() + " vs " + plan["identity"].get<std::string>() +
                       (p["identity"] == plan["identity"] ? "; another grid" : "") + ")");
    }
  }
  const std::string identity = plan["identity"].get<std::string>();
  const Json& planned = plan["runs"];
  // Where each run is found (an index into a.dirs), and its events: the runs are checked here
  // and copied below, one at a time, never all held.
  std::vector<std::optional<std::size_t>> source(planned.size());
  std::vector<std::string> duplicates, missing, notes;
  std::uint64_t events = 0;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const std::string id = planned[i]["id"].get<std::string>();
    std::vector<std::string> found_in;
    std::string first_text;
    for (std::size_t di = 0; di < a.dirs.size(); ++di) {
      const std::string& d = a.dirs[di];
      const auto text = read_file(run_path(d, id));
      if (!text) continue;
      if (source[i]) {
        if (*text != first_text) {
          // Only a valid file can differ: one that does not parse is left out.
          std::string why;
          if (!parse_sweep_run(*text, identity, id, &why)) {
            notes.push_back(run_path(d, id).string() + ": left out: " + why);
            continue;
          }
          throw std::runtime_error("run " + id + " differs between " + found_in.front() + " and " + d +
                                   ": the shards did not compute the same results (a damaged file?)");
        }
      } else {
        std::string why;
        const auto rec = parse_sweep_run(*text, identity, id, &why);
        if (!rec) {
          notes.push_back(run_path(d, id).string() + ": left out: " + why);
          continue;
        }
        source[i] = di;
        events += rec->events_processed;
        first_text = *text;
      }
      found_in.push_back(d);
    }
    // The output directory given as an input too is not a duplicate of itself.
    std::vector<std::string> distinct;
    for (const std::string& d : found_in) {
      std::error_code ec;
      const bool same =
          std::any_of(distinct.begin(), distinct.end(), [&](const std::string& x) { return fs::equivalent(x, d, ec); });
      if (!same) distinct.push_back(d);
    }
    if (distinct.size() > 1) {
      std::string where;
      for (const std::string& d : distinct) where += (where.empty() ? "" : ", ") + d;
      duplicates.push_back("run " + std::to_string(i) + " (" + id + ") is in " + where);
    }
    if (!source[i])
      missing.push_back("run " + std::to_string(i) + " (" + id + ": " + values_text(planned[i]["values"]) + ")");
  }
  if (!a.quiet) {
    for (const std::string& n : notes) std::cerr << "refsim: warning: " << n << "\n";
    for (const std::string& d : duplicates)
      std::cerr << "refsim: duplicate: " << d << " (the same results; kept once)\n";
  }
  const auto list_missing = [&](std::ostream& os) {
    for (std::size_t k = 0; k < missing.size() && k < 20; ++k) os << "  missing: " << missing[k] << "\n";
    if (missing.size() > 20) os << "  … and " << missing.size() - 20 << " more\n";
  };
  if (!missing.empty() && !a.allow_incomplete) {
    std::cerr << "refsim: error: " << missing.size() << " of " << planned.size()
              << " runs are missing (nothing written; --allow-incomplete writes the results of the others):\n";
    list_missing(std::cerr);
    return kExitFailure;
  }

  const fs::path out(a.out);
  CreatedDirectory out_dir(out);
  std::error_code ec;
  fs::create_directories(out / "runs", ec);
  if (ec) throw std::runtime_error((out / "runs").string() + ": cannot create the directory: " + ec.message());
  if (read_file(out / "plan.json") != plan_text) {
    for (const char* f : kResultFiles) fs::remove(out / f, ec);
    write_file_atomic(out / "plan.json", plan_text);
  }
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (!source[i]) continue;
    const std::string id = planned[i]["id"].get<std::string>();
    const fs::path p = run_path(out, id);
    const auto text = read_file(run_path(a.dirs[*source[i]], id));
    if (!text) throw std::runtime_error(run_path(a.dirs[*source[i]], id).string() + ": gone while merging");
    if (read_file(p) != *text) write_file_atomic(p, *text);
  }
  write_results(
      out, plan, [&](std::size_t i) { return source[i].has_value(); }, 0, a.quiet);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json run;
  run["refsim_version"] = REFSIM_VERSION;
  run["command"] = command_line;
  run["merged"] = a.dirs;
  run["runs"] = planned.size() - missing.size();
  run["missing"] = missing.size();
  run["duplicates"] = duplicates.size();
  run["events_processed"] = events;
  run["wall_seconds"] = wall;
  write_file_atomic(out / "run.json", run.dump(2) + "\n");
  out_dir.keep();
  if (!a.quiet) {
    std::cout << "merged " << a.dirs.size() << " director" << (a.dirs.size() == 1 ? "y" : "ies") << ": "
              << planned.size() - missing.size() << " of " << planned.size() << " runs";
    if (!duplicates.empty()) std::cout << " (" << duplicates.size() << " duplicate)";
    std::cout << "; results written to " << out.string() << "/ (sweep.csv, sweep.json, report.html)\n";
    if (!missing.empty()) {
      std::cerr << "refsim: warning: " << missing.size() << " runs are missing:\n";
      list_missing(std::cerr);
    }
  }
  return 0;
}

}  // namespace refsim::cli
