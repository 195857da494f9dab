#include "sim/report/output_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "sim/report/report.hpp"

namespace refsim {

namespace fs = std::filesystem;

namespace {

constexpr const char* kManifest = ".refsim-output";

/// `name` is "PREFIX" followed by one or more digits (a pid).
bool is_prefix_and_pid(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return false;
  return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(prefix.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

/// ".FILE.tmp.PID": an AtomicOutputFile's temporary name.
bool is_temporary(const std::string& name) {
  const auto at = name.rfind(".tmp.");
  return name.size() > 1 && name[0] == '.' && at != std::string::npos && at > 1 &&
         is_prefix_and_pid(name, name.substr(0, at + 5));
}

long env_number(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return *end == '\0' && n >= 0 ? n : -1;
}

void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 5) out += ", … (" + std::to_string(names.size()) + " in all)";
  return out;
}

}  // namespace

OutputDirectory::OutputDirectory(fs::path target, std::string command, std::vector<std::string> known)
    : given_(std::move(target)), command_(std::move(command)) {
  const std::string where = "--out " + given_.string() + ": ";
  std::error_code ec;
  fs::path p = fs::absolute(given_, ec).lexically_normal();
  if (ec) throw std::runtime_error(where + ec.message());
  if (p.filename().empty()) p = p.parent_path();  // "dir/"
  if (fs::is_symlink(p, ec)) {
    p = fs::canonical(p, ec);
    if (ec) throw OutputDirectoryRefused(where + "is a symbolic link to nothing that exists (" + ec.message() + ")");
  }
  if (p == p.root_path() || p.filename() == "..") {
    throw OutputDirectoryRefused(where +
                                 "is a root directory; refsim replaces its output directory as a whole: "
                                 "name a directory of its own, e.g. results/run");
  }
  const fs::file_status st = fs::status(p, ec);
  if (fs::exists(st) && !fs::is_directory(st)) {
    throw OutputDirectoryRefused(where + "exists and is not a directory; expected a directory for the results");
  }
  if (fs::exists(st)) {
    const fs::path here = fs::current_path(ec);
    const fs::path canon = fs::canonical(p, ec);
    if (!ec) {
      const auto mismatch = std::mismatch(canon.begin(), canon.end(), here.begin(), here.end());
      if (mismatch.first == canon.end()) {
        throw OutputDirectoryRefused(where +
                                     "is the working directory or holds it; refsim replaces its output "
                                     "directory as a whole: name a directory of its own, e.g. results/run");
      }
    }
  }
  target_ = p;
  parent_ = p.parent_path();
  name_ = p.filename().string();
  lock_ = parent_ / ("." + name_ + ".lock");
  kill_after_files_ = env_number("REFSIM_TEST_KILL_AFTER_FILES");
  kill_after_swap_ = env_number("REFSIM_TEST_KILL_AFTER_SWAP") == 1;

  // The parent, and those of its parents that are missing (removed again unless committed).
  for (fs::path q = parent_; !q.empty() && !fs::exists(q, ec); q = q.parent_path()) {
    created_.push_back(q);
    if (q == q.parent_path()) break;
  }
  fs::create_directories(parent_, ec);
  if (ec) {
    created_.clear();
    throw std::runtime_error(where + "cannot create the directory " + parent_.string() + ": " + ec.message());
  }
  try {
    acquire_lock();
    // What killed runs left. A missing target beside a whole old one (a kill between the two
    // renames of the fallback) gets it back first.
    std::vector<fs::path> leftovers;
    fs::path old_whole;
    for (const auto& e : fs::directory_iterator(parent_, ec)) {
      const std::string n = e.path().filename().string();
      if (is_prefix_and_pid(n, "." + name_ + ".new.")) leftovers.push_back(e.path());
      if (is_prefix_and_pid(n, "." + name_ + ".old.")) {
        leftovers.push_back(e.path());
        old_whole = e.path();
      }
    }
    if (!old_whole.empty() && !fs::exists(fs::symlink_status(target_, ec))) {
      fs::rename(old_whole, target_, ec);
      if (!ec) leftovers.erase(std::find(leftovers.begin(), leftovers.end(), old_whole));
    }
    for (const fs::path& l : leftovers) fs::remove_all(l, ec);

    // Only a directory refsim wrote may be replaced whole.
    if (fs::is_directory(target_, ec)) {
      std::set<std::string> own(known.begin(), known.end());
      if (std::ifstream m(target_ / kManifest); m) {
        own.clear();
        for (std::string line; std::getline(m, line);) {
          if (!line.empty() && line[0] != '#') own.insert(line);
        }
      }
      std::vector<std::string> foreign, temporaries;
      for (const auto& e : fs::directory_iterator(target_, ec)) {
        const std::string n = e.path().filename().string();
        if (is_temporary(n)) {
          temporaries.push_back(n);
        } else if (n != kManifest && !own.count(n)) {
          foreign.push_back(n + (e.is_directory(ec) ? "/" : ""));
        }
      }
      if (ec) throw std::runtime_error(where + "cannot read the directory: " + ec.message());
      std::sort(foreign.begin(), foreign.end());
      if (!foreign.empty()) {
        throw OutputDirectoryRefused(where + "holds entries refsim did not write (" + quoted_list(foreign) +
                                     "); refsim replaces its output directory as a whole: choose a new or empty "
                                     "directory, or move them away");
      }
      for (const std::string& t : temporaries) fs::remove(target_ / t, ec);
    }

    staging_ = parent_ / ("." + name_ + ".new." + std::to_string(::getpid()));
    if (!fs::create_directory(staging_, ec) || ec) {
      throw std::runtime_error(where + "cannot create " + staging_.string() + ": " +
                               (ec ? ec.message() : std::string("exists already")));
    }
    // The new directory keeps the mode of the one it replaces (a group-shared results folder).
    if (const fs::file_status t = fs::status(target_, ec); !ec && fs::is_directory(t))
      fs::permissions(staging_, t.permissions(), ec);
  } catch (...) {
    release();
    throw;
  }
}

void OutputDirectory::acquire_lock() {
  const std::string where = "--out " + given_.string() + ": ";
  for (;;) {
    lock_fd_ = ::open(lock_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) {
      throw std::runtime_error(where + "cannot write in " + parent_.string() + " (" + lock_.filename().string() +
                               "): " + std::strerror(errno));
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      char buf[32] = {};
      const ssize_t n = ::pread(lock_fd_, buf, sizeof buf - 1, 0);
      ::close(lock_fd_);
      lock_fd_ = -1;
      if (err != EWOULDBLOCK)
        throw std::runtime_error(where + "cannot lock " + lock_.string() + ": " + std::strerror(err));
      std::string pid(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      throw std::runtime_error(where + "another refsim" + (pid.empty() ? std::string() : " (pid " + pid + ")") +
                               " is writing this directory (lock " + lock_.string() +
                               "); wait for it to finish or choose another --out");
    }
    // The holder before us removes the lock file when done: the lock is ours only if the file
    // we locked is still the one at that path.
    struct stat held {
    }, now{};
    if (::fstat(lock_fd_, &held) == 0 && ::stat(lock_.c_str(), &now) == 0 && held.st_ino == now.st_ino &&
        held.st_dev == now.st_dev)
      break;
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for the message of a writer that finds the lock held.
  }
}

void OutputDirectory::release() {
  std::error_code ec;
  if (!committed_ && !keep_staging_ && !staging_.empty()) fs::remove_all(staging_, ec);
  if (lock_fd_ >= 0) {
    ::unlink(lock_.c_str());  // while held: see acquire_lock
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  if (!committed_) {
    for (const fs::path& p : created_) {
      if (!fs::remove(p, ec)) break;  // not empty (or gone): keep it and its parents
    }
  }
  created_.clear();
}

OutputDirectory::~OutputDirectory() { release(); }

bool OutputDirectory::contains(const fs::path& path) const {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return false;
  const fs::path t = fs::weakly_canonical(target_, ec);
  if (ec) return false;
  const auto mismatch = std::mismatch(t.begin(), t.end(), p.begin(), p.end());
  return mismatch.first == t.end() && mismatch.second != p.end();
}

fs::path OutputDirectory::place(const fs::path& path) const {
  std::error_code ec;
  if (contains(path)) {
    const fs::path rel =
        fs::weakly_canonical(fs::absolute(path, ec), ec).lexically_relative(fs::weakly_canonical(target_, ec));
    const fs::path p = staging_ / rel;
    fs::create_directories(p.parent_path(), ec);
    return p;
  }
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const std::string prefix = "." + path.filename().string() + ".tmp.";
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (!is_prefix_and_pid(n, prefix)) continue;
    const long pid = std::strtol(n.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(e.path(), ec);
  }
  return path;
}

void OutputDirectory::write(const std::string& name, const std::string& content) {
  write_file_atomic(file(name), content);
  note_file();
}

void OutputDirectory::note_file() {
  if (++files_ == kill_after_files_) ::raise(SIGKILL);
}

void OutputDirectory::commit() {
  const std::string where = "--out " + given_.string() + ": ";
  std::error_code ec;
  // The manifest: what a later run recognises as refsim's own (sorted: the same bytes each time).
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(staging_, ec)) names.push_back(e.path().filename().string());
  if (ec) throw std::runtime_error(where + "cannot read " + staging_.string() + ": " + ec.message());
  std::sort(names.begin(), names.end());
  std::string manifest = "# written whole by " + command_ +
                         ", replaced whole by the next run: refsim refuses to replace a directory holding "
                         "entries not listed here\n";
  for (const std::string& n : names) manifest += n + "\n";
  write_file_atomic(file(kManifest), manifest);

  // Durable before visible: the files, the staging directory, then (after the swap) the parent.
  for (const auto& e : fs::recursive_directory_iterator(staging_, ec)) {
    if (e.is_regular_file(ec)) fsync_path(e.path(), false);
  }
  fsync_path(staging_, true);

  // A swap that fails keeps the staging directory, and says where this run's results are.
  const auto failed = [&](const std::string& why) {
    keep_staging_ = true;
    return std::runtime_error(where + why + "; this run's results are in " + staging_.string());
  };
  const bool exists = fs::exists(fs::symlink_status(target_, ec));
  fs::path previous;  // where the previous run is after the swap
  if (!exists) {
    fs::rename(staging_, target_, ec);
    if (ec) throw failed("cannot rename the staging directory into place: " + ec.message());
  } else if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    previous = staging_;
  } else if (errno == EINVAL || errno == ENOSYS) {
    // No RENAME_EXCHANGE here (some network and FUSE filesystems): two renames; in between the
    // target is missing, never mixed, and the constructor of the next run repairs a kill there.
    previous = parent_ / ("." + name_ + ".old." + std::to_string(::getpid()));
    fs::rename(target_, previous, ec);
    if (ec) throw failed("cannot move the previous results aside: " + ec.message());
    fs::rename(staging_, target_, ec);
    if (ec) {
      std::error_code back;
      fs::rename(previous, target_, back);
      throw failed("cannot rename the staging directory into place: " + ec.message());
    }
  } else {
    throw failed(std::string("cannot swap the staging directory in: ") + std::strerror(errno));
  }
  committed_ = true;
  fsync_path(parent_, true);
  if (kill_after_swap_) ::raise(SIGKILL);
  if (!previous.empty()) fs::remove_all(previous, ec);  // left over, the next run removes it
  release();
}

}  // namespace refsim
