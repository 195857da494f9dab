// SOP rules on the referral graph: profiles, `when` conditions, consent gates, losses, forks and
// deadlines. Each feature runs a small scenario whose outcome is known exactly or statistically;
// statistical checks allow 5 binomial standard deviations (false-alarm probability ~6e-7).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "sim/engine/engine.hpp"
#include "support.hpp"

using namespace refsim;
using refsim::test::load_error;

namespace {

const std::string kHead = R"([scenario]
name = "rules"
country = "NA"
[run]
horizon = "4000d"
[[profile]]
id = "mix"
child = 0.3
female = 0.6
victim = 0.8
exploitation = { sexual = 0.5, labour = 0.5 }
nationality = { NA = 0.75, ZA = 0.25 }
needs = { shelter = 0.4 }
[[agency]]
id = "intake"
country = "NA"
servers = "unlimited"
service = "1h"
[[agency]]
id = "child_protection"
servers = "unlimited"
service = "2h"
[[agency]]
id = "ngo"
servers = "unlimited"
service = "3h"
[[source]]
id = "s"
to = "intake"
rate = 5
profile = "mix"
)";

/// Counts what happens, by the person's attributes.
struct Tally : Observer {
  const Engine* engine = nullptr;
  std::map<std::string, double> n;
  std::map<std::string, std::vector<Time>> times;
  bool child(const Case& c) const { return engine->attributes(c.person)[attr::kChild] != 0; }
  void on_case_entered(Time, const Case& c, const Attributes&) override {
    const Attributes& a = engine->attributes(c.person);
    n["entered"]++;
    n["child"] += a[attr::kChild];
    n["female"] += a[attr::kSex] == 0;
    n["victim"] += a[attr::kVictim];
    n["labour"] += a[attr::kExploitation] == 1;
    n["foreign"] += a[attr::kForeign];
    n["needs_shelter"] += a[attr::kNeedsFirst];
  }
  void on_arrival(Time, AgencyId a, const Case& c) override {
    n[std::string(child(c) ? "child@" : "adult@") + std::to_string(a)]++;
  }
  void on_consent_refused(Time, ReferralId, const Case& c) override { n[child(c) ? "refused_child" : "refused"]++; }
  void on_referral_lost(Time, ReferralId, const Case&) override { n["lost"]++; }
  void on_referral(Time, ReferralId r, const Case&, Time) override { n["sent" + std::to_string(r)]++; }
  void on_fork(Time, ReferralId, const Case&) override { n["forks"]++; }
  void on_case_exited(Time, const Case&, Time in_system) override { times["in_system"].push_back(in_system); }
  void on_deadline(Time, DeadlineId, const Case&, DeadlineOutcome outcome, AgencyId agency, Time elapsed) override {
    const bool breached = outcome == DeadlineOutcome::breached;
    n[outcome == DeadlineOutcome::met ? "met" : breached ? "breached" : "left"]++;
    n["responsible" + std::to_string(agency)] += breached;
    times["elapsed"].push_back(elapsed);
  }
};

Tally run(const std::string& text, std::uint64_t seed = 3) {
  const Scenario s = test::scenario(text);
  const ReferralGraph g(s);
  Engine e(s, g, seed, 0);
  Tally t;
  t.engine = &e;
  e.add_observer(t);
  e.run_until(s.run.horizon);
  return t;
}

void check_share(double hits, double trials, double p, const std::string& what) {
  INFO(what << ": " << hits << " of " << trials << ", expected share " << p);
  REQUIRE(trials > 1000);
  CHECK(std::fabs(hits - trials * p) <= 5 * std::sqrt(trials * p * (1 - p)));
}

}  // namespace

TEST_CASE("Profiles: attributes are drawn in the declared shares") {
  Tally t = run(kHead);
  const double n = t.n["entered"];
  check_share(t.n["child"], n, 0.3, "child");
  check_share(t.n["female"], n, 0.6, "female");
  check_share(t.n["victim"], n, 0.8, "victim");
  check_share(t.n["labour"], n, 0.5, "labour");
  check_share(t.n["foreign"], n, 0.25, "foreign (nationality ZA entering in NA)");
  check_share(t.n["needs_shelter"], n, 0.4, "needs.shelter");
}

