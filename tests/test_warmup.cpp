// Choosing the warm-up (MSER-5) and warning when it is short.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "sim/experiment/warmup.hpp"
#include "support.hpp"

using namespace refsim;

namespace {

/// A fixed pseudo-random sequence in [-0.5, 0.5).
struct Noise {
  std::uint64_t x = 2026;
  double operator()() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(x >> 11) / 9007199254740992.0 - 0.5;
  }
};

/// An infinite-server stage (exponential, mean `mean_days`) fed at `rate` a day: from empty, the
/// mean number inside is rate · mean · (1 − e^(−t/mean)), a transient with a known time constant.
std::string mm_infinity(double rate, double mean_days, int initial_cases) {
  std::ostringstream os;
  os << "[scenario]\nname = \"M/M/inf\"\n[run]\nhorizon = \"2000d\"\nreplications = 10\nseed = 11\n"
     << "[[agency]]\nid = \"stage\"\nservers = \"unlimited\"\n"
     << "service = { dist = \"exponential\", mean = \"" << mean_days << "d\" }\n"
     << "initial_cases = " << initial_cases << "\n"
     << "[[source]]\nid = \"in\"\nto = \"stage\"\nrate = " << rate << "\n";
  return os.str();
}

}  // namespace

TEST_CASE("Warm-up: MSER-5 cuts a step exactly where it ends, and nothing from a flat series") {
  Noise noise;
  std::vector<double> step;
  for (int i = 0; i < 1000; ++i) step.push_back((i < 150 ? 0.0 : 10.0) + 0.1 * noise());
  CHECK(mser5_truncation(step) == 150);
  std::vector<double> flat(1000, 3.0);
  CHECK(mser5_truncation(flat) == 0);
  std::vector<double> tiny{1, 2, 3};
  CHECK(mser5_truncation(tiny) == 0);
  // A series that never settles (a ramp): the minimum lies at the limit, half the series.
  std::vector<double> ramp;
  for (int i = 0; i < 1000; ++i) ramp.push_back(i);
  CHECK(mser5_truncation(ramp) == 500);
}

TEST_CASE("Warm-up: MSER-5 on an M/M/infinity stage from empty cuts its transient, not more") {
  // 2 a day, mean stay 50 days: 100 inside in steady state, reached as 1 − e^(−t/50). The bias
  // is below 10 % after 50·ln 10 = 115 days and below 0.01 % after 50·ln 10^4 = 461 days, while
  // the standard deviation of the mean of 10 replications is √100 / √10 ≈ 3.2 persons (3 %):
  // a rule that stops earlier keeps a visible bias, one that goes on much later throws steady
  // state away.
  const Scenario s = test::scenario(mm_infinity(2, 50, 0));
  const ReferralGraph g(s);
  const WarmupChoice w = choose_warmup(s, g, s.run.seed, 10, 2);
  INFO("warm-up " << w.warmup << " d");
  CHECK(w.warmup >= 50 * std::log(10.0));
  CHECK(w.warmup <= 50 * std::log(1e4));
  CHECK_FALSE(w.at_limit);
  CHECK(w.replications == 10);
  // The same with the thread count changed: the choice depends on the seed alone.
  CHECK(choose_warmup(s, g, s.run.seed, 10, 1).warmup == w.warmup);
  // Started at its steady-state mean (100 exponential stays: memoryless), it has no transient in
  // the mean, and the cut is shorter than from empty.
  const Scenario steady = test::scenario(mm_infinity(2, 50, 100));
  const ReferralGraph gs(steady);
  CHECK(choose_warmup(steady, gs, steady.run.seed, 10, 2).warmup < w.warmup);
}

TEST_CASE("Warm-up: a warm-up shorter than the slowest stage is warned about, a long one is not") {
  const auto run = [](const std::string& warmup) {
    std::ostringstream os;
    os << "[scenario]\nname = \"slow\"\n[run]\nhorizon = \"4y\"\nwarmup = \"" << warmup
       << "\"\nreplications = 2\nseed = 3\n"
       << "[[agency]]\nid = \"desk\"\nservers = 4\nservice = { dist = \"exponential\", mean = \"1d\" }\n"
       << "[[agency]]\nid = \"court\"\nservers = \"unlimited\"\nservice = { dist = \"exponential\", mean = \"200d\" "
          "}\n"
       << "[[source]]\nid = \"in\"\nto = \"desk\"\nrate = 1\n"
       << "[[referral]]\nfrom = \"desk\"\nto = \"court\"\nprobability = 0.5\n";
    const Scenario s = test::scenario(os.str());
    return short_warmup_warning(s, test::run_scenario(s));
  };
  const auto short_one = run("30d");
  REQUIRE(short_one);
  CHECK(short_one->find("shorter than the time people spend at 'court'") != std::string::npos);
  CHECK(short_one->find("--warmup auto") != std::string::npos);
  CHECK_FALSE(run("600d"));
}
