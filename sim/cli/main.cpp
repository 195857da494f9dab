// refsim — command-line front end: run, check, graph and diff referral-mechanism scenarios.
//
// Exit codes: 0 success; 2 bad input (scenario file or command line); 1 any other failure
// (e.g. the output directory cannot be written), or `diff --exit-code` when the scenarios differ.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/cli/bottlenecks_cmd.hpp"
#include "sim/cli/check_cmd.hpp"
#include "sim/cli/cli_common.hpp"
#include "sim/cli/compare_cmd.hpp"
#include "sim/cli/exercise_cmd.hpp"
#include "sim/cli/man_page.hpp"
#include "sim/cli/plan_cmd.hpp"
#include "sim/cli/progress.hpp"
#include "sim/cli/sweep_cmd.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/experiment/warmup.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/parameters.hpp"
#include "sim/random/streams.hpp"
#include "sim/report/case_log.hpp"
#include "sim/report/html.hpp"
#include "sim/report/output_directory.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/diff.hpp"
#include "sim/scenario/loader.hpp"

namespace fs = std::filesystem;
using namespace refsim;
using namespace refsim::cli;

namespace {

std::string joined_args(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) {
    if (i) out += ' ';
    out += argv[i];
  }
  return out;
}

/// Every file `refsim run` may write in its output directory.
const std::vector<std::string> kRunFiles{
    "summary.json",         "agencies.csv",  "cases.csv",      "referrals.csv",        "deadlines.csv", "cohorts.csv",
    "deadline_cohorts.csv", "countries.csv", "timeseries.csv", "cases_milestones.csv", "run.json"};

struct RunArgs {
  std::string scenario;
  std::string out;
  std::string seed;  ///< empty: the scenario's run.seed
  std::optional<std::uint32_t> replications;
  unsigned threads = 0;
  bool quiet = false;
  std::string sample = "7d";  ///< time series interval; "0" disables
  bool sample_given = false;  ///< --sample was on the command line
  bool milestones = false;
  std::string xes;                ///< event log path; empty: none
  std::string warmup;             ///< empty: the scenario's; "auto": MSER-5; else a duration
  std::vector<std::string> sets;  ///< --set PATH=VALUE overrides, in order
  std::string report;             ///< HTML report path; empty: none
};