TEST_CASE("Rules: when conditions route children and adults apart") {
  Tally t = run(kHead + R"(
[[referral]]
from = "intake"
to = "child_protection"
probability = 1
when = "child"
[[referral]]
from = "intake"
to = "ngo"
probability = 1
when = "adult"
)");
  CHECK(t.n["child@1"] > 1000);
  CHECK(t.n["adult@2"] > 1000);
  CHECK(t.n["adult@1"] == 0);
  CHECK(t.n["child@2"] == 0);
  CHECK(t.n["child@1"] == t.n["child@0"]);
}

TEST_CASE("Rules: two rules on one pair with disjoint conditions send each person by the rule of their kind") {
  // Children and adults take the same edge with different probabilities, and different losses:
  // each rule has its own random streams (keys intake->ngo and intake->ngo#2).
  const std::string text = kHead + R"(
[[referral]]
from = "intake"
to = "ngo"
probability = 0.9
when = "child"
[[referral]]
from = "intake"
to = "ngo"
probability = 0.4
loss = 0.25
when = "adult"
)";
  const Scenario s = test::scenario(text);
  REQUIRE(s.referrals.size() == 2);
  CHECK(s.referrals[0].key == "intake->ngo");
  CHECK(s.referrals[1].key == "intake->ngo#2");
  Tally t = run(text);
  const double children = t.n["child@0"], adults = t.n["adult@0"];
  // Children: 0.9 of them by the first rule; adults: 0.4 by the second, a quarter of those lost
  // (on_referral is heard for the referrals received, on_referral_lost for the others).
  const double adults_routed = t.n["sent1"] + t.n["lost"];
  check_share(t.n["sent0"], children, 0.9, "children referred by the first rule");
  check_share(adults_routed, adults, 0.4, "adults referred by the second rule");
  check_share(t.n["lost"], adults_routed, 0.25, "adults' referrals lost");
  CHECK(t.n["sent0"] == t.n["child@2"]);
  CHECK(t.n["sent1"] == t.n["adult@2"]);
}

TEST_CASE("Rules: tests/data/children_and_adults.toml routes children and adults on one edge by their own rules") {
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/tests/data/children_and_adults.toml");
  REQUIRE(s.referrals.size() == 2);
  CHECK(s.referrals[1].key == "screening->shelter#2");
  REQUIRE(s.changes.size() == 1);
  CHECK(s.changes[0].change.index == 1);
  // 3 a day, 35 % children: 0.9 of them; adults 0.4 × consent 0.75 × (1 − loss 0.2).
  const auto loads = ReferralGraph(s).loads();
  CHECK(loads[1].arrival_rate == Approx(3 * (0.35 * 0.9 + 0.65 * 0.4 * 0.75 * 0.8)));
}

TEST_CASE("Rules: a consent gate at 0.7 sends 70 percent of adults onward, children bypass it") {
  Tally t = run(kHead + R"(
[[referral]]
from = "intake"
to = "ngo"
probability = 1
consent = 0.7
)");
  check_share(t.n["adult@2"], t.n["adult@0"], 0.7, "adults referred");
  CHECK(t.n["refused"] == t.n["adult@0"] - t.n["adult@2"]);
  CHECK(t.n["refused_child"] == 0);
  CHECK(t.n["child@2"] == t.n["child@0"]);
}

TEST_CASE("Rules: a loss of 0.2 loses that share of referrals in transit") {
  Tally t = run(kHead + R"(
[[referral]]
from = "intake"
to = "ngo"
probability = 1
loss = 0.2
)");
  const double sent = t.n["entered"];
  check_share(t.n["lost"], sent, 0.2, "lost");
  CHECK(t.n["adult@2"] + t.n["child@2"] + t.n["lost"] == Approx(sent).margin(2));  // 2: in service at the end
}

