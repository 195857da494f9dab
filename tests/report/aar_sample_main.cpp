// refsim_aar_sample SCENARIO.toml OUT_DIR — writes the after-action report of a hand-built exercise
// analysis (tests/report/aar_sample.hpp) as OUT_DIR/after-action.{html,md} and, with its log cut
// short, OUT_DIR/after-action-incomplete.{html,md}, for tests/report/aar_test.sh.
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "aar_sample.hpp"
#include "sim/report/aar.hpp"
#include "sim/report/report.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: refsim_aar_sample SCENARIO.toml OUT_DIR\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    for (const bool complete : {true, false}) {
      const auto sample = refsim::test::aar_sample(argv[1], complete);
      const std::string stem = complete ? "after-action" : "after-action-incomplete";
      refsim::write_file_atomic(dir / (stem + ".html"), refsim::after_action_html(sample->analysis));
      refsim::write_file_atomic(dir / (stem + ".md"), refsim::after_action_markdown(sample->analysis));
    }
  } catch (const std::exception& e) {
    std::cerr << "refsim_aar_sample: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
