// The [[change]] section: scheduled changes to the running mechanism, read into Scenario::changes
// and validated at load time, in order of time, against the parameters they will change. Every
// error is pinned with its exact message and location.
#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "sim/scenario/changes.hpp"
#include "support.hpp"

using namespace refsim;
using refsim::test::load_error;

namespace {

// Lines 1–40; the tests append [[change]] tables from line 41 on.
const std::string kBase = R"([scenario]
name = "Changes"

[run]
horizon = "2y"

[[agency]]
id = "intake"
servers = 3
service = { dist = "exponential", mean = "1d" }
decision = { sets = "presumed", sensitivity = 0.8, specificity = 0.7 }

[[agency]]
id = "shelter"
beds = 10
service = "30d"

[[agency]]
id = "transit"
servers = "unlimited"
service = "1d"

[[profile]]
id = "raid_profile"
child = 0.5

[[source]]
id = "walk_in"
to = "intake"
rate = 1.5

[[referral]]
from = "intake"
to = "shelter"
probability = 0.4

[[referral]]
from = "intake"
to = "transit"
probability = 0.5
)";

std::string with(const std::string& changes) { return kBase + changes; }

}  // namespace

TEST_CASE("Changes loader: without [[change]] there are no changes") { CHECK(test::scenario(kBase).changes.empty()); }

