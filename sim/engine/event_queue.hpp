#pragma once
// The future-event set: a binary heap ordered totally by (time, priority, insertion sequence).
//
// Ties never depend on pointers or hashes, so a run is reproducible bit for bit. Events are
// small PODs; cancellation is done by the owner marking its state stale (e.g. a case generation
// counter) and skipping the event when it is popped.
#include <cstdint>
#include <vector>

#include "sim/model/units.hpp"

namespace refsim {

enum class EventKind : std::uint8_t {
  warmup_end,      ///< statistics reset
  source_arrival,  ///< target = source index
  transfer_end,    ///< target = receiving agency, case_slot = the case
  service_end,     ///< target = agency, case_slot = the case
};

struct Event {
  Time time;
  std::uint64_t seq;  ///< insertion order, assigned by the queue
  std::uint32_t target;
  std::uint32_t case_slot;
  std::uint8_t priority;  ///< lower runs first at equal times
  EventKind kind;
};

class EventQueue {
 public:
  void push(Time time, std::uint8_t priority, EventKind kind, std::uint32_t target, std::uint32_t case_slot) {
    heap_.push_back(Event{time, next_seq_++, target, case_slot, priority, kind});
    sift_up(heap_.size() - 1);
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const Event& top() const { return heap_.front(); }
  Event pop() {
    Event e = heap_.front();
    heap_.front() = heap_.back();
    heap_.pop_back();
    if (!heap_.empty()) sift_down(0);
    return e;
  }
  /// Read-only view of pending events, in heap order (not sorted); for snapshots.
  const std::vector<Event>& pending() const { return heap_; }
  void clear() {
    heap_.clear();
    next_seq_ = 0;
  }

  static bool before(const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.seq < b.seq;
  }

 private:
  void sift_up(std::size_t i) {
    Event e = heap_[i];
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (!before(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  void sift_down(std::size_t i) {
    const std::size_t n = heap_.size();
    Event e = heap_[i];
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
      if (!before(heap_[child], e)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = e;
  }

  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace refsim
