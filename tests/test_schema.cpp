// The scenario format declared once (sim/scenario/schema.hpp): the declarations hang together,
// and docs/scenario-reference.md is what they generate.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "sim/scenario/schema.hpp"

using namespace refsim;

namespace {

const std::string kReference = std::string(REFSIM_SOURCE_DIR) + "/docs/scenario-reference.md";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

/// The first line where `a` (the file) and `b` (generated) differ, with both versions; "none".
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(x, la));
    const bool more_b = static_cast<bool>(std::getline(y, lb));
    if (!more_a && !more_b) return "none";
    if (!more_a || !more_b || la != lb) {
      return "line " + std::to_string(line) + ":\n  file:      " + (more_a ? la : "(end of file)") +
             "\n  generated: " + (more_b ? lb : "(end)");
    }
  }
}

}  // namespace

TEST_CASE("Schema: docs/scenario-reference.md is current") {
  const std::string generated = scenario_reference_markdown();
  if (std::getenv("REFSIM_UPDATE_REFERENCE")) {
    std::ofstream(kReference, std::ios::binary) << generated;
    WARN("rewrote " << kReference);
  }
  // Compared line by line, so that a failure shows the first line that differs, not both files.
  const std::string difference = first_difference(read_file(kReference), generated);
  INFO(
      "docs/scenario-reference.md is not what sim/scenario/schema.cpp declares. Regenerate it with\n"
      "  REFSIM_UPDATE_REFERENCE=1 build/test/bin/refsim_tests \"Schema: docs/scenario-reference.md is current\"\n"
      "(or your build directory's refsim_tests) and commit it.");
  CHECK(difference == "none");
}

TEST_CASE("Schema: sections and keys are declared once each") {
  std::set<std::string> ids;
  for (const schema::Section& s : schema::sections()) {
    CHECK(ids.insert(s.id).second);
    std::set<std::string> names;
    for (const schema::Key& k : s.keys) {
      INFO(s.id << "." << k.name);
      CHECK(names.insert(k.name).second);
      CHECK_FALSE(k.help.empty());
    }
  }
}

TEST_CASE("Schema: every nested table a key links to is declared") {
  for (const schema::Section& s : schema::sections()) {
    for (const schema::Key& k : s.keys) {
      INFO(s.id << "." << k.name);
      if (k.type == schema::Type::table || k.type == schema::Type::tables) CHECK_FALSE(k.link.empty());
      if (!k.link.empty()) CHECK_NOTHROW(schema::section(k.link));
    }
  }
}

TEST_CASE("Schema: an optional probability's declared default is the number the loader uses") {
  for (const schema::Section& s : schema::sections()) {
    for (const schema::Key& k : s.keys) {
      if (k.type != schema::Type::probability || k.presence != schema::Presence::optional || k.default_value.empty())
        continue;
      INFO(s.id << "." << k.name << " = " << k.default_value);
      std::size_t used = 0;
      const double p = std::stod(k.default_value, &used);
      CHECK(used == k.default_value.size());
      CHECK((p >= 0 && p <= 1));
    }
  }
}

TEST_CASE("Schema: the unknown-key lists are the declared keys in declaration order") {
  CHECK(schema::section("run").key_list() == "horizon, warmup, follow_up, replications, seed");
  CHECK(schema::section("file").key_list() ==
        "scenario, run, agency, source, referral, profile, deadline, change, intervention, cohorts");
  CHECK(schema::section("dist.gamma").key_list() == "dist, mean, cv, shape, scale");
  CHECK(schema::distribution_kinds() == std::vector<std::string>{"exponential", "deterministic", "uniform",
                                                                 "triangular", "lognormal", "gamma", "erlang",
                                                                 "weibull", "empirical", "pert"});
}

TEST_CASE("Schema: asking for an undeclared key or section is a bug, not bad input") {
  CHECK_THROWS_AS(schema::section("run").key("horizn"), std::logic_error);
  CHECK_THROWS_WITH(schema::section("run").key("horizn"),
                    "key 'horizn' of section 'run' is not declared in sim/scenario/schema.cpp");
  CHECK_THROWS_AS(schema::section("agencies"), std::logic_error);
  CHECK(schema::section("run").find("horizn") == nullptr);
}
