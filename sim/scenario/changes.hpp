#pragma once
// The `[[change]]` section's reference resolution, shared by the loader and its tests.
#include <string>
#include <string_view>
#include <variant>

#include "sim/model/scenario.hpp"

namespace refsim {

/// The referral rule that a change names: "from->to" when one rule has that pair, or "from->to#n",
/// the n-th rule on the pair (1-based, in declaration order; its Referral::key for n >= 2). Returns
/// the rule, or why the text names none, to follow the key's name in a message: "names unknown
/// referral 'a->b'; known: …", or, for a pair that several rules share, where each is declared
/// and how to pick one.
std::variant<ReferralId, std::string> find_referral(const Scenario& s, std::string_view text);

}  // namespace refsim
