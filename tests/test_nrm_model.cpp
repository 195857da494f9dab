// The mechanism around the queues: beds and when-full policies, opening hours, working-day
// deadlines, the recovery period (not_before), support and withdrawal, re-trafficking, seasonal
// and batch sources. Exact outcomes where the scenario makes them deterministic; statistical
// checks allow 5 binomial standard deviations (false alarm ~6e-7).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "support.hpp"

using namespace refsim;
using refsim::test::load_error;

namespace {

/// What happened, in order: (what, time, agency, person serial).
struct Step {
  std::string what;
  Time t;
  AgencyId agency;
  std::uint64_t serial;
  std::uint64_t previous = kNoPrevious;
};

struct Recorder : Observer {
  const Engine* engine = nullptr;
  std::vector<Step> steps;
  std::size_t count(const std::string& what) const {
    std::size_t n = 0;
    for (const Step& s : steps) n += s.what == what;
    return n;
  }
  std::vector<Step> all(const std::string& what) const {
    std::vector<Step> out;
    for (const Step& s : steps) {
      if (s.what == what) out.push_back(s);
    }
    return out;
  }
  void on_case_entered(Time t, const Case& c, const Attributes&) override {
    steps.push_back({"entered", t, c.agency, c.serial, c.previous});
  }
  void on_arrival(Time t, AgencyId a, const Case& c) override { steps.push_back({"arrival", t, a, c.serial}); }
  void on_service_start(Time t, AgencyId a, const Case& c, Time) override {
    steps.push_back({"start", t, a, c.serial});
  }
  void on_service_end(Time t, AgencyId a, const Case& c, Time) override { steps.push_back({"end", t, a, c.serial}); }
  void on_case_exited(Time t, const Case& c, Time) override { steps.push_back({"exit", t, c.agency, c.serial}); }
  void on_turned_away(Time t, AgencyId a, const Case& c) override { steps.push_back({"turned_away", t, a, c.serial}); }
  void on_overflow(Time t, AgencyId from, AgencyId, const Case& c) override {
    steps.push_back({"overflow", t, from, c.serial});
  }
  void on_hold(Time, AgencyId a, const Case& c, Time until) override { steps.push_back({"hold", until, a, c.serial}); }
  void on_dropout(Time t, AgencyId a, const Case& c, Time) override { steps.push_back({"dropout", t, a, c.serial}); }
  void on_withdrawal(Time t, AgencyId a, const Case& c) override {
    const bool supported = engine->attributes(c.person)[attr::kSupported] != 0;
    steps.push_back({supported ? "withdrawal_supported" : "withdrawal", t, a, c.serial});
  }
  void on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) override {
    steps.push_back({"retrafficked", t, a, c.serial});
    steps.push_back({"reentry_due", reentry, a, c.serial});
  }
  void on_deadline(Time t, DeadlineId, const Case& c, DeadlineOutcome o, AgencyId a, Time) override {
    steps.push_back({o == DeadlineOutcome::met        ? "met"
                     : o == DeadlineOutcome::breached ? "breached"
                                                      : "left",
                     t, a, c.serial});
  }
};

Recorder run_model(const std::string& text, std::uint64_t seed = 5) {
  const Scenario s = test::scenario(text);
  const ReferralGraph g(s);
  Engine e(s, g, seed, 0);
  Recorder r;
  r.engine = &e;
  e.add_observer(r);
  e.run_until(s.run.horizon);
  return r;
}

/// A scenario text with `[scenario]`, `[run] horizon`, and the given body.
std::string with(const std::string& horizon, const std::string& body) {
  return "[scenario]\nname = \"t\"\n[run]\nhorizon = \"" + horizon + "\"\n" + body;
}

void check_model_share(double hits, double trials, double p, const std::string& what) {
  INFO(what << ": " << hits << " of " << trials << ", expected share " << p);
  REQUIRE(trials > 1000);
  CHECK(std::fabs(hits - trials * p) <= 5 * std::sqrt(trials * p * (1 - p)));
}

constexpr Time kHour = 1.0 / 24;

}  // namespace

