// `refsim bottlenecks`: where persons wait, what one more server (or k beds) at each agency would
// change, and the capacity that meets a target.
#include "sim/cli/bottlenecks_cmd.hpp"

#include <unistd.h>

#include <iomanip>
#include <iostream>

#include "sim/cli/cli_common.hpp"
#include "sim/cli/progress.hpp"
#include "sim/experiment/bottlenecks.hpp"
#include "sim/experiment/indicators.hpp"
#include "sim/model/units.hpp"
#include "sim/report/bottlenecks_report.hpp"
#include "sim/report/html.hpp"
#include "sim/report/output_directory.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::cli {

CLI::App* add_bottlenecks_command(CLI::App& app, BottlenecksArgs& a) {
  auto* c = app.add_subcommand(
      "bottlenecks",
      "What to fix first: person-days of waiting and deadline breaches by agency and referral delay, the paired "
      "effect of one more server (or more beds) at each agency, and the capacity that meets a target");
  c->add_option("scenario", a.file, "Scenario file (TOML)")->required();
  c->add_option("-r,--replications", a.replications,
                "Replications of the baseline and of every variant (default: the scenario's run.replications)")
      ->check(CLI::Range(2u, 100000u));
  c->add_option("--seed", a.seed, "Base random seed, 0 to 2^64 - 1 (default: the scenario's run.seed)")->type_name("N");
  c->add_option("--indicator", a.indicators,
                "Judge the marginal value on this indicator (repeatable; canonical names as in refsim compare; "
                "default: time to identification and to first service, deadline compliance, drop-out, backlog)")
      ->type_name("NAME");
  c->add_option("--target", a.target,
                "Find the smallest capacity whose 95 % interval meets this, e.g. "
                "\"deadlines.rg_decision_5wd.compliance>=0.95\" or \"agencies.desk.mean_wait_days<=2\"")
      ->type_name("INDICATOR>=VALUE");
  c->add_option("--at", a.at,
                "With --target: search at this agency (repeatable; default: every agency where the marginal step "
                "improves the target's indicator significantly)")
      ->type_name("AGENCY");
  c->add_option("--extra-servers", a.extra_servers, "The marginal step at agencies with servers (default: 1)")
      ->check(CLI::Range(1u, 10000u));
  c->add_option("--extra-beds", a.extra_beds, "The marginal step at residential agencies, in beds (default: 5)")
      ->check(CLI::Range(1u, 10000u));
  c->add_option("--max-capacity", a.max_capacity,
                "With --target: the largest capacity tried (default: 16 x the current, at least 64)")
      ->check(CLI::Range(1u, 1000000u));
  c->add_flag("--no-marginal", a.no_marginal, "Skip the marginal value (attribution and --target only)");
  c->add_option("--horizon", a.horizon, "Override run.horizon, e.g. 2y (shorter is faster)")->type_name("DURATION");
  c->add_option("--set", a.sets, "Override a scenario key, as for run (repeatable)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  c->add_option("--format", a.format, "table (for people) or json (bottlenecks.json on standard output)")
      ->check(CLI::IsMember({"table", "json"}))
      ->default_str("table");
  c->add_option("-o,--out", a.out, "Also write DIR/bottlenecks.json and DIR/bottlenecks.csv")->type_name("DIR");
  c->add_option("--report", a.report, "Also write a self-contained HTML page with the figures")->type_name("FILE.html");
  c->add_option("-j,--threads", a.threads, "Worker threads (default: all cores; results do not depend on it)")
      ->check(CLI::Range(0u, 1024u));
  c->add_flag("-q,--quiet", a.quiet, "Print nothing but errors (and the JSON with --format json)");
  return c;
}

int run_bottlenecks(const BottlenecksArgs& a, const std::string& command_line) {
  const std::optional<std::uint64_t> given_seed = seed_option(a.seed);
  if (!a.at.empty() && a.target.empty()) throw UsageError("--at needs --target");
  if (std::error_code ec; !a.report.empty() && fs::is_directory(a.report, ec)) {
    throw UsageError("--report " + a.report + ": is a directory; expected the name of the HTML file to write");
  }
  std::vector<std::string> sets = a.sets;
  if (!a.horizon.empty()) {
    try {
      if (!(parse_duration(a.horizon) > 0)) throw std::invalid_argument("not > 0");
    } catch (const std::exception&) {
      throw UsageError("--horizon " + a.horizon + ": expected a duration greater than 0, such as 180d or 2y");
    }
    sets.push_back("run.horizon=" + a.horizon);
  }
  const Scenario s = load_scenario(a.file, sets);

  BottleneckOptions opt;
  opt.seed = given_seed.value_or(s.run.seed);
  opt.replications = a.replications.value_or(std::max<std::uint32_t>(2, s.run.replications));
  opt.threads = a.threads;
  opt.extra_servers = a.extra_servers;
  opt.extra_beds = a.extra_beds;
  opt.max_capacity = a.max_capacity;
  opt.marginal = !a.no_marginal;
  const std::vector<IndicatorDef> defs = indicators(s);
  const auto check_indicator = [&](const std::string& name, const std::string& option) {
    const auto it = std::find_if(defs.begin(), defs.end(), [&](const IndicatorDef& d) { return d.name == name; });
    if (it == defs.end()) {
      std::string near;
      const std::string head = name.substr(0, name.find('.') + 1);
      for (const IndicatorDef& d : defs) {
        if (d.name.rfind(head, 0) == 0 && near.size() < 300) near += (near.empty() ? "" : ", ") + d.name;
      }
      throw UsageError(option + ": unknown indicator '" + name + "'" +
                       (near.empty() ? std::string("; names start with agencies., cases., overall., deadlines.")
                                     : "; known: " + near + (near.size() >= 300 ? ", …" : "")));
    }
    if (!it->not_applicable.empty())
      throw UsageError(option + ": indicator '" + name + "' is not applicable here (" + it->not_applicable + ")");
  };
  for (const std::string& n : a.indicators) {
    const std::string name = canonical_indicator_name(n);
    check_indicator(name, "--indicator " + n);
    if (std::find(opt.indicators.begin(), opt.indicators.end(), name) == opt.indicators.end())
      opt.indicators.push_back(name);
  }
  if (!a.target.empty()) {
    try {
      opt.target = parse_capacity_target(a.target);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
    check_indicator(opt.target->indicator, "--target " + a.target);
  }
  for (const std::string& id : a.at) {
    const auto ag = s.find_agency(id);
    if (!ag) throw UsageError("--at " + id + ": unknown agency '" + id + "'; known: " + s.agency_list());
    if (s.agencies[*ag].unlimited)
      throw UsageError("--at " + id + ": agency '" + id + "' is unlimited: it has no capacity to search");
    opt.at.push_back(*ag);
  }
  if (opt.marginal && opt.indicators.empty() && default_bottleneck_indicators(s).empty())
    throw UsageError("this scenario produces none of the default indicators; choose some with --indicator");

  std::optional<OutputDirectory> out_dir;  // before running
  if (!a.out.empty())
    out_dir.emplace(a.out, "refsim bottlenecks", std::vector<std::string>{"bottlenecks.json", "bottlenecks.csv"});
  ProgressBar bar(std::cerr, !a.quiet && ::isatty(STDERR_FILENO), "replications");
  opt.progress = [&bar](const BottleneckProgress& p) { bar.update(p.done, p.total); };
  BottleneckResult res;
  try {
    res = find_bottlenecks(s, opt);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  bar.finish();

  const BottleneckContext ctx{s, a.file, opt.seed, opt};
  const nlohmann::ordered_json doc = bottlenecks_json(ctx, res);
  if (out_dir) {
    out_dir->write("bottlenecks.json", doc.dump(2) + "\n");
    out_dir->write("bottlenecks.csv", bottlenecks_csv(ctx, res));
  }
  if (!a.report.empty()) {
    nlohmann::ordered_json with_command = doc;
    with_command["command_line"] = command_line;
    write_file_atomic(out_dir ? out_dir->place(a.report) : fs::path(a.report), bottlenecks_report_html(with_command));
    if (out_dir) out_dir->note_file();
  }
  if (out_dir) out_dir->commit();

  if (a.format == "json") {
    std::cout << doc.dump(2) << "\n";
  } else if (!a.quiet) {
    print_bottlenecks_table(std::cout, ctx, res);
    std::cout << res.runs << " replications (" << res.events_processed << " events) in " << std::fixed
              << std::setprecision(3) << res.wall_seconds << " s on " << res.threads_used << " thread(s)\n";
    if (!a.out.empty()) std::cout << "results written to " << a.out << "/ (bottlenecks.json, bottlenecks.csv)\n";
    if (!a.report.empty()) std::cout << "HTML report written to " << a.report << "\n";
  }
  return 0;
}

}  // namespace refsim::cli
