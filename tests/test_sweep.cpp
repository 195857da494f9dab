// Sweeps: values and ranges, grids, lockstep, constraints, run ids, the shard split (every run
// exactly once), the run files read back exactly, and results that depend neither on the thread
// count nor on the shard, paired like refsim compare's.
#include <catch2/catch.hpp>

#include <mutex>
#include <set>
#include <sstream>

#include "sim/experiment/compare.hpp"
#include "sim/experiment/sweep.hpp"
#include "sim/model/sweep.hpp"
#include "sim/report/sweep_output.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

using Strings = std::vector<std::string>;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string queue(int servers) {
  std::ostringstream os;
  os << "[scenario]\nname = \"M/M/c\"\n[run]\nhorizon = 300\nwarmup = 50\nreplications = 4\nseed = 3\n"
     << "[[agency]]\nid = \"desk\"\nservers = " << servers
     << "\nservice = { dist = \"exponential\", mean = 1 }\n[[source]]\nid = \"arrivals\"\nto = \"desk\"\nrate = 0.8\n";
  return os.str();
}

/// Runs points with 1..4 servers (point j: j + 1 servers), keyed by point.
std::vector<SweepRunRecord> sweep_queues(unsigned threads, const std::vector<std::size_t>& points,
                                         bool concurrent_done = false) {
  SweepRunOptions opt;
  opt.concurrent_done = concurrent_done;
  opt.seed = 11;
  opt.replications = 5;
  opt.threads = threads;
  opt.indicators = {"agencies.desk.mean_wait_days", "agencies.desk.utilization"};
  std::vector<SweepRunRecord> out(4);
  std::mutex mu;  // only for concurrent_done's calls, which may overlap
  run_sweep(
      points.size(), [&](std::size_t j) { return test::scenario(queue(static_cast<int>(points[j]) + 2)); }, opt,
      [&](SweepRunRecord&& r) {
        std::lock_guard lock(mu);
        out[points[r.job]] = std::move(r);
      });
  return out;
}

}  // namespace

TEST_CASE("Sweep: values are a comma list or ranges") {
  CHECK(parse_sweep_values("2,3,4") == Strings{"2", "3", "4"});
  CHECK(parse_sweep_values("20..60:10") == Strings{"20", "30", "40", "50", "60"});
  CHECK(parse_sweep_values("60..20:20") == Strings{"60", "40", "20"});
  CHECK(parse_sweep_values("20..55:10") == Strings{"20", "30", "40", "50"});
  CHECK(parse_sweep_values("0.1..0.5:0.1") == Strings{"0.1", "0.2", "0.3", "0.4", "0.5"});
  CHECK(parse_sweep_values("12h..36h:12h") == Strings{"12h", "24h", "36h"});
  CHECK(parse_sweep_values("1, 5..7:1, 10") == Strings{"1", "5", "6", "7", "10"});
  CHECK(parse_sweep_values("turn_away, wait") == Strings{"turn_away", "wait"});
  CHECK(parse_sweep_values("{ dist = \"exponential\", mean = 2 },\"a,b\"") ==
        Strings{"{ dist = \"exponential\", mean = 2 }", "\"a,b\""});
  CHECK(error_of([] { parse_sweep_values("1..4"); }).find("has no step") != std::string::npos);
  CHECK(error_of([] { parse_sweep_values("1..4:0"); }).find("STEP must be greater than 0") != std::string::npos);
  CHECK(error_of([] { parse_sweep_values("1,,2"); }).find("an empty value") != std::string::npos);
  CHECK(error_of([] { parse_sweep_values("1h..4d:1h"); }).find("the same unit") != std::string::npos);
  CHECK(error_of([] { parse_sweep_values("0..1000000000:1"); }).find("more than") != std::string::npos);
  const SweepParameter p = parse_vary("agency.shelter.beds=20..40:10");
  CHECK(p.path == "agency.shelter.beds");
  CHECK(p.values == Strings{"20", "30", "40"});
  CHECK(error_of([] { parse_vary("agency.shelter.beds"); }).find("expected PATH=VALUES") != std::string::npos);
}