TEST_CASE("Batches: each batch brings its cases at once, in order") {
  const Recorder r = run_model(with("30d", R"(
[[agency]]
id = "police"
servers = "unlimited"
service = "1h"
[[source]]
id = "raid"
to = "police"
at = ["10d", "20d"]
cases = 5
)"));
  const auto entered = r.all("entered");
  REQUIRE(entered.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) {
    CHECK(entered[k].t == (k < 5 ? 10.0 : 20.0));
    CHECK(entered[k].serial == k);
  }
}

TEST_CASE("Beds: a full shelter that turns people away serves as many as it has beds") {
  const Recorder r = run_model(with("30d", R"(
[[agency]]
id = "shelter"
beds = 2
service = "10d"
when_full = "turn_away"
[[source]]
id = "boat"
to = "shelter"
at = ["1d", "5d", "12d"]
cases = 3
)"));
  // Day 1: 2 beds taken, 1 turned away; day 5: all 3 turned away; day 12 (beds freed on day 11):
  // 2 admitted, 1 turned away.
  CHECK(r.count("start") == 4);
  CHECK(r.count("turned_away") == 5);
  for (const Step& s : r.all("turned_away")) CHECK((s.t == 1.0 || s.t == 5.0 || s.t == 12.0));
  CHECK(r.count("exit") == 5 + 4);  // the admitted left on days 11 and 22
}

TEST_CASE("Beds: overflow sends the case on at once to the next agency, whose own policy applies") {
  const Recorder r = run_model(with("30d", R"(
[[agency]]
id = "state_shelter"
beds = 1
service = "10d"
when_full = "overflow:ngo_shelter"
[[agency]]
id = "ngo_shelter"
beds = 1
service = "10d"
when_full = "overflow:hotel"
[[agency]]
id = "hotel"
beds = 0
service = "1d"
when_full = "turn_away"
[[source]]
id = "boat"
to = "state_shelter"
at = ["1d"]
cases = 4
)"));
  // 1 in the state shelter, 1 overflowed to the NGO shelter, 2 overflowed twice and turned away by the hotel.
  CHECK(r.count("overflow") == 3 + 2);
  CHECK(r.count("turned_away") == 2);
  std::vector<AgencyId> served;
  for (const Step& s : r.all("start")) served.push_back(s.agency);
  CHECK(served == std::vector<AgencyId>{0, 1});
}

TEST_CASE("Opening hours: service counts opening time only") {
  // t = 0 is Monday 00:00; day 4 is Friday. A 2-hour interview at a Mon-Fri 09:00-17:00 office.
  const Recorder r = run_model(with("14d", R"(
[[agency]]
id = "office"
servers = 1
service = "2h"
hours = { days = "mon-fri", from = "09:00", to = "17:00" }
[[source]]
id = "s"
to = "office"
at = ["4.6666666666666667d", "5.5d", "8.375d"]
cases = 1
)"));
  const auto ends = r.all("end");
  REQUIRE(ends.size() == 3);
  CHECK(ends[0].t == Approx(7 + 10 * kHour));  // Friday 16:00 + 2h: Monday 10:00
  CHECK(ends[1].t == Approx(7 + 12 * kHour));  // Saturday: queued behind the first until Monday 10:00
  CHECK(ends[2].t == Approx(8 + 11 * kHour));  // Tuesday 09:00 + 2h
}

TEST_CASE("Deadlines in working days skip weekends") {
  // Entered on Friday 15:00 (day 4.625): 5 working days end next Friday 15:00 (day 11.625).
  // Entered on Saturday 10:00 (day 5 + 10/24): they end on Friday at 24:00 (day 12).
  auto outcome = [](const std::string& entry, const std::string& delay) {
    const Recorder r = run_model(with("40d", R"(
[[agency]]
id = "ngo"
servers = "unlimited"
service = "1min"
[[agency]]
id = "authority"
servers = "unlimited"
service = "1min"
[[source]]
id = "s"
to = "ngo"
at = [")" + entry + R"("]
cases = 1
[[referral]]
from = "ngo"
to = "authority"
probability = 1
delay = ")" + delay + R"("
[[deadline]]
id = "rg"
from = "entered"
to = "arrival:authority"
within = "5wd"
)"));
    return r.count("met") == 1 ? std::string("met") : r.count("breached") == 1 ? std::string("breached") : "none";
  };
  // 1 minute of NGO service plus the delay.
  CHECK(outcome("4.625d", "10078min") == "met");                   // 7 d − 2 min after entry
  CHECK(outcome("4.625d", "10081min") == "breached");              // 7 d + 1 min
  CHECK(outcome("5.4166666666666667d", "9478min") == "met");       // Saturday 10:00 + 6 d 14 h − 1 min
  CHECK(outcome("5.4166666666666667d", "9481min") == "breached");  // … + 2 min
}

TEST_CASE("Recovery period: the conclusive decision waits 30 days after a positive reasonable-grounds one") {
  const Recorder r = run_model(with("100d", R"(
[[agency]]
id = "rg"
servers = 1
service = "1d"
decision = { sets = "reasonable_grounds", positive_rate = 1 }
[[agency]]
id = "cg"
servers = 1
service = "2d"
not_before = { after = "positive:reasonable_grounds", gap = "30d" }
[[agency]]
id = "direct"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "rg"
at = ["0d"]
cases = 1
[[source]]
id = "never_decided"
to = "direct"
at = ["0d"]
cases = 1
[[referral]]
from = "rg"
to = "cg"
probability = 1
[[referral]]
from = "direct"
to = "cg"
probability = 1
)"));
  // The person without a reasonable-grounds decision is not held: served at cg from 1h.
  // The decided person reaches cg at day 1 and is held until day 31 (decision at day 1 + 30).
  const auto holds = r.all("hold");
  REQUIRE(holds.size() == 1);
  CHECK(holds[0].t == Approx(31.0));
  std::vector<Time> cg_starts;
  for (const Step& s : r.all("start")) {
    if (s.agency == 1) cg_starts.push_back(s.t);
  }
  REQUIRE(cg_starts.size() == 2);
  CHECK(cg_starts[0] == Approx(kHour));
  CHECK(cg_starts[1] == Approx(31.0));
}

TEST_CASE("Withdrawal depends on support, supported is set by agencies that support") {
  const std::string body = R"(
[[agency]]
id = "intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "shelter"
servers = "unlimited"
service = "1d"
supports = true
[[agency]]
id = "prosecutor"
servers = "unlimited"
service = "10d"
stage = "prosecution"
withdrawal = { unsupported = 0.4, supported = 0.1 }
[[source]]
id = "s"
to = "intake"
rate = 10
[[referral]]
from = "intake"
to = "shelter"
probability = 0.5
[[referral]]
from = "intake"
to = "prosecutor"
probability = 0.5
[[referral]]
from = "shelter"
to = "prosecutor"
probability = 1
)";
  const Recorder r = run_model(with("2000d", body));
  // Prosecutor service ends, by whether the person went through the shelter first.
  double supported_served = 0, unsupported_served = 0;
  std::set<std::uint64_t> sheltered;
  for (const Step& s : r.steps) {
    if (s.what == "start" && s.agency == 1) sheltered.insert(s.serial);
    if (s.what == "end" && s.agency == 2) (sheltered.count(s.serial) ? supported_served : unsupported_served) += 1;
  }
  check_model_share(static_cast<double>(r.count("withdrawal_supported")), supported_served, 0.1, "supported");
  check_model_share(static_cast<double>(r.count("withdrawal")), unsupported_served, 0.4, "unsupported");
}

TEST_CASE("Re-trafficking: the person re-enters as a new case linked to the first, state reset") {
  auto scenario = [](const std::string& when) {
    return with("150d", R"(
[[agency]]
id = "screening"
servers = "unlimited"
service = "1d"
decision = { sets = "presumed", positive_rate = 1 }
[[agency]]
id = "reintegration"
servers = "unlimited"
service = "10d"
stage = "reintegration"
retrafficking = { probability = 1, after = "100d", reenters = "screening" }
[[source]]
id = "s"
to = "screening"
at = ["0d"]
cases = 1
[[referral]]
from = "screening"
to = "reintegration"
probability = 1
when = ")" + when + "\"\n");
  };
  // Presumed at day 1 by the decision, which comes before routing: the rule (`not presumed`) does
  // not apply, the person leaves without reintegration, and nothing re-enters.
  const Recorder r = run_model(scenario("not presumed"));
  CHECK(r.count("retrafficked") == 0);
  CHECK(r.count("entered") == 1);

  // Day 0 → screening, day 1 presumed → reintegration, day 11 re-trafficked → re-enters day 111.
  // The re-entry starts unpresumed (state reset), is presumed again at 112, reintegrated until
  // 122 and re-trafficked again, due back at 222, after the horizon.
  const Recorder r2 = run_model(scenario("presumed"));
  const auto entered = r2.all("entered");
  REQUIRE(entered.size() == 2);
  CHECK(entered[0].previous == kNoPrevious);
  CHECK(entered[1].t == Approx(111.0));
  CHECK(entered[1].serial == 1);
  CHECK(entered[1].previous == 0);
  CHECK(r2.count("retrafficked") == 2);
  CHECK(r2.all("reentry_due").back().t == Approx(222.0));
}

TEST_CASE("Seasonality: arrivals follow the monthly factors") {
  // Only January (days [0, 30.42) of each year) has arrivals, at twice the rate.
  const Recorder r = run_model(with("3650d", R"(
[[agency]]
id = "a"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "a"
rate = 5
seasonality = [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
)"));
  const auto entered = r.all("entered");
  for (const Step& s : entered) REQUIRE(std::fmod(s.t, 365.0) < 365.0 / 12);
  // Poisson count with mean 5 × 2 × (365/12) × 10 years: 5 standard deviations.
  const double mean = 5 * 2 * (365.0 / 12) * 10;
  CHECK(std::fabs(static_cast<double>(entered.size()) - mean) <= 5 * std::sqrt(mean));
}

TEST_CASE("Model errors: located messages for the new keys") {
  const std::string base =
      "[scenario]\nname = \"b\"\n[run]\nhorizon = 10\n[[agency]]\nid = \"a\"\nAGENCY\n"
      "service = \"1d\"\n[[agency]]\nid = \"b\"\nservers = 1\nservice = \"1d\"\n"
      "[[source]]\nid = \"s\"\nto = \"a\"\nrate = 1\n";
  auto err = [&](const std::string& x) {
    std::string t = base;
    t.replace(t.find("AGENCY"), 6, x);
    return load_error(t);
  };
  CHECK(err("beds = -3") == "test.toml:7:8: agency 'a': beds must be an integer between 0 and 1000000, got -3");
  CHECK(err("beds = 2\nservers = 2") == "test.toml:7:8: agency 'a': beds replaces servers: give one or the other");
  CHECK(err("beds = 0") ==
        "test.toml:7:8: agency 'a': beds = 0 with when_full = \"wait\": nobody would ever leave the wait list; set "
        "when_full to \"turn_away\" or \"overflow:<agency>\"");
  CHECK(err("beds = 1\nwhen_full = \"overflow:c\"") ==
        "test.toml:8:13: agency 'a': when_full names unknown agency 'c'; known: a, b");
  CHECK(err("beds = 1\nwhen_full = \"full\"") ==
        "test.toml:8:13: agency 'a': when_full must be \"wait\", \"turn_away\" or \"overflow:<agency>\", got \"full\"");
  CHECK(err("servers = 1\nhours = { days = \"funday\", from = \"09:00\", to = \"17:00\" }") ==
        "test.toml:8:18: agency 'a': hours: days must be weekdays like \"mon-fri\" or \"mon,wed,fri\", got \"funday\"");
  CHECK(err("servers = 1\nhours = { days = \"mon-fri\", from = \"9am\", to = \"17:00\" }") ==
        "test.toml:8:36: agency 'a': hours: from must be a time like \"09:00\", got \"9am\"");
  CHECK(err("servers = 1\nnot_before = { after = \"arrival:b\", gap = \"30d\" }") ==
        "test.toml:8:24: agency 'a': not_before: after must be \"entered\", \"decided:<state>\" or "
        "\"positive:<state>\", got \"arrival:b\"");
  CHECK(err("servers = 1\nwithdrawal = 1.5") ==
        "test.toml:8:14: agency 'a': withdrawal must be a probability between 0 and 1, got 1.5");
  CHECK(err("servers = 1\nstage = \"appeal\"") ==
        "test.toml:8:9: agency 'a': stage must be one of investigation, prosecution, trial, return, reintegration, "
        "got \"appeal\"");
  CHECK(err("servers = 1\nprovides = [\"housing\"]") ==
        "test.toml:8:13: agency 'a': provides must name needs (shelter, medical, psychological, legal_aid, "
        "interpretation, family_tracing, repatriation), got \"housing\"");
  CHECK(err("servers = 1\nretrafficking = { probability = 0.1, after = \"1y\", reenters = \"x\" }") ==
        "test.toml:8:63: agency 'a': retrafficking: reenters names unknown agency 'x'; known: a, b");
  // Overflow cycles are rejected where the chain starts.
  std::string cycle = base;
  cycle.replace(cycle.find("AGENCY"), 6, "servers = 1\nwhen_full = \"overflow:b\"");
  cycle.replace(cycle.find("servers = 1\nservice = \"1d\"\n[[source]]"), 11, "servers = 1\nwhen_full = \"overflow:a\"");
  CHECK(load_error(cycle) ==
        "test.toml:8:13: agency 'a': when_full: overflow chain comes back to 'a'; cases could be passed round "
        "forever when all are full");
  // Sources.
  const std::string src =
      "[scenario]\nname = \"b\"\n[run]\nhorizon = 10\n[[agency]]\nid = \"a\"\nservers = 1\nservice = \"1d\"\n"
      "[[source]]\nid = \"s\"\nto = \"a\"\nSOURCE\n";
  auto serr = [&](const std::string& x) {
    std::string t = src;
    t.replace(t.find("SOURCE"), 6, x);
    return load_error(t);
  };
  CHECK(serr("rate = 1\nseasonality = [1, 2]") ==
        "test.toml:13:15: source 's': seasonality must be an array of 12 monthly factors (January to December), got "
        "an array of 2 elements");
  CHECK(serr("at = [\"5d\", \"2d\"]\ncases = 3") == "test.toml:12:13: source 's': at must be in increasing order");
  CHECK(serr("at = [\"5d\"]") ==
        "test.toml:9:1: source 's': missing required key 'cases' (the number of cases in each batch)");
  CHECK(serr("cases = 4\nrate = 1") ==
        "test.toml:12:9: source 's': cases has no effect without at = [times of the "
        "batches]");
}

TEST_CASE("Uncertain parameters: a PERT range is drawn once per replication, with the PERT mean and variance") {
  const Scenario s = test::scenario(with("100d", R"(
[[agency]]
id = "ngo"
servers = "unlimited"
service = "1h"
[[agency]]
id = "police"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "ngo"
rate = { dist = "pert", min = "1/d", mode = "2/d", max = "6/d" }
[[referral]]
from = "ngo"
to = "police"
probability = 1
consent = { dist = "pert", min = 0.2, mode = 0.5, max = 0.9 }
)"));
  REQUIRE(s.uncertain.size() == 2);
  CHECK(s.sources[0].rate_per_day == Approx((1 + 8 + 6) / 6.0));  // the mean, for static checks
  const double lo = 0.2, mode = 0.5, hi = 0.9, mean = (lo + 4 * mode + hi) / 6;
  const double var = (mean - lo) * (hi - mean) / 7;  // beta-PERT variance
  const int n = 20000;
  double sum = 0, sum2 = 0;
  for (int rep = 0; rep < n; ++rep) {
    const Scenario d = s.with_parameters_drawn(11, static_cast<std::uint32_t>(rep));
    const double c = *d.referrals[0].consent;
    REQUIRE((c >= lo && c <= hi));
    sum += c;
    sum2 += c * c;
    REQUIRE(d.agencies.size() == s.agencies.size());
  }
  const double m = sum / n, v = sum2 / n - m * m;
  CHECK(std::fabs(m - mean) <= 5 * std::sqrt(var / n));
  // A sample variance of 20,000 draws has a relative standard error of about sqrt(2 / n) = 1 % (the
  // beta is lighter-tailed than the normal): 5 % is five of them.
  CHECK(v == Approx(var).epsilon(0.05));
  // The engine runs with this replication's draw: the consent share matches the drawn value.
  const ReferralGraph g(s);
  for (std::uint32_t rep = 0; rep < 3; ++rep) {
    Engine e(s, g, 11, rep);
    const double drawn = *s.with_parameters_drawn(11, rep).referrals[0].consent;
    CHECK(*e.scenario().referrals[0].consent == drawn);
    Recorder r;
    r.engine = &e;
    e.add_observer(r);
    e.run_until(5000);
    const auto arrivals = r.all("arrival");
    double at_police = 0;
    for (const Step& st : arrivals) at_police += st.agency == 1;
    check_model_share(at_police, static_cast<double>(arrivals.size()) - at_police, drawn, "consent");
  }
}

TEST_CASE("Uncertain parameter errors: located messages") {
  const std::string base =
      "[scenario]\nname = \"b\"\n[run]\nhorizon = 10\n[[agency]]\nid = \"a\"\nservers = 1\nservice = \"1d\"\n"
      "[[agency]]\nid = \"b\"\nservers = 1\nservice = \"1d\"\n[[source]]\nid = \"s\"\nto = \"a\"\nrate = 1\n"
      "[[referral]]\nfrom = \"a\"\nto = \"b\"\nprobability = 1\nLOSS\n";
  auto err = [&](const std::string& x) {
    std::string t = base;
    t.replace(t.find("LOSS"), 4, x);
    return load_error(t);
  };
  CHECK(err("loss = { dist = \"normal\", min = 0, mode = 0.1, max = 0.2 }") ==
        "test.toml:21:17: referral a -> b: loss: dist must be \"pert\" (an expert range { dist = \"pert\", min, mode, "
        "max }), got \"normal\"");
  CHECK(err("loss = { dist = \"pert\", min = 0.3, mode = 0.1, max = 0.2 }") ==
        "test.toml:21:8: referral a -> b: loss must have min <= mode <= max and min < max");
  CHECK(err("loss = { dist = \"pert\", min = 0, mode = 0.1, max = 1.2 }") ==
        "test.toml:21:52: referral a -> b: loss: max must be a probability between 0 and 1, got 1.2");
}

TEST_CASE(
    "Drop-out: a pending patience event from an earlier agency does not take the case from a queue without patience") {
  // Case 2 waits at `a` (patience 10 d, an event due at day 10), is served at day 1-2, then waits
  // at `b` (no patience) behind case 1 until day 21. Nobody may drop out.
  const Recorder r = run_model(with("60d", R"(
[[agency]]
id = "a"
servers = 1
service = "1d"
patience = "10d"
[[agency]]
id = "b"
servers = 1
service = "20d"
[[source]]
id = "s"
to = "a"
at = ["0d"]
cases = 2
[[referral]]
from = "a"
to = "b"
probability = 1
)"));
  CHECK(r.count("dropout") == 0);
  CHECK(r.count("exit") == 2);
  std::vector<Time> b_ends;
  for (const Step& s : r.all("end")) {
    if (s.agency == 1) b_ends.push_back(s.t);
  }
  CHECK(b_ends == std::vector<Time>{21.0, 41.0});
}

TEST_CASE("Traffic equations: an agency with opening hours is loaded against its open time") {
  const Scenario s = test::scenario(with("10d", R"(
[[agency]]
id = "office"
servers = 1
service = "2h"
hours = { days = "mon-fri", from = "09:00", to = "17:00" }
[[source]]
id = "s"
to = "office"
rate = 1
)"));
  const auto loads = ReferralGraph(s).loads();
  CHECK(loads[0].offered_load == Approx(2.0 / 24));
  CHECK(loads[0].utilization == Approx((2.0 / 24) / (40.0 / 168)));  // 40 open hours of 168
}

TEST_CASE("Drop-out: a profile's patience applies where the agency has none, an agency's own patience wins") {
  // One server, 10-day services, four people at t = 0 of a profile with a fixed 15-day patience.
  // At `desk` (no patience of its own) the second is served at day 10, the third would start at
  // day 20 > 15: the third and fourth give up at day 15. At `strict` (patience 5 d) the agency's
  // patience applies: everybody not served at once gives up at day 5.
  auto dropouts = [](const std::string& agency_patience) {
    const Recorder r = run_model(with("60d", R"(
[[profile]]
id = "impatient"
patience = "15d"
[[agency]]
id = "desk"
servers = 1
service = "10d"
)" + agency_patience + R"(
[[source]]
id = "s"
to = "desk"
at = ["0d"]
cases = 4
profile = "impatient"
)"));
    std::vector<Time> at;
    for (const Step& s : r.all("dropout")) at.push_back(s.t);
    return at;
  };
  CHECK(dropouts("") == std::vector<Time>{15.0, 15.0});
  CHECK(dropouts("patience = \"5d\"") == std::vector<Time>{5.0, 5.0, 5.0});
}
