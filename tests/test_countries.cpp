// Regional scenarios read per country: the location attributes entered_in and in_country, in
// deadlines' and rules' conditions, in the traffic equations, and in the proof that rules on one
// from/to pair never apply together. Statistical checks allow 5 binomial standard deviations.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "sim/engine/engine.hpp"
#include "sim/model/parameters.hpp"
#include "support.hpp"

using namespace refsim;
using refsim::test::load_error;

namespace {

/// Children screened in Ghana within hours and in Côte d'Ivoire within three days; a Ghanaian
/// 24-hour limit is written below it.
const std::string kTwoCountries = R"([scenario]
name = "two countries"
country = "GH"
[run]
horizon = "400d"
[[profile]]
id = "children"
child = 1
nationality = { GH = 0.5, CI = 0.5 }
[[agency]]
id = "screening_gh"
country = "GH"
servers = "unlimited"
service = "2h"
decision = { sets = "presumed", positive_rate = 1 }
[[agency]]
id = "screening_ci"
country = "CI"
servers = "unlimited"
service = "3d"
decision = { sets = "presumed", positive_rate = 1 }
[[source]]
id = "gh"
to = "screening_gh"
rate = 4
profile = "children"
[[source]]
id = "ci"
to = "screening_ci"
rate = 3
profile = "children"
[[deadline]]
id = "gh_screening_24h"
from = "entered"
to = "decided:presumed"
within = "24h"
)";

/// Deadline outcomes by the agency responsible, and what each arrival and decision saw.
struct Countries : Observer {
  const Engine* engine = nullptr;
  std::map<std::string, double> n;
  std::uint32_t wrong_in_country = 0, wrong_entered_in = 0;
  std::uint32_t expected_entered_in = 0;
  void on_case_entered(Time, const Case& c, const Attributes& a) override {
    n["entered@" + std::to_string(c.agency)]++;
    n["entered_in=" + engine->scenario().nationalities[a[attr::kEnteredIn]]]++;
  }
  void on_arrival(Time, AgencyId a, const Case&) override { n["arrival@" + std::to_string(a)]++; }
  // The arrival's own hook still sees where the track came from; the service start, where it is.
  void on_service_start(Time, AgencyId a, const Case& c, Time) override {
    const Attributes& at = engine->attributes(c.person);
    n["start@" + std::to_string(a)]++;
    wrong_in_country += at[attr::kInCountry] != engine->scenario().country_of(a) || c.country != at[attr::kInCountry];
    wrong_entered_in += at[attr::kEnteredIn] != expected_entered_in;
  }
  void on_decision(Time, AgencyId a, const Case&, const Attributes& at, std::uint32_t, bool) override {
    n["decision@" + std::to_string(a)]++;
    wrong_in_country += at[attr::kInCountry] != engine->scenario().country_of(a);
  }
  void on_deadline(Time, DeadlineId d, const Case&, DeadlineOutcome outcome, AgencyId agency, Time) override {
    const char* what = outcome == DeadlineOutcome::met        ? "met"
                       : outcome == DeadlineOutcome::breached ? "breached"
                                                              : "left";
    n[std::string(what) + std::to_string(d) + "@" + std::to_string(agency)]++;
  }
};

Countries run(const Scenario& s, std::uint32_t entered_in = 0) {
  const ReferralGraph g(s);
  Engine e(s, g, 11, 0);
  Countries t;
  t.engine = &e;
  t.expected_entered_in = entered_in;
  e.add_observer(t);
  e.run_until(s.run.horizon);
  return t;
}

}  // namespace

TEST_CASE("Countries: entered_in and in_country take the scenario's country codes") {
  const Scenario s = test::scenario(kTwoCountries);
  const auto& at = s.schema.attributes;
  CHECK(at[attr::kEnteredIn].name == "entered_in");
  CHECK(at[attr::kInCountry].name == "in_country");
  CHECK(at[attr::kEnteredIn].values == std::vector<std::string>{"CI", "GH", "other"});
  CHECK(at[attr::kInCountry].values == s.nationalities);
  CHECK(s.country_of(0) == 1);  // screening_gh: "GH"
  CHECK(s.country_of(1) == 0);  // screening_ci: "CI"
  CHECK(load_error(kTwoCountries + "when = \"entered_in == 'gh'\"\n") ==
        "test.toml:37:23: deadline 'gh_screening_24h': when: unknown value 'gh' for entered_in; valid: CI, GH, other");
}

