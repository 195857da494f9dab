// refsim check's findings (sim/graph/lint): each on a scenario with exactly that defect and on one
// without it; and the check against simulation on the scenario library.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "sim/experiment/runner.hpp"
#include "sim/graph/lint.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// A small mechanism: intake (2 servers, 1 day) refers everyone to services (a shelter).
std::string base(const std::string& rate = "1/d", const std::string& child = "0") {
  return R"([scenario]
name = "t"
country = "GH"
[run]
horizon = "100d"
[[profile]]
id = "p"
child = )" +
         child + R"(
nationality = { GH = 1 }
[[agency]]
id = "intake"
servers = 2
service = { dist = "exponential", mean = "1d" }
[[agency]]
id = "services"
kind = "shelter"
servers = 5
service = { dist = "exponential", mean = "1d" }
provides = ["shelter"]
[[source]]
id = "s"
to = "intake"
rate = ")" +
         rate + R"("
profile = "p"
)";
}

const std::string kIntakeToServices = "[[referral]]\nfrom = \"intake\"\nto = \"services\"\nprobability = 1\n";

LintReport check(const std::string& toml) {
  const Scenario s = test::scenario(toml);
  const ReferralGraph g(s);
  return lint(s, g);
}

std::vector<Finding> with_code(const LintReport& r, const std::string& code) {
  std::vector<Finding> out;
  for (const Finding& f : r.findings)
    if (f.code == code) out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("Condition: can_hold narrows each attribute along a path") {
  AttributeSchema schema{{{"child", {}}, {"e", {"a", "b", "c"}}}};
  const std::vector<std::vector<bool>> any;
  CHECK_FALSE(compile_condition("false", schema).can_hold(any));
  CHECK_FALSE(compile_condition("child and not child", schema).can_hold(any));
  CHECK(compile_condition("child or not child", schema).can_hold(any));
  const std::vector<std::vector<bool>> adults_b = {{true, false}, {false, true, false}};
  CHECK_FALSE(compile_condition("child", schema).can_hold(adults_b));
  CHECK(compile_condition("not child and e in ['b', 'c']", schema).can_hold(adults_b));
  CHECK_FALSE(compile_condition("e == 'a' or (child and e == 'b')", schema).can_hold(adults_b));
}

TEST_CASE("Lint: unreachable-agency counts a rule that can never hold as absent") {
  const std::string island =
      "[[agency]]\nid = \"island\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1d\" }\n";
  const std::string half = "[[referral]]\nfrom = \"intake\"\nto = \"services\"\nprobability = 0.5\n";
  for (const std::string when : {"false", "child"}) {  // child: the profile has no children
    INFO(when);
    const auto r =
        check(base() + half + island +
              "[[referral]]\nfrom = \"intake\"\nto = \"island\"\nprobability = 0.5\nwhen = \"" + when + "\"\n");
    const auto f = with_code(r, "unreachable-agency");
    REQUIRE(f.size() == 1);
    CHECK(f[0].severity == Severity::warning);
    CHECK(f[0].agencies == std::vector<AgencyId>{2});
    CHECK(f[0].rules == std::vector<ReferralId>{1});
    CHECK(f[0].where.line == 33);  // the rule at fault
    CHECK(f[0].message ==
          "agency 'island' receives no case: no source reaches it for any profile; the rule into it "
          "(intake->island) can never be taken");
  }
  const auto clean = check(base() + half + island +
                           "[[referral]]\nfrom = \"intake\"\nto = \"island\"\nprobability = 0.5\nwhen = \"adult\"\n");
  CHECK(with_code(clean, "unreachable-agency").empty());
}

TEST_CASE("Lint: no-path-to-service for children without child protection") {
  const auto r = check(base("1/d", "0.3") + kIntakeToServices);
  const auto f = with_code(r, "no-path-to-service");
  REQUIRE(f.size() == 1);
  CHECK(f[0].profile == "p");
  CHECK(f[0].message ==
        "profile 'p': children entering at intake have no path to a guardian or child protection: no agency "
        "provides it");
  const auto clean =
      check(base("1/d", "0.3") + kIntakeToServices +
            "[[agency]]\nid = \"cp\"\nkind = \"child_protection\"\nservers = 1\nservice = { dist = \"exponential\", "
            "mean = \"1d\" }\n[[referral]]\nfrom = \"intake\"\nto = \"cp\"\nprobability = 1\nfork = "
            "true\nwhen = \"child\"\n");
  CHECK(with_code(clean, "no-path-to-service").empty());
  // Adults only: nobody needs child protection.
  CHECK(with_code(check(base() + kIntakeToServices), "no-path-to-service").empty());
}

TEST_CASE("Lint: dead-end after a positive decision") {
  const auto with_rule = [](const std::string& when) {
    std::string t = base();
    t.insert(t.find("[[agency]]\nid = \"services\""),
             "decision = { sets = \"presumed\", sensitivity = 0.9, specificity = 0.8 }\n");
    return t + "[[referral]]\nfrom = \"intake\"\nto = \"services\"\nprobability = 1\nwhen = \"" + when + "\"\n";
  };
  const auto f = with_code(check(with_rule("not presumed")), "dead-end");
  REQUIRE(f.size() == 1);
  CHECK(f[0].agencies == std::vector<AgencyId>{0});
  CHECK(f[0].message.find("a positive presumed decision at 'intake' leads nowhere") == 0);
  CHECK(with_code(check(with_rule("presumed")), "dead-end").empty());
}

TEST_CASE("Lint: referral-cycle with its expected number of loops") {
  const auto back = [](const std::string& p) {
    return base() + kIntakeToServices + "[[referral]]\nfrom = \"services\"\nto = \"intake\"\nprobability = " + p + "\n";
  };
  const auto f = with_code(check(back("0.5")), "referral-cycle");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::warning);
  CHECK(f[0].value == Approx(1.0));  // back with 1/2: 1/2 / (1 − 1/2) = 1 loop
  CHECK(f[0].rules == std::vector<ReferralId>{0, 1});
  const auto trap = with_code(check(back("1")), "referral-cycle");
  REQUIRE(trap.size() == 1);
  CHECK(trap[0].severity == Severity::error);
  CHECK(std::isinf(trap[0].value));
  CHECK(with_code(check(base() + kIntakeToServices), "referral-cycle").empty());
}

