#pragma once
// The discrete-event kernel: clock, event calendar, random streams, cases and agencies.
//
//   refsim::ReferralGraph graph(scenario);
//   refsim::Engine engine(scenario, graph, /*seed=*/42, /*replication=*/0);
//   engine.add_observer(log);            // read-only subscribers, through the Observer table
//   engine.run_until(scenario.run.horizon);
//
// EngineState holds a replication's state and everything that may be read of it; BasicEngine<Sink>
// runs it. `Sink` is one subscriber that hears every hook first, through direct (inlinable) calls
// instead of the Observer table: the replication's statistics, which are on every event's path
// (sim/experiment/replication.hpp: ReplicationEngine). The engine layer never names it: the
// handlers are templates (sim/engine/engine_impl.hpp), instantiated here for NoSink (Engine) and by
// the layer that owns a sink for that sink.
//
// One engine is one replication; it is not thread-safe, but independent engines run on different
// threads. The scenario and graph must outlive the engine. The engine knows nothing of files,
// output formats or statistics: it publishes what happens to its sink and to Observers.
#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/observer.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/model/distribution.hpp"
#include "sim/model/parameters.hpp"
#include "sim/model/scenario.hpp"
#include "sim/random/streams.hpp"

namespace refsim {

/// A case on its way between two agencies, for live views.
struct Transfer {
  AgencyId from;
  AgencyId to;
  Time start;
  Time end;
  std::uint64_t serial;
  ReferralId referral;   ///< the rule it travels along
  std::uint32_t person;  ///< the person's slot, for Engine::attributes
};

/// No sink: the engine publishes to its Observers only.
struct NoSink {};

/// A replication's state, and what observers, live views and tests may read of it. Built by
/// BasicEngine, which runs it.
class EngineState {
 public:
  EngineState(const Scenario& scenario, const ReferralGraph& graph, std::uint64_t seed, std::uint32_t replication);
  EngineState(const EngineState&) = delete;
  EngineState& operator=(const EngineState&) = delete;

  /// Subscribes `o` (not owned; must outlive the engine's use of it).
  void add_observer(Observer& o) { observers_.push_back(&o); }

  /// A run in which about this many events (at least, rounded up to a multiple of 2^20) happen at
  /// one simulated instant fails with std::runtime_error: cases loop through zero-time services
  /// and referrals, and the clock would never move again. Default 2^26 (67 M).
  void set_stall_limit(std::uint64_t events) { stalled_limit_ = std::max<std::uint64_t>(1, events / kProgressEvery); }

  /// Asks run_until to return after the event being processed (from an observer's hook): the
  /// clock stays at that event's time, and the events left at that instant follow at the next
  /// run_until. For controllers that must act at an instant they see only as it happens (an
  /// exercise's triggers); without a call, nothing changes. Ignored during end_run's follow-up.
  void request_stop() {
    stop_requested_ = true;
    budget_ = 1;  // the event being processed is the last of this run_events
  }

  /// Schedules `change` at simulated time `at` (>= now(); else std::invalid_argument): an event
  /// that runs before the cases' own events at the same time. The change is validated when it is
  /// applied; an invalid one then throws std::invalid_argument out of run_until.
  void schedule_change(Time at, const Change& change);
  /// The values in force now: the scenario's (as drawn), changed since by apply.
  const Parameters& parameters() const { return params_; }
  /// Servers (or beds) of agency `a` now; for an unlimited agency, the scenario's value.
  std::uint32_t servers(AgencyId a) const { return params_.agencies[a].servers; }
  /// Whether agency `a` is open now (closed by a change, not by its opening hours).
  bool is_open(AgencyId a) const { return params_.agencies[a].open; }

  Time now() const { return now_; }
  /// Whether the window is closed (end_run's follow-up): no person enters any more.
  bool entries_closed() const { return entries_closed_; }
  std::uint64_t events_processed() const { return events_; }
  /// The scenario this replication runs: with uncertain parameters, their values drawn for it.
  const Scenario& scenario() const { return scenario_; }

  // Read-only state, for live views and tests.
  std::size_t queue_length(AgencyId a) const { return agencies_[a].waiting_count; }
  std::uint32_t busy(AgencyId a) const { return agencies_[a].busy; }
  std::size_t cases_in_system() const { return in_system_; }
  /// The attributes of the person in `person` slot (see Case::person); valid until the next event.
  const Attributes& attributes(std::uint32_t person) const { return persons_[person].attributes; }
  /// The key of the person in `person` slot (see Case::person): fixed at entry from their source
  /// and rank among its arrivals (sim/random/streams.hpp), the same in every variant of a
  /// scenario whose sources are the same; valid until the next event. Their draws derive from it.
  std::uint64_t person_key(std::uint32_t person) const { return persons_[person].key; }
  /// Cases currently being transferred along a referral, in no particular order.
  std::vector<Transfer> transfers() const;