int cmd_run(const RunArgs& args, const std::string& command_line) {
  const std::uint64_t given_seed = seed_option(args.seed).value_or(0);  // checked before the scenario is loaded
  const Time sample_every = sample_option(args.sample);
  std::optional<Time> given_warmup;
  if (!args.warmup.empty() && args.warmup != "auto") {
    try {
      given_warmup = parse_duration(args.warmup);
    } catch (const std::invalid_argument& e) {
      throw UsageError("--warmup: expected auto or a duration such as 365d, got " + args.warmup + " (" + e.what() +
                       ")");
    }
    if (!(*given_warmup >= 0)) throw UsageError("--warmup must be auto or a duration >= 0, got " + args.warmup);
  }
  Scenario s = load_scenario(args.scenario, args.sets);
  if (given_warmup) {
    if (!(*given_warmup < s.run.horizon)) {
      throw UsageError("--warmup " + args.warmup + " must be less than the horizon (" + format_duration(s.run.horizon) +
                       ")");
    }
    s.run.warmup = *given_warmup;
  }
  const ReferralGraph graph(s);
  if (too_many_time_series_rows(s.run.horizon, sample_every, s.agencies.size())) {
    const std::string rows = " and " + std::to_string(s.agencies.size()) + " agencies gives more than " +
                             std::to_string(kMaxTimeSeriesRows) + " time-series rows";
    if (args.sample_given) {
      throw UsageError("--sample " + args.sample + " over a horizon of " + format_duration(s.run.horizon) + rows +
                       "; sample less often, or --sample 0 for none");
    }
    // The default interval: the horizon is what is long, so the message points at it.
    throw ScenarioError(s.run.horizon_at, "horizon = " + format_duration(s.run.horizon) + " with a sample every " +
                                              args.sample + " (the default of --sample)" + rows +
                                              "; give --sample a longer interval, or --sample 0 for no time series");
  }
  if (!args.quiet) print_run_warnings(std::cerr, s, graph);

  if (std::error_code ec; !args.xes.empty() && fs::is_directory(args.xes, ec)) {
    throw UsageError("--xes " + args.xes + ": is a directory; expected the name of the log file to write");
  }
  if (std::error_code ec; !args.report.empty() && fs::is_directory(args.report, ec)) {
    throw UsageError("--report " + args.report + ": is a directory; expected the name of the HTML file to write");
  }
  const fs::path out = args.out.empty() ? fs::path("results") / fs::path(args.scenario).stem() : fs::path(args.out);
  // Locked, cleaned of what killed runs left, and proved writable before anything is simulated.
  OutputDirectory out_dir(out, "refsim run", kRunFiles);
  // Streamed outputs of replication 0, renamed into place once the run has finished.
  std::unique_ptr<MilestoneWriter> milestones;
  std::unique_ptr<XesWriter> xes;
  if (args.milestones) milestones = std::make_unique<MilestoneWriter>(s, out_dir.file("cases_milestones.csv"));
  if (!args.xes.empty()) xes = std::make_unique<XesWriter>(s, out_dir.place(args.xes));

  const std::uint64_t seed = args.seed.empty() ? s.run.seed : given_seed;
  const std::uint32_t replications = args.replications.value_or(s.run.replications);
  std::string warmup_rule;
  if (args.warmup == "auto") {
    const std::uint32_t pilots = std::min<std::uint32_t>(replications, kWarmupPilots);
    const WarmupChoice w = choose_warmup(s, graph, seed, pilots, args.threads);
    s.run.warmup = w.warmup;
    warmup_rule = "MSER-5 on the persons in the mechanism, " + std::to_string(w.samples) + " samples every " +
                  format_duration(w.sample_every) + " averaged over " + std::to_string(w.replications) +
                  " pilot replication(s)";
    if (!args.quiet) {
      std::cerr << "warm-up: " << format_duration(w.warmup) << " (" << warmup_rule << ")\n";
      if (w.at_limit)
        std::cerr << "refsim: warning: MSER-5 found no steady state within the horizon (it cut half the run): "
                     "the mechanism may still be filling up at the end; lengthen the horizon\n";
    }
  }

  RunOptions opt;
  opt.sample_every = sample_every;
  if (milestones) opt.watchers.push_back(milestones.get());
  if (xes) opt.watchers.push_back(xes.get());
  opt.seed = seed;
  opt.replications = replications;
  opt.threads = args.threads;
  ProgressBar bar(std::cerr, !args.quiet && ::isatty(STDERR_FILENO), "replications");
  opt.progress = [&bar](std::uint32_t done, std::uint32_t total) { bar.update(done, total); };
  const RunResult res = run_replications(s, graph, opt);
  bar.finish();
  RunContext ctx{s, opt.seed, opt.replications};
  ctx.warmup_rule = warmup_rule;
  if (warmup_rule.empty()) {
    if (auto w = short_warmup_warning(s, res)) ctx.warnings.push_back(*w);
  }
  if (!args.quiet) {
    for (const std::string& w : ctx.warnings) std::cerr << "refsim: warning: " << w << "\n";
  }

  // Every output goes whole into the staging directory, which commit() swaps in at once: a
  // reader sees this run or the one before, never a mix. The event log and the report go to the
  // user's paths, and join the directory's swap when they lie in it.
  std::vector<std::pair<const char*, std::string>> texts{
      {"summary.json", summary_json(ctx, res)},
      {"agencies.csv", agencies_csv(ctx, res)},
      {"cases.csv", cases_csv(ctx, res)},
      {"referrals.csv", referrals_csv(ctx, res)},
      {"deadlines.csv", deadlines_csv(ctx, res)},
      {"cohorts.csv", cohorts_csv(ctx, res)},
      {"deadline_cohorts.csv", deadline_cohorts_csv(ctx, res)},
  };
  if (s.by_country()) texts.emplace_back("countries.csv", countries_csv(ctx, res));
  if (sample_every > 0) texts.emplace_back("timeseries.csv", timeseries_csv(ctx, res));
  texts.emplace_back("run.json", run_json(ctx, res, command_line));
  for (const auto& [name, text] : texts) out_dir.write(name, text);
  std::unique_ptr<AtomicOutputFile> report;
  if (!args.report.empty()) {
    const std::string html = run_report_html(ctx, res, command_line);
    report = std::make_unique<AtomicOutputFile>(out_dir.place(args.report));
    report->stream().write(html.data(), static_cast<std::streamsize>(html.size()));
    report->close();
  }
  // All whole (a full disk fails here, nothing renamed yet); then each into place.
  if (milestones) milestones->close();
  if (xes) xes->close();
  if (xes) {
    xes->commit();
    out_dir.note_file();
  }
  if (report) {
    report->commit();
    out_dir.note_file();
  }
  if (milestones) {
    milestones->commit();
    out_dir.note_file();
  }
  out_dir.commit();

  if (!args.quiet) {
    print_summary_table(std::cout, ctx, res);
    std::cout << "\n"
              << res.events_processed << " events in " << std::fixed << std::setprecision(3) << res.wall_seconds
              << " s (" << std::setprecision(1)
              << (res.wall_seconds > 0 ? static_cast<double>(res.events_processed) / res.wall_seconds / 1e6 : 0)
              << " M events/s, " << res.threads_used << " thread(s))\n";
    std::cout
        << "results written to " << out.string()
        << "/ (summary.json, agencies.csv, cases.csv, referrals.csv, deadlines.csv, cohorts.csv, deadline_cohorts.csv"
        << (s.by_country() ? ", countries.csv" : "") << (sample_every > 0 ? ", timeseries.csv" : "")
        << (milestones ? ", cases_milestones.csv" : "") << ", run.json)\n";
    if (xes) std::cout << "event log (XES, replication 0) written to " << args.xes << "\n";
    if (report) std::cout << "HTML report written to " << args.report << "\n";
  }
  return 0;
}