TEST_CASE("Lint: a re-trafficking loop of probability 1 traps only the loop") {
  // Issue 18: the traffic equations used to run to their iteration limit (24 s) and call every
  // agency upstream of the loop infinite.
  std::string t =
      base() + kIntakeToServices +
      "[[agency]]\nid = \"ret\"\nservers = \"unlimited\"\nservice = { dist = \"exponential\", mean = \"1d\" }\n"
      "retrafficking = { probability = 1, after = { dist = \"exponential\", mean = \"30d\" }, reenters = "
      "\"services\" }\n[[referral]]\nfrom = \"services\"\nto = \"ret\"\nprobability = 1\n";
  const Scenario s = test::scenario(t);
  const auto loads = ReferralGraph(s).loads();
  CHECK(loads[0].arrival_rate == Approx(1.0));  // intake, upstream of the loop
  CHECK(std::isinf(loads[1].arrival_rate));
  CHECK(std::isinf(loads[2].arrival_rate));
  const auto f = with_code(lint(s, ReferralGraph(s)), "referral-cycle");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::error);
  CHECK(f[0].agencies == std::vector<AgencyId>{1, 2});
}

TEST_CASE("Lint: single-point-of-failure from the dominator tree") {
  // Two entry points (intake, hotline), both through intake's screening to the services.
  const std::string hotline =
      "[[agency]]\nid = \"hotline\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1h\" }\n"
      "[[source]]\nid = \"calls\"\nto = \"hotline\"\nrate = \"0.5/d\"\nprofile = \"p\"\n";
  const std::string via_intake = "[[referral]]\nfrom = \"hotline\"\nto = \"intake\"\nprobability = 1\n";
  const auto f = with_code(check(base() + kIntakeToServices + hotline + via_intake), "single-point-of-failure");
  REQUIRE(f.size() == 1);
  CHECK(f[0].agencies == std::vector<AgencyId>{0, 1});
  CHECK(f[0].severity == Severity::warning);
  // The hotline refers straight to the services too: intake no longer cuts them off.
  const auto clean = check(base() + kIntakeToServices + hotline +
                           "[[referral]]\nfrom = \"hotline\"\nto = \"services\"\nprobability = 1\n");
  CHECK(with_code(clean, "single-point-of-failure").empty());
  // The only entry point is not a single point of failure: closing it leaves no entry to cut off.
  CHECK(with_code(check(base() + kIntakeToServices), "single-point-of-failure").empty());
}

