#include "sim/experiment/replication.hpp"

#include "sim/engine/engine_impl.hpp"

namespace refsim {

template class BasicEngine<StatisticsCollector>;

}  // namespace refsim