TEST_CASE("Rules: a fork keeps both tracks and the person leaves after the longer one") {
  Tally t = run(kHead + R"(
[[referral]]
from = "intake"
to = "ngo"
probability = 1
[[referral]]
from = "intake"
to = "child_protection"
probability = 1
fork = true
)");
  CHECK(t.n["forks"] == Approx(t.n["entered"]).margin(2));
  CHECK(t.n["adult@1"] + t.n["child@1"] == t.n["adult@2"] + t.n["child@2"]);
  // Intake 1h, then ngo 3h in parallel with child protection 2h: 4h in the mechanism, exactly.
  REQUIRE(t.times["in_system"].size() > 1000);
  for (Time x : t.times["in_system"]) REQUIRE(x == Approx(4.0 / 24).margin(1e-9));
}

TEST_CASE("Deadlines: breached exactly when the delay exceeds the limit") {
  const std::string rules = R"(
[[referral]]
from = "intake"
to = "child_protection"
probability = 1
when = "child"
delay = "DELAY"
[[deadline]]
id = "child_protection_24h"
from = "entered"
to = "arrival:child_protection"
within = "24h"
when = "child"
)";
  auto with_delay = [&](const std::string& d) {
    std::string r = rules;
    r.replace(r.find("DELAY"), 5, d);
    return run(kHead + r);
  };
  Tally under = with_delay("22h");  // 1h intake + 22h = 23h
  CHECK(under.n["met"] > 1000);
  CHECK(under.n["breached"] == 0);
  for (Time x : under.times["elapsed"]) REQUIRE(x == Approx(23.0 / 24));
  Tally exact = with_delay("23h");  // exactly 24h: met
  CHECK(exact.n["breached"] == 0);
  Tally over = with_delay("24h");  // 25h: breached at 24h, while in transit from intake
  CHECK(over.n["met"] == 0);
  CHECK(over.n["breached"] > 1000);
  CHECK(over.n["responsible0"] == over.n["breached"]);
  for (Time x : over.times["elapsed"]) REQUIRE(x == Approx(1.0));
}

TEST_CASE("Deadlines: a person who leaves before the limit is counted apart, not as a breach") {
  const std::string deadline = R"(
[[deadline]]
id = "never"
from = "entered"
to = "arrival:ngo"
within = "LIMIT"
)";
  auto with_limit = [&](const std::string& limit) {
    std::string d = deadline;
    d.replace(d.find("LIMIT"), 5, limit);
    return run(kHead + d);
  };
  // Everyone leaves after the 1h intake and never reaches the NGO.
  Tally early = with_limit("30d");
  CHECK(early.n["met"] == 0);
  CHECK(early.n["breached"] == 0);
  CHECK(early.n["left"] == Approx(early.n["entered"]).margin(2));
  Tally late = with_limit("30min");  // the limit passes during intake: a breach charged to intake
  CHECK(late.n["left"] == 0);
  CHECK(late.n["breached"] == Approx(late.n["entered"]).margin(2));
  CHECK(late.n["responsible0"] == late.n["breached"]);
}

TEST_CASE("Rules: without conditions or profiles, v1 results are unchanged by the rule engine") {
  // Conditional rules that always apply must draw the same numbers as plain v1 rules.
  const std::string plain = kHead + "[[referral]]\nfrom = \"intake\"\nto = \"ngo\"\nprobability = 0.5\n";
  const std::string cond =
      kHead + "[[referral]]\nfrom = \"intake\"\nto = \"ngo\"\nprobability = 0.5\nwhen = \"child or adult\"\n";
  Tally a = run(plain), b = run(cond);
  CHECK(a.n["adult@2"] == b.n["adult@2"]);
  CHECK(a.n["child@2"] == b.n["child@2"]);
}

