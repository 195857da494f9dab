// refsim-viz — see the referral mechanism work: cases flowing, queues growing, where it jams.
//
// Exit codes: 0 success; 2 bad input (scenario file or command line), with the same located
// messages as `refsim run`; 1 any other failure (no display, font missing, image not written).
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>

#include <CLI/CLI.hpp>

#include "sim/cli/man_page.hpp"
#include "sim/graph/referral_graph.hpp"
#include "sim/random/streams.hpp"
#include "sim/scenario/exercise_loader.hpp"
#include "sim/scenario/loader.hpp"
#include "viz/app.hpp"
#include "viz/exercise_session.hpp"

namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitFailure = 1;
constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr unsigned kMinWidth = 640;   // smallest window or image, px
constexpr unsigned kMinHeight = 400;  // px
constexpr unsigned kMaxSide = 8192;   // largest window or image side, px

/// "1280x800" → {1280, 800}; throws std::invalid_argument.
std::pair<unsigned, unsigned> parse_size(const std::string& text) {
  static const std::regex re(R"((\d{2,5})[xX](\d{2,5}))");
  std::smatch m;
  if (!std::regex_match(text, m, re)) {
    throw std::invalid_argument("expected WIDTHxHEIGHT in pixels such as 1280x800, got \"" + text + "\"");
  }
  const unsigned w = static_cast<unsigned>(std::stoul(m[1])), h = static_cast<unsigned>(std::stoul(m[2]));
  if (w < kMinWidth || h < kMinHeight || w > kMaxSide || h > kMaxSide) {
    throw std::invalid_argument("size must be between 640x400 and 8192x8192, got \"" + text + "\"");
  }
  return {w, h};
}

/// "max", "real" or a duration of simulated time per real second ("1d", "6h").
double parse_speed(const std::string& text) {
  if (text == "max") return refsim::viz::kMaxSpeed;
  if (text == "real" || text == "realtime" || text == "real-time") return refsim::viz::kRealTime;
  const double v = refsim::parse_duration(text);
  if (!(v > 0)) throw std::invalid_argument("speed must be positive, got \"" + text + "\"");
  return v;
}

/// The agency with id `id`, or nullopt with a message on stderr listing the known ones.
std::optional<refsim::AgencyId> find_agency(const refsim::Scenario& s, const std::string& id, const char* option) {
  for (refsim::AgencyId a = 0; a < s.agencies.size(); ++a)
    if (s.agencies[a].id == id) return a;
  std::string known;
  for (const refsim::Agency& a : s.agencies) known += (known.empty() ? "" : ", ") + a.id;
  std::cerr << "refsim-viz: " << option << ": unknown agency '" << id << "'; known: " << known << "\n";
  return std::nullopt;
}