TEST_CASE("Lint: an entry point is a single point of failure only for services other entries reach") {
  // Two separate tracks (as two countries' port inspections): intake -> services, and
  // hotline -> care. Closing intake cuts off no other entry point: no finding.
  const std::string other =
      "[[agency]]\nid = \"hotline\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1h\" }\n"
      "[[agency]]\nid = \"care\"\nservers = 2\nservice = { dist = \"exponential\", mean = \"1d\" }\n"
      "supports = true\n[[source]]\nid = \"calls\"\nto = \"hotline\"\nrate = \"0.5/d\"\nprofile = \"p\"\n"
      "[[referral]]\nfrom = \"hotline\"\nto = \"care\"\nprobability = 1\n";
  CHECK(with_code(check(base() + kIntakeToServices + other), "single-point-of-failure").empty());
  // The hotline sends some cases to intake too: intake now cuts the hotline's cases off from services.
  const auto f = with_code(check(base() + kIntakeToServices + other +
                                 "[[referral]]\nfrom = \"hotline\"\nto = \"intake\"\nprobability = 0.5\nfork = true\n"),
                           "single-point-of-failure");
  REQUIRE(f.size() == 1);
  CHECK(f[0].agencies == std::vector<AgencyId>{0, 1});
}

TEST_CASE("Lint: single-point-of-failure leaves out an agency's own overflow") {
  // intake -> services (full: overflow to backup). services is not a single point of failure for
  // backup, which takes what would have gone to services; intake is (two entry points).
  std::string t = base() + kIntakeToServices +
                  "[[agency]]\nid = \"backup\"\nkind = \"shelter\"\nservers = 2\nservice = { dist = "
                  "\"exponential\", mean = \"1d\" }\nprovides = [\"shelter\"]\n"
                  "[[agency]]\nid = \"hotline\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1h\" }\n"
                  "[[source]]\nid = \"calls\"\nto = \"hotline\"\nrate = \"0.5/d\"\nprofile = \"p\"\n"
                  "[[referral]]\nfrom = \"hotline\"\nto = \"intake\"\nprobability = 1\n";
  t.insert(t.find("provides = [\"shelter\"]\n"), "when_full = \"overflow:backup\"\n");
  const auto f = with_code(check(t), "single-point-of-failure");
  REQUIRE(f.size() == 1);
  CHECK(f[0].agencies == std::vector<AgencyId>{0, 1, 2});  // intake cuts off services and backup
}

TEST_CASE("Lint: over-capacity and near-capacity with the predicted utilization") {
  const auto over = with_code(check(base("3/d") + kIntakeToServices), "over-capacity");
  REQUIRE(over.size() == 1);
  CHECK(over[0].severity == Severity::error);
  CHECK(over[0].value == Approx(1.5));
  CHECK(over[0].message ==
        "agency 'intake' is offered 3 busy servers for 2 servers (utilization 1.5): its queue grows without bound");
  const auto near = with_code(check(base("1.9/d") + kIntakeToServices), "near-capacity");
  REQUIRE(near.size() == 1);
  CHECK(near[0].severity == Severity::warning);
  CHECK(near[0].value == Approx(0.95));
  const auto clean = check(base("1/d") + kIntakeToServices);
  CHECK(with_code(clean, "over-capacity").empty());
  CHECK(with_code(clean, "near-capacity").empty());
}

