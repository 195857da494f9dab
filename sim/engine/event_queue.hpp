#pragma once
// The future-event set, ordered totally by (time, priority, insertion sequence).
//
// Ties never depend on pointers or hashes, so a run is reproducible bit for bit. Events are
// small PODs; cancellation is done by the owner marking its state stale (e.g. a case generation
// counter) and skipping the event when it is popped.
#include <algorithm>
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

/// Events as 128-bit numbers, time bits above key. Times are >= 0, and the bit patterns of
/// non-negative doubles order like unsigned integers, so the natural order of these numbers is
/// (time, priority, sequence), compared without branches.
__extension__ using EventRank = unsigned __int128;
inline EventRank rank_of(Time time, std::uint64_t key) {
  return (EventRank{std::bit_cast<std::uint64_t>(time)} << 64) | key;
}
inline Time time_of(EventRank r) { return std::bit_cast<Time>(static_cast<std::uint64_t>(r >> 64)); }
inline Event event_of(EventRank r) { return Event{time_of(r), static_cast<std::uint64_t>(r)}; }

/// A radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) on 128-bit ranks, with 8-bit digits: the
/// calendar's store for events beyond its wheel (see EventQueue).
///
/// It is made for monotone use: every rank pushed is no smaller than the one last popped
/// (`last_`). An event waits in the bucket (p, d), where p is the highest digit in which its rank
/// differs from `last_` and d is its own value of that digit; since all ranks are >= `last_`,
/// every rank in a lower-numbered bucket is smaller than every rank in a higher one. The minimum
/// is kept apart in `front_`, so top() is O(1). pop() hands out `front_`, makes it the new
/// `last_`, and redistributes the one bucket the minimum came from: relative to the new `last_`,
/// all of its events fall into lower buckets, and the smallest of them becomes the new `front_`.
/// If that bucket was empty, the new `front_` is the smallest event of the lowest occupied
/// bucket. Each event thus moves down a few times (at most 16) during its life, and a pop compares
/// ranks within one bucket only, however many events are pending; push is O(1).
///
/// The buckets only decide where to look for the minimum, never which of two events comes first.
/// Pushing a rank below the last popped one is allowed and stays correct: the heap is rebuilt
/// around it, in O(n).
class RadixHeap {
 public:
  using Rank = EventRank;
  void push(Rank r) {
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
  /// The smallest rank; requires !empty().
  Rank top() const { return front_; }
  /// Removes and returns the smallest rank; requires !empty().
  Rank pop() {
    assert(size_ > 0);
    const Rank e = front_;
    if (--size_ > 0) advance();
    return e;
  }
  template <class F>
  void for_each(F f) const {
    if (size_ == 0) return;
    f(front_);
    for (const std::vector<Rank>& b : buckets_) {
      for (const Rank r : b) f(r);
    }
  }
  void clear() {
    for (std::vector<Rank>& b : buckets_) b.clear();
    occupied_ = {};
    summary_ = 0;
    size_ = 0;
  }

 private:
  static constexpr int kDigitBits = 8;  // must divide 64: a digit never straddles the halves
  static constexpr int kRadix = 1 << kDigitBits;
  static constexpr int kBuckets = 128 / kDigitBits * kRadix;  // 4096
  static constexpr int kWords = kBuckets / 64;                // of the occupancy bitmap
  static constexpr std::size_t kKeptCapacity = 32;            // ranks (512 bytes)

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

  /// front_ has just been popped and at least one rank remains: makes front_ the reference and
  /// moves the smallest remaining rank into front_.
  void advance() {
    // The popped minimum belonged to bucket k (relative to the old last_): buckets below k are
    // empty, and bucket k's ranks share its digits down to k's, so relative to it they all fall
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

  /// Rebuilds the heap around r, which is smaller than every pending rank and than last_.
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
};

/// The calendar: a timing wheel for the next few days, in front of a radix heap for the rest.
///
/// The wheel has kSlots slots of 1/kSlotsPerDay day each (84 seconds; 4,096 slots, so 4.0 days).
/// An event of time t belongs to slot number floor(t · kSlotsPerDay) (exact: the factor is a
/// power of two); slot numbers from `cursor_` (the slot of the last popped event) to
/// cursor_ + kSlots − 1 map one-to-one onto the wheel, whose slots each hold a list sorted by
/// (time, priority, sequence). The next event is the head of the first occupied slot at or after
/// the cursor — found with an occupancy bitmap — or the radix heap's minimum, whichever is
/// smaller. Most events of a referral mechanism fall within a few days of the present (services,
/// transfers, arrivals) and cost a few dozen instructions each way; the rest (long shelter stays,
/// court dates), events before the cursor, and events that would make a slot's list long (a dense
/// scenario) go to the radix heap. Where an event is kept never decides the order, only where to
/// look: pop() always returns the smallest pending (time, priority, sequence), as a sorted list
/// would, whatever was scheduled when.
///
/// Ties never depend on pointers or hashes, so a run is reproducible bit for bit.
///
/// @code
///   EventQueue q;
///   q.push(2.5, 1, EventKind::service_end, slot);
///   while (!q.empty() && q.next_time() <= horizon) dispatch(q.pop());
/// @endcode
class EventQueue {
 public:
  EventQueue() { clear(); }

  /// Schedules an event. `priority` is 0 or 1; `index` must be <= Event::kMaxIndex (checked by
  /// the caller, which knows what the index means); throws std::length_error after 2^37 pushes.
  [[gnu::always_inline]] void push(Time time, std::uint8_t priority, EventKind kind, std::uint32_t index) {
    // The key keeps one bit of priority: a 2 would be silently shifted out and run as a 0.
    assert(priority <= 1);
    if (next_seq_ > Event::kMaxSeq) throw std::length_error("event calendar: more than 2^37 events scheduled");
    const std::uint64_t key = (std::uint64_t{priority} << 63) |
                              (next_seq_++ << (Event::kIndexBits + Event::kKindBits)) |
                              (static_cast<std::uint64_t>(kind) << Event::kIndexBits) | index;
    assert(time >= 0);  // NaN or negative times would break the ordering
    const EventRank r = rank_of(time, key);
    const double x = time * kSlotsPerDay;
    if (x < kLastSlot) {
      const auto n = static_cast<std::uint64_t>(x);
      if (n - cursor_ < kSlots && insert_near(static_cast<std::uint32_t>(n & kSlotMask), r)) return;
    }
    far_.push(r);
    if (size_++ == 0 || r < front_) {
      front_ = r;
      front_near_ = false;
    }
  }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  /// The next event; requires !empty().
  Event top() const { return event_of(front_); }
  /// The time of the next event; requires !empty().
  Time next_time() const { return time_of(front_); }
  /// Removes and returns the next event; requires !empty().
  Event pop() {
    assert(size_ > 0);
    const EventRank e = front_;
    if (front_near_) {
      const std::uint32_t s = front_slot_, n = heads_[s];
      heads_[s] = nodes_[n].next;
      nodes_[n].next = free_;
      free_ = n;
      // Without branches: whether the slot is now empty is a coin toss for the predictor.
      const std::uint32_t w = s >> 6;
      occupied_[w] &= ~(std::uint64_t{heads_[s] == kEnd} << (s & 63));
      summary_ &= ~(std::uint64_t{occupied_[w] == 0} << w);
    } else {
      far_.pop();
    }
    // The cursor never moves back, so that the wheel's slots keep naming one slot number each
    // (an event before the cursor waits in the radix heap).
    const double x = time_of(e) * kSlotsPerDay;
    const std::uint64_t n = x < kLastSlot ? static_cast<std::uint64_t>(x) : kFarSlot;
    cursor_ = std::max(cursor_, n);  // a conditional move: the comparison is unpredictable
    if (--size_ > 0) find_front();
    return event_of(e);
  }
  /// Calls f(event) for every pending event, in an unspecified (but deterministic) order; for
  /// snapshots.
  template <class F>
  void for_each_pending(F f) const {
    for (const std::uint32_t head : heads_) {
      for (std::uint32_t n = head; n != kEnd; n = nodes_[n].next) f(event_of(nodes_[n].rank()));
    }
    far_.for_each([&](EventRank r) { f(event_of(r)); });
  }
  void clear() {
    heads_.fill(kEnd);
    occupied_ = {};
    summary_ = 0;
    nodes_.assign(1, Node{~std::uint64_t{0}, ~std::uint64_t{0}, kEnd});
    free_ = kNil;
    far_.clear();
    cursor_ = 0;
    size_ = 0;
    next_seq_ = 0;
  }

 private:
  static constexpr std::uint32_t kNil = 0xFFFFFFFFu;
  /// The sentinel node, nodes_[0]: the largest rank (no event has it: near events have finite
  /// times), linked from every empty slot and from each list's last node.
  static constexpr std::uint32_t kEnd = 0;
  static constexpr double kSlotsPerDay = 1024;  // a power of two: t · kSlotsPerDay is exact
  static constexpr std::uint64_t kSlots = 4096, kSlotMask = kSlots - 1;
  static_assert(kSlots / 64 <= 64, "one summary word covers the occupancy bitmap");
  static constexpr double kLastSlot = 0x1p62;  // later events (~1.2e16 years) stay in the radix heap
  static constexpr std::uint64_t kFarSlot = std::uint64_t{1} << 62;
  static constexpr int kMaxWalk = 8;  // list positions a push may pass before the radix heap takes it
  /// A wheel event: its rank, split so that the node takes 24 bytes, and the next in its slot.
  struct Node {
    std::uint64_t time_bits, key;
    std::uint32_t next;
    EventRank rank() const { return (EventRank{time_bits} << 64) | key; }
  };

  /// Inserts r into slot s's sorted list, unless that means passing more than kMaxWalk events.
  ///
  /// Whether a new event goes before, between or after the events already in its slot is a coin
  /// toss for the branch predictor, so the first two steps along the list are taken without
  /// branches (conditional moves of the link to set); the sentinel node, whose rank is larger
  /// than any event's, ends every list and stops them without an end-of-list test. Longer walks
  /// (a slot holding more than two earlier events) continue in a loop.
  [[gnu::always_inline]] bool insert_near(std::uint32_t s, EventRank r) {
    std::uint32_t n = free_;
    if (n != kNil) {
      free_ = nodes_[n].next;
    } else {
      n = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    // Allocated first: `link` may then point into nodes_ without being invalidated.
    std::uint32_t* link = &heads_[s];
    std::uint32_t next = *link;
    for (int k = 0; k < 2; ++k) {
      const bool on = nodes_[next].rank() < r;
      link = on ? &nodes_[next].next : link;
      next = *link;
    }
    for (int walked = 2; nodes_[next].rank() < r; ++walked) {
      if (walked == kMaxWalk) {
        nodes_[n].next = free_;
        free_ = n;
        return false;
      }
      link = &nodes_[next].next;
      next = *link;
    }
    occupied_[s >> 6] |= std::uint64_t{1} << (s & 63);
    summary_ |= std::uint64_t{1} << (s >> 6);
    nodes_[n] = Node{static_cast<std::uint64_t>(r >> 64), static_cast<std::uint64_t>(r), next};
    *link = n;
    if (size_++ == 0 || r < front_) {
      front_ = r;
      front_near_ = true;
      front_slot_ = s;
    }
    return true;
  }
  /// The first occupied slot at or after the cursor's, in wheel order (wrapping); requires summary_ != 0.
  std::uint32_t first_occupied() const {
    const auto s = static_cast<std::uint32_t>(cursor_ & kSlotMask);
    const std::uint32_t w = s >> 6;
    if (const std::uint64_t m = occupied_[w] & (~std::uint64_t{0} << (s & 63))) {
      return w * 64 + static_cast<std::uint32_t>(std::countr_zero(m));
    }
    // A later word, else (wrapping) the lowest one — which may be w itself, below s.
    const std::uint64_t later = summary_ & ~((std::uint64_t{2} << w) - 1);
    const auto w2 = static_cast<std::uint32_t>(std::countr_zero(later != 0 ? later : summary_));
    return w2 * 64 + static_cast<std::uint32_t>(std::countr_zero(occupied_[w2]));
  }
  /// Sets front_ to the smallest pending event; requires size_ > 0.
  void find_front() {
    // The wheel's first event or the radix heap's, chosen with masks rather than a branch: where
    // many events lie far ahead (months of shelter, court dates), which one comes next is a coin
    // toss for the predictor (bench/README.md, "Profile": the calendar replays).
    const EventRank far = far_.empty() ? ~EventRank{0} : far_.top();
    if (summary_ != 0) {  // events on the wheel
      const std::uint32_t s = first_occupied();
      const EventRank near = nodes_[heads_[s]].rank();
      const bool is_near = near < far;
      const std::uint64_t m = std::uint64_t{0} - is_near;
      const auto fh = static_cast<std::uint64_t>(far >> 64), fl = static_cast<std::uint64_t>(far);
      const auto nh = static_cast<std::uint64_t>(near >> 64), nl = static_cast<std::uint64_t>(near);
      front_ = (EventRank{fh ^ ((fh ^ nh) & m)} << 64) | (fl ^ ((fl ^ nl) & m));
      front_near_ = is_near;
      front_slot_ = s;
    } else {
      front_ = far;
      front_near_ = false;
    }
  }

  std::array<std::uint32_t, kSlots> heads_;            ///< per slot: first node of its sorted list, or kEnd
  std::array<std::uint64_t, kSlots / 64> occupied_{};  ///< bit s set when slot s is non-empty
  std::uint64_t summary_ = 0;                          ///< bit w set when occupied_[w] != 0
  std::vector<Node> nodes_;                            ///< wheel events; free ones chained from free_
  std::uint32_t free_ = kNil;
  std::uint64_t cursor_ = 0;  ///< slot number of the last popped event (or later); never decreases
  RadixHeap far_;
  EventRank front_ = 0;  ///< the next event, when size_ > 0
  bool front_near_ = false;
  std::uint32_t front_slot_ = 0;  ///< front_'s slot, when on the wheel
  std::size_t size_ = 0;
  std::uint64_t next_seq_ = 0;
};

}  // namespace refsim