 protected:
  static constexpr std::size_t kDecidable = attr::kConvicted - attr::kPresumed + 1;
  /// Per agency. What every visit reads comes first and is copied from the scenario's Agency
  /// (over a kilobyte, mostly strings and rarely used options), so that a visit touches two or
  /// three cache lines of engine state rather than the scattered fields of the scenario.
  struct AgencyState {
    /// Services that may run at once: the servers (or beds) while open; unlimited: no limit; 0
    /// while closed. A service starts only when busy < capacity.
    std::uint32_t capacity = 1;
    std::uint32_t busy = 0;
    std::size_t waiting_count = 0;  // entries of `waiting` still waiting (drop-outs leave theirs)
    bool unlimited = false;
    bool has_patience = false;
    bool supports = false;
    bool has_not_before = false;
    bool has_hours = false;
    bool end_rules = false;  // a decision, withdrawal or re-trafficking at the end of service
    bool has_forks = false;
    WhenFull when_full = WhenFull::wait;
    std::uint32_t country = 0;      // the in_country of a case here (Scenario::country_of)
    std::span<const Route> routes;  // this agency's part of routes_
    /// When all routes are unconditional, none is a fork and there are at most four: their
    /// cumulative probabilities (as end_service's loop adds them), then +inf, so that the route is
    /// counted rather than searched for — a loop whose exit is a coin toss for the predictor.
    bool fixed_routes = false;
    std::array<double, 4> thresholds{};
    std::uint64_t salt = 0;  // entity_salt of "agency:<id>": visit seeds (TrackStreams::visit)
    Sampler service;         // drawn from each visit's stream
    std::deque<std::pair<std::uint32_t, std::uint32_t>> waiting;  // (track slot, its generation)
    // Cold: options that few agencies use.
    Sampler patience;
    Sampler retrafficking_delay;
    // The end-of-service rules (end_rules), copied from the scenario's Agency for the same reason.
    std::optional<Decision> decision;
    double withdrawal = 0, withdrawal_supported = 0;
    bool has_retrafficking = false;
    double retrafficking_probability = 0;
    AgencyId retrafficking_reenters = 0;
  };
  struct SourceState {
    SampleStream gap;   // exponential gaps at the peak rate; redrawn when the rate changes
    Time next_at = -1;  // the pending arrival's time; another source_arrival event is stale
    ProfileId profile = 0;
    std::uint64_t salt = 0;        // entity_salt of "source:<id>": the keys of its persons
    SplitMix64 keys{0};            // from the salt: the keys of its arrivals' persons, in order
    std::uint64_t batch_made = 0;  // persons entered from its batches so far
    Rng thinning_rng;
    double peak_factor = 1;  // seasonal sources: the largest monthly factor (candidates come at rate × it)
    std::size_t next_batch = 0;
  };
  /// Per referral, the rule's fields that send() reads, copied from the scenario's Referral.
  struct ReferralState {
    AgencyId to = 0;
    bool has_delay = false;
    std::optional<double> consent;
    double loss = 0;
    std::uint64_t salt = 0;  // entity_salt of "referral:<from->to>": the keys of the tracks its forks start
    Sampler delay;
  };
  /// A person: what all their tracks share.
  struct Person {
    std::uint64_t serial = 0;
    std::uint64_t key = 0;  // see person_key
    Time entered = 0;
    SourceId source = 0;
    std::uint32_t tracks = 0;              // tracks still in the mechanism
    std::uint32_t tracks_made = 0;         // tracks started so far (numbers the next one)
    std::uint32_t lead = 0;                // slot of the earliest live track: head of the list of tracks
    std::uint64_t previous = kNoPrevious;  // re-entries: the serial of the person's previous case
    ProfileId profile = 0;                 // the profile their attributes were drawn from
    Attributes attributes{};
    /// When a decision on each decidable state attribute (presumed … convicted) was first taken,
    /// and first positive; negative: not yet. For `not_before` holds.
    std::array<Time, kDecidable> decided_at;
    std::array<Time, kDecidable> positive_at;
  };
  /// A scheduled action that is not a case's own event (EventKind::scheduled, index = its slot).
  struct Scheduled {
    enum class Type : std::uint8_t { initial_cases, batch, hold_end, reentry, change } type;
    std::uint32_t index;  // agency (initial_cases), source (batch), track slot (hold_end), reentry or change slot
  };
  /// A re-trafficked person waiting to re-enter.
  struct Reentry {
    Attributes attributes;
    std::uint64_t previous;
    AgencyId at;
    ProfileId profile;
    std::uint64_t key;  // the new person's key, from the visit where they were re-trafficked
  };
  /// Per track slot: the track's key and its visits so far, per agency, for the per-person draws
  /// (sim/random/streams.hpp). The first kInlineVisits agencies a track visits are counted here;
  /// more spill to spill_ (rare: a path through more than five agencies). `seen` has bit a % 32
  /// set once agency a was visited, so that a first visit (most of them) needs no search. One
  /// cache line.
  static constexpr std::size_t kInlineVisits = 5;
  struct alignas(64) TrackStreams {
    std::uint64_t key = 0;     // the person's key for their first track; a fork's own for others
    std::uint64_t visit = 0;   // the seed of the current visit (before the first arrival: the key)
    std::uint32_t seen = 0;    // bit a % 32: agency a may have been visited
    std::uint8_t counted = 0;  // entries of agency/visits in use
    bool spilled = false;      // agencies beyond the inline ones are counted in spill_[slot]
    std::array<AgencyId, kInlineVisits> agency{};
    std::array<std::uint32_t, kInlineVisits> visits{};
  };
  static_assert(sizeof(TrackStreams) == 64, "one cache line");
  /// A profile's patience (Profile::patience), for agencies without their own.
  struct ProfileState {
    bool has_patience = false;
    Sampler patience;  // drawn from the visit's stream, as an agency's own
  };
  /// Per person and deadline.
  struct DeadlineState {
    enum Status : std::uint8_t { not_applicable, waiting_start, running, done };
    Time start = 0;
    Status status = not_applicable;
  };
  struct Timer {
    std::uint32_t person;
    std::uint64_t serial;
    DeadlineId deadline;
  };

