#include "sim/report/sweep_output.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "sim/report/report.hpp"
#include "sim/report/summary_document.hpp"

namespace refsim {

using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kKindNames[] = {"count", "share", "fraction", "nonnegative", "unbounded"};

std::string cell(double v) { return std::isfinite(v) ? format_number(v) : ""; }

/// The estimate of one indicator as summary.json writes it.
Json estimate_json(const SweepIndicator& x) {
  Json e;
  if (!x.not_applicable.empty()) {
    e["mean"] = nullptr;
    e["ci95"] = nullptr;
    e["not_applicable"] = x.not_applicable;
    return e;
  }
  const Estimate est = x.estimate();
  e["mean"] = number_or_null(est.mean);
  if (est.ci95 && std::isfinite(est.ci95->first) && std::isfinite(est.ci95->second)) {
    e["ci95"] = Json::array({est.ci95->first, est.ci95->second});
  } else {
    e["ci95"] = nullptr;
  }
  e["n"] = number_or_null(est.observations);
  e["replications"] = est.replications;
  e["few_observations"] = est.few_observations;
  return e;
}

/// The swept paths, in plan order.
std::vector<std::string> swept_paths(const Json& plan) {
  std::vector<std::string> out;
  for (const Json& axis : plan.at("axes")) {
    for (const Json& p : axis) out.push_back(p.at("path").get<std::string>());
  }
  return out;
}

/// `text` (a dump with indentation) moved right by `indent` after each line break: the same value
/// dumped as a member at that depth. (A dump holds no line break inside a string.)
std::string indented(const std::string& text, const std::string& indent) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

/// The cells of one indicator's CSV row after its name, with the line break.
std::string csv_row(const SweepIndicator& x) {
  if (!x.not_applicable.empty()) return ",,,,,n/a\n";
  const Estimate e = x.estimate();
  return cell(e.mean) + ',' + (e.ci95 ? cell(e.ci95->first) : "") + ',' + (e.ci95 ? cell(e.ci95->second) : "") + ',' +
         cell(e.observations) + ',' + std::to_string(e.replications) + ',' +
         (!std::isfinite(e.mean) ? "no observation"
          : e.few_observations   ? "few observations"
                                 : "") +
         '\n';
}

/// A run's cells of the terminal table, for the indicators `names` ("missing" without a record).
std::vector<std::string> table_cells(const SweepRunRecord* record, const std::vector<std::string>& names) {
  const auto fmt = [](double v) {
    if (!std::isfinite(v)) return std::string("n/a");
    char buf[48];
    const double a = std::fabs(v);
    std::snprintf(buf, sizeof buf, a >= 100 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    return std::string(buf);
  };
  std::vector<std::string> row;
  for (const std::string& n : names) {
    std::string text = record ? "-" : "missing";
    if (record) {
      for (const SweepIndicator& x : record->indicators) {
        if (x.name != n) continue;
        if (!x.not_applicable.empty()) {
          text = "n/a";
          break;
        }
        const Estimate e = x.estimate();
        text = fmt(e.mean);
        if (e.ci95) text += " [" + fmt(e.ci95->first) + "," + fmt(e.ci95->second) + "]";
        if (e.few_observations && std::isfinite(e.mean)) text += " *";
        break;
      }
    }
    row.push_back(text);
  }
  return row;
}

/// The terminal table: per plan run its id and values, then `cells` (by run, as table_cells).
void print_table_rows(std::ostream& os, const Json& plan, const std::vector<std::string>& names,
                      const std::vector<std::vector<std::string>>& cells) {
  const std::vector<std::string> paths = swept_paths(plan);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"run"};
  for (const std::string& p : paths) header.push_back(p);
  for (const std::string& n : names) header.push_back(n);
  rows.push_back(header);
  const Json& planned = plan.at("runs");
  for (std::size_t i = 0; i < planned.size() && i < cells.size(); ++i) {
    std::vector<std::string> row{planned[i].at("id").get<std::string>()};
    for (const std::string& p : paths) row.push_back(planned[i].at("values").at(p).get<std::string>());
    row.insert(row.end(), cells[i].begin(), cells[i].end());
    rows.push_back(std::move(row));
  }
  print_grid(os, "", rows);
}

}  // namespace

const char* kind_name(Kind k) { return kKindNames[static_cast<int>(k)]; }

