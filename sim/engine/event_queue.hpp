#pragma once
// The future-event set, ordered totally by (time, priority, insertion sequence).
//
// Ties never depend on pointers or hashes, so a run is reproducible bit for bit. Events are
// small PODs; cancellation is done by the owner marking its state stale (e.g. a case generation
// counter) and skipping the event when it is popped.
#include <array>
#include <bit>
#include <cassert>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "sim/model/units.hpp"

namespace refsim {

enum class EventKind : std::uint8_t {
  warmup_end = 0,      ///< statistics reset
  source_arrival = 1,  ///< index = source
  transfer_end = 2,    ///< index = track slot; the track knows where it is going
  service_end = 3,     ///< index = track slot; the track knows its agency
  deadline_due = 4,    ///< index = deadline timer slot
  patience_end = 5,    ///< index = track slot; stale unless the track still waits for that moment
  scheduled = 6,       ///< index = slot of a scheduled action (initial backlog, batch, hold end, re-entry)
};

/// A pending event: 16 bytes, so that the calendar moves little memory.
///
/// `key` packs, from the most significant bit: priority (1 bit: 0 runs first at equal times),
/// insertion sequence (37 bits), kind (3 bits) and index (23 bits: a case slot, a source, …).
/// Comparing (time, key) therefore orders by time, then priority, then insertion sequence; kind
/// and index never decide, since sequences are unique.
struct Event {
  Time time;
  std::uint64_t key;

  static constexpr int kIndexBits = 23;
  static constexpr int kKindBits = 3;
  static constexpr int kSeqBits = 37;
  static constexpr std::uint64_t kMaxIndex = (std::uint64_t{1} << kIndexBits) - 1;
  static constexpr std::uint64_t kMaxSeq = (std::uint64_t{1} << kSeqBits) - 1;

  EventKind kind() const { return static_cast<EventKind>((key >> kIndexBits) & 7u); }
  std::uint32_t index() const { return static_cast<std::uint32_t>(key & kMaxIndex); }
  std::uint8_t priority() const { return static_cast<std::uint8_t>(key >> 63); }
  std::uint64_t seq() const { return (key >> (kIndexBits + kKindBits)) & kMaxSeq; }
};
static_assert(sizeof(Event) == 16);

/// A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) on 128-bit ranks, time bits above key,
/// with 8-bit digits.
///
/// A discrete-event calendar is monotone: every event scheduled is no earlier than the one last
/// popped (`last_`). The heap exploits that. An event waits in the bucket (p, d), where p is the
/// highest digit in which its rank differs from `last_` and d is its own value of that digit;
/// since all ranks are >= `last_`, every rank in a lower-numbered bucket is smaller than every
/// rank in a higher one. The minimum is kept apart in `front_`, so top() and next_time() are
/// O(1). pop() hands out `front_`, makes it the new `last_`, and redistributes the one bucket
/// the minimum came from: relative to the new `last_`, all of its events fall into lower buckets,
/// and the smallest of them becomes the new `front_`. If that bucket was empty, the new `front_`
/// is the smallest event of the lowest occupied bucket. Each event thus moves down a few times
/// (at most 16) during its life, and a pop compares ranks within one bucket only, however many
/// events are pending; push is O(1).
///
/// The order is exactly that of a sorted list of (time, priority, sequence): the buckets only
/// decide where to look for the minimum, never which of two events comes first.
///
/// Scheduling an event before the one last popped (the engine never does, but a caller may) is
/// allowed and stays correct: the heap is rebuilt around the new event, in O(n).
///
/// @code
///   EventQueue q;
///   q.push(2.5, 1, EventKind::service_end, slot);
///   while (!q.empty() && q.next_time() <= horizon) dispatch(q.pop());
/// @endcode
class EventQueue {
 public:
  /// Schedules an event. `priority` is 0 or 1; `index` must be <= Event::kMaxIndex (checked by
  /// the caller, which knows what the index means); throws std::length_error after 2^37 pushes.
  [[gnu::always_inline]] void push(Time time, std::uint8_t priority, EventKind kind, std::uint32_t index) {
    if (next_seq_ > Event::kMaxSeq) throw std::length_error("event calendar: more than 2^37 events scheduled");
    const std::uint64_t key = (std::uint64_t{priority} << 63) |
                              (next_seq_++ << (Event::kIndexBits + Event::kKindBits)) |
                              (static_cast<std::uint64_t>(kind) << Event::kIndexBits) | index;
    assert(time >= 0);  // NaN or negative times would break the ordering
    const Rank r = rank(Event{time, key});
    if (size_++ == 0) {
      front_ = last_ = r;
      front_bucket_ = -1;
    } else if (r < front_) {
      if (r < last_) {
        rebase(r);
      } else {
        file(front_);
        front_ = r;
        front_bucket_ = bucket_of(r);
      }
    } else {
      file(r);
    }
  }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  /// The next event; requires !empty().
  Event top() const { return event(front_); }
  /// The time of the next event; requires !empty().
  Time next_time() const { return std::bit_cast<Time>(static_cast<std::uint64_t>(front_ >> 64)); }
  /// Removes and returns the next event; requires !empty().
  Event pop() {
    assert(size_ > 0);
    const Rank e = front_;
    if (--size_ > 0) advance();
    return event(e);
  }
  /// Calls f(event) for every pending event, in an unspecified (but deterministic) order; for
  /// snapshots.
  template <class F>
  void for_each_pending(F f) const {
    if (size_ == 0) return;
    f(event(front_));
    for (const std::vector<Rank>& b : buckets_) {
      for (const Rank r : b) f(event(r));
    }
  }
  void clear() {
    for (std::vector<Rank>& b : buckets_) b.clear();
    occupied_ = {};
    summary_ = 0;
    size_ = 0;
    next_seq_ = 0;
  }