TEST_CASE("Countries: a deadline limited to entered_in == GH counts only the cases that entered in Ghana") {
  // Without the condition, Ghana's 24-hour limit runs for the Ivorian children too, and every one
  // of them (screened in three days) counts as a breach.
  Countries all = run(test::scenario(kTwoCountries));
  CHECK(all.n["breached0@1"] > 1000);
  CHECK(all.n["breached0@1"] >= all.n["entered@1"] - 15);  // all but those of the last day (about 3)
  CHECK(all.n["met0@0"] >= all.n["entered@0"] - 1);
  CHECK(all.n["breached0@0"] == 0);

  // With it, only the children who entered in Ghana are counted: no breach at all.
  Countries gh = run(test::scenario(kTwoCountries + "when = \"entered_in == 'GH'\"\n"));
  CHECK(gh.n["breached0@1"] == 0);
  CHECK(gh.n["left0@1"] == 0);
  CHECK(gh.n["met0@1"] == 0);
  CHECK(gh.n["met0@0"] == all.n["met0@0"]);  // the same Ghanaian cases, drawn from the same streams
  CHECK(gh.n["entered_in=GH"] == gh.n["entered@0"]);
  CHECK(gh.n["entered_in=CI"] == gh.n["entered@1"]);

  // in_country at the start (entry) says the same here.
  Countries here = run(test::scenario(kTwoCountries + "when = \"in_country == 'GH'\"\n"));
  CHECK(here.n["met0@0"] == gh.n["met0@0"]);
  CHECK(here.n["breached0@1"] == 0);
}

TEST_CASE("Countries: in_country changes when a person crosses into another country's agency and back") {
  const Scenario s = test::scenario(R"([scenario]
name = "crossing"
country = "GH"
[run]
horizon = "300d"
[[agency]]
id = "border_gh"
country = "GH"
servers = "unlimited"
service = "1h"
[[agency]]
id = "reception_ci"
country = "CI"
servers = "unlimited"
service = "1d"
decision = { sets = "presumed", positive_rate = 1 }
[[agency]]
id = "shelter_gh"
servers = "unlimited"
service = "2d"
[[source]]
id = "s"
to = "border_gh"
rate = 5
[[referral]]
from = "border_gh"
to = "reception_ci"
probability = 1
delay = "6h"
[[referral]]
from = "reception_ci"
to = "shelter_gh"
probability = 1
delay = "6h"
)");
  // shelter_gh has no country of its own: it is in the home country.
  Countries t = run(s, s.country_of(0));
  CHECK(t.n["start@0"] > 1000);
  CHECK(t.n["start@1"] > 1000);
  CHECK(t.n["start@2"] > 1000);
  CHECK(t.n["decision@1"] > 1000);
  CHECK(t.wrong_in_country == 0);  // at every service and decision: the agency's country
  CHECK(t.wrong_entered_in == 0);  // always Ghana, where they entered
}

TEST_CASE("Countries: on parallel tracks in two countries a deadline sees the country of the track that starts it") {
  // A cross-border request (a fork) reaches Côte d'Ivoire while the person stays in Ghana for the
  // verdict: a deadline starts in the country where its milestone is reached, not in the country
  // of the person's latest arrival.
  const std::string text = R"([scenario]
name = "request"
country = "GH"
[run]
horizon = "300d"
[[agency]]
id = "border_gh"
servers = "unlimited"
service = "1h"
[[agency]]
id = "request_ci"
country = "CI"
servers = "unlimited"
service = "5d"
[[agency]]
id = "court_gh"
servers = "unlimited"
service = "2d"
decision = { sets = "identified", positive_rate = 1 }
[[agency]]
id = "closing_gh"
servers = "unlimited"
service = "1h"
[[source]]
id = "s"
to = "border_gh"
rate = 5
[[referral]]
from = "border_gh"
to = "request_ci"
probability = 1
delay = "2h"
fork = true
[[referral]]
from = "border_gh"
to = "court_gh"
probability = 1
delay = "1h"
[[referral]]
from = "court_gh"
to = "closing_gh"
probability = 1
[[deadline]]
id = "ghana_verdict"
from = "positive:identified"
to = "arrival:closing_gh"
within = "1h"
when = "in_country == 'GH'"
[[deadline]]
id = "not_in_ci"
from = "positive:identified"
to = "arrival:closing_gh"
within = "1h"
when = "in_country == 'CI'"
)";
  // The request is still in Côte d'Ivoire at the verdict (5 days), or it has ended there (1 hour).
  const std::string request = GENERATE(as<std::string>{}, "5d", "1h");
  std::string with_request = text;
  with_request.replace(with_request.find("service = \"5d\""), 14, "service = \"" + request + "\"");
  const Scenario s = test::scenario(with_request);
  INFO("request served in " << request);
  Countries t = run(s, s.country_of(0));
  const double verdicts = t.n["decision@2"];
  CHECK(verdicts > 1000);
  CHECK(t.n["arrival@1"] >= verdicts);
  // The verdict (at 2 days) comes after the request reached Côte d'Ivoire (at 3 hours), the
  // person's latest arrival: the Ghanaian deadline starts, met at once; the Ivorian one never.
  CHECK(t.n["met0@3"] == verdicts);
  CHECK(t.n["met1@3"] + t.n["breached1@2"] + t.n["left1@2"] + t.n["left1@1"] == 0);
}

