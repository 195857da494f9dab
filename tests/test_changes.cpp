// Changing a running mechanism: Engine::apply and scheduled changes (servers, beds, closing,
// rates, rules, decisions), what observers hear, and utilization when capacity changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/experiment/runner.hpp"
#include "sim/report/report.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// One agency `a` with `servers` (or "beds = N") and a deterministic service of `service`, holding
/// `initial` cases at t = 0; a source that practically never sends anyone (one case per 10^6 days).
std::string one_agency(const std::string& capacity, const std::string& service, int initial,
                       const std::string& extra = "") {
  return R"([scenario]
name = "one agency"
[run]
horizon = "100d"
[[agency]]
id = "a"
)" + capacity +
         "\nservice = { dist = \"deterministic\", value = \"" + service +
         "\" }\ninitial_cases = " + std::to_string(initial) + "\n" + extra + R"(
[[source]]
id = "trickle"
to = "a"
rate = "1/y"
)";
}

/// Records when services start and end, with the person's serial, and every change heard.
struct Recorder : Observer {
  struct Start {
    Time t;
    std::uint64_t serial;
  };
  std::vector<Start> starts;
  std::vector<Time> ends;
  std::vector<Time> entries;
  std::vector<std::pair<Change, Change>> changes;
  std::size_t turned_away = 0, referrals = 0, positive = 0, negative = 0;
  void on_service_start(Time t, AgencyId, const Case& c, Time) override { starts.push_back({t, c.serial}); }
  void on_service_end(Time t, AgencyId, const Case&, Time) override { ends.push_back(t); }
  void on_case_entered(Time t, const Case&, const Attributes&) override { entries.push_back(t); }
  void on_turned_away(Time, AgencyId, const Case&) override { ++turned_away; }
  void on_referral(Time, ReferralId, const Case&, Time) override { ++referrals; }
  void on_decision(Time, AgencyId, const Case&, const Attributes&, std::uint32_t, bool yes) override {
    ++(yes ? positive : negative);
  }
  void on_parameter_changed(Time, const Change& c, const Change& previous) override {
    changes.push_back({c, previous});
  }
};

Change servers(AgencyId a, std::uint32_t n) {
  Change c;
  c.index = a;
  c.servers = n;
  return c;
}

Change open(AgencyId a, bool is_open) {
  Change c;
  c.index = a;
  c.open = is_open;
  return c;
}

}  // namespace

TEST_CASE("Changes: a staff cut lets cases in service finish and starts none above the new number") {
  const Scenario s = test::scenario(one_agency("servers = 4", "10d", 8));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(5);
  REQUIRE(e.busy(0) == 4);
  REQUIRE(e.queue_length(0) == 4);
  e.apply(servers(0, 2));
  CHECK(e.servers(0) == 2);
  CHECK(e.busy(0) == 4);  // nobody is sent home mid-service
  e.run_until(10);        // the four finish at t = 10; two start in their place
  CHECK(rec.ends.size() == 4);
  CHECK(e.busy(0) == 2);
  CHECK(e.queue_length(0) == 2);
  e.run_until(20);
  CHECK(e.busy(0) == 2);
  CHECK(e.queue_length(0) == 0);
  e.run_until(30);
  CHECK(e.busy(0) == 0);
  REQUIRE(rec.starts.size() == 8);
  for (std::size_t k = 4; k < 8; ++k) CHECK(rec.starts[k].t == (k < 6 ? 10.0 : 20.0));
}

TEST_CASE("Changes: added staff start as many waiting cases as there are new free servers") {
  const Scenario s = test::scenario(one_agency("servers = 1", "10d", 6));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(5);
  REQUIRE(e.busy(0) == 1);
  e.apply(servers(0, 4));
  CHECK(e.busy(0) == 4);  // three start at once, not one
  CHECK(e.queue_length(0) == 2);
  REQUIRE(rec.starts.size() == 4);
  for (std::size_t k = 1; k < 4; ++k) {
    CHECK(rec.starts[k].t == 5.0);
    CHECK(rec.starts[k].serial == k);  // in FIFO order
  }
}

