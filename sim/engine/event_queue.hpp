#pragma once
// The future-event set: a binary heap ordered totally by (time, priority, insertion sequence).
//
// Ties never depend on pointers or hashes, so a run is reproducible bit for bit. Events are
// small PODs; cancellation is done by the owner marking its state stale (e.g. a case generation
// counter) and skipping the event when it is popped.
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
  initial_cases = 6,   ///< index = agency: its backlog at t = 0 enters
};

/// A pending event: 16 bytes, so that the heap moves little memory.
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

/// A binary min-heap. pop() uses Floyd's method: the hole left by the minimum sinks to a leaf
/// along the smaller children (one comparison per level), then the last element sifts up from
/// there — usually only a level or two, since it came from the bottom.
class EventQueue {
 public:
  /// Schedules an event. `priority` is 0 or 1; `index` must be <= Event::kMaxIndex (checked by
  /// the caller, which knows what the index means); throws std::length_error after 2^37 pushes.
  void push(Time time, std::uint8_t priority, EventKind kind, std::uint32_t index) {
    if (next_seq_ > Event::kMaxSeq) throw std::length_error("event calendar: more than 2^37 events scheduled");
    const std::uint64_t key = (std::uint64_t{priority} << 63) |
                              (next_seq_++ << (Event::kIndexBits + Event::kKindBits)) |
                              (static_cast<std::uint64_t>(kind) << Event::kIndexBits) | index;
    assert(time >= 0);  // NaN or negative times would break the ordering
    heap_.push_back(rank(Event{time, key}));
    sift_up(heap_.size() - 1, heap_.back());
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  Event top() const { return event(heap_.front()); }
  /// The time of the next event; requires !empty().
  Time next_time() const { return std::bit_cast<Time>(static_cast<std::uint64_t>(heap_.front() >> 64)); }
  Event pop() {
    const Rank e = heap_.front();
    const std::size_t n = heap_.size() - 1;  // size after the pop
    const Rank last = heap_[n];              // stays in place during the descent: heap_[n] is readable
    std::size_t hole = 0;
    for (;;) {
      std::size_t best = 2 * hole + 1;
      if (best >= n) break;
      // Branch-free choice of the smaller child; heap_[best + 1] exists even when best + 1 == n.
      best += static_cast<std::size_t>((best + 1 < n) & (heap_[best + 1] < heap_[best]));
      heap_[hole] = heap_[best];
      hole = best;
    }
    if (hole < n) sift_up(hole, last);
    heap_.pop_back();
    return event(e);
  }
  /// Calls f(event) for every pending event, in heap order (not sorted); for snapshots.
  template <class F>
  void for_each_pending(F f) const {
    for (const Rank r : heap_) f(event(r));
  }
  void clear() {
    heap_.clear();
    next_seq_ = 0;
  }

 private:
  /// The heap stores each event as one 128-bit number, time bits above key. Times are >= 0, and
  /// the bit patterns of non-negative doubles order like unsigned integers, so the natural order
  /// of these numbers is (time, priority, sequence), compared without branches.
  __extension__ using Rank = unsigned __int128;
  static Rank rank(const Event& e) { return (Rank{std::bit_cast<std::uint64_t>(e.time)} << 64) | e.key; }
  static Event event(Rank r) {
    return Event{std::bit_cast<Time>(static_cast<std::uint64_t>(r >> 64)), static_cast<std::uint64_t>(r)};
  }

  void sift_up(std::size_t i, const Rank e) {
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!(e < heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  std::vector<Rank> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace refsim