TEST_CASE("Rule errors: located messages") {
  const std::string ref = "[[referral]]\nfrom = \"intake\"\nto = \"ngo\"\nprobability = 1\n";
  CHECK(load_error(kHead + ref + "when = \"chlid\"\n") ==
        "test.toml:36:9: referral intake -> ngo: when: unknown attribute 'chlid'; known: child, adult, sex, "
        "exploitation, nationality, foreign, victim, needs.shelter, needs.medical, needs.psychological, "
        "needs.legal_aid, needs.interpretation, needs.family_tracing, needs.repatriation, presumed, "
        "reasonable_grounds, identified, convicted, supported, entered_in, in_country");
  CHECK(load_error(kHead + ref + "when = \"child and (foreign\"\n") ==
        "test.toml:36:27: referral intake -> ngo: when: missing ')' to close the '(' at column 11");
  CHECK(load_error(kHead + ref + "when = \"exploitation == 'fishing'\"\n") ==
        "test.toml:36:25: referral intake -> ngo: when: unknown value 'fishing' for exploitation; valid: sexual, "
        "labour, criminal, domestic_servitude, other");
  CHECK(load_error(kHead + ref + "loss = 1.5\n") ==
        "test.toml:36:8: referral intake -> ngo: loss must be a probability between 0 and 1, got 1.5");
  CHECK(load_error(kHead + ref + "fork = \"yes\"\n") ==
        "test.toml:36:8: referral intake -> ngo: fork must be true or false, got string \"yes\"");
  CHECK(load_error(kHead + ref + "when = \"child\"\n" +
                   "[[referral]]\nfrom = \"intake\"\nto = \"child_protection\"\nprobability = 0.5\n") ==
        "test.toml:40:15: agency 'intake': referral probabilities sum to 1.5 for cases with child, more than 1 (the "
        "remainder is the probability of leaving the mechanism)");
}

TEST_CASE("Profile and deadline errors: located messages") {
  std::string bad_shares = kHead;
  bad_shares.replace(bad_shares.find("labour = 0.5"), 12, "labour = 0.4");
  CHECK(load_error(bad_shares) == "test.toml:11:16: profile 'mix': exploitation shares must sum to 1, got 0.9");
  std::string bad_value = kHead;
  bad_value.replace(bad_value.find("labour = 0.5"), 12, "fishing = 0.5");
  CHECK(load_error(bad_value) ==
        "test.toml:11:32: profile 'mix': exploitation: unknown value 'fishing'; known: sexual, labour, criminal, "
        "domestic_servitude, other");
  std::string bad_profile = kHead;
  bad_profile.replace(bad_profile.find("profile = \"mix\""), 15, "profile = \"mixed\"");
  CHECK(load_error(bad_profile) ==
        "test.toml:31:11: source 's': profile names unknown profile 'mixed'; known: default, mix");
  CHECK(
      load_error(kHead + "[[deadline]]\nid = \"d\"\nfrom = \"entered\"\nto = \"arrival:shelter\"\nwithin = \"1d\"\n") ==
      "test.toml:35:6: deadline 'd': to names unknown agency 'shelter'; known: intake, child_protection, ngo");
  CHECK(load_error(kHead + "[[deadline]]\nid = \"d\"\nfrom = \"start\"\nto = \"arrival:ngo\"\nwithin = \"1d\"\n") ==
        "test.toml:34:8: deadline 'd': from must be a milestone: \"entered\", \"arrival:<agency>\", "
        "\"decided:<state>\" or \"positive:<state>\", got \"start\"");
  CHECK(load_error(kHead + "[[deadline]]\nid = \"d\"\nfrom = \"entered\"\nto = \"arrival:ngo\"\nwithin = \"0h\"\n") ==
        "test.toml:36:10: deadline 'd': within must be > 0, got 0d");
}