TEST_CASE("Changes: a closed agency queues, and reopens in FIFO order") {
  const Scenario s = test::scenario(one_agency("servers = 2", "10d", 6));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(5);
  e.apply(open(0, false));
  CHECK_FALSE(e.is_open(0));
  CHECK(e.busy(0) == 2);  // cases in service finish
  e.run_until(14);
  CHECK(e.busy(0) == 0);
  CHECK(e.queue_length(0) == 4);  // and nobody starts while it is closed
  e.apply(open(0, true));
  CHECK(e.busy(0) == 2);
  REQUIRE(rec.starts.size() == 4);
  CHECK(rec.starts[2].t == 14.0);
  CHECK(rec.starts[2].serial == 2);
  CHECK(rec.starts[3].serial == 3);
  e.run_until(24);
  REQUIRE(rec.starts.size() == 6);
  CHECK(rec.starts[4].serial == 4);
  CHECK(rec.starts[5].serial == 5);
}

TEST_CASE("Changes: a closed agency with when_full = turn_away turns arrivals away") {
  const Scenario s = test::scenario(one_agency("servers = 5", "10d", 3, "when_full = \"turn_away\""));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  e.apply(open(0, false));  // before the initial cases arrive (they enter at t = 0, after this)
  Recorder rec;
  e.add_observer(rec);
  e.run_until(1);
  CHECK(rec.turned_away == 3);
  CHECK(e.busy(0) == 0);
}

TEST_CASE("Changes: beds removed below occupancy evict nobody") {
  const Scenario s = test::scenario(one_agency("beds = 5", "10d", 5));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  e.run_until(1);
  REQUIRE(e.busy(0) == 5);
  e.apply(servers(0, 2));
  e.run_until(9.5);
  CHECK(e.busy(0) == 5);
  e.run_until(10);
  CHECK(e.busy(0) == 0);
}

TEST_CASE("Changes: a rate change redraws the next arrival, so that the process stays Poisson") {
  // A source that would next send someone after ~10^4 days is raised to 50 per day at t = 1. Were
  // the pending arrival kept, nobody would come for thousands of days. Redrawn, the first gap
  // after the change is exponential with mean 1/50 d: over 400 replications its mean has standard
  // error 0.02 / 20 = 0.001 d, and the arrivals in [1, 2) are Poisson(50) in each.
  const std::string text = R"([scenario]
name = "rate change"
[run]
horizon = "2d"
[[agency]]
id = "a"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "a"
rate = "0.0001/d"
)";
  const Scenario s = test::scenario(text);
  const ReferralGraph g(s);
  double gap_sum = 0, count_sum = 0;
  constexpr int kReps = 400;
  for (int rep = 0; rep < kReps; ++rep) {
    Engine e(s, g, 7, static_cast<std::uint32_t>(rep));
    Recorder rec;
    e.add_observer(rec);
    e.run_until(1);
    Change c;
    c.target = Change::Target::source;
    c.index = 0;
    c.rate_per_day = 50;
    e.apply(c);
    e.run_until(2);
    std::size_t after = 0;
    for (Time t : rec.entries) after += t >= 1;
    REQUIRE(after > 0);
    gap_sum += *std::find_if(rec.entries.begin(), rec.entries.end(), [](Time t) { return t >= 1; }) - 1;
    count_sum += static_cast<double>(after);
  }
  CHECK(gap_sum / kReps == Approx(0.02).margin(4 * 0.001));                    // 4 standard errors
  CHECK(count_sum / kReps == Approx(50).margin(4 * std::sqrt(50.0 / kReps)));  // 4 standard errors
}

