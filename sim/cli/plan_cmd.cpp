// `refsim plan`: the portfolios of a scenario's costed interventions that fit a budget, run under
// common random numbers against doing nothing; the best ones, their cost-effectiveness and the
// frontier of cost against gain.
#include "sim/cli/plan_cmd.hpp"

#include <unistd.h>

#include <cmath>
#include <iomanip>
#include <iostream>

#include "sim/cli/cli_common.hpp"
#include "sim/cli/progress.hpp"
#include "sim/experiment/plan.hpp"
#include "sim/report/output_directory.hpp"
#include "sim/report/plan_report.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::cli {

CLI::App* add_plan_command(CLI::App& app, PlanArgs& a) {
  auto* c = app.add_subcommand(
      "plan",
      "Weigh a scenario's [[intervention]]s against a budget: every portfolio that fits, run under common random "
      "numbers against doing nothing, ranked by gain, with cost-effectiveness and the frontier (plan.json, plan.csv)");
  c->add_option("scenario", a.scenario, "Scenario or variant file (TOML) with [[intervention]] tables")->required();
  c->add_option("--budget", a.budget, "What may be spent over the measured period, in the scenario's currency")
      ->required()
      ->type_name("AMOUNT");
  c->add_option("--indicator", a.indicator,
                "The indicator to gain on: its path in summary.json joined by dots, e.g. "
                "deadlines.rg_decision_5wd.compliance (default: overall.identified, victims identified)")
      ->type_name("NAME");
  c->add_option("--better", a.better,
                "Whether a larger or a smaller value of the indicator is better (default: as refsim compare reads "
                "it: smaller for times, backlogs, drop-out and breaches, larger for identifications, compliance, "
                "convictions, returns and coverage)")
      ->check(CLI::IsMember({"larger", "smaller"}))
      ->type_name("larger|smaller");
  c->add_option("-o,--out", a.out, "Output directory (default: results/plan)");
  c->add_option("--seed", a.seed, "Base random seed, 0 to 2^64 - 1 (default: the scenario's run.seed)")->type_name("N");
  c->add_option("-r,--replications", a.replications,
                "Paired replications of every portfolio (default: the scenario's run.replications, at least 2)")
      ->check(CLI::Range(2u, 1000000u));
  c->add_option("--report", a.report, "Also write a self-contained HTML page with the frontier to this file")
      ->type_name("FILE.html");
  c->add_option("--format", a.format, "text (a table for people) or json (plan.json on standard output)")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
  c->add_option("--top", a.top, "Portfolios shown in the table (the frontier is always shown)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->default_str("10");
  c->add_option("--max-exhaustive", a.max_exhaustive,
                "Run every portfolio up to this many interventions; beyond, search greedily (docs/plan.md)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{16}))
      ->default_str("12");
  c->add_option("--set", a.sets, "Override a scenario key, as for run (repeatable; docs/variants.md)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("-j,--threads", a.threads, "Worker threads (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0u, 1024u));
  c->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");
  return c;
}

int run_plan(const PlanArgs& a, const std::string& command_line) {
  const std::optional<std::uint64_t> given_seed = seed_option(a.seed);
  double budget = 0;
  {
    std::size_t used = 0;
    try {
      budget = std::stod(a.budget, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != a.budget.size() || !std::isfinite(budget) || budget < 0) {
      throw UsageError("--budget " + a.budget + ": expected an amount >= 0 in the scenario's currency, e.g. 200000");
    }
  }
  if (std::error_code ec; !a.report.empty() && fs::is_directory(a.report, ec)) {
    throw UsageError("--report " + a.report + ": is a directory; expected the name of the HTML file to write");
  }
  const Scenario s = load_scenario(a.scenario, a.sets);
  if (s.interventions.empty()) {
    throw UsageError(a.scenario +
                     " declares no [[intervention]]: there is nothing to plan (docs/plan.md shows how "
                     "to declare them)");
  }
  const std::string indicator = canonical_indicator_name(a.indicator);
  {
    const std::vector<IndicatorDef> defs = indicators(s);
    const auto d = std::find_if(defs.begin(), defs.end(), [&](const IndicatorDef& x) { return x.name == indicator; });
    if (d == defs.end()) throw UsageError(unknown_indicator(indicator, defs, "--indicator"));
    if (!d->not_applicable.empty())
      throw UsageError("--indicator " + indicator + ": not applicable to this scenario (" + d->not_applicable + ")");
  }

  PlanOptions opt;
  opt.budget = budget;
  opt.indicator = indicator;
  if (!a.better.empty()) opt.larger_is_better = a.better == "larger";
  opt.seed = given_seed.value_or(s.run.seed);
  opt.replications = a.replications.value_or(std::max<std::uint32_t>(2, s.run.replications));
  opt.threads = a.threads;
  opt.max_exhaustive = a.max_exhaustive;
  const bool json_out = a.format == "json";
  const fs::path out = a.out.empty() ? fs::path("results") / "plan" : fs::path(a.out);
  OutputDirectory out_dir(out, "refsim plan", {"plan.json", "plan.csv"});  // before running
  ProgressBar bar(std::cerr, !a.quiet && ::isatty(STDERR_FILENO), "replications (all portfolios)");
  opt.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  PlanResult res;
  try {
    res = plan(s, opt);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  bar.finish();

  const nlohmann::ordered_json doc = plan_json(s, res);
  out_dir.write("plan.json", doc.dump(2) + "\n");
  out_dir.write("plan.csv", plan_csv(s, res));
  if (!a.report.empty()) {
    nlohmann::ordered_json with_command = doc;
    with_command["command_line"] = command_line;
    write_file_atomic(out_dir.place(a.report), plan_report_html(with_command));
    out_dir.note_file();
  }
  out_dir.commit();

  if (json_out) {
    std::cout << doc.dump(2) << "\n";
  } else if (!a.quiet) {
    print_plan_table(std::cout, s, res, a.top);
    std::cout << "\n"
              << res.events_processed << " events in " << std::fixed << std::setprecision(3) << res.wall_seconds
              << " s (" << res.threads_used << " thread(s))\nresults written to " << out.string()
              << "/ (plan.json, plan.csv)\n";
    if (!a.report.empty()) std::cout << "HTML report written to " << a.report << "\n";
  }
  return 0;
}

}  // namespace refsim::cli