TEST_CASE("Traffic equations: conditions, consent, loss and forks give exact static flows") {
  const Scenario s = test::scenario(kHead + R"(
[[referral]]
from = "intake"
to = "child_protection"
probability = 1
when = "child"
fork = true
[[referral]]
from = "intake"
to = "ngo"
probability = 0.7
consent = 0.7
loss = 0.2
[[referral]]
from = "ngo"
to = "child_protection"
probability = 0.5
when = "foreign and exploitation == 'labour'"
)");
  const auto loads = ReferralGraph(s).loads();
  // 5 a day: 30 % children fork to child protection; 70 % go on to the NGO (adults consent at
  // 0.7), 20 % of referrals lost; half of foreign (25 %) labour (50 %) cases return.
  const double to_ngo = 5 * 0.7 * (0.3 + 0.7 * 0.7) * 0.8;
  CHECK(loads[0].arrival_rate == Approx(5));
  CHECK(loads[2].arrival_rate == Approx(to_ngo));
  CHECK(loads[1].arrival_rate == Approx(5 * 0.3 + to_ngo * 0.5 * 0.25 * 0.5));
}

TEST_CASE("Traffic equations: consent is asked of adults only when no condition names age") {
  const Scenario s = test::scenario(kHead + R"(
[[referral]]
from = "intake"
to = "ngo"
probability = 1
consent = 0.7
)");
  // 5 a day, 30 % children: every child goes on, adults with P = 0.7.
  CHECK(ReferralGraph(s).loads()[2].arrival_rate == Approx(5 * (0.3 + 0.7 * 0.7)));
}

TEST_CASE("Traffic equations: too many case classes give no figures instead of gigabytes") {
  // A rule naming 13 yes/no attributes, the exploitation type and one of 51 nationalities splits
  // cases into 2^13 × 5 × 51 ≈ 2.1 M classes; over 5 agencies that is far past kMaxLoadStates
  // (the equations would need ~10 M states per source, about a gigabyte of flows).
  std::string nationalities;
  for (int k = 0; k < 50; ++k) nationalities += "N" + std::to_string(k) + " = 0.02, ";
  auto scenario_with = [&](const std::string& when) {
    std::string text = "[scenario]\nname = \"classes\"\n[run]\nhorizon = \"10d\"\n";
    for (int a = 0; a < 5; ++a) {
      text += "[[agency]]\nid = \"a" + std::to_string(a) + "\"\nservers = 1\nservice = \"1h\"\n";
    }
    text += "[[profile]]\nid = \"p\"\nnationality = { " + nationalities + "other = 0 }\n";
    text += "[[source]]\nid = \"s\"\nto = \"a0\"\nrate = 1\nprofile = \"p\"\n";
    for (int a = 0; a + 1 < 5; ++a) {
      text += "[[referral]]\nfrom = \"a" + std::to_string(a) + "\"\nto = \"a" + std::to_string(a + 1) +
              "\"\nprobability = 0.5\nwhen = \"" + when + "\"\n";
    }
    return test::scenario(text);
  };
  const auto too_many =
      ReferralGraph(scenario_with("nationality == 'N1' and exploitation == 'labour' and sex == 'female' and "
                                  "needs.shelter and needs.medical and needs.legal_aid and needs.psychological "
                                  "and needs.interpretation and needs.family_tracing and needs.repatriation and "
                                  "victim and presumed and identified and convicted and reasonable_grounds"))
          .loads();
  REQUIRE(too_many.size() == 5);
  for (const AgencyLoad& l : too_many) CHECK(std::isnan(l.arrival_rate));
  // A rule on the nationality alone (51 classes) is solved: 98 % of cases are not N1.
  const auto solved = ReferralGraph(scenario_with("nationality != 'N1'")).loads();
  CHECK(solved[1].arrival_rate == Approx(0.98 * 0.5));
  CHECK(solved[4].arrival_rate == Approx(0.98 * 0.5 * 0.5 * 0.5 * 0.5));
}

namespace {

/// Counts decisions by outcome and truth.
struct Decisions : Tally {
  void on_decision(Time, AgencyId, const Case&, const Attributes& a, std::uint32_t attribute, bool positive) override {
    n[positive ? "positive" : "negative"]++;
    n["fp"] += positive && !a[attr::kVictim];
    n["fn"] += !positive && a[attr::kVictim];
    n["state_set"] += a[attribute] == static_cast<std::uint32_t>(positive);
    n["decisions"]++;
  }
};

const std::string kScreening = R"(
[[referral]]
from = "intake"
to = "ngo"
probability = 1
when = "presumed"
)";