/// The default exercise log: "<exercise stem>-<UTC date and time>.log" in the working directory.
std::string default_log(const std::string& exercise_file) {
  std::string stamp = refsim::utc_now();  // 2027-03-09T09:00:00Z
  std::erase(stamp, '-');
  std::erase(stamp, ':');
  return std::filesystem::path(exercise_file).stem().string() + "-" + stamp + ".log";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "refsim-viz — watch a referral mechanism work: agencies as nodes coloured by utilization, queues and beds "
      "at each node, referral flows and cases in transfer, a ranked list of bottlenecks and live indicators.\n"
      "Interactive by default; with --screenshot it renders the state at --at to a PNG and exits.",
      "refsim-viz"};
  app.set_version_flag("--version", std::string("refsim-viz ") + REFSIM_VERSION);

  refsim::viz::Options opt;
  std::string at = "0d", size = "1280x800", speed = "1d";
  std::string seed;  // empty: the scenario's run.seed
  std::string font = kDefaultFont;
  app.add_option("scenario", opt.scenario, "Scenario file (TOML); not with --exercise");
  std::string exercise_file, log_file, player;
  app.add_option("--exercise", exercise_file,
                 "Play a tabletop exercise (its scenario, MSEL and decisions): the facilitator's view, pausing at "
                 "each inject (docs/viz.md, Exercise mode)")
      ->type_name("FILE");
  app.add_option("--log", log_file,
                 "Exercise mode: the exercise log to write, which must not exist (default: "
                 "<exercise>-<UTC time>.log here; none with --screenshot)")
      ->type_name("LOG");
  app.add_option("--player", player,
                 "Exercise mode: also open the player view of this agency (by id) in a second window; with "
                 "--screenshot FILE, it goes to FILE-player.png")
      ->type_name("AGENCY");
  app.add_option("--screenshot", opt.screenshot, "Render to this PNG file and exit (no window)")->type_name("FILE");
  app.add_option("--at", at,
                 "Simulated time to run to first, e.g. 120d, 6w, 1y (default: 0d); in exercise mode also 'inject' "
                 "(until the first inject fires) or 'inject:ID'")
      ->type_name("DURATION");
  app.add_option("--seed", seed, "Random seed of the replication, 0 to 2^64 - 1 (default: the scenario's run.seed)")
      ->type_name("N");
  app.add_option("--size", size, "Window or image size in pixels (default: 1280x800)")->type_name("WxH");
  app.add_option("--speed", speed,
                 "Initial speed: simulated time per real second (e.g. 6h, 1d, 1w), 'real' or 'max' (default: 1d)")
      ->type_name("DURATION");
  app.add_flag("--paused", opt.paused, "Start paused (interactive)");
  app.add_option("--dump-layout", opt.dump_layout,
                 "Write each agency's disc centre and radius, in pixels of the first frame, as CSV")
      ->type_name("FILE");
  std::string inspect;
  app.add_option("--inspect", inspect, "Open the inspector of this agency (by id), e.g. for a --screenshot")
      ->type_name("AGENCY");
  app.add_option("--font", font, std::string("TrueType font for all text (default: ") + kDefaultFont + ")")
      ->type_name("FILE");
  app.add_option("--antialias", opt.antialiasing,
                 "Multisampling level: 0 (off), 2, 4 or 8 (default: 4, or 0 above 100 agencies: faster on software "
                 "OpenGL)")
      ->check(CLI::IsMember({0u, 2u, 4u, 8u}))
      ->type_name("N");
  app.add_option("--frames", opt.frames, "Interactive: quit after N frames and print frame timings (for benchmarks)")
      ->type_name("N");
  // Hidden: the man page, generated from the declarations above (the build writes refsim-viz.1).
  refsim::add_man_page_flag(app, [] {
    refsim::ManPageInfo info;
    info.name = "refsim-viz";
    info.summary = "watch a referral mechanism work, or play a tabletop exercise on it";
    info.synopsis =
        "\\fBrefsim\\-viz\\fR [\\fIOPTIONS\\fR] \\fISCENARIO.toml\\fR\n.br\n"
        "\\fBrefsim\\-viz\\fR \\fB\\-\\-exercise\\fR \\fIFILE\\fR [\\fIOPTIONS\\fR]";
    info.sections = {
        {"EXIT STATUS",
         ".TP\n0\nSuccess.\n.TP\n1\nNo display, font missing, or image not written.\n"
         ".TP\n2\nBad input (scenario file or command line), with \\fIfile:line:column\\fR."},
        {"SEE ALSO",
         "\\fBrefsim\\fR(1); the keys and the views are described in \\fIviz.md\\fR in "
         "the documentation (\\fIshare/doc/refsim\\fR under the installation prefix)."},
    };
    return info;
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }

  const bool exercise_mode = !exercise_file.empty();
  if (exercise_mode == !opt.scenario.empty()) {
    std::cerr << "refsim-viz: give a scenario file, or --exercise FILE (not both)\n";
    return kExitBadInput;
  }
  if (!exercise_mode && (!log_file.empty() || !player.empty())) {
    std::cerr << "refsim-viz: " << (log_file.empty() ? "--player" : "--log") << " needs --exercise FILE\n";
    return kExitBadInput;
  }
  if (exercise_mode && !seed.empty()) {
    std::cerr << "refsim-viz: --seed: an exercise runs on its own seed (the exercise file's [exercise] seed), so "
                 "that its log replays\n";
    return kExitBadInput;
  }
  if (exercise_mode && (at == "inject" || at.starts_with("inject:"))) {
    opt.at_inject = at == "inject" ? std::string() : at.substr(7);
    at = "0d";
  }
  if (exercise_mode && opt.screenshot.empty() && log_file.empty()) log_file = default_log(exercise_file);
  if (!log_file.empty()) {
    if (std::error_code ec; std::filesystem::exists(log_file, ec)) {
      std::cerr << "refsim-viz: --log " << log_file
                << ": exists already; an exercise log is never overwritten: give another name\n";
      return kExitBadInput;
    }
  }

  std::uint64_t given_seed = 0;
  try {
    if (!seed.empty()) given_seed = refsim::parse_seed(seed);
  } catch (const std::invalid_argument& e) {
    std::cerr << "refsim-viz: --seed " << e.what() << "\n";
    return kExitBadInput;
  }
  try {
    opt.at = refsim::parse_duration(at);
    if (opt.at < 0) throw std::invalid_argument("must not be negative, got \"" + at + "\"");
  } catch (const std::invalid_argument& e) {
    std::cerr << "refsim-viz: --at: " << e.what() << "\n";
    return kExitBadInput;
  }
  try {
    std::tie(opt.width, opt.height) = parse_size(size);
  } catch (const std::invalid_argument& e) {
    std::cerr << "refsim-viz: --size: " << e.what() << "\n";
    return kExitBadInput;
  }
  try {
    opt.speed = parse_speed(speed);
  } catch (const std::invalid_argument& e) {
    std::cerr << "refsim-viz: --speed: " << e.what() << "\n";
    return kExitBadInput;
  }

  try {
    // An exercise brings its scenario (horizon set to the exercise's) and its seed.
    std::optional<refsim::LoadedExercise> lx;
    std::unique_ptr<refsim::Scenario> loaded;
    if (exercise_mode) {
      lx = refsim::load_exercise(exercise_file);
      opt.scenario = lx->exercise.scenario_file;
    } else {
      loaded = std::make_unique<refsim::Scenario>(refsim::load_scenario(opt.scenario));
    }
    const refsim::Scenario& scenario = exercise_mode ? *lx->scenario : *loaded;
    const refsim::ReferralGraph graph(scenario);
    opt.seed = exercise_mode ? lx->exercise.seed : seed.empty() ? scenario.run.seed : given_seed;
    if (!inspect.empty()) {
      opt.inspect = find_agency(scenario, inspect, "--inspect");
      if (!opt.inspect) return kExitBadInput;
    }
    if (!player.empty()) {
      opt.player = find_agency(scenario, player, "--player");
      if (!opt.player) return kExitBadInput;
    }
    if (opt.at_inject && !opt.at_inject->empty() && !lx->exercise.find_inject(*opt.at_inject)) {
      std::string known;
      for (const refsim::Inject& in : lx->exercise.injects) known += (known.empty() ? "" : ", ") + in.id;
      std::cerr << "refsim-viz: --at: unknown inject '" << *opt.at_inject << "'; known: " << known << "\n";
      return kExitBadInput;
    }

    if (!std::getenv("DISPLAY")) {
      std::cerr << "refsim-viz: error: no display (DISPLAY is not set). Run it in a desktop session, or headless "
                   "as: xvfb-run -a refsim-viz SCENARIO --screenshot out.png --at 120d\n";
      return kExitFailure;
    }
    refsim::viz::Fonts fonts;
    if (!std::filesystem::is_regular_file(font) || !fonts.regular.loadFromFile(font)) {
      std::cerr << "refsim-viz: error: cannot load font " << font
                << " (install fonts-dejavu-core, or pass --font FILE.ttf)\n";
      return kExitFailure;
    }
    // The bold face sits next to the regular one in DejaVu; fall back to regular elsewhere.
    const std::filesystem::path bold = std::filesystem::path(font).replace_filename(
        std::filesystem::path(font).stem().string() + "-Bold" + std::filesystem::path(font).extension().string());
    if (!std::filesystem::is_regular_file(bold) || !fonts.bold.loadFromFile(bold.string())) fonts.bold = fonts.regular;

    // A screenshot's exercise clock stands still at 0:00:00, so that its image is reproducible.
    std::unique_ptr<refsim::viz::ExerciseSession> session;
    if (exercise_mode) {
      std::function<double()> wall;
      if (!opt.screenshot.empty()) wall = [] { return 0.0; };
      session = std::make_unique<refsim::viz::ExerciseSession>(lx->exercise, scenario, exercise_file, log_file, wall);
      if (!log_file.empty() && opt.screenshot.empty()) std::cerr << "refsim-viz: exercise log: " << log_file << "\n";
    }
    refsim::viz::App viz(scenario, graph, fonts, opt, session.get());
    if (!opt.dump_layout.empty()) viz.write_layout(opt.dump_layout);
    return opt.screenshot.empty() ? viz.interactive() : viz.screenshot();
  } catch (const refsim::ScenarioError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "refsim-viz: error: " << e.what() << "\n";
    return kExitFailure;
  }
}