TEST_CASE("Changes loader: an agency's servers, opening and decision") {
  const Scenario s = test::scenario(with(R"([[change]]
at = "180d"
agency = "intake"
servers = 2
open = false
sensitivity = 0.9
specificity = 0.75
note = "two caseworkers on leave"
)"));
  REQUIRE(s.changes.size() == 1);
  const ScheduledChange& sc = s.changes[0];
  CHECK(sc.at == 180);
  CHECK(sc.change.target == Change::Target::agency);
  CHECK(sc.change.index == 0);
  CHECK(sc.change.servers == 2u);
  CHECK(sc.change.open == false);
  CHECK(sc.change.sensitivity == 0.9);
  CHECK(sc.change.specificity == 0.75);
  CHECK_FALSE(sc.change.positive_rate);
  CHECK_FALSE(sc.change.rate_per_day);
  CHECK_FALSE(sc.change.probability);
  CHECK(sc.change.origin == "two caseworkers on leave");
  CHECK(sc.change.where.str() == "test.toml:41:1");
}

TEST_CASE("Changes loader: a residential agency's beds, and the origin without a note") {
  const Scenario s = test::scenario(with("[[change]]\nat = \"1y\"\nagency = \"shelter\"\nbeds = 0\n"));
  REQUIRE(s.changes.size() == 1);
  CHECK(s.changes[0].at == 365);
  CHECK(s.changes[0].change.index == 1);
  CHECK(s.changes[0].change.servers == 0u);
  CHECK(s.changes[0].change.origin == "[[change]] at 1y");
  // A number of days is written back as a duration.
  CHECK(test::scenario(with("[[change]]\nat = 200\nagency = \"shelter\"\nopen = false\n")).changes[0].change.origin ==
        "[[change]] at 200d");
}

TEST_CASE("Changes loader: a source's rate and profile") {
  const Scenario s = test::scenario(with(R"([[change]]
at = "200d"
source = "walk_in"
rate = "21/w"
profile = "raid_profile"
)"));
  REQUIRE(s.changes.size() == 1);
  const Change& c = s.changes[0].change;
  CHECK(c.target == Change::Target::source);
  CHECK(c.index == 0);
  CHECK(*c.rate_per_day == Approx(3.0));
  CHECK(c.profile == 1u);  // [0] is the built-in default
  CHECK_FALSE(c.servers);
}

TEST_CASE("Changes loader: a referral rule's numbers, condition and delay") {
  const Scenario s = test::scenario(with(R"([[change]]
at = "1y"
referral = "intake->transit"
probability = 0.6
when = "child"
loss = 0.05
consent = 0.9
delay = { dist = "exponential", mean = "3d" }

[[change]]
at = "400d"
referral = "intake->shelter#1"
delay = "3d"
)"));
  REQUIRE(s.changes.size() == 2);
  const Change& c = s.changes[0].change;
  CHECK(c.target == Change::Target::referral);
  CHECK(c.index == 1);
  CHECK(c.probability == 0.6);
  REQUIRE(c.when);
  CHECK(c.when->text() == "child");
  CHECK(c.loss == 0.05);
  CHECK(c.consent == 0.9);
  REQUIRE(c.delay);
  CHECK(c.delay->kind == DistKind::exponential);
  CHECK(c.delay->p0 == 3);
  const Change& d = s.changes[1].change;
  CHECK(d.index == 0);
  REQUIRE(d.delay);
  CHECK(d.delay->kind == DistKind::deterministic);
  CHECK(d.delay->p0 == 3);
}

TEST_CASE("Changes loader: changes are kept in declaration order and validated in order of time") {
  // Declared first but applied second: at 100d the probability is back to 0.4 before the rise to
  // 0.5 (0.4 + 0.5 = 0.9); the other way round, 0.6 + 0.5 would be above 1 at 50d.
  const Scenario s = test::scenario(with(R"([[change]]
at = "100d"
referral = "intake->shelter"
probability = 0.5

[[change]]
at = "50d"
referral = "intake->transit"
probability = 0.4
)"));
  REQUIRE(s.changes.size() == 2);
  CHECK(s.changes[0].at == 100);
  CHECK(s.changes[1].at == 50);
  CHECK(load_error(with(R"([[change]]
at = "50d"
referral = "intake->shelter"
probability = 0.6

[[change]]
at = "100d"
referral = "intake->transit"
probability = 0.3
)")) == "test.toml:44:15: [[change]] at 50d: agency 'intake': referral probabilities sum to 1.1, more than 1 (the "
        "remainder is the probability of leaving the mechanism)");
}

TEST_CASE("Changes loader errors: when it applies") {
  CHECK(load_error(with("[[change]]\nagency = \"intake\"\nservers = 2\n")) ==
        "test.toml:41:1: [[change]]: missing required key 'at' (when the change applies: a duration from t = 0, such "
        "as \"180d\")");
  CHECK(load_error(with("[[change]]\nat = \"3y\"\nagency = \"intake\"\nservers = 2\n")) ==
        "test.toml:42:6: [[change]]: at (3y) is after the horizon (2y): the change would never apply");
  CHECK(load_error(with("[[change]]\nat = \"-1d\"\nagency = \"intake\"\nservers = 2\n")) ==
        "test.toml:42:6: [[change]]: at must be >= 0, got -1d");
  CHECK(load_error(with("[[change]]\nat = \"2\"\nagency = \"intake\"\nservers = 2\n")) ==
        "test.toml:42:6: [[change]]: at is not valid: expected a duration such as \"90min\", \"4h\", \"2d\" or \"1w\" "
        "(units s, min, h, d, w, y), got \"2\"");
  // At the horizon exactly is allowed (it applies as the run ends).
  CHECK(load_error(with("[[change]]\nat = \"730d\"\nagency = \"intake\"\nservers = 2\n")) == "");
}

TEST_CASE("Changes loader errors: the target") {
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nservers = 2\n")) ==
        "test.toml:41:1: [[change]] at 1d: names no target; give one of agency, source or referral");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nsource = \"walk_in\"\nagency = \"intake\"\nservers = 2\n")) ==
        "test.toml:44:1: [[change]] at 1d: names both source and agency; give exactly one target: agency, source or "
        "referral");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intak\"\nservers = 2\n")) ==
        "test.toml:43:10: [[change]] at 1d: agency names unknown agency 'intak'; known: intake, shelter, transit");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nsource = \"walkin\"\nrate = 2\n")) ==
        "test.toml:43:10: [[change]] at 1d: source names unknown source 'walkin'; known: walk_in");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->police\"\nloss = 0.1\n")) ==
        "test.toml:43:12: [[change]] at 1d: referral names unknown referral 'intake->police'; known: "
        "intake->shelter, intake->transit");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->shelter#2\"\nloss = 0.1\n")) ==
        "test.toml:43:12: [[change]] at 1d: referral 'intake->shelter#2' names no rule: 'intake->shelter' has one "
        "rule, 'intake->shelter' or 'intake->shelter#1'");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\n")) ==
        "test.toml:41:1: [[change]] at 1d: changes nothing; give at least one of servers, open, sensitivity, "
        "specificity, positive_rate for agency 'intake'");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nnote = \"nothing\"\n")) ==
        "test.toml:41:1: [[change]] at 1d: changes nothing; give at least one of servers, open, sensitivity, "
        "specificity, positive_rate for agency 'intake'");
}

