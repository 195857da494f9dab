// What refsim reports beyond the queues: cohorts (identification, times to decisions, services,
// hand-offs, interviews, justice), the new per-agency counts, the time series, the milestone file
// and the XES event log. Exact answers where the scenario makes them deterministic; statistical
// checks allow 5 binomial standard deviations (false alarm ~6e-7).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/report/case_log.hpp"
#include "sim/report/report.hpp"
#include "support.hpp"

using namespace refsim;
using Json = nlohmann::ordered_json;

namespace {

std::string with_text(const std::string& horizon, const std::string& body) {
  return "[scenario]\nname = \"t\"\n[run]\nhorizon = \"" + horizon + "\"\n" + body;
}

RunResult run_report(const Scenario& s, std::uint32_t replications = 1, Time sample_every = 0, unsigned threads = 1,
                     std::vector<ReplicationWatcher*> watchers = {}) {
  const ReferralGraph g(s);
  RunOptions opt;
  opt.seed = 11;
  opt.replications = replications;
  opt.threads = threads;
  opt.sample_every = sample_every;
  opt.watchers = std::move(watchers);
  return run_replications(s, g, opt);
}

const CohortResult& overall(const RunResult& r, std::size_t rep = 0) { return r.replications[rep].cohorts.back(); }
const CohortResult& overall(RunResult&&, std::size_t = 0) = delete;  // would dangle

void check_report_share(double hits, double trials, double p, const std::string& what) {
  INFO(what << ": " << hits << " of " << trials << ", expected share " << p);
  REQUIRE(trials > 1000);
  CHECK(std::fabs(hits - trials * p) <= 5 * std::sqrt(trials * p * (1 - p)));
}

std::filesystem::path temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("refsim-test-reports-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("Quantiles: nearest_rank is the exact nearest-rank value of the data") {
  // Durations from seconds to years, exact zeros and ties; the truth by a full sort.
  std::vector<double> values;
  std::uint64_t x = 12345;
  for (int i = 0; i < 20001; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(x >> 11) / 9007199254740992.0;
    values.push_back(i % 50 == 0 ? 0.0 : i % 7 == 0 ? 33.6 : std::pow(10.0, -4.5 + 8 * u));
  }
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.0001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    std::vector<double> v = values;
    INFO("p = " << p);
    CHECK(nearest_rank(v, p) == sorted[rank - 1]);
  }
  std::vector<double> two{5.0, 1.0};
  CHECK(nearest_rank(two, 0.5) == 1.0);  // the lower middle: ⌈0.5 · 2⌉ = 1st smallest
  std::vector<double> again{5.0, 1.0};
  CHECK(nearest_rank(again, 0.9) == 5.0);
  std::vector<double> empty;
  CHECK(std::isnan(nearest_rank(empty, 0.5)));
}

TEST_CASE("Cohorts: the overall cohort's counts are the sums of the cohorts'") {
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/scenarios/sea-fisheries.toml");
  const RunResult r = run_report(s);
  const std::vector<CohortResult>& cohorts = r.replications[0].cohorts;
  REQUIRE(cohorts.size() == test::kCohortCount + 1);
  const std::array<double CohortResult::*, 14> counts{
      &CohortResult::entered,        &CohortResult::exited,          &CohortResult::victims,
      &CohortResult::identified,     &CohortResult::false_positives, &CohortResult::withdrawals,
      &CohortResult::investigations, &CohortResult::prosecutions,    &CohortResult::trials,
      &CohortResult::convictions,    &CohortResult::returns,         &CohortResult::reintegrations,
      &CohortResult::retrafficked,   &CohortResult::reentries};
  int nonzero = 0;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    double sum = 0;
    for (std::size_t c = 0; c < test::kCohortCount; ++c) sum += cohorts[c].*counts[k];
    INFO("count field " << k);
    CHECK(cohorts.back().*counts[k] == sum);
    nonzero += sum > 0;
  }
  CHECK(nonzero >= 10);  // the scenario exercises most of them
  // Hand-offs per case: overall = sum of each cohort's hand-offs / sum of exits.
  double handoffs = 0;
  for (std::size_t c = 0; c < test::kCohortCount; ++c) {
    if (cohorts[c].exited > 0) handoffs += cohorts[c].handoffs_per_case * cohorts[c].exited;
  }
  CHECK(cohorts.back().handoffs_per_case == Approx(handoffs / cohorts.back().exited).epsilon(1e-12));
}

