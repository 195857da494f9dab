#pragma once
// Random streams, in two kinds.
//
// 1. Per entity: one generator per (seed, replication, entity, purpose), PCG64 (pcg-cpp), drawn
//    in event order (make_stream). Only what belongs to an entity rather than to a person draws
//    from these: a source's interarrival gaps and its seasonal thinning, and the uncertain
//    parameters drawn once per replication.
// 2. Per person (common random numbers that survive a change): everything drawn *about a person*
//    comes from a short counter-based stream keyed by who they are and where they are, never by
//    the order in which the mechanism happens to serve people. A person's key is fixed at entry
//    from their source and their rank among its arrivals (the k-th output of a SplitMix64
//    seeded with the source's salt; batch members are ranked apart; initial cases: their agency
//    and rank; a re-entry: the visit at which they were re-trafficked), not from the global
//    serial, which depends on how sources interleave. At each visit to an agency (the k-th visit
//    of that track to that agency) the engine derives a visit seed from (track key ^ agency salt ^ k·c)
//    (visit_seed), and draws the service time, routing (main route and forks), decision,
//    withdrawal, re-trafficking and patience of that visit from it, each purpose at its own
//    offset (visit_stream). The referral sent at the end of the visit (a track takes one rule
//    per visit) draws its consent, loss and transfer delay from the same seed at offsets of
//    their own, whichever rule it is. A fork's new track has a key of its own, mix_key(visit
//    seed ^ referral salt, fork_track). So when a variant adds a caseworker at one agency, the
//    order of service starts there changes but nobody's service time does, and a person whose
//    path changes upstream (who skips screening, say) keeps the draws of the agencies they
//    still visit: comparisons of variants under common random numbers pair person by person.
//
// Entities are keyed by *name* (an agency or source id, "from->to" for a referral), not by
// their position in the file, so adding an agency to a scenario leaves every other entity's
// numbers unchanged.
//
// The per-person generator is SplitMix64 (G. L. Steele, D. Lea, C. H. Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014): a Weyl sequence (add the golden gamma) through
// a bijective 64-bit finaliser (mix64, Stafford's variant 13). Its output passes TestU01's
// BigCrush, and it is the generator the authors and Vigna's xoshiro reference recommend for
// seeding; a visit takes a handful of draws, so its period (2^64) is no concern. Keys are built
// from names and counters through the same bijective finaliser, so distinct visits get
// unrelated seeds; two visits share numbers only if their 64-bit seeds collide (about three
// chances in a million over a run of ten million visits, and then two visits' draws coincide).
// A purpose's draws sit 2^32 steps apart on the Weyl sequence from the next purpose's, so they
// never overlap.
//
// Distributions come from Boost.Random, whose output does not depend on the C++ standard
// library in use; they and Sampler accept either generator.
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
  // Derivations of per-person keys (see the file comment), not streams.
  initial_case = 13,  ///< an agency's initial cases: key from (agency, rank)
  batch = 14,         ///< a source's batch members: key from (source, rank among them)
  fork_track = 15,    ///< a fork's new track: key from the visit and the fork's referral
  reentry = 16,       ///< a re-trafficked person's re-entry: key from the visit where it happened
  consent_loss = 17,  ///< a referral's consent and loss, drawn from the visit that sends it
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

/// SplitMix64: the counter-based generator of the per-person draws (see the file comment). A
/// UniformRandomBitGenerator (result_type, min, max, operator()), so that Boost.Random's
/// distributions and Sampler take it. Cheap to make: one 64-bit state, no warm-up.
class SplitMix64 {
 public:
  using result_type = std::uint64_t;
  explicit constexpr SplitMix64(std::uint64_t state) : state_(state) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  constexpr result_type operator()() {
    const result_type z = mix64(state_);  // adds the golden gamma, then finalises
    state_ += 0x9e3779b97f4a7c15ULL;
    return z;
  }

 private:
  std::uint64_t state_;
};

/// The stream of `purpose` within one visit (or referral, or person at entry) whose seed is
/// `seed`: draw j of purpose p is mix64(seed + (p·2^32 + j)·gamma), so purposes never overlap.
constexpr SplitMix64 visit_stream(std::uint64_t seed, StreamPurpose purpose) {
  return SplitMix64(seed + (static_cast<std::uint64_t>(purpose) << 32) * 0x9e3779b97f4a7c15ULL);
}

/// The seed of the k-th visit (0: the first) of the track with key `key` to the agency with salt
/// `salt`. Key and salt are outputs of mix64 already, and every draw from the seed goes through
/// mix64 again (visit_stream); in between, half of the finaliser (an odd multiply and an
/// xorshift, a bijection) suffices to turn the fixed XOR distance between two agencies' salts into
/// distances that differ from person to person. Half the cost of a full mix64, on every arrival.
constexpr std::uint64_t visit_seed(std::uint64_t key, std::uint64_t salt, std::uint32_t k) {
  const std::uint64_t x = (key ^ salt ^ (std::uint64_t{k} * 0xd1b54a32d192ed03ULL)) * 0xbf58476d1ce4e5b9ULL;
  return x ^ (x >> 31);
}

/// Mixes `value` into the key `key` (a bijection in each argument for a fixed other).
constexpr std::uint64_t mix_key(std::uint64_t key, std::uint64_t value) { return mix64(key ^ mix64(value)); }

/// The salt of an entity's name for a replication, for per-person keys (see the file comment):
/// "agency:<id>", "referral:<from->to>", "source:<id>".
inline std::uint64_t entity_salt(std::uint64_t seed, std::uint64_t replication, std::string_view kind,
                                 std::string_view name) {
  const std::uint64_t run = mix64(mix64(seed) ^ mix64(replication + 0x632be59bd9b4e019ULL));
  return mix64(run ^ mix64(hash_name(kind) ^ mix64(hash_name(name))));
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

/// A uniform draw in [0, 1) with 53 random bits, from a 64-bit generator (Rng or SplitMix64);
/// independent of the standard library.
template <class URNG>
inline double uniform01(URNG& rng) {
  static_assert(URNG::min() == 0 && URNG::max() == ~std::uint64_t{0}, "a full 64-bit generator");
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

}  // namespace refsim