TEST_CASE("Sweep: a grid, values in lockstep and a constraint") {
  SweepSpec spec;
  spec.axes.push_back({{{"agency.a.servers", {"1", "2", "3"}}}});
  spec.axes.push_back({{{"agency.b.beds", {"10", "20"}}, {"agency.c.beds", {"5", "0"}}}});
  SweepGrid g = expand_sweep(spec);
  REQUIRE(g.points.size() == 6);
  CHECK(g.combinations == 6);
  CHECK(g.points[1].sets() == Strings{"agency.a.servers=1", "agency.b.beds=20", "agency.c.beds=0"});
  CHECK(g.points[4].sets() == Strings{"agency.a.servers=3", "agency.b.beds=10", "agency.c.beds=5"});
  std::set<std::string> ids;
  for (const SweepPoint& p : g.points) ids.insert(p.id);
  CHECK(ids.size() == 6);

  spec.where = {"a.servers * 10 + b.beds <= 30 and not (agency.c.beds == 0 and a.servers == 1)"};
  g = expand_sweep(spec);
  REQUIRE(g.points.size() == 2);  // (1, 10, 5), (2, 10, 5)
  CHECK(g.dropped == 4);
  CHECK(g.points[1].index == 1);
  CHECK(g.points[1].values[0].second == "2");
  // The id is a hash of the overrides alone: the same point keeps it in another grid or order.
  SweepSpec other;
  other.axes.push_back({{{"agency.b.beds", {"10"}}, {"agency.c.beds", {"5"}}}});
  other.axes.push_back({{{"agency.a.servers", {"2"}}}});
  CHECK(expand_sweep(other).points[0].id == g.points[1].id);

  spec.where = {"beds > 1"};
  CHECK(error_of([&] { expand_sweep(spec); }).find("'beds' could be any of agency.b.beds, agency.c.beds") !=
        std::string::npos);
  spec.where = {"a.servers = 1"};
  CHECK(error_of([&] { expand_sweep(spec); }).find("write == to compare") != std::string::npos);
  spec.where = {"a.servers + 1"};
  CHECK(error_of([&] { expand_sweep(spec); }).find("not true or false") != std::string::npos);
  spec.where = {"a.servers > 5"};
  CHECK(error_of([&] { expand_sweep(spec); }).find("drops every one of the 6") != std::string::npos);
  spec.where.clear();
  spec.axes[1].parameters[1].values.push_back("9");
  CHECK(error_of([&] { expand_sweep(spec); }).find("varies in lockstep with 'agency.b.beds'") != std::string::npos);
  SweepSpec twice;
  twice.axes.push_back({{{"run.seed", {"1"}}}});
  twice.axes.push_back({{{"run.seed", {"2"}}}});
  CHECK(error_of([&] { expand_sweep(twice); }).find("swept twice") != std::string::npos);
  // Text values and durations in a constraint.
  SweepSpec text;
  text.axes.push_back({{{"agency.a.when_full", {"wait", "turn_away"}}}});
  text.axes.push_back({{{"agency.a.service.mean", {"12h", "2d"}}}});
  text.where = {"when_full == 'wait' or mean < 1"};
  CHECK(expand_sweep(text).points.size() == 3);
}

TEST_CASE("Sweep: the shards of N = 1 to 7 hold every run exactly once") {
  for (std::uint32_t n = 1; n <= 7; ++n) {
    for (std::size_t runs : {1u, 6u, 13u}) {
      std::vector<int> seen(runs, 0);
      for (std::uint32_t i = 0; i < n; ++i) {
        const Shard s = parse_shard(std::to_string(i) + "/" + std::to_string(n));
        for (std::size_t r = 0; r < runs; ++r) seen[r] += s.contains(r) ? 1 : 0;
      }
      for (std::size_t r = 0; r < runs; ++r) CHECK(seen[r] == 1);
    }
  }
  for (const char* bad : {"4/4", "-1/4", "1", "a/b", "0/0", "1/2/3", " 0/2"}) {
    CHECK(error_of([&] { parse_shard(bad); }).find("expected I/N") != std::string::npos);
  }
}

TEST_CASE("Sweep: results do not depend on the thread count or on the shard, and pair like compare") {
  const std::vector<SweepRunRecord> one = sweep_queues(1, {0, 1, 2, 3});
  const std::vector<SweepRunRecord> two = sweep_queues(2, {0, 1, 2, 3});
  std::vector<SweepRunRecord> shards = sweep_queues(2, {1, 3});
  const std::vector<SweepRunRecord> rest = sweep_queues(1, {0, 2});
  shards[0] = rest[0];
  shards[2] = rest[2];
  for (std::size_t p = 0; p < 4; ++p) {
    REQUIRE(one[p].indicators.size() == 2);
    for (std::size_t k = 0; k < 2; ++k) {
      CHECK(one[p].indicators[k].values == two[p].indicators[k].values);
      CHECK(one[p].indicators[k].values == shards[p].indicators[k].values);
    }
  }
  // Replication r of each point is refsim compare's replication r of the same scenario.
  std::vector<Variant> v;
  v.push_back({"a", "a.toml", test::scenario(queue(2))});
  v.push_back({"b", "b.toml", test::scenario(queue(3))});
  CompareOptions opt;
  opt.seed = 11;
  opt.replications = 5;
  const CompareResult c = compare(v, opt, {"agencies.desk.mean_wait_days"});
  CHECK(c.indicators[0].values[0].series.values == one[0].indicators[0].values);
  CHECK(c.indicators[0].values[1].series.values == one[1].indicators[0].values);
}

