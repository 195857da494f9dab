#include <catch2/catch.hpp>

#include "sim/engine/event_queue.hpp"

using namespace refsim;

TEST_CASE("EventQueue: pops in time order") {
  EventQueue q;
  for (double t : {5.0, 1.0, 3.0, 2.0, 4.0}) q.push(t, 1, EventKind::service_end, 0, 0);
  std::vector<double> order;
  while (!q.empty()) order.push_back(q.pop().time);
  CHECK(order == std::vector<double>{1, 2, 3, 4, 5});
}

TEST_CASE("EventQueue: ties break by priority, then by insertion order") {
  EventQueue q;
  q.push(1.0, 1, EventKind::service_end, 10, 0);
  q.push(1.0, 1, EventKind::service_end, 11, 0);
  q.push(1.0, 0, EventKind::warmup_end, 12, 0);
  q.push(1.0, 1, EventKind::service_end, 13, 0);
  q.push(0.5, 1, EventKind::service_end, 14, 0);
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().target);
  CHECK(order == std::vector<std::uint32_t>{14, 12, 10, 11, 13});
}

TEST_CASE("EventQueue: many equal times keep insertion order (FIFO)") {
  EventQueue q;
  for (std::uint32_t i = 0; i < 1000; ++i) q.push(7.0, 1, EventKind::service_end, i, 0);
  for (std::uint32_t i = 0; i < 1000; ++i) REQUIRE(q.pop().target == i);
}
