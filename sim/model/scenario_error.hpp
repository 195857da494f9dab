#pragma once
// ScenarioError: what every layer throws for a scenario that cannot be run as written, located
// in its file. The command line prints what() and exits with code 2.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include "sim/model/scenario.hpp"

namespace refsim {

/// A located error in a scenario file: "file:line:column: what is wrong". A message that quotes a
/// huge value (a megabyte-long id) keeps its beginning and end, with the middle left out.
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLocation where, const std::string& message)
      : std::runtime_error(where.str() + ": " + shortened(message)), where_(std::move(where)) {}
  const SourceLocation& where() const { return where_; }

  static constexpr std::size_t kHead = 400, kTail = 200;  ///< bytes kept of a longer message

 private:
  static std::string shortened(const std::string& m) {
    if (m.size() <= kHead + kTail + 100) return m;
    // Cut at UTF-8 character boundaries (never before a continuation byte).
    const auto continuation = [&](std::size_t i) { return (static_cast<unsigned char>(m[i]) & 0xC0) == 0x80; };
    std::size_t head = kHead, tail = m.size() - kTail;
    while (head > 0 && continuation(head)) --head;
    while (tail < m.size() && continuation(tail)) ++tail;
    return m.substr(0, head) + " […" + std::to_string(tail - head) + " bytes left out…] " + m.substr(tail);
  }
  SourceLocation where_;
};

}  // namespace refsim