TEST_CASE("Sweep: a run file reads back exactly, and is refused for another sweep or cut short") {
  const std::vector<SweepRunRecord> runs = sweep_queues(2, {0});
  const nlohmann::ordered_json run = {{"index", 0}, {"id", "00000000000000aa"}, {"values", {{"x", "1"}}}};
  const std::string text = sweep_run_file("idty", run, runs[0]);
  std::string why;
  const auto back = parse_sweep_run(text, "idty", "00000000000000aa", &why);
  REQUIRE(back);
  REQUIRE(back->indicators.size() == runs[0].indicators.size());
  for (std::size_t k = 0; k < back->indicators.size(); ++k) {
    CHECK(back->indicators[k].values == runs[0].indicators[k].values);  // bit for bit
    CHECK(back->indicators[k].basis == runs[0].indicators[k].basis);
    CHECK(back->indicators[k].kind == runs[0].indicators[k].kind);
  }
  CHECK(sweep_run_file("idty", run, *back) == text);
  CHECK_FALSE(parse_sweep_run(text, "other", "00000000000000aa", &why));
  CHECK(why.find("written by another sweep") != std::string::npos);
  CHECK_FALSE(parse_sweep_run(text, "idty", "00000000000000bb", &why));
  CHECK_FALSE(parse_sweep_run(text.substr(0, text.size() / 2), "idty", "00000000000000aa", &why));
  CHECK(why == "not a whole JSON document");
}

TEST_CASE("Sweep: concurrent_done hands on every point once with the values of serialised calls") {
  const std::vector<SweepRunRecord> serial = sweep_queues(2, {0, 1, 2, 3});
  const std::vector<SweepRunRecord> concurrent = sweep_queues(2, {0, 1, 2, 3}, true);
  for (std::size_t p = 0; p < 4; ++p) {
    REQUIRE(concurrent[p].indicators.size() == 2);
    CHECK(concurrent[p].events_processed == serial[p].events_processed);
    for (std::size_t k = 0; k < 2; ++k) CHECK(concurrent[p].indicators[k].values == serial[p].indicators[k].values);
  }
}

TEST_CASE("Sweep: the results streamed run by run are byte for byte sweep_document, sweep_csv and the report") {
  const std::vector<SweepRunRecord> runs = sweep_queues(2, {0, 1, 2, 3});
  nlohmann::ordered_json plan;
  plan["refsim_sweep"] = 1;
  plan["identity"] = "idty";
  plan["chosen_indicators"] = nlohmann::ordered_json::array();
  plan["axes"] = nlohmann::ordered_json::array(
      {nlohmann::ordered_json::array({{{"path", "agency.desk.servers"}, {"values", {"2", "3", "4", "5"}}}})});
  plan["runs"] = nlohmann::ordered_json::array();
  for (int i = 0; i < 4; ++i) {
    plan["runs"].push_back({{"index", i},
                            {"id", "00000000000000a" + std::to_string(i)},
                            {"values", {{"agency.desk.servers", std::to_string(i + 2)}}}});
  }
  struct Streamed {
    std::string json, csv, html;
  };
  const auto streamed = [&](const std::vector<const SweepRunRecord*>& records) {
    std::ostringstream csv, json, html;
    std::stringstream scratch, report_scratch, figures;
    SweepResultsWriter w(plan, csv, scratch, report_scratch);
    for (std::size_t i = 0; i < records.size(); ++i) w.add(sweep_run_part(plan, i, records[i]));
    w.finish(json, scratch);
    w.write_report(html, report_scratch, figures);
    return Streamed{json.str(), csv.str(), html.str()};
  };
  const auto check_same = [&](const std::vector<const SweepRunRecord*>& records) {
    const Streamed out = streamed(records);
    const nlohmann::ordered_json doc = sweep_document(plan, records);
    CHECK(out.json == doc.dump(2) + "\n");
    CHECK(out.csv == sweep_csv(plan, records));
    const std::string html = sweep_report_html(doc);
    CHECK(out.html.size() == html.size());
    CHECK(out.html == html);
    return out;
  };
  REQUIRE(runs[0].indicators.size() == 2);
  SECTION("every run") {
    const Streamed out = check_same({&runs[0], &runs[1], &runs[2], &runs[3]});
    for (const SweepIndicator& x : runs[0].indicators) {  // without a choice, the key ones are drawn
      CHECK((out.html.find("Indicator " + x.name + ":") != std::string::npos) == x.key);
    }
  }
  SECTION("runs missing") { check_same({nullptr, &runs[1], nullptr, &runs[3]}); }
  SECTION("every indicator chosen, one not applicable in a run, one absent from another") {
    plan["chosen_indicators"] = {runs[0].indicators[0].name, runs[0].indicators[1].name};
    std::vector<SweepRunRecord> changed = runs;
    changed[1].indicators[0].not_applicable = "no such agency in this variant";
    changed[2].indicators.erase(changed[2].indicators.begin() + 1);
    const Streamed out = check_same({&changed[0], &changed[1], &changed[2], nullptr});
    CHECK(out.html.find("n/a: no such agency in this variant") != std::string::npos);
    CHECK(out.html.find("n/a: no such indicator in this run") != std::string::npos);
    CHECK(out.html.find("Indicator " + runs[0].indicators[1].name + ":") != std::string::npos);
  }
  SECTION("no run in the plan") {
    plan["runs"] = nlohmann::ordered_json::array();
    check_same({});
  }
}