std::optional<Kind> kind_of(std::string_view name) {
  for (int k = 0; k < 5; ++k) {
    if (name == kKindNames[k]) return static_cast<Kind>(k);
  }
  return std::nullopt;
}

std::string sweep_run_file(const std::string& identity, const Json& run, const SweepRunRecord& rec) {
  Json j;
  j["refsim_sweep_run"] = 1;
  j["identity"] = identity;
  j["id"] = run.at("id");
  j["values"] = run.at("values");
  j["replications"] = rec.replications;
  j["events_processed"] = rec.events_processed;
  Json inds = Json::array();
  for (const SweepIndicator& x : rec.indicators) {
    Json i;
    i["name"] = x.name;
    i["label"] = x.label;
    i["unit"] = x.unit;
    i["kind"] = kind_name(x.kind);
    i["key"] = x.key;
    if (!x.not_applicable.empty()) i["not_applicable"] = x.not_applicable;
    Json v = Json::array(), b = Json::array();
    for (double d : x.values) v.push_back(number_or_null(d));
    for (double d : x.basis) b.push_back(number_or_null(d));
    i["values"] = std::move(v);
    i["basis"] = std::move(b);
    inds.push_back(std::move(i));
  }
  j["indicators"] = std::move(inds);
  // One indicator a line: a file of thousands of indicators stays readable with grep.
  std::string out = "{";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += Json(it.key()).dump() + ": ";
    if (it.key() == "indicators") {
      out += "[";
      for (std::size_t k = 0; k < it.value().size(); ++k) out += (k ? ",\n    " : "\n    ") + it.value()[k].dump();
      out += it.value().empty() ? "]" : "\n  ]";
    } else {
      out += it.value().dump();
    }
  }
  return out + "\n}\n";
}

