// `refsim check`: what is wrong with a referral mechanism before any simulation (the checks are
// sim/graph/lint), as text for people, JSON for programs and SARIF for code review; and
// `refsim graph`: the mechanism as DOT, GraphML or JSON (sim/graph/export).
#include "sim/cli/check_cmd.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/cli/cli_common.hpp"
#include "sim/graph/export.hpp"
#include "sim/graph/lint.hpp"
#include "sim/model/parameters.hpp"
#include "sim/model/units.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/loader.hpp"

namespace refsim::cli {

namespace {

struct Rule {
  const char* code;
  Severity severity;  ///< the usual one (some codes have a milder form)
  const char* summary;
};

/// Every finding code, for --help, SARIF's rule list and docs/check.md.
constexpr Rule kRules[] = {
    {"deadline-unmeetable", Severity::error,
     "A deadline is shorter than the fastest possible path between its milestones"},
    {"over-capacity", Severity::error, "Offered load at or above what staff, beds and opening hours can serve"},
    {"referral-cycle", Severity::warning, "A cycle of rules that can send the same person round again"},
    {"cross-border-without-return", Severity::warning,
     "A rule sends cases to another country where no path leads to return or reintegration"},
    {"dead-end", Severity::warning, "A positive decision after which no rule applies: the case ends there"},
    {"deadline-never-reached", Severity::warning, "No path leads between a deadline's milestones"},
    {"near-capacity", Severity::warning, "Offered load within 10 % of capacity"},
    {"no-path-to-service", Severity::warning,
     "A profile with a need (a child, a foreign national, a declared need) has no path to an agency providing it"},
    {"single-point-of-failure", Severity::warning, "An agency whose closure cuts every entry point off from services"},
    {"unreachable-agency", Severity::warning, "No case of any profile can reach the agency"},
};

std::string location_text(const SourceLocation& w) { return w.str(); }

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
}

std::string header(const CheckArgs& args, const Scenario& s) {
  std::ostringstream os;
  os << args.scenario << ": loaded \"" << s.name << "\": " << s.agencies.size() << " agencies, " << s.sources.size()
     << " sources, " << s.referrals.size() << " referral rules; horizon " << format_duration(s.run.horizon)
     << ", warm-up " << format_duration(s.run.warmup) << ", " << s.run.replications << " replication(s)\n";
  return os.str();
}

void print_flows(std::ostream& os, const Scenario& s, const std::vector<AgencyLoad>& loads) {
  os << "\nsteady-state flows (traffic equations, assuming every agency keeps up";
  if (s.has_patience()) os << "; drop-outs are not counted, so these are upper bounds";
  os << "):\n";
  if (!s.agencies.empty() && std::isnan(loads.front().arrival_rate)) {
    os << "  not computed: the attributes that rule conditions name combine into more than " << kMaxLoadStates
       << " (agency, case class) pairs\n";
    return;
  }
  // Three decimals; "unbounded" where cases accumulate without end (a loop they never leave).
  const auto rounded = [](double x) {
    return std::isinf(x) ? std::string("unbounded") : format_number(std::round(x * 1000) / 1000);
  };
  for (std::size_t i = 0; i < s.agencies.size(); ++i) {
    const Agency& a = s.agencies[i];
    os << "  " << std::left << std::setw(24) << a.id << std::right << " visits/day " << std::setw(10)
       << rounded(loads[i].arrival_rate) << "  service " << a.service.describe();
    if (!a.unlimited) os << "  utilization " << rounded(loads[i].utilization);
    os << "\n";
  }
}

std::string text_report(const CheckArgs& args, const Scenario& s, const LintReport& r) {
  std::ostringstream os;
  os << header(args, s);
  print_flows(os, s, r.loads);
  if (!s.changes.empty()) {
    // The flows and findings are the file's values at t = 0; the changes alter them as the run goes on.
    os << "\nscheduled changes (the flows and findings are before them):\n";
    for (const ReplayedChange& rc : replay_changes(s)) {
      os << "  at " << std::left << std::setw(8) << format_duration(rc.at) << std::right << " "
         << describe(s.changes[rc.declared].change, rc.previous, s) << "\n";
    }
  }
  for (const Severity sev : {Severity::error, Severity::warning, Severity::note}) {
    std::size_t count = 0;
    for (const Finding& f : r.findings) count += f.severity == sev ? 1 : 0;
    if (count == 0) continue;
    os << "\n" << to_string(sev) << (count > 1 ? "s" : "") << " (" << count << "):\n";
    for (const Finding& f : r.findings) {
      if (f.severity != sev) continue;
      os << location_text(f.where) << ": " << to_string(sev) << ": " << f.message << " [" << f.code << "]\n"
         << "  advice: " << f.advice << "\n";
    }
  }
  const std::size_t notes = r.findings.size() - r.errors() - r.warnings();
  os << "\n"
     << args.scenario << ": " << r.errors() << " error(s), " << r.warnings() << " warning(s), " << notes
     << " note(s)\n";
  return os.str();
}

nlohmann::ordered_json finding_json(const Scenario& s, const Finding& f) {
  nlohmann::ordered_json j;
  j["code"] = f.code;
  j["severity"] = to_string(f.severity);
  nlohmann::ordered_json agencies = nlohmann::ordered_json::array();
  for (AgencyId a : f.agencies) agencies.push_back(s.agencies[a].id);
  j["agencies"] = agencies;
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (ReferralId r : f.rules) rules.push_back(s.referrals[r].key);
  j["rules"] = rules;
  j["deadline"] = f.deadline ? nlohmann::ordered_json(s.deadlines[*f.deadline].id) : nlohmann::ordered_json();
  j["profile"] = f.profile.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.profile);
  j["location"] = {{"file", f.where.file}, {"line", f.where.line}, {"column", f.where.column}};
  j["message"] = f.message;
  j["advice"] = f.advice;
  // Infinite for a cycle cases never leave: JSON has no infinity, so a string says it.
  j["value"] = std::isinf(f.value) ? nlohmann::ordered_json("infinite") : number_or_null(f.value);
  return j;
}