TEST_CASE("Changes loader errors: a key several referral rules share") {
  // Two rules on intake -> shelter, told apart by their conditions (declared at lines 32 and 43).
  const std::string two = kBase + R"(
[[referral]]
from = "intake"
to = "shelter"
probability = 0.2
when = "child"
)";
  const std::string adults = "when = \"adult\"\n";
  const std::string text = [&] {
    std::string t = two;
    t.insert(t.find("probability = 0.4\n") + std::string("probability = 0.4\n").size(), adults);
    return t;
  }();
  const Scenario s = test::scenario(text);
  REQUIRE(s.referrals.size() == 3);
  CHECK(s.referrals[2].key == "intake->shelter#2");
  CHECK(std::get<std::string>(find_referral(s, "intake->shelter")) ==
        "'intake->shelter' matches 2 rules (declared at test.toml:32:1, test.toml:43:1); pick one by its place in "
        "declaration order: 'intake->shelter#1' to 'intake->shelter#2'");
  CHECK(std::get<ReferralId>(find_referral(s, "intake->shelter#1")) == 0);
  CHECK(std::get<ReferralId>(find_referral(s, "intake->shelter#2")) == 2);
  CHECK(std::get<ReferralId>(find_referral(s, "intake->transit")) == 1);
  for (const char* bad : {"intake->shelter#3", "intake->shelter#0", "intake->shelter#", "intake->shelter#x"}) {
    CHECK(std::get<std::string>(find_referral(s, bad)) == "'" + std::string(bad) +
                                                              "' names no rule: 'intake->shelter' has 2 rules, "
                                                              "'intake->shelter#1' to 'intake->shelter#2'");
  }
  CHECK(std::get<std::string>(find_referral(s, "intake->nowhere")) ==
        "names unknown referral 'intake->nowhere'; known: intake->shelter, intake->transit");

  // A change to the second rule by its key; a condition that would overlap the first is refused
  // where it is written.
  const Scenario changed = test::scenario(text +
                                          "[[change]]\nat = \"1d\"\nreferral = \"intake->shelter#2\"\n"
                                          "probability = 0.3\nwhen = \"child and victim\"\n");
  REQUIRE(changed.changes.size() == 1);
  CHECK(changed.changes[0].change.index == 2);
  CHECK(load_error(text + "[[change]]\nat = \"1d\"\nreferral = \"intake->shelter#2\"\nwhen = \"victim\"\n") ==
        "test.toml:51:8: [[change]] at 1d: referral 'intake->shelter#2': its condition and that of referral "
        "'intake->shelter' (test.toml:32:1) both hold for cases with not child, victim; rules on one from/to pair "
        "must have conditions that never hold together");
}

TEST_CASE("Changes loader errors: fields that do not fit the target") {
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nrate = 2\n")) ==
        "test.toml:44:1: [[change]] at 1d: rate does not apply to agency 'intake'; an agency takes servers, open, "
        "sensitivity, specificity, positive_rate");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nsource = \"walk_in\"\nservers = 2\n")) ==
        "test.toml:44:1: [[change]] at 1d: servers does not apply to source 'walk_in'; a source takes rate, profile");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->shelter\"\nopen = false\n")) ==
        "test.toml:44:1: [[change]] at 1d: open does not apply to referral 'intake->shelter'; a referral takes "
        "probability, when, loss, consent, delay");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"shelter\"\nservers = 2\n")) ==
        "test.toml:44:1: [[change]] at 1d: servers does not apply to agency 'shelter', which has beds (a residential "
        "agency): write beds = N");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nbeds = 2\n")) ==
        "test.toml:44:1: [[change]] at 1d: beds does not apply to agency 'intake', which has servers, not beds: write "
        "servers = N");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"transit\"\nservers = 2\n")) ==
        "test.toml:44:11: [[change]] at 1d: agency 'transit': has no capacity limit (servers = \"unlimited\"): its "
        "servers cannot change");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\npositive_rate = 0.5\n")) ==
        "test.toml:44:17: [[change]] at 1d: agency 'intake': its decision has a sensitivity and specificity, not a "
        "positive_rate");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"shelter\"\nsensitivity = 0.5\n")) ==
        "test.toml:44:15: [[change]] at 1d: agency 'shelter': takes no decision: no sensitivity, specificity or "
        "positive_rate to change");
}