TEST_CASE(
    "Countries: the traffic equations and route sums take entered_in from the source and in_country from the agency") {
  const Scenario s = test::scenario(R"([scenario]
name = "hub"
country = "NA"
[run]
horizon = "100d"
[[agency]]
id = "intake_na"
servers = "unlimited"
service = "1h"
[[agency]]
id = "intake_za"
country = "ZA"
servers = "unlimited"
service = "1h"
[[agency]]
id = "hub"
servers = "unlimited"
service = "1h"
[[agency]]
id = "ngo"
servers = "unlimited"
service = "1h"
[[source]]
id = "a"
to = "intake_na"
rate = 3
[[source]]
id = "b"
to = "intake_za"
rate = 2
[[referral]]
from = "intake_na"
to = "hub"
probability = 1
[[referral]]
from = "intake_na"
to = "ngo"
probability = 1
when = "in_country == 'ZA'"
[[referral]]
from = "intake_za"
to = "hub"
probability = 1
when = "in_country == 'ZA'"
[[referral]]
from = "hub"
to = "ngo"
probability = 0.5
when = "entered_in == 'ZA'"
[[referral]]
from = "hub"
to = "ngo"
probability = 0.2
when = "entered_in == 'NA'"
)");
  // intake_na's rules sum to 2 only where it is not: in South Africa. Loaded, so not refused.
  const auto loads = ReferralGraph(s).loads();
  CHECK(loads[2].arrival_rate == Approx(5));
  CHECK(loads[3].arrival_rate == Approx(2 * 0.5 + 3 * 0.2));
}

TEST_CASE("Countries: rules on one pair are proved disjoint over the values cases can have") {
  const std::string head = R"([scenario]
name = "proof"
country = "NA"
[run]
horizon = "10d"
[[profile]]
id = "mix"
nationality = { NA = 0.75, ZA = 0.25 }
[[agency]]
id = "intake"
servers = 1
service = "1h"
[[agency]]
id = "ngo"
servers = 1
service = "1h"
[[source]]
id = "s"
to = "intake"
rate = 1
profile = "mix"
)";
  const Scenario s = test::scenario(head);
  const auto overlap = [&](const char* a, const char* b) {
    return conditions_overlap(s, 0, compile_condition(a, s.schema), compile_condition(b, s.schema));
  };
  // Everybody enters in Namibia: a foreigner is not Namibian, and nobody is elsewhere.
  CHECK_FALSE(overlap("foreign", "nationality == 'NA'"));
  CHECK_FALSE(overlap("not foreign", "nationality == 'ZA'"));
  CHECK_FALSE(overlap("entered_in == 'ZA'", "true"));
  CHECK_FALSE(overlap("in_country == 'ZA'", "true"));
  CHECK_FALSE(overlap("child", "adult"));
  CHECK_FALSE(overlap("false", "true"));
  CHECK(*overlap("foreign", "nationality != 'NA'") ==
        "both hold for cases with nationality == \"ZA\", foreign, entered_in == \"NA\"");
  CHECK(*overlap("true", "true") == "both hold for every case");
  CHECK(*overlap("in_country == 'NA' and child", "not adult") ==
        "both hold for cases with child, in_country == \"NA\"");
  // Fourteen yes/no attributes, the sex, the exploitation type and the nationality: 491,520
  // combinations, too many to try each: not proved, so refused.
  CHECK(*overlap("child and victim and needs.shelter and needs.medical and needs.psychological and needs.legal_aid "
                 "and needs.interpretation and needs.family_tracing and needs.repatriation and presumed and "
                 "reasonable_grounds and identified and convicted and supported",
                 "sex == 'male' and exploitation == 'labour' and nationality == 'ZA'") ==
        "cannot be shown never to hold together: the attributes they name combine in more than 200000 ways");

  // A second source entering in South Africa makes a Namibian foreign there: now they overlap.
  const std::string two = head + R"([[agency]]
id = "border_za"
country = "ZA"
servers = 1
service = "1h"
[[source]]
id = "za"
to = "border_za"
rate = 1
profile = "mix"
)";
  const Scenario s2 = test::scenario(two);
  CHECK(*conditions_overlap(s2, 0, compile_condition("foreign", s2.schema),
                            compile_condition("nationality == 'NA'", s2.schema)) ==
        "both hold for cases with nationality == \"NA\", foreign, entered_in == \"ZA\"");
  CHECK(load_error(two + R"([[referral]]
from = "intake"
to = "ngo"
probability = 0.5
when = "foreign"
[[referral]]
from = "intake"
to = "ngo"
probability = 0.5
when = "nationality == 'NA'"
)") == "test.toml:41:8: referral intake -> ngo #2: its condition and that of the rule at test.toml:32:1 both hold "
       "for cases with nationality == \"NA\", foreign, entered_in == \"ZA\"; rules on one from/to pair must have "
       "conditions that never hold together");
}