  /// The agency's capacity (AgencyState::capacity) from its parameters.
  void set_capacity(AgencyId a);
  /// The agency's routing shortcut (AgencyState::fixed_routes, thresholds) from its routes.
  void compile_routes(AgencyState& st);
  /// Schedules source s's next arrival at t + a gap at its current rate (none at rate 0).
  void schedule_arrival(Time t, SourceId s);
  /// Schedules `what` at time t (EventKind::scheduled).
  void schedule(Time t, std::uint8_t priority, Scheduled what);
  /// The calendar time when `work` days of service starting at t end at agency a (opening hours).
  Time service_end_time(AgencyId a, Time t, Time work) const;
  /// Index into deadlines_at_: 0 entered, then arrival per agency, decided and positive per state.
  std::size_t milestone_key(Milestone::Kind kind, std::uint32_t target) const {
    switch (kind) {
      case Milestone::Kind::entered: return 0;
      case Milestone::Kind::arrival: return 1 + target;
      case Milestone::Kind::decided: return 1 + agencies_.size() + (target - attr::kPresumed);
      case Milestone::Kind::positive: return 1 + agencies_.size() + kDecidable + (target - attr::kPresumed);
    }
    return 0;
  }
  /// The time the milestone (entered, decided:<state>, positive:<state>) was reached by the
  /// person in `person` slot; negative when not reached.
  Time milestone_time(std::uint32_t person, const Milestone& m) const;
  /// Draws a person's attributes from `profile` (fixed draws per person), entering at `entry`.
  void draw_attributes(Attributes& out, ProfileId profile, AgencyId entry, SplitMix64 rng);
  /// Track `slot` arrives at agency `a`: counts the visit and sets the visit's seed, from which
  /// every draw of the visit comes (service, routing, forks, decision, withdrawal,
  /// re-trafficking, patience, and the referral sent at its end).
  void begin_visit(std::uint32_t slot, AgencyId a) {
    TrackStreams& ts = streams_[slot];
    const std::uint32_t bit = std::uint32_t{1} << (a % 32);
    std::uint32_t k = 0;  // this visit's number: 0 for the first
    if (!(ts.seen & bit) && ts.counted < kInlineVisits) [[likely]] {
      ts.seen |= bit;
      ts.agency[ts.counted] = a;
      ts.visits[ts.counted++] = 1;
    } else {
      ts.seen |= bit;
      k = counted_visit(slot, a);
    }
    ts.visit = visit_seed(ts.key, agencies_[a].salt, k);
  }
  /// begin_visit's count when agency `a` may have been visited before, or the inline entries are
  /// all taken: this visit's number (0 for the first), counted.
  std::uint32_t counted_visit(std::uint32_t slot, AgencyId a);
  bool is_foreign(std::uint32_t nationality, AgencyId entry) const {
    return foreign_[static_cast<std::size_t>(nationality) * agencies_.size() + entry] != 0;
  }
  DeadlineState& deadline_state(std::uint32_t person, DeadlineId d) {
    return deadline_states_[static_cast<std::size_t>(person) * deadline_count_ + d];
  }
  /// A new track of `person`, with the key `key` for its draws (the person's for their first).
  std::uint32_t new_track(std::uint32_t person, std::uint64_t key);
  std::uint32_t new_person();

