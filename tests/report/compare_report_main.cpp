// refsim_compare_report FIXTURE.json OUT.html — the comparison report of a compare.json document,
// for tests/report/html_test.sh (the `refsim compare` command writes the same with --report).
#include <fstream>
#include <iostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "sim/report/html.hpp"
#include "sim/report/report.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: refsim_compare_report COMPARE.json OUT.html\n";
    return 2;
  }
  try {
    std::ifstream in(argv[1]);
    if (!in) throw std::runtime_error(std::string(argv[1]) + ": cannot open");
    const auto doc = nlohmann::ordered_json::parse(in);
    refsim::write_file_atomic(argv[2], refsim::compare_report_html(doc));
  } catch (const std::exception& e) {
    std::cerr << "refsim_compare_report: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
