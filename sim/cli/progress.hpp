#pragma once
// A progress bar with the time left, for the terminal: shown only when the output is a terminal
// and the work has taken more than kDelay already (short runs print nothing), redrawn at most ten
// times a second, the estimate of the time left from the rate so far.
//
//   ProgressBar bar(std::cerr, ::isatty(STDERR_FILENO) && !quiet, "replications");
//   bar.update(done, total);  // serialised by the caller
//   bar.finish();             // ends the line, when one was drawn
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>

namespace refsim {

class ProgressBar {
 public:
  static constexpr std::chrono::milliseconds kDelay{1500};

  ProgressBar(std::ostream& os, bool enabled, std::string what)
      : os_(os), enabled_(enabled), what_(std::move(what)), start_(Clock::now()) {}
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// `extra`, when given, follows the count ("12/40 replications, runs 3/10").
  void update(std::uint64_t done, std::uint64_t total, const std::string& extra = {}) {
    if (!enabled_ || total == 0) return;
    const auto now = Clock::now();
    if (now - start_ < kDelay && done < total) return;
    if (shown_ && done < total && now - drawn_ < std::chrono::milliseconds(100)) return;
    drawn_ = now;
    shown_ = true;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double share = static_cast<double>(done) / static_cast<double>(total);
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(share * kWidth);
    std::ostringstream line;
    line << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << std::setw(3)
         << static_cast<int>(share * 100) << "%  " << done << "/" << total << " " << what_
         << (extra.empty() ? "" : ", " + extra);
    if (done > 0 && done < total) {
      line << "  " << clock(elapsed / static_cast<double>(done) * static_cast<double>(total - done)) << " left";
    } else if (done == total) {
      line << "  " << clock(elapsed) << " elapsed";
    }
    const std::string text = line.str();
    os_ << text << std::string(width_ > text.size() ? width_ - text.size() : 0, ' ') << std::flush;
    width_ = text.size();
  }

  void finish() {
    if (shown_) os_ << "\n" << std::flush;
    shown_ = false;
  }

 private:
  using Clock = std::chrono::steady_clock;
  /// "1:05" or "1:02:05".
  static std::string clock(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    std::ostringstream os;
    if (s >= 3600)
      os << s / 3600 << ':' << std::setw(2) << std::setfill('0') << (s / 60) % 60;
    else
      os << s / 60;
    os << ':' << std::setw(2) << std::setfill('0') << s % 60;
    return os.str();
  }
  std::ostream& os_;
  bool enabled_;
  std::string what_;
  Clock::time_point start_, drawn_{};
  bool shown_ = false;
  std::size_t width_ = 0;
};

}  // namespace refsim