ManPageInfo refsim_man_page_info() {
  ManPageInfo info;
  info.name = "refsim";
  info.summary = "discrete-event simulation of referral mechanisms for victims of trafficking";
  info.synopsis =
      "\\fBrefsim\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] ...\n.br\n\\fBrefsim \\-\\-help\\fR | "
      "\\fBrefsim\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR | \\fBrefsim \\-\\-version\\fR";
  info.sections = {
      {"EXIT STATUS",
       ".TP\n0\nSuccess (for \\fBcheck\\fR: no errors; for \\fBdiff \\-\\-exit\\-code\\fR: the same).\n"
       ".TP\n1\nThe run failed, \\fBcheck\\fR found errors, or \\fBdiff \\-\\-exit\\-code\\fR found "
       "differences.\n.TP\n2\nBad input: a scenario, option or file refused, with \\fIfile:line:column\\fR "
       "and what was expected."},
      {"FILES",
       "Under the installation prefix (\\fI/usr\\fR for the Debian package, \\fI/usr/local\\fR by default): "
       "the library scenarios in \\fIshare/refsim/scenarios\\fR (\\fBbaseline\\-nrm.toml\\fR is the "
       "default of the quick start); the documentation, with the scenario reference, in "
       "\\fIshare/doc/refsim\\fR."},
      {"SEE ALSO", "\\fBrefsim\\-viz\\fR(1)"},
  };
  return info;
}

