// OutputDirectory: files appear in the target only at commit() and all at once, the previous run
// goes whole (its directory's mode stays), a second writer fails at once naming the holder, a failed command leaves
// nothing, and a directory holding the user's files is refused untouched.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <string>

#include "sim/report/output_directory.hpp"

using namespace refsim;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system's temporary one, removed at the end of the test.
struct Scratch {
  fs::path dir;
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "refsim-outdir-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("OutputDirectory: files appear at commit only and replace the previous run whole") {
  Scratch s;
  const fs::path target = s.dir / "out";
  {
    OutputDirectory out(target, "refsim test", {"a.csv", "b.csv"});
    out.write("a.csv", "first a\n");
    out.write("b.csv", "first b\n");
    CHECK_FALSE(fs::exists(target));
    out.commit();
  }
  CHECK(entries(target) == std::set<std::string>{".refsim-output", "a.csv", "b.csv"});
  CHECK(read(target / ".refsim-output") ==
        "# written whole by refsim test, replaced whole by the next run: refsim refuses to replace a directory "
        "holding entries not listed here\na.csv\nb.csv\n");
  fs::permissions(target, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  {
    OutputDirectory out(target, "refsim test", {"a.csv", "b.csv"});
    out.write("a.csv", "second a\n");
    CHECK(read(target / "a.csv") == "first a\n");  // until commit
    out.commit();
  }
  CHECK(entries(target) == std::set<std::string>{".refsim-output", "a.csv"});  // b.csv was the first run's
  CHECK(read(target / "a.csv") == "second a\n");
  CHECK(fs::status(target).permissions() ==
        (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec));  // the mode it replaced
  CHECK(entries(s.dir) == std::set<std::string>{"out"});  // no lock, staging or previous run left
}

TEST_CASE("OutputDirectory: a second writer fails at once naming the directory and the holder") {
  Scratch s;
  const fs::path target = s.dir / "out";
  OutputDirectory first(target, "refsim test", {});
  try {
    OutputDirectory second(target, "refsim test", {});
    FAIL("the second writer was let in");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "--out " + target.string() + ": another refsim (pid " + std::to_string(::getpid()) +
                                       ") is writing this directory (lock " + (s.dir / ".out.lock").string() +
                                       "); wait for it to finish or choose another --out");
  }
  first.write("a.csv", "a\n");
  first.commit();
  CHECK(read(target / "a.csv") == "a\n");
  OutputDirectory third(target, "refsim test", {});  // the lock is free again
}

TEST_CASE("OutputDirectory: without commit nothing is left, not even the parents it created") {
  Scratch s;
  {
    OutputDirectory out(s.dir / "x" / "y" / "out", "refsim test", {});
    out.write("a.csv", "a\n");
    CHECK(fs::is_directory(s.dir / "x" / "y"));
  }
  CHECK(entries(s.dir).empty());
}

TEST_CASE("OutputDirectory: a directory holding the user's files is refused and left as it was") {
  Scratch s;
  const fs::path target = s.dir / "out";
  fs::create_directories(target / "data");
  std::ofstream(target / "notes.txt") << "mine\n";
  std::ofstream(target / "a.csv") << "refsim's\n";
  std::ofstream(target / ".a.csv.tmp.123") << "a killed run's\n";
  try {
    OutputDirectory out(target, "refsim test", {"a.csv"});
    FAIL("a directory of the user's files was accepted");
  } catch (const OutputDirectoryRefused& e) {
    CHECK(std::string(e.what()) == "--out " + target.string() +
                                       ": holds entries refsim did not write (data/, notes.txt); refsim replaces its "
                                       "output directory as a whole: choose a new or empty directory, or move them "
                                       "away");
  }
  CHECK(entries(target) == std::set<std::string>{".a.csv.tmp.123", "a.csv", "data", "notes.txt"});
  CHECK(entries(s.dir) == std::set<std::string>{"out"});
  // Without them it is an earlier output of the command: accepted, its temporaries removed.
  fs::remove_all(target / "data");
  fs::remove(target / "notes.txt");
  std::optional<OutputDirectory> out;
  out.emplace(target, "refsim test", std::vector<std::string>{"a.csv"});
  CHECK(entries(target) == std::set<std::string>{"a.csv"});
}