  /// With uncertain parameters, this replication's draw of the scenario; scenario_ refers to it.
  std::optional<Scenario> drawn_;
  const Scenario& scenario_;
  std::uint64_t seed_;
  std::uint32_t replication_;
  Parameters params_;
  /// The routing table, a copy of the graph's (all agencies, CSR by agency), changed by apply.
  std::vector<Route> routes_;
  std::vector<std::uint32_t> route_of_;  // per referral: its index in routes_
  std::vector<Change> changes_;          // scheduled changes, by slot (Scheduled::Type::change)
  std::vector<std::uint32_t> free_changes_;
  EventQueue calendar_;
  Time now_ = 0;
  std::uint64_t events_ = 0;
  /// A guard against loops that never advance the clock (zero-time services and referrals): every
  /// kProgressEvery events, check_progress() compares the clock with the previous check's and
  /// throws after stalled_limit_ checks in a row without a change (see set_stall_limit).
  static constexpr std::uint64_t kProgressEvery = std::uint64_t{1} << 20;
  Time progress_time_ = -1;
  std::uint64_t stalled_checks_ = 0, stalled_limit_ = 64;
  /// Events run_events may still process before it returns (request_stop sets it to 1); a member
  /// rather than a local so that a hook can end the loop without a test on every event.
  std::uint64_t budget_ = 0;
  bool stop_requested_ = false;
  void check_progress();
  /// Live tracks one person may have at once: more means a fork on a referral loop, whose
  /// tracks would multiply without end (and each new one walks the person's list of tracks).
  static constexpr std::uint32_t kMaxTracks = 1024;
  std::uint64_t next_serial_ = 0;
  std::size_t in_system_ = 0;
  bool entries_closed_ = false;  // the follow-up after the horizon: sources, batches, re-entries stop
  std::size_t deadline_count_ = 0;
  std::vector<AgencyState> agencies_;
  /// Scenario::default_attributes and Scenario::is_foreign (string comparisons), tabulated:
  /// per entry agency, and per nationality × entry agency.
  std::vector<Attributes> default_attributes_;
  std::vector<std::uint8_t> foreign_;
  std::vector<SourceState> sources_;
  std::vector<ProfileState> profiles_;
  std::vector<ReferralState> referrals_;
  std::vector<Case> cases_;                // track slots; a slot is reused after its track ends
  std::vector<std::uint32_t> next_track_;  // per slot: the person's next live track, in order of creation
  std::vector<std::uint32_t> generation_;  // per slot: bumped when the slot takes a new track
  std::vector<Time> gives_up_;             // per slot, while its track waits: when it drops out (patience), or -1
  std::vector<TrackStreams> streams_;      // per slot: the track's key and visits
  std::vector<std::vector<std::pair<AgencyId, std::uint32_t>>> spill_;  // per slot, if spilled: (agency, visits)
  std::vector<std::uint32_t> free_;                                     // free track slots
  std::vector<Person> persons_;                                         // person slots; reused after the person leaves
  std::vector<std::uint32_t> free_persons_;
  std::vector<DeadlineState> deadline_states_;         // persons_.size() × deadline_count_
  std::vector<std::vector<DeadlineId>> deadlines_at_;  // by milestone_key: deadlines starting or ending there
  std::vector<Timer> timers_;
  std::vector<std::uint32_t> free_timers_;
  std::vector<Scheduled> scheduled_;
  std::vector<std::uint32_t> free_scheduled_;
  std::vector<Reentry> reentries_;
  std::vector<std::uint32_t> free_reentries_;
  std::vector<Observer*> observers_;
};

/// Runs a replication: the event handlers, publishing to `Sink` (see the file comment) and then to
/// the Observers. Defined in sim/engine/engine_impl.hpp; Engine (NoSink) is instantiated in the
/// engine layer.
template <class Sink>
class BasicEngine final : public EngineState {
 public:
  using EngineState::EngineState;

  /// The sink that hears every hook before the observers (not owned; at most one).
  void set_sink(Sink& s) { sink_ = &s; }