std::string with_decision(const std::string& decision) {
  std::string head = kHead;
  head.replace(head.find("service = \"1h\""), 14, "service = \"1h\"\ndecision = " + decision);
  return head;
}

}  // namespace

TEST_CASE("Decisions: screening with sensitivity and specificity flags the expected shares") {
  const std::string text = with_decision("{ sets = \"presumed\", sensitivity = 0.8, specificity = 0.9 }") + kScreening;
  const Scenario s = test::scenario(text);
  const ReferralGraph g(s);
  Engine e(s, g, 8, 0);
  Decisions t;
  t.engine = &e;
  e.add_observer(t);
  e.run_until(s.run.horizon);
  const double n = t.n["decisions"];
  // Victims 0.8 of cases: P(positive) = 0.8 * 0.8 + 0.2 * 0.1 = 0.66.
  check_share(t.n["positive"], n, 0.66, "presumed");
  check_share(t.n["fp"], n, 0.2 * 0.1, "false positives");
  check_share(t.n["fn"], n, 0.8 * 0.2, "false negatives");
  CHECK(t.n["state_set"] == n);
  // Only presumed victims go on to the NGO; the static flows say the same.
  CHECK(t.n["adult@2"] + t.n["child@2"] == t.n["positive"]);
  CHECK(ReferralGraph(s).loads()[2].arrival_rate == Approx(5 * 0.66));
}

TEST_CASE("Decisions: a positive rate ignores whether the person is a victim") {
  const Scenario s = test::scenario(with_decision("{ sets = \"identified\", positive_rate = 0.55 }"));
  const ReferralGraph g(s);
  Engine e(s, g, 9, 0);
  Decisions t;
  t.engine = &e;
  e.add_observer(t);
  e.run_until(s.run.horizon);
  check_share(t.n["positive"], t.n["decisions"], 0.55, "identified");
}

TEST_CASE("Deadlines: decided and positive milestones, when is evaluated as the deadline starts") {
  const std::string text =
      with_decision("{ sets = \"presumed\", sensitivity = 0.8, specificity = 0.9 }") + kScreening + R"(
[[deadline]]
id = "decision_within_2h"
from = "entered"
to = "decided:presumed"
within = "2h"
[[deadline]]
id = "presumed_to_ngo"
from = "positive:presumed"
to = "arrival:ngo"
within = "1h"
when = "presumed"
)";
  Tally t = run(text);
  // Decisions take 1h (intake service): every case meets the first deadline; every presumed
  // case reaches the NGO at once: the second deadline starts only for them and is met.
  const double entered = t.n["entered"];
  CHECK(t.n["breached"] == 0);
  CHECK(t.n["met"] > entered);  // first deadline for everyone, second for the presumed
  CHECK(t.n["met"] < 2 * entered);
}

TEST_CASE("Decision errors: located messages") {
  CHECK(load_error(with_decision("{ sets = \"guilty\", positive_rate = 0.5 }")) ==
        "test.toml:19:21: agency 'intake': decision: sets names unknown state 'guilty'; known: presumed, "
        "reasonable_grounds, identified, convicted");
  CHECK(load_error(with_decision("{ sets = \"presumed\", positive_rate = 0.5, sensitivity = 0.9 }")) ==
        "test.toml:19:12: agency 'intake': decision: give either sensitivity and specificity (P(positive | victim), "
        "P(negative | not a victim)) or positive_rate, not both");
  CHECK(load_error(with_decision("{ sets = \"presumed\", sensitivity = 1.2, specificity = 0.9 }")) ==
        "test.toml:19:47: agency 'intake': decision: sensitivity must be a probability between 0 and 1, got 1.2");
}

