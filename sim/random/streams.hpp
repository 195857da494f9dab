#pragma once
// Random streams: one independent generator per (seed, replication, entity, purpose).
//
// Streams are keyed by the entity's *name* (an agency or source id, "from->to" for a referral),
// not by its position in the file, so adding an agency to a scenario leaves every other entity's
// numbers unchanged: common random numbers line up across scenario variants.
//
// The generator is PCG64 (pcg-cpp); distributions come from Boost.Random, whose output does not
// depend on the C++ standard library in use.
#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <pcg_random.hpp>

namespace refsim {

using Rng = pcg64;

/// What a stream is used for; part of the stream key.
enum class StreamPurpose : std::uint64_t {
  interarrival = 1,
  service = 2,
  routing = 3,
  transfer_delay = 4,
  attributes = 5,
  decision = 6,
  patience = 7,
  fork = 8,
  withdrawal = 9,
  retrafficking = 10,
  thinning = 11,    ///< seasonal sources: acceptance of candidate arrivals
  parameters = 12,  ///< uncertain parameters, drawn once per replication
};

/// SplitMix64 finaliser: a bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// FNV-1a hash of a name; stable across platforms and runs.
constexpr std::uint64_t hash_name(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

/// The generator for one (seed, replication, entity, purpose).
inline Rng make_stream(std::uint64_t seed, std::uint64_t replication, std::string_view entity, StreamPurpose purpose) {
  const std::uint64_t a = mix64(seed);
  const std::uint64_t b = mix64(a ^ mix64(replication + 0x632be59bd9b4e019ULL));
  const std::uint64_t c = mix64(b ^ hash_name(entity));
  const std::uint64_t d = mix64(c ^ mix64(static_cast<std::uint64_t>(purpose)));
  const pcg_extras::pcg128_t state = (static_cast<pcg_extras::pcg128_t>(c) << 64) | d;
  const pcg_extras::pcg128_t stream = (static_cast<pcg_extras::pcg128_t>(mix64(d)) << 64) | mix64(c ^ d);
  return Rng(state, stream);
}

/// A seed given as text (a command-line option): digits only, 0 to 2^64 - 1. Throws
/// std::invalid_argument "must be an integer from 0 to 18446744073709551615, got '…'" otherwise
/// (option parsers wrap "-1" round to 2^64 - 1 and saturate larger numbers, so that different
/// seeds would give the same run).
inline std::uint64_t parse_seed(std::string_view text) {
  std::uint64_t seed = 0;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, seed);
  if (text.empty() || ec != std::errc() || ptr != last) {
    throw std::invalid_argument("must be an integer from 0 to 18446744073709551615, got '" + std::string(text) + "'");
  }
  return seed;
}

/// A uniform draw in [0, 1) with 53 random bits; independent of the standard library.
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace refsim