TEST_CASE("Lint: deadline-unmeetable counts service minima and office hours") {
  const auto with = [](const std::string& hours, const std::string& within) {
    std::string t = base();
    t.replace(t.find("service = { dist = \"exponential\", mean = \"1d\" }"),
              std::string("service = { dist = \"exponential\", mean = \"1d\" }").size(),
              "service = { dist = \"deterministic\", value = \"16h\" }" + hours);
    return t + kIntakeToServices +
           "[[deadline]]\nid = \"dl\"\nfrom = \"entered\"\nto = \"arrival:services\"\nwithin = \"" + within + "\"\n";
  };
  CHECK(with_code(check(with("", "24h")), "deadline-unmeetable").empty());  // 16h < 24h
  const auto f = with_code(check(with("\nhours = { days = \"mon-sun\", from = \"09:00\", to = \"17:00\" }", "24h")),
                           "deadline-unmeetable");
  REQUIRE(f.size() == 1);  // 8h, closed 16h, 8h: 32h at best
  CHECK(f[0].severity == Severity::error);
  CHECK(f[0].value == Approx(32.0 / 24));
  CHECK(f[0].message ==
        "deadline 'dl' (entered to arrival:services within 1d) cannot be met: the fastest path takes "
        "1.33d (intake → services)");
  CHECK(with_code(check(with("", "12h")), "deadline-unmeetable").size() == 1);
}

TEST_CASE("Lint: cross-border-without-return") {
  const auto with = [](bool ret) {
    std::string t =
        base() + kIntakeToServices +
        "[[agency]]\nid = \"abroad\"\ncountry = \"TG\"\nservers = 1\nservice = { dist = \"exponential\", mean = "
        "\"1d\" }\n[[referral]]\nfrom = \"intake\"\nto = \"abroad\"\nprobability = 0.1\nfork = true\n";
    t.replace(t.find("id = \"intake\"\n"), std::string("id = \"intake\"\n").size(),
              "id = \"intake\"\ncountry = \"GH\"\n");
    if (ret) {
      t += "[[agency]]\nid = \"home\"\ncountry = \"TG\"\nstage = \"return\"\nservers = 1\nservice = { dist = "
           "\"exponential\", mean = "
           "\"1d\" }\n[[referral]]\nfrom = \"abroad\"\nto = \"home\"\nprobability = 1\n";
    }
    return t;
  };
  const auto f = with_code(check(with(false)), "cross-border-without-return");
  REQUIRE(f.size() == 1);
  CHECK(f[0].rules == std::vector<ReferralId>{1});
  CHECK(f[0].agencies == std::vector<AgencyId>{0, 2});
  CHECK(with_code(check(with(true)), "cross-border-without-return").empty());
  // A request to the other country's police (a parallel track into its justice system) moves a
  // case file, not the person.
  std::string justice = with(false);
  justice.replace(justice.find("country = \"TG\"\n"), std::string("country = \"TG\"\n").size(),
                  "country = \"TG\"\nstage = \"investigation\"\n");
  CHECK(with_code(check(justice), "cross-border-without-return").empty());
  // Only Togolese take the rule to Togo: they are going home.
  std::string home = with(false);
  home.replace(home.find("nationality = { GH = 1 }"), std::string("nationality = { GH = 1 }").size(),
               "nationality = { GH = 0.5, TG = 0.5 }");
  home.replace(home.find("probability = 0.1\nfork = true\n"), std::string("probability = 0.1\nfork = true\n").size(),
               "probability = 0.1\nfork = true\nwhen = \"nationality == 'TG'\"\n");
  CHECK(with_code(check(home), "cross-border-without-return").empty());
}

TEST_CASE("Lint: deadline-never-reached when no path joins its milestones") {
  const std::string island =
      "[[agency]]\nid = \"island\"\nservers = 1\nservice = { dist = \"exponential\", mean = \"1d\" }\n";
  const auto deadline = [](const std::string& to) {
    return "[[deadline]]\nid = \"dl\"\nfrom = \"entered\"\nto = \"arrival:" + to + "\"\nwithin = \"30d\"\n";
  };
  const auto f = with_code(check(base() + kIntakeToServices + island + deadline("island")), "deadline-never-reached");
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::warning);
  CHECK(f[0].deadline == std::optional<DeadlineId>{0});
  CHECK(f[0].where.line > 0);
  CHECK(f[0].message == "deadline 'dl': no path leads from entered to arrival:island, so it is never measured");
  CHECK(with_code(check(base() + kIntakeToServices + island + deadline("services")), "deadline-never-reached").empty());
}

