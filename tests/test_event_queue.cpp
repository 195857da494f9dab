#include <catch2/catch.hpp>

#include "sim/engine/event_queue.hpp"

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