std::optional<SweepRunRecord> parse_sweep_run(const std::string& text, const std::string& identity,
                                              const std::string& id, std::string* why) {
  const auto no = [&](const std::string& reason) -> std::optional<SweepRunRecord> {
    if (why) *why = reason;
    return std::nullopt;
  };
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return no("not a whole JSON document");
  if (j.value("refsim_sweep_run", 0) != 1) return no("not a refsim sweep run file");
  if (j.value("identity", std::string()) != identity) {
    return no("written by another sweep (identity " + j.value("identity", std::string("?")) + ", not " + identity +
              ": another scenario, seed, replication count, set of overrides, indicators or refsim version)");
  }
  if (j.value("id", std::string()) != id) return no("the file of run " + j.value("id", std::string("?")));
  try {
    SweepRunRecord r;
    r.replications = j.at("replications").get<std::uint32_t>();
    r.events_processed = j.at("events_processed").get<std::uint64_t>();
    for (const Json& i : j.at("indicators")) {
      SweepIndicator x;
      x.name = i.at("name").get<std::string>();
      x.label = i.at("label").get<std::string>();
      x.unit = i.at("unit").get<std::string>();
      const auto k = kind_of(i.at("kind").get<std::string>());
      if (!k) return no("indicator " + x.name + " has an unknown kind");
      x.kind = *k;
      x.key = i.at("key").get<bool>();
      x.not_applicable = i.value("not_applicable", std::string());
      for (const Json& v : i.at("values")) x.values.push_back(v.is_number() ? v.get<double>() : kNaN);
      for (const Json& v : i.at("basis")) x.basis.push_back(v.is_number() ? v.get<double>() : kNaN);
      if (x.values.size() != r.replications || x.basis.size() != r.replications) {
        return no("indicator " + x.name + " has not one value per replication");
      }
      r.indicators.push_back(std::move(x));
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    return no(std::string("a malformed run file: ") + e.what());
  }
}

Json sweep_document(const Json& plan, const std::vector<const SweepRunRecord*>& records) {
  Json doc;
  for (auto it = plan.begin(); it != plan.end(); ++it) {
    if (it.key() != "runs") doc[it.key()] = it.value();
  }
  // The indicators: every run's, in the order of their first appearance.
  Json defs = Json::array();
  std::vector<std::string> seen;
  for (const SweepRunRecord* r : records) {
    if (!r) continue;
    for (const SweepIndicator& x : r->indicators) {
      if (std::find(seen.begin(), seen.end(), x.name) != seen.end()) continue;
      seen.push_back(x.name);
      defs.push_back(
          Json{{"name", x.name}, {"label", x.label}, {"unit", x.unit}, {"kind", kind_name(x.kind)}, {"key", x.key}});
    }
    if (seen.size() > 100000) break;
  }
  doc["indicators"] = std::move(defs);
  Json runs = Json::array(), missing = Json::array();
  const Json& planned = plan.at("runs");
  for (std::size_t i = 0; i < planned.size(); ++i) {
    Json r;
    r["index"] = planned[i].at("index");
    r["id"] = planned[i].at("id");
    r["values"] = planned[i].at("values");
    if (!records[i]) {
      r["missing"] = true;
      missing.push_back(planned[i].at("id"));
    } else {
      r["events_processed"] = records[i]->events_processed;
      Json est;
      for (const SweepIndicator& x : records[i]->indicators) est[x.name] = estimate_json(x);
      r["indicators"] = std::move(est);
    }
    runs.push_back(std::move(r));
  }
  doc["runs"] = std::move(runs);
  doc["missing"] = std::move(missing);
  return doc;
}

std::string sweep_csv(const Json& plan, const std::vector<const SweepRunRecord*>& records) {
  const std::vector<std::string> paths = swept_paths(plan);
  std::ostringstream os;
  os << "run,index";
  for (const std::string& p : paths) os << ',' << csv_quoted(p);
  os << ",indicator,mean,ci95_low,ci95_high,n,replications,note\n";
  const Json& planned = plan.at("runs");
  for (std::size_t i = 0; i < planned.size(); ++i) {
    if (!records[i]) continue;
    std::string head =
        planned[i].at("id").get<std::string>() + "," + std::to_string(planned[i].at("index").get<std::size_t>());
    for (const std::string& p : paths) head += "," + csv_quoted(planned[i].at("values").at(p).get<std::string>());
    for (const SweepIndicator& x : records[i]->indicators) {
      os << head << ',' << csv_quoted(x.name) << ',';
      if (!x.not_applicable.empty()) {
        os << ",,,,,"
           << "n/a\n";
        continue;
      }
      const Estimate e = x.estimate();
      os << cell(e.mean) << ',' << (e.ci95 ? cell(e.ci95->first) : "") << ',' << (e.ci95 ? cell(e.ci95->second) : "")
         << ',' << cell(e.observations) << ',' << e.replications << ','
         << (!std::isfinite(e.mean) ? "no observation"
             : e.few_observations   ? "few observations"
                                    : "")
         << '\n';
    }
  }
  return os.str();
}

std::vector<std::string> sweep_table_indicators(const std::vector<std::string>& chosen) {
  std::vector<std::string> names = chosen;
  if (names.empty()) {
    names = {"overall.time_to_identified_days_mean", "overall.time_to_first_service_days_mean",
             "overall.dropout_share"};
  }
  if (names.size() > 4) names.resize(4);
  return names;
}

void print_sweep_table(std::ostream& os, const Json& plan, const std::vector<const SweepRunRecord*>& records,
                       const std::vector<std::string>& chosen) {
  const std::vector<std::string> names = sweep_table_indicators(chosen);
  std::vector<std::vector<std::string>> cells;
  for (const SweepRunRecord* r : records) cells.push_back(table_cells(r, names));
  print_table_rows(os, plan, names, cells);
}

SweepRunPart sweep_run_part(const Json& plan, std::size_t index, const SweepRunRecord* record) {
  const Json& run = plan.at("runs").at(index);
  std::vector<std::string> chosen;
  if (const auto it = plan.find("chosen_indicators"); it != plan.end()) chosen = it->get<std::vector<std::string>>();
  SweepRunPart part;
  part.index = index;
  part.missing = record == nullptr;
  part.table = table_cells(record, sweep_table_indicators(chosen));
  Json r, kept;
  r["index"] = run.at("index");
  r["id"] = run.at("id");
  r["values"] = run.at("values");
  if (!record) {
    r["missing"] = true;
    part.summary = r;
  } else {
    r["events_processed"] = record->events_processed;
    part.summary = r;
    Json est, kept_est;
    const std::vector<std::string> paths = swept_paths(plan);
    std::string head = run.at("id").get<std::string>() + "," + std::to_string(run.at("index").get<std::size_t>());
    for (const std::string& p : paths) head += "," + csv_quoted(run.at("values").at(p).get<std::string>());
    std::string& rows = part.csv;
    for (const SweepIndicator& x : record->indicators) {
      part.definitions.push_back(
          Json{{"name", x.name}, {"label", x.label}, {"unit", x.unit}, {"kind", kind_name(x.kind)}, {"key", x.key}});
      Json e = estimate_json(x);
      // The report draws the chosen indicators, else those key where they first appear: elsewhere
      // they are key too, or not applicable (a key indicator is an applicable one of a few names).
      const bool keep = chosen.empty() ? x.key || !x.not_applicable.empty()
                                       : std::find(chosen.begin(), chosen.end(), x.name) != chosen.end();
      if (keep) kept_est[x.name] = e;
      est[x.name] = std::move(e);
      rows += head + ',' + csv_quoted(x.name) + ',' + csv_row(x);
    }
    r["indicators"] = std::move(est);
    part.summary["indicators"] = std::move(kept_est);
  }
  part.json = "    " + indented(r.dump(2), "    ");
  return part;
}

SweepResultsWriter::SweepResultsWriter(const Json& plan, std::ostream& csv_out, std::ostream& scratch)
    : plan_(plan), csv_(csv_out), scratch_(scratch) {
  csv_ << "run,index";
  for (const std::string& p : swept_paths(plan)) csv_ << ',' << csv_quoted(p);
  csv_ << ",indicator,mean,ci95_low,ci95_high,n,replications,note\n";
}

void SweepResultsWriter::add(SweepRunPart&& part) {
  if (part.index != runs_.size()) throw std::logic_error("SweepResultsWriter: runs out of plan order");
  if (!part.missing && !definitions_closed_) {
    for (Json& d : part.definitions) {
      std::string name = d.at("name").get<std::string>();
      if (!seen_.insert(name).second) continue;
      if (d.at("key").get<bool>()) key_names_.insert(std::move(name));
      definitions_.push_back(std::move(d));
    }
    if (seen_.size() > 100000) definitions_closed_ = true;  // as sweep_document
  }
  // A name's definition is that of its first run, this one or an earlier: what is not key there is
  // never drawn by the report (unless chosen), and need not be kept.
  if (!part.missing && plan_.value("chosen_indicators", Json::array()).empty()) {
    Json& kept = part.summary["indicators"];
    if (kept.is_object()) {
      Json pruned = Json::object();
      for (auto it = kept.begin(); it != kept.end(); ++it) {
        if (key_names_.count(it.key())) pruned[it.key()] = std::move(it.value());
      }
      kept = std::move(pruned);
    }
  }
  if (part.missing) missing_.push_back(part.summary.at("id"));
  csv_ << part.csv;
  scratch_ << (runs_.empty() ? "" : ",\n") << part.json;
  runs_.push_back(std::move(part.summary));
  table_.push_back(std::move(part.table));
}

Json SweepResultsWriter::head() const {
  Json doc;
  for (auto it = plan_.begin(); it != plan_.end(); ++it) {
    if (it.key() != "runs") doc[it.key()] = it.value();
  }
  doc["indicators"] = definitions_;
  return doc;
}

void SweepResultsWriter::finish(std::ostream& json, std::istream& scratch) {
  if (runs_.size() != plan_.at("runs").size()) throw std::logic_error("SweepResultsWriter: not every run added");
  // dump(2) of {head…, "runs": […], "missing": […]}, the runs copied from the scratch stream.
  const Json h = head();
  bool first = true;
  const auto key = [&](const std::string& k) {
    json << (first ? "{\n  " : ",\n  ") << Json(k).dump() << ": ";
    first = false;
  };
  for (auto it = h.begin(); it != h.end(); ++it) {
    if (it.key() == "missing") continue;  // written after the runs, as sweep_document's assignment keeps it
    key(it.key());
    json << indented(it.value().dump(2), "  ");
  }
  key("runs");
  if (runs_.empty()) {
    json << "[]";
  } else {
    json << "[\n" << scratch.rdbuf() << "\n  ]";
  }
  key("missing");
  json << indented(missing_.dump(2), "  ") << "\n}\n";
}

Json SweepResultsWriter::summary() const {
  Json doc = head();
  doc["runs"] = runs_;
  doc["missing"] = missing_;
  return doc;
}

void SweepResultsWriter::print_table(std::ostream& os) const {
  std::vector<std::string> chosen;
  if (const auto it = plan_.find("chosen_indicators"); it != plan_.end()) chosen = it->get<std::vector<std::string>>();
  print_table_rows(os, plan_, sweep_table_indicators(chosen), table_);
}

}  // namespace refsim