 private:
  /// Each event as one 128-bit number, time bits above key. Times are >= 0, and the bit patterns
  /// of non-negative doubles order like unsigned integers, so the natural order of these numbers
  /// is (time, priority, sequence), compared without branches.
  __extension__ using Rank = unsigned __int128;
  static constexpr int kDigitBits = 8;  // must divide 64: a digit never straddles the halves
  static constexpr int kRadix = 1 << kDigitBits;
  static constexpr int kBuckets = 128 / kDigitBits * kRadix;  // 4096
  static constexpr int kWords = kBuckets / 64;                // of the occupancy bitmap
  static constexpr std::size_t kKeptCapacity = 32;            // ranks (512 bytes)

  static Rank rank(const Event& e) { return (Rank{std::bit_cast<std::uint64_t>(e.time)} << 64) | e.key; }
  static Event event(Rank r) {
    return Event{std::bit_cast<Time>(static_cast<std::uint64_t>(r >> 64)), static_cast<std::uint64_t>(r)};
  }

  /// r's bucket: (p, d) numbered p * kRadix + d, where p is the highest digit in which r differs
  /// from last_ and d is r's value of that digit; -1 when r == last_. Lower numbers hold smaller
  /// ranks: at equal p, the ranks agree with last_ above digit p, and d orders them.
  int bucket_of(Rank r) const {
    const auto r_hi = static_cast<std::uint64_t>(r >> 64), r_lo = static_cast<std::uint64_t>(r);
    const std::uint64_t d_hi = r_hi ^ static_cast<std::uint64_t>(last_ >> 64);
    unsigned p;
    std::uint64_t word;
    if (d_hi != 0) {
      p = (127u - static_cast<unsigned>(std::countl_zero(d_hi))) / kDigitBits;
      word = r_hi;
    } else {
      const std::uint64_t d_lo = r_lo ^ static_cast<std::uint64_t>(last_);
      if (d_lo == 0) return -1;
      p = (63u - static_cast<unsigned>(std::countl_zero(d_lo))) / kDigitBits;
      word = r_lo;
    }
    return static_cast<int>(p * kRadix + ((word >> ((p * kDigitBits) & 63)) & (kRadix - 1)));
  }
  /// Puts r, which must be > last_, into its bucket.
  void file(Rank r) {
    const int b = bucket_of(r);
    assert(b >= 0);
    buckets_[static_cast<std::size_t>(b)].push_back(r);
    occupy(b);
  }
  void occupy(int b) {
    occupied_[static_cast<std::size_t>(b >> 6)] |= std::uint64_t{1} << (b & 63);
    summary_ |= std::uint64_t{1} << (b >> 6);
  }
  void vacate(int b) {
    const auto w = static_cast<std::size_t>(b >> 6);
    occupied_[w] &= ~(std::uint64_t{1} << (b & 63));
    if (occupied_[w] == 0) summary_ &= ~(std::uint64_t{1} << w);
  }

