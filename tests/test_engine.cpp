#include <catch2/catch.hpp>

#include <cmath>

#include "sim/engine/engine.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// Records every exit's time in system and every referral.
struct Recorder : Observer {
  std::vector<Time> in_system;
  std::vector<Time> in_agency;
  std::vector<Time> waits;
  std::size_t referrals = 0, entered = 0;
  void on_case_entered(Time, const Case&, const Attributes&) override { ++entered; }
  void on_service_start(Time, AgencyId, const Case&, Time w) override { waits.push_back(w); }
  void on_service_end(Time, AgencyId, const Case&, Time t) override { in_agency.push_back(t); }
  void on_referral(Time, ReferralId, const Case&, Time) override { ++referrals; }
  void on_case_exited(Time, const Case&, Time t) override { in_system.push_back(t); }
};

const char* kChain = R"([scenario]
name = "chain"
[run]
horizon = "2000d"
[[agency]]
id = "a"
servers = "unlimited"
service = "1d"
[[agency]]
id = "b"
servers = "unlimited"
service = { dist = "deterministic", value = "2d" }
[[source]]
id = "s"
to = "a"
rate = 3
[[referral]]
from = "a"
to = "b"
probability = 1
delay = "12h"
)";

}  // namespace

TEST_CASE("Engine: unlimited agencies and deterministic delays give exact times") {
  const Scenario s = test::scenario(kChain);
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(s.run.horizon);
  REQUIRE(rec.in_system.size() > 5000);
  for (Time t : rec.in_system) REQUIRE(t == Approx(3.5).margin(1e-9));
  for (Time w : rec.waits) REQUIRE(w == 0);
  // Every case that left went through a, was referred once, then b.
  CHECK(rec.referrals >= rec.in_system.size());
}

TEST_CASE("Engine: cases are conserved, entered = exited + still inside") {
  const Scenario s = test::scenario(kChain);
  const ReferralGraph g(s);
  Engine e(s, g, 9, 0);
  Recorder rec;
  e.add_observer(rec);
  e.run_until(s.run.horizon);
  CHECK(rec.entered == rec.in_system.size() + e.cases_in_system());
  // Everyone still inside is in service at a, in transfer, or in service at b.
  CHECK(e.cases_in_system() == e.busy(0) + e.transfers().size() + e.busy(1));
}

TEST_CASE("Engine: a referral probability sends that share onward") {
  std::string text = kChain;
  text.replace(text.find("probability = 1"), 15, "probability = 0.3");
  const Scenario s = test::scenario(text);
  const ReferralGraph g(s);
  struct CountA : Observer {
    std::size_t done = 0, referred = 0;
    void on_service_end(Time, AgencyId a, const Case&, Time) override { done += (a == 0); }
    void on_referral(Time, ReferralId, const Case&, Time) override { ++referred; }
  } count;
  Engine e2(s, g, 5, 0);
  e2.add_observer(count);
  e2.run_until(s.run.horizon);
  const std::size_t completions_a = count.done;
  const double p = static_cast<double>(count.referred) / static_cast<double>(completions_a);
  const double sd = std::sqrt(0.3 * 0.7 / static_cast<double>(completions_a));
  CHECK(std::fabs(p - 0.3) <= 5 * sd);
}

TEST_CASE("Engine: warm-up resets statistics but not the state") {
  std::string text = kChain;
  text.replace(text.find("horizon = \"2000d\""), 17, "horizon = \"2000d\"\nwarmup = \"1000d\"");
  const Scenario s = test::scenario(text);
  const ReferralGraph g(s);
  const ReplicationResult r = run_replication(s, g, 3, 0);
  // Arrivals in 1000 days at rate 3: Poisson(3000); allow 5 sd.
  CHECK(std::fabs(r.cases.entered - 3000) <= 5 * std::sqrt(3000.0));
  CHECK(r.agencies[0].utilization != r.agencies[0].utilization);      // NaN: unlimited
  CHECK(r.agencies[0].mean_in_service == Approx(3.0).epsilon(0.05));  // L = λ·1d
  CHECK(r.agencies[1].mean_time_in_agency_days == Approx(2.0));
  CHECK(r.cases.mean_time_in_system_days == Approx(3.5));
}

TEST_CASE("Engine: common random numbers, an unrelated agency leaves others' numbers unchanged") {
  const std::string extra = std::string(kChain) + R"(
[[agency]]
id = "z"
servers = 1
service = "1h"
[[source]]
id = "other"
to = "z"
rate = 2
)";
  const Scenario s1 = test::scenario(kChain), s2 = test::scenario(extra);
  const ReferralGraph g1(s1), g2(s2);
  const auto r1 = run_replication(s1, g1, 77, 2), r2 = run_replication(s2, g2, 77, 2);
  CHECK(r1.agencies[0].arrivals == r2.agencies[0].arrivals);
  CHECK(r1.agencies[1].mean_in_service == r2.agencies[1].mean_in_service);
  CHECK(r1.agencies[0].mean_in_service == r2.agencies[0].mean_in_service);
}