std::string json_report(const CheckArgs& args, const Scenario& s, const LintReport& r) {
  nlohmann::ordered_json j;
  j["scenario"] = args.scenario;
  j["name"] = s.name;
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const Finding& f : r.findings) findings.push_back(finding_json(s, f));
  j["findings"] = findings;
  nlohmann::ordered_json flows = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < s.agencies.size(); ++i) {
    const Agency& a = s.agencies[i];
    const AgencyLoad& l = r.loads[i];
    nlohmann::ordered_json x;
    x["agency"] = a.id;
    x["visits_per_day"] =
        std::isinf(l.arrival_rate) ? nlohmann::ordered_json("infinite") : number_or_null(l.arrival_rate);
    x["offered_load"] =
        std::isinf(l.offered_load) ? nlohmann::ordered_json("infinite") : number_or_null(l.offered_load);
    x[a.residential ? "beds" : "servers"] = a.unlimited ? nlohmann::ordered_json() : nlohmann::ordered_json(a.servers);
    x["utilization"] = a.unlimited                 ? nlohmann::ordered_json()
                       : std::isinf(l.utilization) ? nlohmann::ordered_json("infinite")
                                                   : number_or_null(l.utilization);
    flows.push_back(x);
  }
  j["flows"] = flows;
  j["summary"] = {
      {"errors", r.errors()}, {"warnings", r.warnings()}, {"notes", r.findings.size() - r.errors() - r.warnings()}};
  return j.dump(2) + "\n";
}

const char* sarif_level(Severity s) {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
  }
  return "note";
}

std::string sarif_report(const CheckArgs& args, const Scenario& s, const LintReport& r) {
  using nlohmann::ordered_json;
  ordered_json rules = ordered_json::array();
  for (const Rule& rule : kRules) {
    rules.push_back({{"id", rule.code},
                     {"shortDescription", {{"text", rule.summary}}},
                     {"helpUri", std::string("docs/check.md#") + rule.code},
                     {"defaultConfiguration", {{"level", sarif_level(rule.severity)}}}});
  }
  ordered_json results = ordered_json::array();
  for (const Finding& f : r.findings) {
    ordered_json res;
    res["ruleId"] = f.code;
    res["level"] = sarif_level(f.severity);
    res["message"] = {{"text", f.message + ". Advice: " + f.advice + "."}};
    ordered_json physical = {{"artifactLocation", {{"uri", f.where.file.empty() ? args.scenario : f.where.file}}}};
    if (f.where.line > 0) {
      physical["region"] = {{"startLine", f.where.line}, {"startColumn", std::max<std::uint32_t>(1, f.where.column)}};
    }
    res["locations"] = ordered_json::array({{{"physicalLocation", physical}}});
    ordered_json props;
    ordered_json agencies = ordered_json::array();
    for (AgencyId a : f.agencies) agencies.push_back(s.agencies[a].id);
    props["agencies"] = agencies;
    ordered_json keys = ordered_json::array();
    for (ReferralId k : f.rules) keys.push_back(s.referrals[k].key);
    props["rules"] = keys;
    if (f.deadline) props["deadline"] = s.deadlines[*f.deadline].id;
    if (!f.profile.empty()) props["profile"] = f.profile;
    res["properties"] = props;
    results.push_back(res);
  }
  ordered_json run = {{"tool",
                       {{"driver",
                         {{"name", "refsim check"},
                          {"version", REFSIM_VERSION},
                          {"informationUri", "docs/check.md"},
                          {"rules", rules}}}}},
                      {"results", results}};
  ordered_json j = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                    {"version", "2.1.0"},
                    {"runs", ordered_json::array({run})}};
  return j.dump(2) + "\n";
}

