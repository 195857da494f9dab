#pragma once
// An output directory written as one transaction: a reader sees one whole run or the one before,
// never a mix, whatever is killed when and whatever runs at the same time.
//
// Constructed before the simulation, an OutputDirectory for TARGET = PARENT/NAME
//   1. takes an exclusive, non-blocking flock on PARENT/.NAME.lock (the holder's pid written in
//      it; the kernel releases it when the holder dies, kill -9 included) — a second writer fails
//      at once instead of mixing its files with the first's;
//   2. under the lock, removes what killed runs left: PARENT/.NAME.new.* and PARENT/.NAME.old.*
//      (a TARGET found missing beside one whole .NAME.old.* — a kill inside the two-rename
//      fallback below — is renamed back first), and .FILE.tmp.PID files inside TARGET;
//   3. refuses (OutputDirectoryRefused) a TARGET that exists and is not a directory, is or holds
//      the working directory, or holds entries refsim did not write: the commit replaces TARGET
//      as a whole, so a user's file in it would be lost;
//   4. creates the staging directory PARENT/.NAME.new.PID, which proves before any simulation
//      that the output can be written.
// The command writes its files into staging() (file(name), place(path)); commit() writes the
// manifest .refsim-output (the entries, one a line: what a later run recognises as refsim's),
// fsyncs, and swaps staging and TARGET with one renameat2(RENAME_EXCHANGE) (a rename when TARGET
// does not exist), then removes the previous run, now at the staging name. A filesystem without
// RENAME_EXCHANGE (EINVAL) gets two renames, TARGET to .NAME.old.PID then staging to TARGET:
// between them TARGET is missing (never mixed), and a kill there is repaired by the next run (2).
// Without commit() the destructor removes the staging directory, the lock file and the parents
// it created.
//
// A TARGET that is a symbolic link to a directory: the directory it points to is replaced (the
// new one takes its name) and the link is left as it is.
//
// Readers: open the directory once (or cd into it) and read relative to it to see one run even
// while a writer swaps; paths looked up again after a swap name the new run.
//
// For tests only: REFSIM_TEST_KILL_AFTER_FILES=N makes the process raise SIGKILL once N files
// are written whole (write(), note_file()); REFSIM_TEST_KILL_AFTER_SWAP=1 right after the
// swap, before the previous run is removed — real kills at points a timer cannot hit reliably.
//
//   OutputDirectory out(args.out, "refsim run", {"summary.json", "run.json"});  // before running
//   … simulate …
//   out.write("summary.json", text);
//   out.commit();
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace refsim {

/// An output directory that cannot be used as given (bad input: the command line's exit code 2).
struct OutputDirectoryRefused : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class OutputDirectory {
 public:
  /// `target`: the directory to write, as the user gave it (messages say "--out TARGET: …").
  /// `command` heads the manifest ("refsim run"). `known`: every name the command may write,
  /// which recognises an output of an earlier refsim that wrote no manifest.
  /// Throws OutputDirectoryRefused (see 3 above), or std::runtime_error when the lock is held by
  /// another process or the parent cannot be written.
  OutputDirectory(std::filesystem::path target, std::string command, std::vector<std::string> known);
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;

  /// The directory as the user named it.
  const std::filesystem::path& target() const { return given_; }
  /// Where this run's files go until commit().
  const std::filesystem::path& staging() const { return staging_; }
  /// staging() / name.
  std::filesystem::path file(const std::string& name) const { return staging_ / name; }
  /// Whether `path` (a file the user named, existing or not) lies inside the target.
  bool contains(const std::filesystem::path& path) const;
  /// A file the user named (--xes, --report): inside the target, its place in the staging
  /// directory (parents created), so that it is swapped in with the rest; elsewhere, `path`
  /// itself, after removing the .NAME.tmp.PID files beside it of processes that no longer exist.
  std::filesystem::path place(const std::filesystem::path& path) const;
  /// Writes `content` whole to file(name) (AtomicOutputFile), then note_file().
  void write(const std::string& name, const std::string& content);
  /// Counts a file made whole in the staging directory (the REFSIM_TEST_KILL_AFTER_FILES hook).
  void note_file();
  /// Swaps the staging directory in (see above); throws std::runtime_error naming the target
  /// (and, when the swap itself fails, e.g. EXDEV on an overlay filesystem's lower layer, the
  /// staging directory, then kept: the results are not lost).
  void commit();

 private:
  void acquire_lock();
  void release();

  std::filesystem::path given_, target_, parent_, lock_, staging_;
  std::string name_, command_;
  std::vector<std::filesystem::path> created_;  // parents created, deepest first
  int lock_fd_ = -1;
  long files_ = 0, kill_after_files_ = -1;
  bool kill_after_swap_ = false, committed_ = false, keep_staging_ = false;
};

}  // namespace refsim