TEST_CASE("Engine: FIFO single server, waits follow Lindley's recursion") {
  // With one server and FIFO, W(n+1) = max(0, W(n) + S(n) − A(n+1)); the engine must agree.
  const Scenario s = test::scenario(R"([scenario]
name = "fifo"
[run]
horizon = "200d"
[[agency]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = "20h" }
[[source]]
id = "s"
to = "desk"
rate = 1
)");
  const ReferralGraph g(s);
  struct Trace : Observer {
    std::vector<Time> arrivals, starts, ends;
    void on_arrival(Time t, AgencyId, const Case&) override { arrivals.push_back(t); }
    void on_service_start(Time t, AgencyId, const Case&, Time) override { starts.push_back(t); }
    void on_service_end(Time t, AgencyId, const Case&, Time) override { ends.push_back(t); }
  } tr;
  Engine e(s, g, 11, 0);
  e.add_observer(tr);
  e.run_until(s.run.horizon);
  REQUIRE(tr.ends.size() > 100);
  for (std::size_t n = 1; n < tr.ends.size(); ++n) {
    REQUIRE(tr.starts[n] == Approx(std::max(tr.arrivals[n], tr.ends[n - 1])).margin(1e-12));
  }
}

TEST_CASE("Engine: loops that never end fail with a message instead of hanging") {
  const std::string head = R"([scenario]
name = "loop"
[run]
horizon = "30d"
[[agency]]
id = "a"
servers = "unlimited"
)";
  const std::string source = R"([[source]]
id = "s"
to = "a"
rate = 1
)";
  // Agency a with this service, referring back to itself with this probability; arrivals at `rate`.
  const auto self_loop = [&](const std::string& service, const std::string& probability, const std::string& rate) {
    return test::scenario(head + "service = " + service + "\n[[referral]]\nfrom = \"a\"\nto = \"a\"\nprobability = " +
                          probability + "\n" + source.substr(0, source.find("rate = ")) + "rate = " + rate + "\n");
  };
  SECTION("a fork on a referral loop multiplies a person's tracks") {
    // a forks to b and loops to itself; b forks back to a: every service adds a track.
    const Scenario s = test::scenario(head + R"(service = "1h"
[[agency]]
id = "b"
servers = "unlimited"
service = "1h"
[[referral]]
from = "a"
to = "b"
probability = 1
fork = true
[[referral]]
from = "a"
to = "a"
probability = 1
[[referral]]
from = "b"
to = "a"
probability = 1
fork = true
)" + source);
    const ReferralGraph g(s);
    Engine e(s, g, 1, 0);
    CHECK_THROWS_WITH(e.run_until(s.run.horizon),
                      "a person has more than 1024 parallel tracks at once: a fork on a "
                      "referral loop (see the warnings of `refsim check`)");
  }
  SECTION("zero-time services on a loop never move the clock") {
    // Service is 0 but for a weight of 1e-300; the case is referred back with probability 1.
    const Scenario s = self_loop(R"({ dist = "empirical", values = [0, 1], weights = [1, 1e-300] })", "1", "1");
    const ReferralGraph g(s);
    Engine e(s, g, 1, 0);
    e.set_stall_limit(1 << 20);
    CHECK_THROWS_WITH(e.run_until(s.run.horizon),
                      Catch::Matchers::StartsWith("more than 1048576 events at t = ") &&
                          Catch::Matchers::EndsWith(" without the clock moving: cases loop through zero-time services "
                                                    "and referrals (see the warnings of `refsim check`)"));
    CHECK(e.events_processed() <= (3u << 20));  // caught at the second or third check
  }
  SECTION("a busy but moving clock is not a loop") {
    // About 3,900 cases over 30 days, each served about 1,000 times a second apart: 3.9 M events,
    // while the clock moves by a second at each.
    const Scenario s = self_loop("\"1s\"", "0.999", "130");
    const ReferralGraph g(s);
    Engine e(s, g, 1, 0);
    e.set_stall_limit(1 << 20);
    CHECK_NOTHROW(e.run_until(s.run.horizon));
    CHECK(e.events_processed() > (3u << 20));
  }
}

TEST_CASE("Engine: on_run_start comes once before any event, on_run_end once after the last") {
  const Scenario s = test::scenario(kChain);
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  struct Order : Observer {
    std::vector<std::string> seen;
    void on_run_start(Time t) override { seen.push_back("start " + std::to_string(t)); }
    void on_case_entered(Time, const Case&, const Attributes&) override {
      if (seen.back() != "entered") seen.push_back("entered");
    }
    void on_run_end(Time t) override { seen.push_back("end " + std::to_string(t)); }
  } order;
  e.add_observer(order);
  e.run_until(10);
  e.run_until(20);
  e.end_run(s.run.horizon);
  REQUIRE(order.seen.size() == 3);
  CHECK(order.seen[0] == "start 0.000000");
  CHECK(order.seen[1] == "entered");
  CHECK(order.seen[2] == "end 2000.000000");
}