void emit(const std::string& out, const std::string& text) {
  if (out.empty()) {
    std::cout << text;
  } else {
    write_file_atomic(out, text);
  }
}

}  // namespace

CLI::App* add_check_command(CLI::App& app, CheckArgs& args) {
  std::string codes;
  for (const Rule& r : kRules) codes += std::string(codes.empty() ? "" : ", ") + r.code;
  auto* cmd = app.add_subcommand(
      "check",
      "Check a referral mechanism before any simulation: unreachable agencies, profiles with no path to a service, "
      "dead ends, referral cycles, single points of failure, over capacity, unmeetable deadlines (docs/check.md). "
      "Exit code 0 without an error finding, 1 with one, 2 when the file does not load.");
  cmd->footer("Finding codes: " + codes);
  cmd->add_option("scenario", args.scenario, "Scenario file (TOML)")->required();
  cmd->add_option("--format", args.format, "text (for people), json (for programs) or sarif (for code review)")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->default_str("text");
  cmd->add_option("-o,--out", args.out, "Write to this file instead of standard output");
  cmd->add_option("--set", args.sets, "Override a scenario key, as for run (repeatable)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  return cmd;
}

int run_check(const CheckArgs& args) {
  const Scenario s = load_scenario(args.scenario, args.sets);
  const ReferralGraph graph(s);
  const LintReport report = lint(s, graph);
  std::string text;
  if (args.format == "json") {
    text = json_report(args, s, report);
  } else if (args.format == "sarif") {
    text = sarif_report(args, s, report);
  } else {
    text = text_report(args, s, report);
  }
  emit(args.out, text);
  return report.errors() > 0 ? 1 : 0;
}

CLI::App* add_graph_command(CLI::App& app, GraphArgs& args) {
  auto* cmd = app.add_subcommand(
      "graph",
      "Export the referral graph: agencies (capacity, service, hours, decisions), rules (probability, condition, "
      "consent, loss, delay, forks), overflow and re-entry edges, countries, layout positions");
  cmd->add_option("scenario", args.scenario, "Scenario file (TOML)")->required();
  cmd->add_option("--format", args.format, "dot (Graphviz), graphml or json")
      ->check(CLI::IsMember({"dot", "graphml", "json"}))
      ->default_str("dot");
  cmd->add_option("-o,--out", args.out, "Output file (default: standard output)");
  cmd->add_option("--set", args.sets, "Override a scenario key, as for run (repeatable)")
      ->type_name("PATH=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  return cmd;
}

int run_graph(const GraphArgs& args) {
  const Scenario s = load_scenario(args.scenario, args.sets);
  const auto format = parse_graph_format(args.format);
  if (!format) throw UsageError("--format: expected dot, graphml or json, got " + args.format);
  std::ostringstream os;
  write_graph(os, s, *format);
  emit(args.out, os.str());
  return 0;
}

void print_run_warnings(std::ostream& os, const Scenario& s, const ReferralGraph& g) {
  const LintReport r = lint(s, g);
  for (const Finding& f : r.findings) {
    const bool shown = f.severity == Severity::error || f.code == "unreachable-agency" || f.code == "over-capacity";
    if (!shown) continue;
    os << f.where.str() << ": " << to_string(f.severity) << ": " << f.message << " [" << f.code << "]\n";
  }
}

}  // namespace refsim::cli