/// refsim diff: exit 0 whether they differ or not, unless --exit-code (then 1 when they differ).
int cmd_diff(const std::string& a, const std::string& b, const std::string& format, bool exit_code) {
  const ScenarioDiff d = diff_scenarios(a, b);
  std::cout << (format == "json" ? diff_json(d) : diff_text(d));
  return exit_code && !d.same() ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  refsim::cli::prefer_large_heap_pages();
  CLI::App app{
      "refsim — discrete-event simulation of referral mechanisms for victims of trafficking.\n"
      "Models agencies as queues and referrals as routing rules; reports waits, queues and bottlenecks."};
  app.set_version_flag("--version", std::string("refsim ") + REFSIM_VERSION);
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and write results (summary.json, agencies.csv, ...)");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (TOML)")->required();
  run_cmd->add_option("-o,--out", run.out, "Output directory (default: results/<scenario name>)");
  run_cmd->add_option("--seed", run.seed, "Base random seed, 0 to 2^64 - 1 (default: the scenario's run.seed)")
      ->type_name("N");
  run_cmd->add_option("-r,--replications", run.replications, "Number of replications (default: the scenario's)")
      ->check(CLI::Range(1u, 1000000u));
  run_cmd->add_option("-j,--threads", run.threads, "Worker threads (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0u, 1024u));
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");
  run_cmd
      ->add_option("--sample", run.sample,
                   "Time series interval for timeseries.csv (replication 0), e.g. 7d, 12h; 0 disables")
      ->default_str("7d")
      ->each([&run](const std::string&) { run.sample_given = true; });
  run_cmd->add_flag("--milestones", run.milestones,
                    "Also write cases_milestones.csv: one row per person who exits (replication 0)");
  run_cmd->add_option("--xes", run.xes, "Also write an XES (IEEE 1849) event log of replication 0 to this file");
  run_cmd
      ->add_option("--warmup", run.warmup,
                   "Warm-up: a duration (e.g. 365d) instead of the scenario's, or auto: chosen by MSER-5 on the "
                   "number of persons in the mechanism over up to 10 pilot replications")
      ->type_name("auto|DURATION");
  run_cmd
      ->add_option("--set", run.sets,
                   "Override a scenario key, e.g. agency.screening.servers=10 or referral.a->b.probability=0.8 "
                   "(repeatable; the value is TOML, else text; docs/variants.md)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run_cmd
      ->add_option("--report", run.report,
                   "Also write a self-contained HTML report (figures and tables, opens offline) to this file")
      ->type_name("FILE.html");

  CompareArgs compare;
  auto* compare_cmd = add_compare_command(app, compare);
  BottlenecksArgs bottlenecks;
  auto* bottlenecks_cmd = add_bottlenecks_command(app, bottlenecks);
  ExerciseArgs exercise;
  auto* exercise_cmd = add_exercise_command(app, exercise);
  SweepArgs sweep;
  auto* sweep_cmd = add_sweep_command(app, sweep);
  MergeArgs merge;
  auto* merge_cmd = add_merge_command(app, merge);
  PlanArgs plan_args;
  auto* plan_cmd = add_plan_command(app, plan_args);

  CheckArgs check;
  auto* check_cmd = add_check_command(app, check);

  std::string diff_a, diff_b, diff_format = "text";
  bool diff_exit_code = false;
  auto* diff_cmd =
      app.add_subcommand("diff", "Show what differs between two scenarios (a variant and its base, or any two)");
  diff_cmd->add_option("a", diff_a, "Scenario A (TOML)")->required();
  diff_cmd->add_option("b", diff_b, "Scenario B (TOML)")->required();
  diff_cmd->add_option("--format", diff_format, "text (for people) or json (for programs)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  diff_cmd->add_flag("--exit-code", diff_exit_code, "Exit with 1 when they differ, 0 when not (as git diff does)");

  GraphArgs graph;
  auto* graph_cmd = add_graph_command(app, graph);

  // Hidden: the man page, generated from the declarations above (the build writes refsim.1).
  add_man_page_flag(app, refsim_man_page_info);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  try {
    if (*run_cmd) return cmd_run(run, joined_args(argc, argv));
    if (*compare_cmd) return run_compare(compare, joined_args(argc, argv));
    if (*bottlenecks_cmd) return run_bottlenecks(bottlenecks, joined_args(argc, argv));
    if (*exercise_cmd) return run_exercise(exercise, joined_args(argc, argv));
    if (*sweep_cmd) return run_sweep_command(sweep, joined_args(argc, argv));
    if (*merge_cmd) return run_merge_command(merge, joined_args(argc, argv));
    if (*plan_cmd) return run_plan(plan_args, joined_args(argc, argv));
    if (*check_cmd) return run_check(check);
    if (*diff_cmd) return cmd_diff(diff_a, diff_b, diff_format, diff_exit_code);
    if (*graph_cmd) return run_graph(graph);
  } catch (const ScenarioError& e) {
    // A bad --set override is a command-line mistake: "refsim: error: --set PATH=VALUE: …".
    if (e.where().file.rfind("--set ", 0) == 0) std::cerr << "refsim: error: ";
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const UsageError& e) {
    std::cerr << "refsim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const OutputDirectoryRefused& e) {
    std::cerr << "refsim: error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "refsim: error: " << e.what() << "\n";
    return kExitFailure;
  }
  return 0;
}