TEST_CASE("Drop-out: with a fixed patience, nobody served waited longer and every drop-out waited exactly that") {
  const Scenario s = test::scenario(R"([scenario]
name = "patience"
[run]
horizon = "2000d"
[[agency]]
id = "desk"
servers = 1
service = "1d"
patience = "2h"
[[source]]
id = "s"
to = "desk"
rate = 0.9
)");
  const ReferralGraph g(s);
  Engine e(s, g, 4, 0);
  struct Waits : Observer {
    std::vector<Time> served, dropped;
    std::size_t arrivals = 0;
    void on_arrival(Time, AgencyId, const Case&) override { ++arrivals; }
    void on_service_start(Time, AgencyId, const Case&, Time w) override { served.push_back(w); }
    void on_dropout(Time, AgencyId, const Case&, Time w) override { dropped.push_back(w); }
  } w;
  e.add_observer(w);
  e.run_until(s.run.horizon);
  REQUIRE(w.dropped.size() > 100);
  for (Time x : w.served) REQUIRE(x <= 1.0 / 12 + 1e-12);
  for (Time x : w.dropped) REQUIRE(x == Approx(1.0 / 12));
  CHECK(w.arrivals == w.served.size() + w.dropped.size() + e.queue_length(0));
}

TEST_CASE("Drop-out errors: a patience needs somebody to wait") {
  const std::string base =
      "[scenario]\nname = \"p\"\n[run]\nhorizon = 10\n[[agency]]\nid = \"a\"\nservers = \"unlimited\"\n"
      "service = \"1d\"\npatience = \"2h\"\n[[source]]\nid = \"s\"\nto = \"a\"\nrate = 1\n";
  CHECK(load_error(base) ==
        "test.toml:9:12: agency 'a': patience has no effect: with servers = \"unlimited\" nobody waits");
}

TEST_CASE("Initial backlog: cases already waiting at t = 0 are served first come, first served") {
  const Scenario s = test::scenario(R"([scenario]
name = "backlog"
[run]
horizon = "30d"
[[profile]]
id = "kids"
child = 1
[[agency]]
id = "authority"
servers = 1
service = "1d"
initial_cases = 10
initial_profile = "kids"
[[agency]]
id = "elsewhere"
servers = 1
service = "1h"
[[source]]
id = "s"
to = "elsewhere"
rate = "1/y"
)");
  const ReferralGraph g(s);
  Engine e(s, g, 1, 0);
  struct Ends : Observer {
    const Engine* engine = nullptr;
    std::vector<Time> ends;
    std::size_t children = 0, entered = 0;
    void on_case_entered(Time t, const Case& c, const Attributes&) override {
      if (c.source != kNoSource) return;
      REQUIRE(t == 0);
      ++entered;
      children += engine->attributes(c.person)[attr::kChild];
    }
    void on_service_end(Time t, AgencyId a, const Case&, Time) override {
      if (a == 0) ends.push_back(t);
    }
  } obs;
  obs.engine = &e;
  e.add_observer(obs);
  e.run_until(s.run.horizon);
  CHECK(obs.entered == 10);
  CHECK(obs.children == 10);
  REQUIRE(obs.ends.size() == 10);
  for (std::size_t k = 0; k < 10; ++k) CHECK(obs.ends[k] == Approx(static_cast<double>(k + 1)));
}

TEST_CASE("Initial backlog errors: located messages") {
  const std::string base =
      "[scenario]\nname = \"b\"\n[run]\nhorizon = 10\n[[agency]]\nid = \"a\"\nservers = 1\n"
      "service = \"1d\"\nINITIAL\n[[source]]\nid = \"s\"\nto = \"a\"\nrate = 1\n";
  auto with = [&](const std::string& x) {
    std::string t = base;
    t.replace(t.find("INITIAL"), 7, x);
    return load_error(t);
  };
  CHECK(with("initial_cases = -3") ==
        "test.toml:9:17: agency 'a': initial_cases must be an integer between 0 and "
        "4000000, got -3");
  CHECK(with("initial_cases = 5\ninitial_profile = \"nobody\"") ==
        "test.toml:10:19: agency 'a': initial_profile names unknown profile 'nobody'; known: default");
  CHECK(with("initial_profile = \"default\"") ==
        "test.toml:9:19: agency 'a': initial_profile has no effect without initial_cases");
}