TEST_CASE("Changes loader errors: values out of range") {
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nservers = -1\n")) ==
        "test.toml:44:11: [[change]] at 1d: servers must be an integer between 0 and 1000000, got -1");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nservers = \"two\"\n")) ==
        "test.toml:44:11: [[change]] at 1d: servers must be an integer >= 0, got string \"two\"");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nopen = \"no\"\n")) ==
        "test.toml:44:8: [[change]] at 1d: open must be true or false, got string \"no\"");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->shelter\"\nprobability = 1.5\n")) ==
        "test.toml:44:15: [[change]] at 1d: probability must be a probability between 0 and 1, got 1.5");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nsource = \"walk_in\"\nrate = -2\n")) ==
        "test.toml:44:8: [[change]] at 1d: source 'walk_in': rate must be a finite number >= 0 per day, got -2");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nsource = \"walk_in\"\nprofile = \"raid\"\n")) ==
        "test.toml:44:11: [[change]] at 1d: profile names unknown profile 'raid'; known: default, raid_profile");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->shelter\"\nwhen = \"chld\"\n")) ==
        "test.toml:44:9: [[change]] at 1d: when: unknown attribute 'chld'; known: child, adult, sex, exploitation, "
        "nationality, foreign, victim, needs.shelter, needs.medical, needs.psychological, needs.legal_aid, "
        "needs.interpretation, needs.family_tracing, needs.repatriation, presumed, reasonable_grounds, identified, "
        "convicted, supported, entered_in, in_country");
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->shelter\"\ndelay = \"-1d\"\n")) ==
        "test.toml:44:9: [[change]] at 1d: delay must be > 0, got -1d");
}

TEST_CASE("Changes loader errors: route probabilities above 1 after the change") {
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nreferral = \"intake->shelter\"\nprobability = 0.6\n")) ==
        "test.toml:44:15: [[change]] at 1d: agency 'intake': referral probabilities sum to 1.1, more than 1 (the "
        "remainder is the probability of leaving the mechanism)");
  // Narrowed by conditions, the same rise fits: adults 0.6, children 0.5; widened again at 2d, it
  // does not for children (located at the condition that tips it over).
  const std::string narrowed = R"([[change]]
at = "1d"
referral = "intake->transit"
when = "child"

[[change]]
at = "1d"
referral = "intake->shelter"
probability = 0.6
when = "adult"
)";
  CHECK(load_error(with(narrowed)) == "");
  CHECK(load_error(with(narrowed +
                        "\n[[change]]\nat = \"2d\"\nreferral = \"intake->shelter\"\nwhen = \"adult or child\"\n")) ==
        "test.toml:55:8: [[change]] at 2d: agency 'intake': referral probabilities sum to 1.1 for cases with child, "
        "more than 1 (the remainder is the probability of leaving the mechanism)");
}

TEST_CASE("Changes loader errors: fields that fit alone but not together are located at the probability") {
  // Children: transit 0.5 and, after the third change, shelter 0.6. Its probability alone (adults
  // only: 0.6) fits, and so does its condition alone (children: 0.4 + 0.5); together they do not.
  CHECK(load_error(with(R"([[change]]
at = "1d"
referral = "intake->transit"
when = "child"

[[change]]
at = "1d"
referral = "intake->shelter"
when = "adult"

[[change]]
at = "2d"
referral = "intake->shelter"
probability = 0.6
when = "child"
)")) == "test.toml:54:15: [[change]] at 2d: agency 'intake': referral probabilities sum to 1.1 for cases with child, "
        "more than 1 (the remainder is the probability of leaving the mechanism)");
}

TEST_CASE("Changes loader errors: unknown keys list what a change takes") {
  CHECK(load_error(with("[[change]]\nat = \"1d\"\nagency = \"intake\"\nsevrers = 2\n")) ==
        "test.toml:44:1: unknown key 'sevrers' in [[change]] at 1d; expected one of: at, agency, source, referral, "
        "servers, beds, open, sensitivity, specificity, positive_rate, rate, profile, probability, when, loss, "
        "consent, delay, note");
}