TEST_CASE("Cohorts: everyone identified after a fixed delay: mean = median = p90 = that delay") {
  const Scenario s = test::scenario(with_text("30d", R"(
[[agency]]
id = "authority"
servers = "unlimited"
service = "3d"
decision = { sets = "identified", positive_rate = 1 }
[[source]]
id = "raid"
to = "authority"
at = ["1d", "2d", "10d"]
cases = 4
)"));
  const RunResult r = run_report(s);
  const CohortResult& all = overall(r);
  CHECK(all.entered == 12);
  CHECK(all.exited == 12);
  CHECK(all.victims == 12);
  CHECK(all.victims_identified_share == 1);
  CHECK(all.false_positives == 0);
  CHECK(all.time_to_identified_days_mean == 3);
  CHECK(all.time_to_identified_days_median == 3);
  CHECK(all.time_to_identified_days_p90 == 3);
  CHECK(std::isnan(all.time_to_presumed_days_median));     // no presumed decision
  CHECK(std::isnan(all.time_to_first_service_days_mean));  // the authority provides nothing
  // The default profile: adults, exploitation "other", home nationality.
  const std::size_t adult_other_national = test::cohort_of([] {
    Attributes a{};
    a[attr::kAdult] = 1;
    a[attr::kExploitation] = 4;
    return a;
  }());
  CHECK(test::cohort_name(adult_other_national) == "adult/other/national");
  CHECK(r.replications[0].cohorts[adult_other_national].exited == 12);
  CHECK(r.replications[0].cohorts[0].exited == 0);
  CHECK(std::isnan(r.replications[0].cohorts[0].victims_identified_share));
}

TEST_CASE("Cohorts: a 0.6 positive rate identifies 60 % of victims") {
  const Scenario s = test::scenario(with_text("400d", R"(
[[agency]]
id = "authority"
servers = "unlimited"
service = "1d"
decision = { sets = "identified", positive_rate = 0.6 }
[[source]]
id = "calls"
to = "authority"
rate = "20/d"
)"));
  const RunResult r = run_report(s);
  const CohortResult& all = overall(r);
  CHECK(all.victims == all.exited);
  check_report_share(all.victims_identified_share * all.victims, all.victims, 0.6, "victims identified");
  CHECK(all.identified == std::round(all.victims_identified_share * all.victims));
}

TEST_CASE("Cohorts: false positives are the identified who are not victims, children form their own cohorts") {
  const Scenario s = test::scenario(with_text("400d", R"(
[[profile]]
id = "mixed"
victim = 0.5
child = 0.3
exploitation = { labour = 1 }
[[agency]]
id = "authority"
servers = "unlimited"
service = "1d"
decision = { sets = "identified", sensitivity = 1, specificity = 0.75 }
[[source]]
id = "calls"
to = "authority"
rate = "20/d"
profile = "mixed"
)"));
  const RunResult r = run_report(s);
  const CohortResult& all = overall(r);
  CHECK(all.victims_identified_share == 1);
  const double non_victims = all.exited - all.victims;
  check_report_share(all.false_positives, non_victims, 0.25, "non-victims identified");
  CHECK(all.identified == all.victims + all.false_positives);
  const auto& cohorts = r.replications[0].cohorts;
  Attributes a{};
  a[attr::kChild] = 1;
  a[attr::kExploitation] = 1;
  const std::size_t child_labour = test::cohort_of(a);
  a[attr::kChild] = 0;
  a[attr::kAdult] = 1;
  const std::size_t adult_labour = test::cohort_of(a);
  CHECK(test::cohort_name(child_labour) == "child/labour/national");
  CHECK(test::cohort_name(adult_labour) == "adult/labour/national");
  CHECK(cohorts[child_labour].exited + cohorts[adult_labour].exited == all.exited);
  check_report_share(cohorts[child_labour].exited, all.exited, 0.3, "children");
  CHECK(cohorts[child_labour].false_positives + cohorts[adult_labour].false_positives == all.false_positives);
}

TEST_CASE("Cohorts: hand-offs count referrals received on a fixed path, interviews count interviewing services") {
  const Scenario s = test::scenario(with_text("60d", R"(
[[agency]]
id = "police"
servers = "unlimited"
service = "1d"
interview = true
[[agency]]
id = "screening"
servers = "unlimited"
service = "2d"
interview = true
decision = { sets = "presumed", positive_rate = 1 }
[[agency]]
id = "shelter"
beds = 100
service = "5d"
provides = ["shelter", "medical"]
[[source]]
id = "raid"
to = "police"
at = ["1d", "3d"]
cases = 5
[[referral]]
from = "police"
to = "screening"
probability = 1
delay = "1d"
[[referral]]
from = "screening"
to = "shelter"
probability = 1
)"));
  const RunResult r = run_report(s);
  const CohortResult& all = overall(r);
  CHECK(all.exited == 10);
  CHECK(all.handoffs_per_case == 2);
  CHECK(all.interviews_per_case == 2);
  CHECK(r.replications[0].agencies[0].interviews == 10);
  CHECK(r.replications[0].agencies[1].interviews == 10);
  CHECK(r.replications[0].agencies[2].interviews == 0);
  // police 1d, transfer 1d, screening 2d: presumed after 4 days, in the shelter at once.
  CHECK(all.time_to_presumed_days_median == 4);
  CHECK(all.time_to_first_service_days_p90 == 4);
  CHECK(std::isnan(all.covered_shelter));  // nobody needed shelter (default profile)
  CHECK(all.dropout_share == 0);
  // Beds: 5 occupied for 5 days from day 5 and from day 7 → 50 bed-days over 60 days.
  CHECK(r.replications[0].agencies[2].beds_occupied == Approx(50.0 / 60).epsilon(1e-12));
  CHECK(std::isnan(r.replications[0].agencies[0].beds_occupied));
}

TEST_CASE("Cohorts: needs met, stages, convictions, withdrawals and drop-outs are counted per person") {
  const Scenario s = test::scenario(with_text("200d", R"(
[[profile]]
id = "needy"
needs = { shelter = 1, legal_aid = 1 }
[[agency]]
id = "shelter"
servers = "unlimited"
service = "2d"
provides = ["shelter"]
[[agency]]
id = "prosecutor"
servers = "unlimited"
service = "10d"
stage = "prosecution"
withdrawal = 0.5
[[agency]]
id = "court"
servers = "unlimited"
service = "10d"
stage = "trial"
decision = { sets = "convicted", positive_rate = 1 }
[[agency]]
id = "queue"
servers = 1
service = "100d"
patience = "1d"
[[source]]
id = "victims"
to = "shelter"
at = ["1d"]
cases = 2000
profile = "needy"
[[source]]
id = "waiting"
to = "queue"
at = ["1d"]
cases = 4
[[referral]]
from = "shelter"
to = "prosecutor"
probability = 1
[[referral]]
from = "prosecutor"
to = "court"
probability = 1
)"));
  const RunResult r = run_report(s);
  const CohortResult& all = overall(r);
  REQUIRE(all.exited == 2004);
  CHECK(all.covered_shelter == 1);
  CHECK(all.covered_legal_aid == 0);
  CHECK(std::isnan(all.covered_medical));
  CHECK(all.prosecutions == 2000);
  CHECK(all.withdrawals + all.trials == 2000);
  CHECK(all.convictions == all.trials);
  check_report_share(all.withdrawals, 2000, 0.5, "withdrawals at the prosecutor");
  CHECK(r.replications[0].agencies[1].withdrawals == all.withdrawals);
  // 4 people queue for one server: 1 served (100 d), 3 drop out after a day.
  CHECK(all.dropout_share == Approx(3.0 / 2004).epsilon(1e-12));
  CHECK(all.time_to_first_service_days_median == 0);
}

TEST_CASE("Agencies: turned away, overflowed and held are counted, and leave the queue") {
  const Scenario s = test::scenario(with_text("30d", R"(
[[agency]]
id = "state_shelter"
beds = 1
service = "10d"
when_full = "overflow:ngo_shelter"
[[agency]]
id = "ngo_shelter"
beds = 1
service = "10d"
when_full = "turn_away"
[[agency]]
id = "authority"
servers = 1
service = "1d"
not_before = { after = "entered", gap = "5d" }
[[source]]
id = "boat"
to = "state_shelter"
at = ["1d"]
cases = 4
[[source]]
id = "walk_in"
to = "authority"
at = ["2d"]
cases = 3
)"));
  const RunResult r = run_report(s, 1, 1);
  const auto& ag = r.replications[0].agencies;
  CHECK(ag[0].overflowed == 3);
  CHECK(ag[1].turned_away == 2);
  CHECK(ag[2].held == 3);
  CHECK(ag[0].mean_queue_length == 0);
  CHECK(ag[1].mean_queue_length == 0);
  // Held from day 2 to day 7, then served one a day: waiting 1 day (from 7 to 8) and 2 days.
  CHECK(ag[2].mean_queue_length == Approx(3.0 / 30).epsilon(1e-12));
  CHECK(overall(r).handoffs_per_case == Approx(3.0 / 7).epsilon(1e-12));
  // The time series: daily samples at 0, 1, …, 30 days, one row per agency.
  const TimeSeries& ts = r.replications[0].timeseries;
  REQUIRE(ts.times.size() == 31);
  REQUIRE(ts.held.size() == 31 * 3);
  CHECK(ts.held[3 * 3 + 2] == 3);        // day 3: all three held at the authority
  CHECK(ts.held[7 * 3 + 2] == 0);        // day 7: the hold has ended
  CHECK(ts.in_service[7 * 3 + 2] == 1);  // one served…
  CHECK(ts.queue[7 * 3 + 2] == 2);       // …two waiting
  CHECK(ts.in_service[3 * 3 + 0] == 1);  // a bed taken in each shelter
  CHECK(ts.in_service[3 * 3 + 1] == 1);
}

TEST_CASE("Agencies: in_agency_at_end counts the cases waiting in service or held at the horizon") {
  const Scenario s = test::scenario(with_text("5d", R"(
[[agency]]
id = "desk"
servers = 1
service = "10d"
[[agency]]
id = "authority"
servers = 1
service = "1d"
not_before = { after = "entered", gap = "10d" }
[[agency]]
id = "intake"
servers = "unlimited"
service = "1h"
[[source]]
id = "walk_in"
to = "desk"
at = ["1d"]
cases = 3
[[source]]
id = "referred"
to = "authority"
at = ["2d"]
cases = 2
[[source]]
id = "far_away"
to = "intake"
at = ["1d"]
cases = 4
[[referral]]
from = "intake"
to = "desk"
probability = 1
delay = "10d"
)"));
  const RunResult r = run_report(s, 1, 1);
  const auto& ag = r.replications[0].agencies;
  CHECK(ag[0].in_agency_at_end == 3);  // one in service, two waiting; the four in transfer are not here yet
  CHECK(ag[1].in_agency_at_end == 2);  // both held until day 12
  CHECK(ag[2].in_agency_at_end == 0);  // served and sent on
  CHECK(r.replications[0].cases.in_system_at_end == 9);
}

TEST_CASE("Time series: a row per agency and sample, the backlog counts cases at grounds deciders") {
  const Scenario s = test::scenario(with_text("28d", R"(
[[agency]]
id = "intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "rg"
servers = 1
service = "10d"
decision = { sets = "reasonable_grounds", positive_rate = 1 }
[[source]]
id = "raid"
to = "intake"
at = ["1d"]
cases = 5
[[referral]]
from = "intake"
to = "rg"
probability = 1
)"));
  const RunResult r = run_report(s, 2, 7);
  const RunContext ctx{s, 11, 2};
  const auto rows = lines(timeseries_csv(ctx, r));
  REQUIRE(rows.size() == 1 + 2 * 5);  // replication 0 only: agencies × samples (0, 7, 14, 21, 28 d)
  CHECK(rows[0] == "replication,time_days,agency,queue,in_service,held,grounds_backlog,capacity");
  CHECK(rows[1] == "0,0,intake,0,0,0,0,");  // no capacity limit: empty, not a number
  CHECK(rows[4] == "0,7,rg,4,1,0,5,1");
  CHECK(rows[6] == "0,14,rg,3,1,0,4,1");
  CHECK(rows[10] == "0,28,rg,2,1,0,3,1");
  CHECK(r.replications[1].timeseries.times.empty());
  CHECK(sample_count(28, 7) == 5);
  CHECK(sample_count(28, 0) == 0);
  CHECK(sample_count(1, 0.1) == 11);
  // Absurd horizons saturate instead of wrapping (1e21 days / 7 does not fit 64 bits: the row
  // limit was bypassed), and the row check cannot overflow.
  CHECK(sample_count(1e21, 7) == std::size_t{1} << 53);
  CHECK(too_many_time_series_rows(1e21, 7, 1));
  CHECK(too_many_time_series_rows(1e300, 7, 1000));
  CHECK_FALSE(too_many_time_series_rows(3650, 7, 40));
  CHECK_FALSE(too_many_time_series_rows(7.0 * 124'999, 7, 40));  // 125,000 samples × 40: the limit
  CHECK(too_many_time_series_rows(7.0 * 125'000, 7, 40));        // one sample more
}

TEST_CASE("Reports: sampling and watching replication 0 change no result, 1 and 2 threads agree byte for byte") {
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/scenarios/baseline-nrm.toml");
  const RunContext ctx{s, 11, 3};
  auto all = [&](const RunResult& r) {
    return summary_json(ctx, r) + agencies_csv(ctx, r) + cases_csv(ctx, r) + cohorts_csv(ctx, r) +
           deadlines_csv(ctx, r) + deadline_cohorts_csv(ctx, r) + referrals_csv(ctx, r);
  };
  const auto dir = temp_dir("determinism");
  MilestoneWriter m(s, dir / "m.csv");
  XesWriter x(s, dir / "log.xes");
  const RunResult plain = run_report(s, 3, 0, 1);
  const RunResult sampled = run_report(s, 3, 7, 2, {&m, &x});
  CHECK(all(plain) == all(sampled));
  const RunResult sampled1 = run_report(s, 3, 7, 1);
  CHECK(timeseries_csv(ctx, sampled1) == timeseries_csv(ctx, sampled));
  const std::string json = summary_json(ctx, plain);
  for (const char* key : {"\"cohorts\"", "\"overall\"", "\"child/labour/foreign\"", "\"victims_identified_share\"",
                          "\"time_to_identified_days_p90\"", "\"beds_occupied\"", "\"turned_away\"", "\"held\""}) {
    INFO(key);
    CHECK(json.find(key) != std::string::npos);
  }
  const auto cohort_rows = lines(cohorts_csv(ctx, plain));
  CHECK(cohort_rows.size() == 1 + 3 * 21 * kCohortMetrics.size());
  // Per-cohort deadline outcomes add up to the deadline's, in every replication.
  REQUIRE(!s.deadlines.empty());
  for (const ReplicationResult& rep : plain.replications) {
    for (const DeadlineResult& d : rep.deadlines) {
      double met = 0, breached = 0, left = 0;
      for (const DeadlineCohortResult& c : d.cohorts) {
        met += c.met;
        breached += c.breached;
        left += c.left;
      }
      CHECK(met == d.met);
      CHECK(breached == d.breached);
      CHECK(left == d.left);
    }
  }
  CHECK(lines(deadline_cohorts_csv(ctx, plain)).size() == 1 + 3 * s.deadlines.size() * test::kCohortCount * 4);
}

TEST_CASE("Deadlines per cohort: children always breach, adults always meet, walk-ins leave, in the window only") {
  // Everyone's deadline runs from entry to arrival at protection within 24 h. Children (labour,
  // foreign) reach it after 1 h + 2 d, adults (sexual, national) after 1 h + 1 h; walk-ins (adult,
  // criminal, national) leave after 1 h without reaching it. Of the batches at 1, 5 and 10 days,
  // the first settles before the 3-day warm-up ends and is not counted.
  const Scenario s = test::scenario(R"(
[scenario]
name = "t"
country = "XH"
[run]
horizon = "30d"
warmup = "3d"
[[profile]]
id = "kids"
child = 1
exploitation = { labour = 1 }
nationality = { XF = 1 }
[[profile]]
id = "grownups"
exploitation = { sexual = 1 }
[[profile]]
id = "passers_by"
exploitation = { criminal = 1 }
[[agency]]
id = "child_intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "adult_intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "walk_in"
servers = "unlimited"
service = "1h"
[[agency]]
id = "protection"
servers = "unlimited"
service = "1d"
[[source]]
id = "children"
to = "child_intake"
at = ["1d", "5d", "10d"]
cases = 10
profile = "kids"
[[source]]
id = "adults"
to = "adult_intake"
at = ["1d", "5d", "10d"]
cases = 7
profile = "grownups"
[[source]]
id = "callers"
to = "walk_in"
at = ["1d", "5d", "10d"]
cases = 3
profile = "passers_by"
[[referral]]
from = "child_intake"
to = "protection"
probability = 1
delay = "2d"
[[referral]]
from = "adult_intake"
to = "protection"
probability = 1
delay = "1h"
[[deadline]]
id = "protection_24h"
from = "entered"
to = "arrival:protection"
within = "24h"
)");
  const std::size_t child = 0 * 10 + 1 * 2 + 1;  // child/labour/foreign
  const std::size_t adult = 1 * 10 + 0 * 2 + 0;  // adult/sexual/national
  const std::size_t walk = 1 * 10 + 2 * 2 + 0;   // adult/criminal/national
  REQUIRE(test::cohort_name(child) == "child/labour/foreign");
  REQUIRE(test::cohort_name(adult) == "adult/sexual/national");
  REQUIRE(test::cohort_name(walk) == "adult/criminal/national");
  const RunResult r = run_report(s, 2);
  for (const ReplicationResult& rep : r.replications) {
    const DeadlineResult& d = rep.deadlines.at(0);
    CHECK(d.met == 14);
    CHECK(d.breached == 20);
    CHECK(d.left == 6);
    const auto& k = d.cohorts;
    CHECK(k[child].met == 0);
    CHECK(k[child].breached == 20);
    CHECK(k[child].left == 0);
    CHECK(k[child].compliance == 0);
    CHECK(k[adult].met == 14);
    CHECK(k[adult].breached == 0);
    CHECK(k[adult].compliance == 1);
    CHECK(k[walk].left == 6);
    CHECK(std::isnan(k[walk].compliance));  // left first: nothing measured
    double met = 0, breached = 0, left = 0;
    for (std::size_t c = 0; c < test::kCohortCount; ++c) {
      met += k[c].met;
      breached += k[c].breached;
      left += k[c].left;
      if (c != child && c != adult) CHECK(std::isnan(k[c].compliance));
    }
    CHECK(met == d.met);
    CHECK(breached == d.breached);
    CHECK(left == d.left);
  }

  const RunContext ctx{s, 11, 2};
  const auto rows = lines(deadline_cohorts_csv(ctx, r));
  REQUIRE(rows.size() == 1 + 2 * 1 * test::kCohortCount * 4);
  // Each row with the observations behind it in that replication (settled outcomes for the
  // counts, measured ones for compliance) and a note when they are fewer than 10.
  CHECK(rows[0] == "replication,deadline,cohort,metric,value,observations,note");
  CHECK(rows[1] == "0,protection_24h,child/sexual/national,met,0,0,few observations");
  CHECK(rows[4] == "0,protection_24h,child/sexual/national,compliance,,0,few observations");
  const auto has = [&](const std::string& row) { return std::find(rows.begin(), rows.end(), row) != rows.end(); };
  CHECK(has("0,protection_24h,child/labour/foreign,breached,20,20,"));
  CHECK(has("1,protection_24h,child/labour/foreign,compliance,0,20,"));
  CHECK(has("1,protection_24h,adult/sexual/national,compliance,1,14,"));
  CHECK(has("1,protection_24h,adult/criminal/national,left,6,6,few observations"));
  CHECK(has("1,protection_24h,adult/criminal/national,compliance,,0,few observations"));

  // summary.json: the existing keys first, as before, then the cohorts under each deadline; every
  // figure with its observations (n, over both replications) and replications.
  const Json j = Json::parse(summary_json(ctx, r));
  const Json& d = j["deadlines"]["protection_24h"];
  std::vector<std::string> keys;
  for (const auto& item : d.items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"within_days", "met", "breached", "left", "compliance", "mean_elapsed_days",
                                         "cohorts"});
  CHECK(d["within_days"] == 1.0);
  CHECK(d["met"] == Json::parse(R"({"mean":14.0,"ci95":[14.0,14.0],"n":80,"replications":2,)"
                                R"("few_observations":false})"));
  CHECK(d["mean_elapsed_days"]["mean"].get<double>() == Approx(2.0 / 24).epsilon(1e-12));
  // Compliance is pooled (14 of 34 per replication) with a Wilson interval: the replications do not
  // vary, so the design effect is 1 and z is t(0.975, 1).
  const double t1 = student_t_quantile(0.05, 1);
  const auto pooled = wilson_interval(28.0 / 68, 68, t1);
  CHECK(d["compliance"]["mean"].get<double>() == Approx(28.0 / 68).epsilon(1e-15));
  CHECK(d["compliance"]["ci95"][0].get<double>() == Approx(pooled.first).epsilon(1e-12));
  CHECK(d["compliance"]["ci95"][1].get<double>() == Approx(pooled.second).epsilon(1e-12));
  CHECK(d["compliance"]["n"] == 68);
  const Json& cohorts = d["cohorts"];
  REQUIRE(cohorts.size() == test::kCohortCount);
  CHECK(cohorts.begin().key() == "child/sexual/national");
  // Nobody in that cohort: counts of 0 (with the exact Poisson bound), no compliance.
  CHECK(cohorts["child/sexual/national"]["met"] ==
        Json::parse(R"({"mean":0.0,"ci95":[0.0,)" + format_number(-std::log(0.025) / 2) +
                    R"(],"n":0,"replications":2,"few_observations":true})"));
  CHECK(cohorts["child/sexual/national"]["compliance"] ==
        Json::parse(R"({"mean":null,"ci95":null,"n":0,"replications":0,"few_observations":true})"));
  // Children always breach: 0 of 20, with the Wilson upper bound z² / (n + z²).
  const Json& children = cohorts["child/labour/foreign"];
  CHECK(children["breached"] == Json::parse(R"({"mean":20.0,"ci95":[20.0,20.0],"n":40,"replications":2,)"
                                            R"("few_observations":false})"));
  CHECK(children["compliance"]["mean"] == 0.0);
  CHECK(children["compliance"]["ci95"][0] == 0.0);
  CHECK(children["compliance"]["ci95"][1].get<double>() == Approx(t1 * t1 / (40 + t1 * t1)).epsilon(1e-12));
  CHECK(children["compliance"]["few_observations"] == false);
  // Adults always meet it: 14 of 14, the interval ends at 1 exactly.
  const Json& adults = cohorts["adult/sexual/national"];
  CHECK(adults["compliance"]["mean"] == 1.0);
  CHECK(adults["compliance"]["ci95"][1] == 1.0);
  CHECK(adults["compliance"]["ci95"][0].get<double>() == Approx(28 / (28 + t1 * t1)).epsilon(1e-12));
  // Walk-ins left first: nothing measured.
  CHECK(cohorts["adult/criminal/national"]["left"]["mean"] == 6.0);
  CHECK(cohorts["adult/criminal/national"]["left"]["few_observations"] == true);
  CHECK(cohorts["adult/criminal/national"]["compliance"]["mean"].is_null());

  // The table names the cohort with the lowest compliance, with its interval.
  std::ostringstream table;
  print_summary_table(table, ctx, r);
  INFO(table.str());
  std::ostringstream worst;
  worst << std::fixed << std::setprecision(3) << "    worst cohort: child/labour/foreign 0.000 [0.000,"
        << t1 * t1 / (40 + t1 * t1) << "]  (measured 20.0 per replication)\n";
  CHECK(table.str().find(worst.str()) != std::string::npos);
}

TEST_CASE("Deadlines per cohort: the table says nothing when no case was measured") {
  const Scenario s = test::scenario(with_text("10d", R"(
[[agency]]
id = "intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "protection"
servers = "unlimited"
service = "1h"
[[source]]
id = "walk_in"
to = "intake"
at = ["1d"]
cases = 3
[[deadline]]
id = "never_reached"
from = "entered"
to = "arrival:protection"
within = "1d"
)"));
  const RunResult r = run_report(s);
  CHECK(r.replications[0].deadlines[0].left == 3);
  std::ostringstream table;
  print_summary_table(table, RunContext{s, 11, 1}, r);
  CHECK(table.str().find("never_reached") != std::string::npos);
  CHECK(table.str().find("worst cohort") == std::string::npos);
}

TEST_CASE("Milestones and XES: one row per person who exits, a well-formed log with traces in time order") {
  const Scenario s = load_scenario(std::string(REFSIM_SOURCE_DIR) + "/scenarios/baseline-nrm.toml");
  const auto dir = temp_dir("logs");
  std::uint64_t entered = 0, exited = 0;
  {
    MilestoneWriter m(s, dir / "cases_milestones.csv");
    XesWriter x(s, dir / "log.xes");
    // Count over the whole horizon: the writers see replication 0 from t = 0.
    struct Counter : ReplicationWatcher {
      std::uint64_t& in;
      std::uint64_t& out;
      Counter(std::uint64_t& i, std::uint64_t& o) : in(i), out(o) {}
      void on_case_entered(Time, const Case&, const Attributes&) override { ++in; }
      void on_case_exited(Time, const Case&, Time) override { ++out; }
    } counter(entered, exited);
    const RunResult r = run_report(s, 2, 0, 2, {&m, &x, &counter});
    m.commit();
    x.commit();
  }
  REQUIRE(entered > 1000);
  const auto rows = lines(slurp(dir / "cases_milestones.csv"));
  CHECK(rows.size() == 1 + exited);
  CHECK(rows[0] ==
        "serial,previous,cohort,entered,presumed_at,reasonable_grounds_at,identified_at,first_service_at,exited,"
        "handoffs,interviews,outcome");
  for (std::size_t i = 1; i < rows.size(); i += 97) {
    INFO(rows[i]);
    CHECK(std::count(rows[i].begin(), rows[i].end(), ',') == 11);
  }

  const std::string xes = slurp(dir / "log.xes");
  // Every opened tag closes, in order.
  std::vector<std::string> stack;
  std::size_t traces = 0;
  const std::regex tag(R"(<(/?)([A-Za-z?!][^\s>/]*)[^>]*?(/?)>)");
  for (auto it = std::sregex_iterator(xes.begin(), xes.end(), tag); it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[2];
    if (name[0] == '?' || name[0] == '!') continue;
    if ((*it)[3] == "/") continue;  // self-closing
    if ((*it)[1] == "/") {
      REQUIRE(!stack.empty());
      REQUIRE(stack.back() == name);
      stack.pop_back();
    } else {
      stack.push_back(name);
      traces += name == "trace";
    }
  }
  CHECK(stack.empty());
  CHECK(traces == entered);  // those still inside at the horizon too
  // Within each trace, timestamps never go back (ISO 8601 strings of one format sort as times).
  std::size_t pos = 0, checked = 0;
  while ((pos = xes.find("<trace>", pos)) != std::string::npos) {
    const std::size_t end = xes.find("</trace>", pos);
    const std::string trace = xes.substr(pos, end - pos);
    std::string last;
    const std::regex stamp(R"re(key="time:timestamp" value="([^"]+)")re");
    for (auto it = std::sregex_iterator(trace.begin(), trace.end(), stamp); it != std::sregex_iterator(); ++it) {
      const std::string t = (*it)[1];
      CHECK(t >= last);
      last = t;
    }
    ++checked;
    pos = end;
    if (checked > 300) break;  // enough, and regex is slow
  }
  CHECK(checked > 300);
  CHECK(xes.find("<log xes.version=\"1849-2016\"") != std::string::npos);
}

TEST_CASE("XES: timestamps count days from Monday 2025-01-06T00:00:00Z, to the millisecond") {
  CHECK(xes_timestamp(0) == "2025-01-06T00:00:00.000Z");
  CHECK(xes_timestamp(1.5) == "2025-01-07T12:00:00.000Z");
  CHECK(xes_timestamp(59) == "2025-03-06T00:00:00.000Z");
  CHECK(xes_timestamp(365 + 1.0 / 86400) == "2026-01-06T00:00:01.000Z");
  CHECK(xes_timestamp(1149) == "2028-02-29T00:00:00.000Z");  // 2028 is a leap year
  CHECK(xes_timestamp(1150) == "2028-03-01T00:00:00.000Z");
}

namespace {

/// Every {"mean", "ci95"} figure in a summary, by its path ("deadlines.x.cohorts.y.compliance").
void figures(const Json& j, const std::string& path, std::vector<std::pair<std::string, const Json*>>& out) {
  if (!j.is_object()) return;
  if (j.contains("mean") && j.contains("ci95")) {
    out.emplace_back(path, &j);
    return;
  }
  for (const auto& item : j.items()) figures(item.value(), path.empty() ? item.key() : path + "." + item.key(), out);
}

/// A metric's range, from its name alone (not from the code's own kinds): shares and
/// utilization in [0, 1], everything else >= 0.
bool at_most_one(const std::string& path) {
  const std::string name = path.substr(path.rfind('.') + 1);
  return name == "compliance" || name == "victims_identified_share" || name == "dropout_share" ||
         name == "utilization" || name.rfind("covered_", 0) == 0;
}

struct LibraryRun {
  Scenario scenario;
  RunResult result;
  Json summary;
  std::string table;
};

LibraryRun run_library(const std::string& name, std::uint32_t replications) {
  LibraryRun out{load_scenario(std::string(REFSIM_SOURCE_DIR) + "/scenarios/" + name + ".toml"), {}, {}, {}};
  const ReferralGraph g(out.scenario);
  RunOptions opt;
  opt.seed = out.scenario.run.seed;
  opt.replications = replications;
  opt.threads = 2;
  out.result = run_replications(out.scenario, g, opt);
  const RunContext ctx{out.scenario, opt.seed, replications};
  out.summary = Json::parse(summary_json(ctx, out.result));
  std::ostringstream table;
  print_summary_table(table, ctx, out.result);
  out.table = table.str();
  return out;
}

}  // namespace

TEST_CASE("Reports: every interval of every library scenario lies in its measure's range") {
  // With 5 replications the plain Student-t interval gave 700 intervals below 0 or above 1 over
  // the library scenarios (compliance 0.5 from -0.42 to 1.42 in Eswatini, counts below zero).
  std::size_t checked = 0, scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(REFSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".toml") continue;
    ++scenarios;
    const LibraryRun run_report = run_library(entry.path().stem().string(), 5);
    std::vector<std::pair<std::string, const Json*>> all;
    figures(run_report.summary, "", all);
    for (const auto& [path, f] : all) {
      const Json& j = *f;
      INFO(entry.path().filename().string() << ": " << path << " = " << j.dump());
      if (j.contains("not_applicable")) {
        CHECK(j["mean"].is_null());
        CHECK(j["ci95"].is_null());
        continue;
      }
      REQUIRE(j.contains("n"));
      CHECK(j["few_observations"].get<bool>() == (j["n"].get<double>() / 5 < 10));
      if (j["ci95"].is_null()) continue;
      const double lo = j["ci95"][0], hi = j["ci95"][1], mean = j["mean"];
      CHECK(lo >= 0);
      if (at_most_one(path)) CHECK(hi <= 1);
      CHECK(lo <= mean);
      CHECK(mean <= hi);
      ++checked;
    }
  }
  CHECK(scenarios == 12);
  CHECK(checked > 5000);  // the figures with an interval: most of them
}

TEST_CASE("Reports: Eswatini's worst cohort has enough measured cases, the few-case cohorts are marked") {
  const LibraryRun run_report = run_library("eswatini", 10);
  const Json& cohorts = run_report.summary["deadlines"]["certification_10d"]["cohorts"];
  // The cohort of 0.4 measured cases per replication is marked, in the JSON…
  const Json& tiny = cohorts["child/other/national"]["compliance"];
  CHECK(tiny["few_observations"] == true);
  CHECK(tiny["n"].get<double>() < 10 * 10);
  // … and the table's worst cohort is the lowest compliance among those that are not.
  std::string worst;
  double lowest = 2;
  for (const auto& item : cohorts.items()) {
    const Json& c = item.value()["compliance"];
    if (c["mean"].is_null() || c["few_observations"].get<bool>()) continue;
    if (c["mean"].get<double>() < lowest) lowest = c["mean"], worst = item.key();
  }
  REQUIRE(!worst.empty());
  INFO(run_report.table);
  const std::size_t at = run_report.table.find("    worst cohort: ");
  REQUIRE(at != std::string::npos);
  CHECK(run_report.table.substr(at + 18, worst.size() + 1) == worst + " ");
  CHECK(run_report.table.find("worst cohort: child/other/national") == std::string::npos);
  // The table marks few-observation figures and explains the mark.
  CHECK(run_report.table.find("*\n") != std::string::npos);
  CHECK(run_report.table.find("  * fewer than 10 observations per replication behind the figure") != std::string::npos);
}

TEST_CASE("Reports: the worst cohort is never a few-observation cohort, and the table says when all are") {
  // Children (3 per batch) always breach, adults (20 per batch) mostly meet: the worst cohort
  // with enough cases is the adults'. With 2 adults per batch, no cohort has enough.
  const auto scenario_with = [](int adults) {
    return test::scenario(with_text("100d", R"(
[[profile]]
id = "kids"
child = 1
[[agency]]
id = "intake"
servers = "unlimited"
service = "1h"
[[agency]]
id = "slow"
servers = "unlimited"
service = "3d"
[[agency]]
id = "protection"
servers = "unlimited"
service = "1h"
[[source]]
id = "children"
to = "slow"
at = ["1d", "30d", "60d"]
cases = 3
profile = "kids"
[[source]]
id = "adults"
to = "intake"
at = ["1d", "30d", "60d"]
cases = )" + std::to_string(adults) + R"(
[[referral]]
from = "intake"
to = "protection"
probability = 0.9
[[referral]]
from = "slow"
to = "protection"
probability = 1
[[deadline]]
id = "protection_1d"
from = "entered"
to = "arrival:protection"
within = "1d"
)"));
  };
  const Scenario enough = scenario_with(20);
  const RunResult r = run_report(enough, 3);
  std::ostringstream table;
  print_summary_table(table, RunContext{enough, 11, 3}, r);
  INFO(table.str());
  CHECK(table.str().find("    worst cohort: adult/other/national 1.000 [") != std::string::npos);
  CHECK(table.str().find("worst cohort: child") == std::string::npos);

  const Scenario few = scenario_with(2);
  const RunResult rf = run_report(few, 3);
  std::ostringstream table_few;
  print_summary_table(table_few, RunContext{few, 11, 3}, rf);
  INFO(table_few.str());
  CHECK(table_few.str().find("    worst cohort: none with 10 or more measured cases per replication (2 cohort(s) "
                             "measured, all fewer)\n") != std::string::npos);
}

TEST_CASE("Reports: Ethiopia's identification is n/a with the reason, not zero") {
  const LibraryRun run_report = run_library("ethiopia", 2);
  const Json na = Json::parse(R"({"mean":null,"ci95":null,"not_applicable":"no agency decides identified"})");
  for (const char* metric :
       {"identified", "victims_identified_share", "false_positives", "time_to_identified_days_median"}) {
    INFO(metric);
    CHECK(run_report.summary["overall"][metric] == na);
    CHECK(run_report.summary["cohorts"]["adult/labour/national"][metric] == na);
  }
  // What it does produce is there: exits, and coverage of needs (a real share, zero or not).
  CHECK(run_report.summary["overall"]["exited"]["mean"].get<double>() > 100);
  CHECK(run_report.summary["overall"]["covered_shelter"].contains("n"));
  // The CSV: an empty value and observations, "n/a" in the note, on every replication's row.
  const RunContext ctx{run_report.scenario, run_report.scenario.run.seed, 2};
  const auto rows = lines(cohorts_csv(ctx, run_report.result));
  CHECK(std::find(rows.begin(), rows.end(), "1,overall,victims_identified_share,,,n/a") != rows.end());
  for (const std::string& row : rows) CHECK(std::count(row.begin(), row.end(), ',') == 5);
  // The table: n/a in the identified columns, the reason once in the notes.
  INFO(run_report.table);
  const std::string overall = run_report.table.substr(run_report.table.find("\n  overall "));
  CHECK(overall.find(" n/a ") != std::string::npos);
  const std::string reason = "    identified, to ident. p50, to ident. p90: no agency decides identified\n";
  CHECK(run_report.table.find(reason) != std::string::npos);
  CHECK(run_report.table.find(reason) == run_report.table.rfind(reason));
}
