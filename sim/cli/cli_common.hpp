#pragma once
// What the command-line front end's commands share: exit codes, usage errors, sweeps' directories.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "sim/experiment/indicators.hpp"

namespace refsim::cli {

namespace fs = std::filesystem;

inline constexpr int kExitBadInput = 2;
inline constexpr int kExitFailure = 1;

/// A command-line mistake: exit code 2, like bad scenario input.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// `--seed N`: nothing when empty; UsageError when not an integer from 0 to 2^64 - 1.
std::optional<std::uint64_t> seed_option(const std::string& text);
/// "OPTION: unknown indicator 'x'; known under 'agencies.': …" — what exists at the level of the
/// name that matched.
std::string unknown_indicator(const std::string& name, const std::vector<IndicatorDef>& defs, const char* option);
/// `--sample`: "0" is 0 (no time series), else a positive duration in days; UsageError otherwise.
double sample_option(const std::string& text);

/// Creates a directory (and missing parents) and, unless keep() is called, removes the ones it
/// created again — deepest first, each only while empty — so that a sweep that fails leaves no
/// empty output directory behind. (sweep and merge write their directory file by file, to be
/// resumed; the other commands write theirs whole through refsim::OutputDirectory.)
class CreatedDirectory {
 public:
  explicit CreatedDirectory(const fs::path& dir) {
    std::error_code ec;
    for (fs::path p = dir; !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
      created_.push_back(p);
      if (p == p.parent_path()) break;
    }
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error(dir.string() + ": cannot create output directory: " + ec.message());
  }
  ~CreatedDirectory() {
    std::error_code ec;
    for (const fs::path& p : created_) {
      if (!fs::remove(p, ec)) break;  // not empty (or gone): stop, keeping it and its parents
    }
  }
  CreatedDirectory(const CreatedDirectory&) = delete;
  CreatedDirectory& operator=(const CreatedDirectory&) = delete;
  void keep() { created_.clear(); }

 private:
  std::vector<fs::path> created_;  // deepest first
};

}  // namespace refsim::cli
