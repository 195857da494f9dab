#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <tuple>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/random/streams.hpp"

using namespace refsim;

TEST_CASE("EventQueue: pops in time order") {
  EventQueue q;
  for (double t : {5.0, 1.0, 3.0, 2.0, 4.0}) q.push(t, 1, EventKind::service_end, 0);
  std::vector<double> order;
  while (!q.empty()) order.push_back(q.pop().time);
  CHECK(order == std::vector<double>{1, 2, 3, 4, 5});
}

TEST_CASE("EventQueue: ties break by priority, then by insertion order") {
  EventQueue q;
  q.push(1.0, 1, EventKind::service_end, 10);
  q.push(1.0, 1, EventKind::service_end, 11);
  q.push(1.0, 0, EventKind::warmup_end, 12);
  q.push(1.0, 1, EventKind::service_end, 13);
  q.push(0.5, 1, EventKind::service_end, 14);
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().index());
  CHECK(order == std::vector<std::uint32_t>{14, 12, 10, 11, 13});
}

TEST_CASE("EventQueue: many equal times keep insertion order (FIFO)") {
  EventQueue q;
  for (std::uint32_t i = 0; i < 1000; ++i) q.push(7.0, 1, EventKind::service_end, i);
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(q.pop().index() == i);
}

TEST_CASE("EventQueue: kind and index survive the packing") {
  EventQueue q;
  q.push(2.0, 1, EventKind::transfer_end, static_cast<std::uint32_t>(Event::kMaxIndex));
  q.push(1.0, 0, EventKind::source_arrival, 12345);
  const Event a = q.pop(), b = q.pop();
  CHECK(a.kind() == EventKind::source_arrival);
  CHECK(a.index() == 12345);
  CHECK(a.priority() == 0);
  CHECK(b.kind() == EventKind::transfer_end);
  CHECK(b.index() == Event::kMaxIndex);
  CHECK(b.priority() == 1);
  CHECK(b.seq() == 0);
  CHECK(a.seq() == 1);
}

namespace {

/// The specification the calendar must meet: (time, priority, insertion sequence), by std::set.
struct Reference {
  struct Entry {
    double time;
    std::uint8_t priority;
    std::uint64_t seq;
    std::uint32_t index;
    bool operator<(const Entry& o) const { return std::tie(time, priority, seq) < std::tie(o.time, o.priority, o.seq); }
  };
  std::set<Entry> pending;
  std::uint64_t next_seq = 0;
  void push(double t, std::uint8_t p, std::uint32_t i) { pending.insert({t, p, next_seq++, i}); }
  Entry pop() {
    const Entry e = *pending.begin();
    pending.erase(pending.begin());
    return e;
  }
};

/// Runs `steps` random pushes and pops against the reference and checks every pop, top() and
/// next_time(). `gap(rng, now)` draws the time of a new event given the last popped time.
template <class Gap>
void compare_with_reference(std::uint64_t seed, int steps, Gap gap) {
  EventQueue q;
  Reference ref;
  Rng rng = make_stream(seed, 0, "event-queue-test", StreamPurpose::service);
  double now = 0;
  for (int step = 0; step < steps; ++step) {
    const bool push = ref.pending.empty() || uniform01(rng) < 0.52;
    if (push) {
      const double t = gap(rng, now);
      const auto p = static_cast<std::uint8_t>(uniform01(rng) < 0.1 ? 0 : 1);
      const auto i = static_cast<std::uint32_t>(step);
      q.push(t, p, EventKind::service_end, i);
      ref.push(t, p, i);
    } else {
      REQUIRE(q.next_time() == ref.pending.begin()->time);
      const Event top = q.top();
      const Event e = q.pop();
      const Reference::Entry r = ref.pop();
      REQUIRE(e.time == r.time);
      REQUIRE(e.index() == r.index);
      REQUIRE(e.priority() == r.priority);
      REQUIRE(e.seq() == r.seq);
      REQUIRE(top.key == e.key);
      now = e.time;
    }
    REQUIRE(q.size() == ref.pending.size());
  }
  std::multiset<std::uint32_t> listed, expected;
  q.for_each_pending([&](const Event& e) { listed.insert(e.index()); });
  for (const Reference::Entry& r : ref.pending) expected.insert(r.index);
  CHECK(listed == expected);
  while (!ref.pending.empty()) REQUIRE(q.pop().index() == ref.pop().index);
  CHECK(q.empty());
}

}  // namespace

TEST_CASE("EventQueue: random pushes and pops follow (time, priority, sequence) exactly") {
  SECTION("continuous times, spread over scales from minutes to months") {
    compare_with_reference(1, 200000, [](Rng& rng, double now) {
      const double scale = std::pow(10.0, 4 * uniform01(rng) - 3);  // 0.001 .. 10 days
      return now + scale * uniform01(rng) * 5;
    });
  }
  SECTION("many equal times: a coarse grid, and events at the current time") {
    compare_with_reference(2, 200000, [](Rng& rng, double now) {
      const double u = uniform01(rng);
      if (u < 0.3) return now;  // same moment as the event just popped
      return now + std::floor(u * 8) * 0.25;
    });
  }
  SECTION("times before the last popped one (allowed, though the engine never does it)") {
    compare_with_reference(3, 50000, [](Rng& rng, double now) {
      return uniform01(rng) < 0.05 ? now * uniform01(rng) : now + uniform01(rng);
    });
  }
  SECTION("dense: hundreds of events per slot of the wheel, most of them in the radix heap") {
    compare_with_reference(5, 200000, [](Rng& rng, double now) { return now + 0.01 * uniform01(rng); });
  }
  SECTION("around the end of the wheel (four days ahead) and just past it") {
    compare_with_reference(6, 200000, [](Rng& rng, double now) {
      const double u = uniform01(rng);
      return u < 0.5 ? now + 4.0 + (uniform01(rng) - 0.5) * 0.01 : now + 0.5 * uniform01(rng);
    });
  }
  SECTION("time zero and huge times") {
    compare_with_reference(4, 50000, [](Rng& rng, double now) {
      const double u = uniform01(rng);
      return u < 0.2 ? now : (u < 0.4 ? now + 1e12 * uniform01(rng) : now + 1e-9 * uniform01(rng));
    });
  }
}

TEST_CASE("EventQueue: top and next_time name the event pop returns, clear restarts sequences") {
  EventQueue q;
  q.push(3.0, 1, EventKind::service_end, 1);
  q.push(2.0, 1, EventKind::transfer_end, 2);
  q.push(2.0, 0, EventKind::warmup_end, 3);
  CHECK(q.next_time() == 2.0);
  CHECK(q.top().index() == 3);
  CHECK(q.pop().index() == 3);
  q.push(2.0, 1, EventKind::service_end, 4);  // at the current time: after the earlier tie
  CHECK(q.pop().index() == 2);
  CHECK(q.pop().index() == 4);
  q.push(1.0, 1, EventKind::service_end, 5);  // before the last popped time
  CHECK(q.top().index() == 5);
  CHECK(q.size() == 2);
  q.clear();
  CHECK(q.empty());
  q.push(9.0, 1, EventKind::service_end, 6);
  CHECK(q.top().seq() == 0);
  CHECK(q.pop().time == 9.0);
  CHECK(q.empty());
}
