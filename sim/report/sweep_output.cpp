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

/// The estimate of one indicator as summary.json writes it (`est`: x.estimate(), unless it is
/// not applicable).
Json estimate_json(const SweepIndicator& x, const Estimate& est) {
  Json e;
  if (!x.not_applicable.empty()) {
    e["mean"] = nullptr;
    e["ci95"] = nullptr;
    e["not_applicable"] = x.not_applicable;
    return e;
  }
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

Json estimate_json(const SweepIndicator& x) {
  return estimate_json(x, x.not_applicable.empty() ? x.estimate() : Estimate{});
}

/// The estimate as the report reads it from estimate_json's document.
SweepReportCell report_cell(const SweepIndicator& x, const Estimate& est) {
  SweepReportCell c;
  c.present = true;
  if (!x.not_applicable.empty()) {
    c.applicable = false;
    c.not_applicable = x.not_applicable;
    return c;
  }
  const auto finite = [](double v) { return std::isfinite(v) ? v : kNaN; };
  c.mean = finite(est.mean);
  if (est.ci95 && std::isfinite(est.ci95->first) && std::isfinite(est.ci95->second)) {
    c.lo = est.ci95->first;
    c.hi = est.ci95->second;
  }
  c.n = finite(est.observations);
  c.replications = static_cast<double>(est.replications);
  c.few = est.few_observations;
  return c;
}

/// A cell as the report scratch holds it: 48 bytes, no padding.
struct ReportRecord {
  double mean, lo, hi, n, replications;
  std::uint32_t note;  ///< with kNotApplicable: its reason's index
  std::uint8_t state;  ///< kAbsent, kEstimate, kNotApplicable
  std::uint8_t few;
  std::uint16_t unused;
};
static_assert(sizeof(ReportRecord) == 48);
constexpr std::uint8_t kAbsent = 0, kEstimate = 1, kNotApplicable = 2;

/// A run's block in the report scratch: this header, then `count` records (the drawn indicators
/// known when the run was added, in their order).
struct ReportBlock {
  std::uint32_t count;
  std::uint32_t missing;
};
static_assert(sizeof(ReportBlock) == 8);

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
std::string csv_row(const SweepIndicator& x, const Estimate& e) {
  if (!x.not_applicable.empty()) return ",,,,,n/a\n";
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
  Json r;
  r["index"] = run.at("index");
  r["id"] = run.at("id");
  r["values"] = run.at("values");
  if (!record) {
    r["missing"] = true;
  } else {
    r["events_processed"] = record->events_processed;
    Json est;
    const std::vector<std::string> paths = swept_paths(plan);
    std::string head = run.at("id").get<std::string>() + "," + std::to_string(run.at("index").get<std::size_t>());
    for (const std::string& p : paths) head += "," + csv_quoted(run.at("values").at(p).get<std::string>());
    std::string& rows = part.csv;
    part.cells.reserve(record->indicators.size());
    for (const SweepIndicator& x : record->indicators) {
      part.definitions.push_back(
          Json{{"name", x.name}, {"label", x.label}, {"unit", x.unit}, {"kind", kind_name(x.kind)}, {"key", x.key}});
      const Estimate e = x.not_applicable.empty() ? x.estimate() : Estimate{};
      est[x.name] = estimate_json(x, e);
      part.cells.push_back(report_cell(x, e));
      rows += head + ',' + csv_quoted(x.name) + ',' + csv_row(x, e);
    }
    r["indicators"] = std::move(est);
  }
  part.json = "    " + indented(r.dump(2), "    ");
  return part;
}

SweepResultsWriter::SweepResultsWriter(const Json& plan, std::ostream& csv_out, std::ostream& scratch,
                                       std::ostream& report_scratch)
    : plan_(plan), csv_(csv_out), scratch_(scratch), report_scratch_(report_scratch) {
  if (const auto it = plan.find("chosen_indicators"); it != plan.end()) chosen_ = it->get<std::vector<std::string>>();
  csv_ << "run,index";
  for (const std::string& p : swept_paths(plan)) csv_ << ',' << csv_quoted(p);
  csv_ << ",indicator,mean,ci95_low,ci95_high,n,replications,note\n";
}

void SweepResultsWriter::add(SweepRunPart&& part) {
  if (part.index != added_) throw std::logic_error("SweepResultsWriter: runs out of plan order");
  std::vector<ReportRecord> records;
  if (!part.missing) {
    if (part.cells.size() != part.definitions.size()) throw std::logic_error("SweepResultsWriter: a part's cells");
    std::vector<std::size_t> at(drawn_.size(), part.cells.size());  // this run's cell of each drawn indicator
    const bool open = !definitions_closed_;
    for (std::size_t t = 0; t < part.definitions.size(); ++t) {
      const Json& d = part.definitions[t];
      const std::string& name = d.at("name").get_ref<const std::string&>();
      if (open && seen_.insert(name).second) {
        // A name's definition is that of the first run that has it; the report draws the first
        // kSweepReportMaxFigures of those chosen, else key (sweep_report_html's rule).
        const bool drawn = chosen_.empty() ? d.at("key").get<bool>()
                                           : std::find(chosen_.begin(), chosen_.end(), name) != chosen_.end();
        if (drawn && drawn_.size() < kSweepReportMaxFigures) {
          drawn_index_.emplace(name, static_cast<std::uint32_t>(drawn_.size()));
          drawn_.push_back(name);
          at.push_back(part.cells.size());
        }
        definitions_.push_back(d);
      }
      if (const auto it = drawn_index_.find(name); it != drawn_index_.end()) at[it->second] = t;
    }
    if (seen_.size() > 100000) definitions_closed_ = true;  // as sweep_document
    records.resize(drawn_.size());
    for (std::size_t j = 0; j < drawn_.size(); ++j) {
      ReportRecord& rec = records[j];
      rec = ReportRecord{kNaN, kNaN, kNaN, kNaN, kNaN, 0, kAbsent, 0, 0};
      if (at[j] == part.cells.size()) continue;
      const SweepReportCell& c = part.cells[at[j]];
      if (!c.applicable) {
        auto [it, fresh] = note_index_.emplace(c.not_applicable, static_cast<std::uint32_t>(notes_.size()));
        if (fresh) notes_.push_back(c.not_applicable);
        rec.state = kNotApplicable;
        rec.note = it->second;
        continue;
      }
      rec = ReportRecord{
          c.mean, c.lo, c.hi, c.n, c.replications, 0, kEstimate, c.few ? std::uint8_t{1} : std::uint8_t{0}, 0};
    }
  }
  if (part.missing) missing_.push_back(plan_.at("runs").at(part.index).at("id"));
  const ReportBlock block{static_cast<std::uint32_t>(records.size()), part.missing ? 1u : 0u};
  report_scratch_.write(reinterpret_cast<const char*>(&block), sizeof block);
  if (!records.empty()) {
    report_scratch_.write(reinterpret_cast<const char*>(records.data()),
                          static_cast<std::streamsize>(records.size() * sizeof(ReportRecord)));
  }
  csv_ << part.csv;
  scratch_ << (added_ == 0 ? "" : ",\n") << part.json;
  missing_runs_.push_back(part.missing);
  ++added_;
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
  if (added_ != plan_.at("runs").size()) throw std::logic_error("SweepResultsWriter: not every run added");
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
  if (added_ == 0) {
    json << "[]";
  } else {
    json << "[\n" << scratch.rdbuf() << "\n  ]";
  }
  key("missing");
  json << indented(missing_.dump(2), "  ") << "\n}\n";
}

void SweepResultsWriter::write_report(std::ostream& html, std::istream& report_scratch, std::iostream& figures) const {
  if (added_ != plan_.at("runs").size()) throw std::logic_error("SweepResultsWriter: not every run added");
  report_scratch_.flush();
  if (!report_scratch_) throw std::runtime_error("sweep report: the scratch file: write failed (disk full?)");
  Json h = head();
  h["missing"] = missing_;
  std::vector<ReportRecord> block;
  const SweepReportSource source{
      h, plan_.at("runs"), [&](std::size_t i) { return static_cast<bool>(missing_runs_.at(i)); },
      [&](std::size_t j, const std::string& name, std::vector<SweepReportCell>& cells) {
        if (j >= drawn_.size() || drawn_[j] != name)
          throw std::logic_error("SweepResultsWriter: the report's indicators");
        report_scratch.clear();
        report_scratch.seekg(0);
        cells.assign(added_, SweepReportCell{});
        for (std::size_t i = 0; i < added_; ++i) {
          ReportBlock b{};
          report_scratch.read(reinterpret_cast<char*>(&b), sizeof b);
          if (!report_scratch || b.count > drawn_.size()) {
            throw std::runtime_error("sweep report: the scratch file: read failed");
          }
          block.resize(b.count);
          if (b.count) {
            report_scratch.read(reinterpret_cast<char*>(block.data()),
                                static_cast<std::streamsize>(b.count * sizeof(ReportRecord)));
          }
          if (!report_scratch) throw std::runtime_error("sweep report: the scratch file: read failed");
          if (j >= b.count || block[j].state == kAbsent) continue;
          const ReportRecord& r = block[j];
          SweepReportCell& c = cells[i];
          c.present = true;
          if (r.state == kNotApplicable) {
            c.applicable = false;
            c.not_applicable = notes_.at(r.note);
            continue;
          }
          c.mean = r.mean;
          c.lo = r.lo;
          c.hi = r.hi;
          c.n = r.n;
          c.replications = r.replications;
          c.few = r.few != 0;
        }
      }};
  write_sweep_report_html(html, figures, source);
}

void SweepResultsWriter::print_table(std::ostream& os) const {
  std::vector<std::string> chosen;
  if (const auto it = plan_.find("chosen_indicators"); it != plan_.end()) chosen = it->get<std::vector<std::string>>();
  print_table_rows(os, plan_, sweep_table_indicators(chosen), table_);
}

}  // namespace refsim