  /// front_ has just been popped and at least one event remains: makes front_ the reference and
  /// moves the smallest remaining rank into front_.
  void advance() {
    // The popped minimum belonged to bucket k (relative to the old last_): buckets below k are
    // empty, and bucket k's events share its digits down to k's, so relative to it they all fall
    // into lower buckets, while every other bucket keeps its number.
    const int k = front_bucket_;
    last_ = front_;
    if (k >= 0 && !buckets_[static_cast<std::size_t>(k)].empty()) {
      std::vector<Rank>& from = buckets_[static_cast<std::size_t>(k)];
      vacate(k);
      Rank best = ~Rank{0};
      int best_b = 0;
      std::size_t best_i = 0;
      for (const Rank r : from) {
        const int b = bucket_of(r);
        std::vector<Rank>& to = buckets_[static_cast<std::size_t>(b)];
        if (r < best) {
          best = r;
          best_b = b;
          best_i = to.size();
        }
        to.push_back(r);
        occupy(b);
      }
      // A bucket that was split keeps no more than a few cache lines of capacity: among 4096
      // buckets, capacities kept from past peaks would otherwise add up over a long run.
      if (from.capacity() > kKeptCapacity) {
        std::vector<Rank>().swap(from);
      } else {
        from.clear();
      }
      std::vector<Rank>& b = buckets_[static_cast<std::size_t>(best_b)];
      front_ = best;
      front_bucket_ = best_b;
      b[best_i] = b.back();
      b.pop_back();
      if (b.empty()) vacate(best_b);
      return;
    }
    // The minimum is in the lowest occupied bucket.
    const int w = std::countr_zero(summary_);
    const int j = w * 64 + std::countr_zero(occupied_[static_cast<std::size_t>(w)]);
    std::vector<Rank>& b = buckets_[static_cast<std::size_t>(j)];
    std::size_t best = 0;
    for (std::size_t i = 1; i < b.size(); ++i) {
      if (b[i] < b[best]) best = i;
    }
    front_ = b[best];
    front_bucket_ = j;
    b[best] = b.back();
    b.pop_back();
    if (b.empty()) vacate(j);
  }

  /// Rebuilds the heap around r, which is smaller than every pending event and than last_.
  void rebase(Rank r) {
    std::vector<Rank> all{front_};
    for (std::vector<Rank>& b : buckets_) {
      all.insert(all.end(), b.begin(), b.end());
      b.clear();
    }
    occupied_ = {};
    summary_ = 0;
    front_ = last_ = r;
    front_bucket_ = -1;
    for (const Rank x : all) file(x);
  }

  std::array<std::vector<Rank>, kBuckets> buckets_;
  std::array<std::uint64_t, kWords> occupied_{};  ///< bit b set when bucket b is non-empty
  std::uint64_t summary_ = 0;                     ///< bit w set when occupied_[w] != 0
  Rank front_ = 0;                                ///< the minimum, when size_ > 0
  Rank last_ = 0;                                 ///< the last popped rank: the buckets' reference
  int front_bucket_ = -1;                         ///< bucket_of(front_), relative to last_
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace refsim
