#pragma once
// The engine of a replication: BasicEngine with the replication's statistics as its sink, so that
// the hooks on every event's path are direct, inlined calls (the Observer table's virtual calls
// cost about 5 % of a benchmark run's instructions; bench/README.md). Instantiated once, in
// replication.cpp.
//
//   refsim::ReplicationEngine engine(scenario, graph, seed, replication);
//   refsim::StatisticsCollector stats(engine);
//   engine.set_sink(stats);
//   engine.run_until(scenario.run.horizon);
#include "sim/engine/engine.hpp"
#include "sim/experiment/statistics.hpp"

namespace refsim {

using ReplicationEngine = BasicEngine<StatisticsCollector>;
extern template class BasicEngine<StatisticsCollector>;

}  // namespace refsim
