// Validation against queueing theory: M/M/1, M/M/c (Erlang C), M/D/1 (Pollaczek–Khinchine) and
// an open Jackson network with feedback, for utilization, Lq, Wq and W, plus Little's law.
//
// Tolerance: each measure is estimated by R independent replications (fixed seeds), and theory
// must lie inside the 99.9 % Student-t confidence interval of the mean (t_{0.9995, R−1} standard
// errors). Warm-up is many relaxation times long, so the initial-state bias is negligible against
// that interval.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "support.hpp"

using namespace refsim;

namespace {

struct Node {
  std::string id;
  int servers;
  std::string service;  // TOML inline distribution
};
struct Edge {
  std::string from, to;
  double p;
};

std::string network(const std::vector<Node>& nodes, const std::vector<std::pair<std::string, double>>& sources,
                    const std::vector<Edge>& edges, double horizon, double warmup, int reps) {
  std::ostringstream os;
  os << "[scenario]\nname = \"theory\"\n[run]\nhorizon = " << horizon << "\nwarmup = " << warmup
     << "\nreplications = " << reps << "\nseed = 2026\n";
  for (const auto& n : nodes) {
    os << "[[agency]]\nid = \"" << n.id << "\"\nservers = " << n.servers << "\nservice = " << n.service << "\n";
  }
  for (const auto& [to, rate] : sources)
    os << "[[source]]\nid = \"src_" << to << "\"\nto = \"" << to << "\"\nrate = " << rate << "\n";
  for (const auto& e : edges) {
    os << "[[referral]]\nfrom = \"" << e.from << "\"\nto = \"" << e.to << "\"\nprobability = " << e.p << "\n";
  }
  return os.str();
}

/// Theory for an M/M/c queue with arrival rate lambda and service rate mu.
struct MMc {
  double rho, lq, wq, w;
};
MMc mmc(int c, double lambda, double mu) {
  const double a = lambda / mu, rho = a / c;
  double sum = 0, term = 1;  // term = a^k / k!
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double tail = term / (1 - rho);  // a^c / c! / (1 − ρ)
  const double erlang_c = tail / (sum + tail);
  const double lq = erlang_c * rho / (1 - rho);
  return {rho, lq, lq / lambda, lq / lambda + 1 / mu};
}

/// Checks that `theory` lies in the 99.9 % confidence interval of the replication mean.
void check_theory(const std::vector<double>& values, double theory, const std::string& what) {
  const Estimate e = estimate(values);
  REQUIRE(e.replications >= 2);
  const double se = e.half_width() / student_t_quantile(0.05, e.replications - 1);
  const double half = student_t_quantile(0.001, e.replications - 1) * se;
  INFO(what << ": simulated " << e.mean << " ± " << half << " (99.9%), theory " << theory);
  CHECK(std::fabs(e.mean - theory) <= half);
}

void check_agency(const RunResult& r, AgencyId a, const MMc& th, const std::string& name) {
  check_theory(test::agency_values(r, a, &AgencyResult::utilization), th.rho, name + " utilization");
  check_theory(test::agency_values(r, a, &AgencyResult::mean_queue_length), th.lq, name + " Lq");
  check_theory(test::agency_values(r, a, &AgencyResult::mean_wait_days), th.wq, name + " Wq");
  check_theory(test::agency_values(r, a, &AgencyResult::mean_time_in_agency_days), th.w, name + " W");
}

/// Little's law L = λW per agency, replication by replication: E[L − λW] = 0.
void check_little(const RunResult& r, AgencyId a, const std::string& name) {
  std::vector<double> diff;
  for (const auto& rep : r.replications) {
    const AgencyResult& x = rep.agencies[a];
    const double L = x.mean_queue_length + x.mean_in_service;
    diff.push_back(L - x.throughput_per_day * x.mean_time_in_agency_days);
  }
  check_theory(diff, 0.0, name + " L - lambda W");
}

RunResult run(const std::string& text) { return test::run_scenario(test::scenario(text)); }

}  // namespace

TEST_CASE("Queueing theory: M/M/1") {
  const auto r =
      run(network({{"desk", 1, R"({ dist = "exponential", mean = 1 })"}}, {{"desk", 0.7}}, {}, 40000, 2000, 20));
  check_agency(r, 0, mmc(1, 0.7, 1.0), "M/M/1");
  check_little(r, 0, "M/M/1");
  // Time in system is the time in the only agency.
  std::vector<double> w;
  for (const auto& rep : r.replications) w.push_back(rep.cases.mean_time_in_system_days);
  check_theory(w, mmc(1, 0.7, 1.0).w, "M/M/1 time in system");
}

TEST_CASE("Queueing theory: M/M/c (Erlang C)") {
  const auto r =
      run(network({{"team", 3, R"({ dist = "exponential", mean = "12h" })"}}, {{"team", 4.8}}, {}, 20000, 1000, 20));
  check_agency(r, 0, mmc(3, 4.8, 2.0), "M/M/3");
  check_little(r, 0, "M/M/3");
}