TEST_CASE("Changes: a rate of 0 stops a source, and a later rate starts it again") {
  const Scenario s = test::scenario(R"([scenario]
name = "stop and go"
[run]
horizon = "30d"
[[agency]]
id = "a"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "a"
rate = "10/d"
)");
  const ReferralGraph g(s);
  Engine e(s, g, 3, 0);
  Recorder rec;
  e.add_observer(rec);
  Change stop;
  stop.target = Change::Target::source;
  stop.rate_per_day = 0;
  e.schedule_change(10, stop);
  Change go = stop;
  go.rate_per_day = 10;
  e.schedule_change(20, go);
  e.run_until(30);
  std::size_t during = 0, after = 0;
  for (Time t : rec.entries) {
    during += t > 10 && t <= 20;
    after += t > 20;
  }
  CHECK(during == 0);
  CHECK(after > 50);  // Poisson(100): below 50 has probability < 1e-7
}

TEST_CASE("Changes: a referral's probability changes the routing from the next service end") {
  const Scenario s = test::scenario(R"([scenario]
name = "route"
[run]
horizon = "20d"
[[agency]]
id = "a"
servers = "unlimited"
service = "1h"
[[agency]]
id = "b"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "a"
rate = "20/d"
[[referral]]
from = "a"
to = "b"
probability = 1
)");
  const ReferralGraph g(s);
  Engine e(s, g, 5, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(10);
  const std::size_t before = rec.referrals;
  CHECK(before > 100);
  Change c;
  c.target = Change::Target::referral;
  c.index = 0;
  c.probability = 0;
  e.apply(c);
  e.run_until(20);
  CHECK(rec.referrals == before);
  CHECK(e.parameters().referrals[0].probability == 0);
  // The static graph (refsim check's loads) still says what the file says.
  CHECK(g.routes(0)[0].probability == 1);
}

TEST_CASE("Changes: a decision's sensitivity applies to the decisions taken after it") {
  const Scenario s = test::scenario(R"([scenario]
name = "training"
[run]
horizon = "20d"
[[agency]]
id = "screen"
servers = "unlimited"
service = "1h"
decision = { sets = "presumed", sensitivity = 0, specificity = 1 }
[[source]]
id = "s"
to = "screen"
rate = "20/d"
)");
  const ReferralGraph g(s);
  Engine e(s, g, 5, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(10);
  CHECK(rec.positive == 0);  // the default profile's people are all victims
  Change c;
  c.index = 0;
  c.sensitivity = 1;
  e.apply(c);
  const std::size_t negatives = rec.negative;
  e.run_until(20);
  CHECK(rec.positive > 100);
  CHECK(rec.negative == negatives);  // decisions are taken at the end of service, all after the change
}

TEST_CASE("Changes: observers hear each change after it, with the values before") {
  const Scenario s = test::scenario(one_agency("servers = 3", "10d", 0));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  Recorder rec;
  e.add_observer(rec);
  e.schedule_change(40, servers(0, 1));
  e.run_until(50);
  REQUIRE(rec.changes.size() == 1);
  CHECK(*rec.changes[0].first.servers == 1);
  CHECK(*rec.changes[0].second.servers == 3);
  CHECK(describe(rec.changes[0].first, rec.changes[0].second, s) == "a: servers 3 → 1");
}

TEST_CASE("Changes: an invalid change throws, names the object and changes nothing") {
  const Scenario s = test::scenario(one_agency("servers = 3", "10d", 0));
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  Change c;
  c.index = 0;
  c.sensitivity = 0.5;
  c.servers = 7;
  CHECK_THROWS_WITH(e.apply(c),
                    "agency 'a': takes no decision: no sensitivity, specificity or positive_rate to change");
  CHECK(e.servers(0) == 3);
  Change r;
  r.target = Change::Target::source;
  r.rate_per_day = -1;
  CHECK_THROWS_WITH(e.apply(r), "source 'trickle': rate must be a finite number >= 0 per day, got -1");
  e.run_until(10);
  CHECK_THROWS_WITH(e.schedule_change(5, servers(0, 1)), "a change scheduled at 5d, before the current time 10d");
}

TEST_CASE("Changes: utilization is busy server-time over staffed server-time when servers change") {
  // 4 servers, 6 cases of exactly 15 days each at t = 0, no other arrivals; servers cut to 1 at
  // t = 10. Busy: 4 over [0, 15); then 1 over [15, 30) and 1 over [30, 45): 60 + 15 + 15 = 90
  // server-days. Staffed: 4 over [0, 15) (the cut lets the four finish), then 1 to t = 100:
  // 60 + 85 = 145. Utilization 90 / 145, exactly (up to rounding of the sums).
  Scenario s = test::scenario(one_agency("servers = 4", "15d", 6));
  s.changes.push_back({10, servers(0, 1)});
  const ReferralGraph g(s);
  const ReplicationResult r = run_replication(s, g, 1, 0);
  CHECK(r.agencies[0].mean_in_service == Approx(90.0 / 100).epsilon(1e-12));
  CHECK(r.agencies[0].utilization == Approx(90.0 / 145).epsilon(1e-12));
}

TEST_CASE("Changes: utilization with servers raised counts the new servers from the change") {
  // 1 server, 4 cases of 10 days, raised to 2 at t = 20 (one in service since t = 20, ended at 20:
  // at t = 20 the second case ends and the third starts; the change comes first, so the third and
  // fourth start together). Busy: 1 over [0, 20), 2 over [20, 30): 40. Staffed: 1 × 20 + 2 × 80 = 180.
  Scenario s = test::scenario(one_agency("servers = 1", "10d", 4));
  s.changes.push_back({20, servers(0, 2)});
  const ReferralGraph g(s);
  const ReplicationResult r = run_replication(s, g, 1, 0);
  CHECK(r.agencies[0].mean_in_service == Approx(40.0 / 100).epsilon(1e-12));
  CHECK(r.agencies[0].utilization == Approx(40.0 / 180).epsilon(1e-12));
}

TEST_CASE("Changes: the table, the summary and the time series show a scenario's changes") {
  Scenario s = test::scenario(one_agency("servers = 4", "15d", 6));
  Change cut = servers(0, 2);
  cut.origin = "two caseworkers on leave";
  s.changes.push_back({21, cut});
  s.changes.push_back({14, open(0, false)});  // applied first: by time, not by declaration
  s.changes.push_back({35, open(0, true)});
  const ReferralGraph g(s);
  RunOptions opt;
  opt.replications = 2;
  opt.sample_every = 7;
  const RunResult r = run_replications(s, g, opt);
  const RunContext ctx{s, 1, 2};

  std::ostringstream table;
  print_summary_table(table, ctx, r);
  const std::string t = table.str();
  // The servers column: right-aligned under "servers", two spaces after the agency column.
  CHECK(t.find("\na           4→2  ") != std::string::npos);
  CHECK(t.find("changes during the run (3 [[change]]; servers above: before → after):\n"
               "  at 14d      a: closes\n"
               "  at 21d      a: servers 4 → 2  (two caseworkers on leave)\n"
               "  at 35d      a: opens\n") != std::string::npos);

  const std::string json = summary_json(ctx, r);
  CHECK(json.find("\"changes\": [") != std::string::npos);
  CHECK(json.find("\"change\": \"a: servers 4 → 2\"") != std::string::npos);

  std::istringstream csv(timeseries_csv(ctx, r));
  std::vector<std::string> rows;
  for (std::string line; std::getline(csv, line);) rows.push_back(line);
  REQUIRE(rows.size() == 1 + 15);        // samples at 0, 7, …, 98 d
  CHECK(rows[2] == "0,7,a,2,4,0,0,4");   // 4 in service, 2 waiting
  CHECK(rows[3] == "0,14,a,2,4,0,0,0");  // closed at 14 d (before the four end at 15 d)
  CHECK(rows[4] == "0,21,a,2,0,0,0,0");  // closed: nobody starts; servers cut to 2 meanwhile
  CHECK(rows[6] == "0,35,a,0,2,0,0,2");  // reopened: two start at once
}