TEST_CASE("Lint: a decision on a parallel track that ends is not a dead end") {
  // services decides; the rule into it is a fork beside the main track (intake -> shelter2).
  std::string t = base();
  t.insert(t.find("provides = [\"shelter\"]\n"),
           "decision = { sets = \"presumed\", sensitivity = 0.9, specificity = 0.8 }\n");
  const std::string main =
      "[[agency]]\nid = \"care\"\nservers = 5\nservice = { dist = \"exponential\", mean = \"1d\" }\n"
      "[[referral]]\nfrom = \"intake\"\nto = \"care\"\nprobability = 1\n";
  const auto fork =
      check(t + main + "[[referral]]\nfrom = \"intake\"\nto = \"services\"\nprobability = 1\nfork = true\n");
  CHECK(with_code(fork, "dead-end").empty());
  // The same agency on the main track: its positive decisions lead nowhere.
  const auto on_main = check(t + kIntakeToServices);
  REQUIRE(with_code(on_main, "dead-end").size() == 1);
  CHECK(with_code(on_main, "dead-end")[0].agencies == std::vector<AgencyId>{1});
}

TEST_CASE("Lint: the scenario library against simulation") {
  // Over capacity predicted ⇔ saturated in simulation (utilization above 0.97 and a queue that
  // grows over the window: a backlog being worked off, as at the UK's conclusive-grounds desk, is
  // busy but shrinking); an unreachable agency receives no case.
  // One replication, a short horizon: a few seconds.
  // Every scenario of the library and its variants (the exercises are not scenarios).
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(REFSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() == ".toml" && entry.path().parent_path().filename() != "exercises") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 17);
  std::size_t over_seen = 0;
  for (const auto& path : files) {
    const std::filesystem::directory_entry entry(path);
    INFO(entry.path().string());
    Scenario s = load_scenario(entry.path());
    s.run.horizon = std::min<Time>(s.run.horizon, 365);
    s.run.warmup = std::min<Time>(s.run.warmup, 90);
    const ReferralGraph g(s);
    const LintReport r = lint(s, g);
    ReplicationOptions options;
    options.sample_every = 7;
    const ReplicationResult rep = run_replication(s, g, s.run.seed, 0, options);
    const TimeSeries& ts = rep.timeseries;
    REQUIRE(!ts.times.empty());
    // Whether agency a's queue (waiting, not in service nor held before service) grows over the
    // window: the least-squares slope of its weekly samples after the warm-up is above 0.
    const auto queue_grows = [&](AgencyId a) {
      double n = 0, st = 0, sq = 0, stt = 0, stq = 0;
      for (std::size_t k = 0; k < ts.times.size(); ++k) {
        if (ts.times[k] < s.run.warmup) continue;
        const double t = ts.times[k], q = ts.queue[k * s.agencies.size() + a];
        n += 1, st += t, sq += q, stt += t * t, stq += t * q;
      }
      return n >= 2 && n * stq - st * sq > 0;
    };
    for (AgencyId a = 0; a < s.agencies.size(); ++a) {
      const Agency& ag = s.agencies[a];
      INFO(ag.id);
      bool predicted = false, unreachable = false;
      for (const Finding& f : r.findings) {
        if (f.agencies.empty() || f.agencies.front() != a) continue;
        predicted = predicted || f.code == "over-capacity";
        unreachable = unreachable || f.code == "unreachable-agency";
      }
      const AgencyResult& x = rep.agencies[a];
      if (unreachable) CHECK(x.arrivals == 0);
      if (ag.unlimited) continue;
      const bool saturated = x.utilization > 0.97 && queue_grows(a);
      // Exactly the agencies predicted over capacity are saturated.
      CHECK(predicted == saturated);
      over_seen += predicted ? 1 : 0;
    }
  }
  CHECK(over_seen >= 1);  // the UK's reasonable-grounds desk, intentionally overloaded
}
