// Loads a scenario with the installed library, runs one replication and prints what it did:
// "N events", the number tests/install/consumer_test.sh compares with `refsim run`.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "sim/experiment/runner.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/scenario/loader.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: consumer SCENARIO.toml SEED\n");
    return 2;
  }
  try {
    const refsim::Scenario s = refsim::load_scenario(argv[1]);
    const refsim::ReferralGraph g(s);
    refsim::RunOptions options;
    options.seed = std::strtoull(argv[2], nullptr, 10);
    options.replications = 1;
    options.threads = 1;
    const refsim::RunResult r = refsim::run_replications(s, g, options);
    std::printf("%llu events\n", static_cast<unsigned long long>(r.events_processed));
    return 0;
  } catch (const refsim::ScenarioError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
}