  /// Processes every event with time <= t, then sets the clock to t, and returns true. Requires
  /// t >= now(). The first call publishes on_run_start. When an observer calls request_stop, it
  /// returns false after that event instead, the clock at the event's time (<= t).
  bool run_until(Time t);
  /// run_until(horizon), then publishes on_horizon: the observation window is closed and nobody
  /// enters any more. Then the follow-up: with `follow_up` > 0, the persons still in the
  /// mechanism are followed until the last has left, no event is left, or `follow_up` days after
  /// the horizon, whichever comes first (sources, batches and re-entries are stopped). Last,
  /// on_run_end at the time the run ended (>= horizon). Call it once, last.
  void end_run(Time horizon, Time follow_up = 0);

  /// Changes the running mechanism now (at now()), then tells the sink and the observers
  /// (Observer::on_parameter_changed). Throws std::invalid_argument, changing nothing, when the
  /// change is not valid for the current parameters (see Parameters::apply). What follows:
  /// - servers or beds cut: cases in service finish; no service starts while as many are busy;
  /// - servers or beds added, or a closed agency reopened: as many waiting cases start, in FIFO
  ///   order, as there are servers free;
  /// - closed: no service starts; arrivals queue (or meet the agency's when_full, as when full);
  /// - a source's rate: its next arrival is drawn anew from now (a Poisson process stays one);
  /// - a rule's probability or condition: from the next routing draw; a delay: from the next
  ///   referral sent along it (cases on their way arrive as planned);
  /// - a surge: its persons enter now at the agency (on_case_entered for each, then their
  ///   arrival), after the other fields took effect; refused once entries are closed (end_run).
  void apply(const Change& change);

 private:
  Sink* sink_ = nullptr;
  bool started_ = false;
  /// Calls hook(subscriber) for the sink, then for each observer in order.
  template <class Hook>
  void publish(Hook&& hook);
  /// Processes events with time <= t, at most `budget` of them (fewer after request_stop); true
  /// when the budget ran out. With kUntilEmpty (the follow-up), also stops once nobody is left.
  template <bool kUntilEmpty = false>
  bool run_events(Time t, std::uint64_t budget);
  void dispatch(const Event& e);
  void on_scheduled(Time t, std::uint32_t slot);
  void on_batch(Time t, SourceId s);
  void on_reentry(Time t, std::uint32_t slot);
  /// A new person with key `key` entering at agency `a` (from source `s`, or kNoSource): observers, the `entered`
  /// milestone, arrival. Their attributes must be set by `init(Person&)` first.
  template <class Init>
  void enter(Time t, SourceId s, AgencyId a, std::uint64_t key, Init init);
  /// The track joins agency a's service: served now if a server is free, else the `when_full` policy.
  void join(Time t, AgencyId a, std::uint32_t slot);
  void on_source(Time t, SourceId s);
  void arrive(Time t, AgencyId a, std::uint32_t slot);
  void start_service(Time t, AgencyId a, std::uint32_t slot);
  void end_service(Time t, AgencyId a, std::uint32_t slot);
  /// The agency's decision, withdrawal and re-trafficking at the end of service of track `slot`;
  /// true when the track ended there (withdrawal).
  bool end_of_service_rules(Time t, AgencyId a, std::uint32_t slot);
  /// A server of agency a is free: the longest-waiting case, if any, starts service.
  void next_from_queue(Time t, AgencyId a);
  /// Sends track `slot` along referral `r`: consent gate, loss, then the transfer or arrival.
  void send(Time t, ReferralId r, std::uint32_t slot);
  /// Ends a track; the person leaves when it was their last.
  void end_track(Time t, std::uint32_t slot);
  /// Track `slot`'s person reached a milestone: deadlines aimed at it are met, deadlines starting
  /// from it start (when their `when` holds for the person now). Most milestones (arrivals at
  /// agencies no deadline names) concern no deadline: that is checked here, inline.
  void milestone(Time t, std::uint32_t slot, Milestone::Kind kind, std::uint32_t target) {
    if (kind != Milestone::Kind::entered && deadlines_at_[milestone_key(kind, target)].empty()) return;
    reach_milestone(t, slot, kind, target);
  }
  void reach_milestone(Time t, std::uint32_t slot, Milestone::Kind kind, std::uint32_t target);
  void on_deadline_due(Time t, std::uint32_t timer);
  void on_patience_end(Time t, std::uint32_t slot);
  void on_initial_cases(Time t, AgencyId a);
  /// A surge's persons enter at agency a now (apply).
  void surge(Time t, AgencyId a, const Change::Surge& sg, const std::string& origin);
};

/// The engine with no sink, for live views and tests: observers only.
using Engine = BasicEngine<NoSink>;
extern template class BasicEngine<NoSink>;

}  // namespace refsim
