// refsim_aar_sample SCENARIO.toml OUT_DIR — writes the after-action report of a hand-built exercise
// analysis (tests/report/aar_sample.hpp) as OUT_DIR/after-action.{html,md} and, with its log cut
// short, OUT_DIR/after-action-incomplete.{html,md}.
// refsim_aar_sample --log LOG OUT_DIR — writes OUT_DIR/after-action-log.{html,md}: the report of
// a real exercise log (its exercise file as the log's start record names it), analysed with 3
// replications. Both for tests/report/aar_test.sh.
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "aar_sample.hpp"
#include "sim/exercise/analysis.hpp"
#include "sim/exercise/log.hpp"
#include "sim/report/aar.hpp"
#include "sim/report/report.hpp"
#include "sim/scenario/exercise_loader.hpp"

int main(int argc, char** argv) {
  if (argc != 3 && !(argc == 4 && std::string(argv[1]) == "--log")) {
    std::cerr << "usage: refsim_aar_sample SCENARIO.toml OUT_DIR | refsim_aar_sample --log LOG OUT_DIR\n";
    return 2;
  }
  try {
    if (argc == 4) {
      const std::filesystem::path dir = argv[3];
      std::filesystem::create_directories(dir);
      const auto start = refsim::ExerciseLog::read(argv[2], nullptr);
      const refsim::LoadedExercise x = refsim::load_exercise(start.at(0).exercise_file);
      const auto records = refsim::ExerciseLog::read(argv[2], x.scenario.get());
      refsim::AnalysisOptions options;
      options.replications = 3;
      options.threads = 2;
      const refsim::ExerciseAnalysis a = refsim::analyse(x.exercise, *x.scenario, records, options);
      refsim::write_file_atomic(dir / "after-action-log.html", refsim::after_action_html(a));
      refsim::write_file_atomic(dir / "after-action-log.md", refsim::after_action_markdown(a));
      return 0;
    }
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