TEST_CASE("Queueing theory: M/D/1 (Pollaczek-Khinchine)") {
  const auto r =
      run(network({{"desk", 1, R"({ dist = "deterministic", value = "1d" })"}}, {{"desk", 0.7}}, {}, 40000, 2000, 20));
  const double rho = 0.7, lq = rho * rho / (2 * (1 - rho));
  const MMc th{rho, lq, lq / 0.7, lq / 0.7 + 1};
  check_agency(r, 0, th, "M/D/1");
  check_little(r, 0, "M/D/1");
}

TEST_CASE("Queueing theory: open Jackson network with feedback") {
  // External arrivals at A. A → B 0.5, A → C 0.3; B → A 0.3 (feedback), B → C 0.2;
  // C → A 0.1, C → C 0.1 (rework). Traffic equations λ = γ + Pᵀλ, solved below by hand.
  const std::vector<Node> nodes = {{"a", 2, R"({ dist = "exponential", mean = "6h" })"},
                                   {"b", 1, R"({ dist = "exponential", mean = "8h" })"},
                                   {"c", 1, R"({ dist = "exponential", mean = "5h" })"}};
  const std::vector<Edge> edges = {{"a", "b", 0.5}, {"a", "c", 0.3}, {"b", "a", 0.3},
                                   {"b", "c", 0.2}, {"c", "a", 0.1}, {"c", "c", 0.1}};
  const double gamma = 3.0;
  // λa = γ + 0.3 λb + 0.1 λc; λb = 0.5 λa; λc = 0.3 λa + 0.2 λb + 0.1 λc
  // ⇒ λc = (0.3 + 0.1) λa / 0.9 = (4/9) λa; λa (1 − 0.15 − 4/90) = γ.
  const double la = gamma / (1 - 0.15 - 4.0 / 90), lb = 0.5 * la, lc = 4.0 / 9 * la;
  const auto r = run(network(nodes, {{"a", gamma}}, edges, 20000, 1000, 20));

  const Scenario s = test::scenario(network(nodes, {{"a", gamma}}, edges, 20000, 1000, 20));
  const auto loads = ReferralGraph(s).loads();
  CHECK(loads[0].arrival_rate == Approx(la));
  CHECK(loads[1].arrival_rate == Approx(lb));
  CHECK(loads[2].arrival_rate == Approx(lc));

  const MMc ta = mmc(2, la, 4.0), tb = mmc(1, lb, 3.0), tc = mmc(1, lc, 24.0 / 5);
  check_agency(r, 0, ta, "Jackson a");
  check_agency(r, 1, tb, "Jackson b");
  check_agency(r, 2, tc, "Jackson c");
  for (AgencyId a = 0; a < 3; ++a) check_little(r, a, "Jackson node " + std::to_string(a));
  check_theory(test::agency_values(r, 1, &AgencyResult::throughput_per_day), lb, "Jackson b throughput");
  // Whole network: mean time in system = total L / γ (Little's law on the network).
  const double L = la * ta.w + lb * tb.w + lc * tc.w;
  std::vector<double> w;
  for (const auto& rep : r.replications) w.push_back(rep.cases.mean_time_in_system_days);
  check_theory(w, L / gamma, "Jackson time in system");
}

TEST_CASE("Queueing theory: M/M/1+M (impatient customers, Palm's birth-death model)") {
  // Arrivals λ, service μ, each waiting customer gives up at rate θ: a birth-death chain with
  // birth rate λ and death rate μ + (n − 1)θ in state n >= 1. Its stationary distribution gives
  // Lq = Σ (n − 1) p_n, the drop-out rate θ·Lq, and the utilization 1 − p_0.
  const double lambda = 1.2, mu = 1.0, theta = 0.5;
  std::vector<double> p(200, 0.0);
  p[0] = 1;
  for (std::size_t n = 1; n < p.size(); ++n) p[n] = p[n - 1] * lambda / (mu + static_cast<double>(n - 1) * theta);
  double total = 0;
  for (double x : p) total += x;
  double lq = 0;
  for (std::size_t n = 1; n < p.size(); ++n) lq += static_cast<double>(n - 1) * p[n] / total;
  const double rho = 1 - p[0] / total;

  const auto r = run(R"([scenario]
name = "M/M/1+M"
[run]
horizon = 40000
warmup = 2000
replications = 20
seed = 2026
[[agency]]
id = "desk"
servers = 1
service = { dist = "exponential", mean = 1 }
patience = { dist = "exponential", mean = 2 }
[[source]]
id = "s"
to = "desk"
rate = 1.2
)");
  check_theory(test::agency_values(r, 0, &AgencyResult::utilization), rho, "M/M/1+M utilization");
  check_theory(test::agency_values(r, 0, &AgencyResult::mean_queue_length), lq, "M/M/1+M Lq");
  std::vector<double> rate;
  for (const auto& rep : r.replications) rate.push_back(rep.agencies[0].dropouts / (40000.0 - 2000.0));
  check_theory(rate, theta * lq, "M/M/1+M drop-outs per day");
}
