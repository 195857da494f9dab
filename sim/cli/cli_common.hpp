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

/// Makes glibc's heap keep what is freed and grow in large steps, called once at the start. Each
/// replication builds and frees its cases, queues and event list; glibc's default gives freed
/// memory back to the kernel and maps large blocks one by one, so every replication faulted its
/// working set in again (on these virtual machines a page fault costs several microseconds):
/// page faults were a third of `refsim check`'s time on 1,000 agencies, and the second thread
/// of `refsim bottlenecks` on the UK scenario faulted 30,000 pages where one thread faulted
/// 15,000. So the heap grows in 64 MiB steps, keeps what is freed, holds large blocks too (no
/// mmap and munmap for each), and the main heap is backed by transparent huge pages where the
/// kernel offers them (MADV_HUGEPAGE: a no-op when THP is off). Only the virtual reservation
/// grows; what is resident is what is used, rounded to 2 MiB. Outside glibc's own malloc (e.g.
/// under AddressSanitizer, whose allocator does not use the program break) only the mallopt
/// calls apply, and they are harmless there. bench/README.md has the figures.
void prefer_large_heap_pages();

}  // namespace refsim::cli
