#include "viz/app.hpp"

#include <SFML/Graphics/RenderTexture.hpp>
#include <SFML/Graphics/RenderWindow.hpp>
#include <SFML/Graphics/Texture.hpp>
#include <SFML/System/Clock.hpp>
#include <SFML/Window/Event.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "viz/facilitator.hpp"

namespace refsim::viz {

namespace {

constexpr unsigned kFrameRate = 60;                        // frames per real second (the window's limit)
constexpr double kFrame = 1.0 / kFrameRate;                // fixed simulation step, real seconds
constexpr int kMaxCatchUp = 4;                             // most fixed steps taken in one frame, to catch up
constexpr double kMaxSpeedBudget = 0.010;                  // real seconds of engine work per frame at max speed
constexpr double kChunkGrowBelow = kMaxSpeedBudget / 8;    // a chunk faster than this, real s: double it
constexpr double kChunkShrinkAbove = kMaxSpeedBudget / 2;  // a chunk slower than this, real s: halve it
constexpr double kMaxChunk = 365.0;                        // largest engine chunk at max speed, simulated days
constexpr double kMinChunk = 1.0 / kHoursPerDay;           // smallest, simulated days (an hour)
constexpr double kStepSmall = 1.0 / kHoursPerDay;          // N (or .): one step, simulated days (an hour)
constexpr double kStepLarge = 1.0;                         // Shift+N: one step, simulated days
constexpr float kPanStep = 60;                             // arrow keys: pan per press, px
constexpr float kWheelZoom = 1.15f;                        // zoom factor per mouse-wheel notch
constexpr float kClickSlop = 4;                            // a press that moves less than this is a click, px
constexpr float kFpsEvery = 0.5f;                          // the frame rate shown is updated this often, real s
constexpr unsigned kMaxOptionKeys = 9;                     // decision options 1 … 9 have keys

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

double faster(double speed) {
  if (speed == kMaxSpeed) return kMaxSpeed;
  for (double s : kSpeeds)
    if (s > speed * (1 + 1e-9)) return s;
  return kMaxSpeed;
}
double slower(double speed) {
  if (speed == kMaxSpeed) return std::end(kSpeeds)[-1];
  double best = kSpeeds[0];
  for (double s : kSpeeds)
    if (s < speed * (1 - 1e-9)) best = s;
  return best;
}

}  // namespace

std::string player_screenshot_path(const std::string& screenshot) {
  const std::filesystem::path p(screenshot);
  return (p.parent_path() / (p.stem().string() + "-player" + p.extension().string())).string();
}

App::App(const Scenario& scenario, const ReferralGraph& graph, const Fonts& fonts, const Options& options,
         ExerciseSession* exercise)
    : fonts_(fonts),
      options_(options),
      sim_(scenario, graph, options.seed),
      scene_(scenario, graph, fonts.regular,
             [&] {
               const sf::FloatRect g = exercise ? ExerciseLayout::for_size(options.width, options.height).screen.graph
                                                : ScreenLayout::for_size(options.width, options.height).graph;
               return sf::Vector2f{g.width, g.height};
             }()),
      exercise_(exercise) {
  set_screen(options.width, options.height);
  ui_.camera.fit(scene_.layout().bounds, ui_.screen.graph);
  ui_.speed = options.speed;
  ui_.paused = options.paused;
  ui_.scenario_file = options.scenario;
  ui_.selected = options.inspect;
  if (exercise_) {
    start_exercise();
  } else {
    sim_.advance_to(options.at);
  }
}

void App::set_screen(unsigned width, unsigned height) {
  if (exercise_) {
    const ExerciseLayout l = ExerciseLayout::for_size(width, height);
    ui_.screen = l.screen;
    column_ = l.column;
  } else {
    ui_.screen = ScreenLayout::for_size(width, height);
  }
}

void App::mark(const std::string& what) {
  if (exercise_) exercise_->director().mark(what);
}

void App::start_exercise() {
  ui_.paused = true;  // an exercise starts paused: Space starts the story
  ui_.exercise = true;
  sim_.direct(exercise_->director());
  const Exercise& x = exercise_->exercise();
  const Time horizon = sim_.scenario().run.horizon;
  if (options_.at_inject) {
    // Until the inject fires (the first one: ""), taking the default of decisions before it.
    const std::string& id = *options_.at_inject;
    const auto wanted = [&] {
      const Director& d = exercise_->director();
      if (id.empty()) return !d.fired().empty();
      const auto i = x.find_inject(id);
      return i && d.has_fired(*i);
    };
    while (!wanted() && sim_.now() < horizon) {
      if (const auto p = exercise_->pending_inject()) {
        sim_.decide(x.injects[*p].default_option, "default");
        continue;
      }
      advance_exercise(horizon);
    }
  } else {
    // To `at`, past injects without a decision; a decision point met on the way stops it.
    const Time to = std::min(options_.at, horizon);
    while (sim_.now() < to && !exercise_->pending_inject()) advance_exercise(to);
  }
  notice_injects();
  if (sim_.now() >= horizon) {
    xui_.over = true;
  }
}

void App::advance_exercise(Time t) {
  // The director holds the run at the instant an inject fires (timed or triggered) and while a
  // decision waits; advance_to lets it go on from there.
  const Director& d = exercise_->director();
  const std::size_t fired = d.fired().size();
  while (sim_.now() < t && d.fired().size() == fired && !d.pending()) {
    if (!sim_.advance_to(t) && d.fired().size() == fired && !d.pending()) break;  // held: nothing new
  }
}

void App::notice_injects() {
  const Director& d = exercise_->director();
  if (d.fired().size() == fired_seen_) return;
  fired_seen_ = d.fired().size();
  xui_.card = fired_seen_ - 1;
  const Inject& in = exercise_->exercise().injects[d.fired()[*xui_.card].inject];
  if (xui_.run_to_inject) {
    xui_.run_to_inject = false;
    ui_.speed = speed_before_jump_;
  }
  if (!ui_.paused) {
    ui_.paused = true;
    mark("pause (inject " + in.id + ")");
  }
  ui_.banner =
      "Inject '" + in.id + "': " +
      (in.is_decision() ? "decide with 1–" + std::to_string(std::min<std::size_t>(in.options.size(), kMaxOptionKeys))
                        : std::string("Space resumes"));
}

void App::check_timeout() {
  if (!exercise_ || !exercise_->timed_out()) return;
  const Inject& in = exercise_->exercise().injects[*exercise_->pending_inject()];
  const std::size_t option = exercise_->default_option();
  sim_.decide(option, "timeout");
  xui_.message = "Time allowed ran out: the default '" + in.options[option].id + "' was taken";
  ui_.banner = "Inject '" + in.id + "': default taken — Space resumes";
}

bool App::note_key(sf::Keyboard::Key key) {
  if (!xui_.typing) return false;
  // SFML sends KeyPressed before the key's TextEntered: Enter, Esc and Backspace are handled here,
  // and their control characters ignored there.
  if (key == sf::Keyboard::Enter) {
    if (!xui_.note.empty()) commands_.push(cmd::Note{xui_.note});
    xui_.note.clear();
    xui_.typing = false;
  } else if (key == sf::Keyboard::Escape) {
    xui_.note.clear();
    xui_.typing = false;
    xui_.message = "Note cancelled";
  } else if (key == sf::Keyboard::BackSpace) {
    // Drop the last UTF-8 character (its continuation bytes are 10xxxxxx).
    while (!xui_.note.empty() && (static_cast<unsigned char>(xui_.note.back()) & 0xC0) == 0x80) xui_.note.pop_back();
    if (!xui_.note.empty()) xui_.note.pop_back();
  }
  return true;
}

bool App::type_note(std::uint32_t unicode) {
  if (!xui_.typing) return false;
  constexpr std::uint32_t kSpace = 32, kDelete = 127;
  if (unicode >= kSpace && unicode != kDelete) {
    const sf::String one(static_cast<sf::Uint32>(unicode));
    const auto bytes = one.toUtf8();
    xui_.note.append(bytes.begin(), bytes.end());
  }
  return true;
}

void App::draw(sf::RenderTarget& target) const {
  const Snapshot snap = take_snapshot(sim_);
  draw_frame(target, scene_, snap, ui_, fonts_);
  if (exercise_) draw_facilitator(target, fonts_, column_, *exercise_, sim_, xui_, ui_);
}

void App::write_layout(const std::string& path) const {
  std::ofstream out(path);
  out << "id,x,y,radius\n";
  const Scenario& s = scene_.scenario();
  for (AgencyId a = 0; a < s.agencies.size(); ++a) {
    const sf::Vector2f c = ui_.camera.to_screen(scene_.centre(a));
    out << s.agencies[a].id << ',' << c.x << ',' << c.y << ',' << drawn_radius(scene_.node(a), ui_.camera.zoom())
        << '\n';
  }
  if (!out) throw std::runtime_error(path + ": cannot write layout file");
}

unsigned App::antialiasing() const {
  return options_.antialiasing.value_or(default_antialiasing(sim_.scenario().agencies.size()));
}

int App::screenshot() {
  sf::ContextSettings settings;
  settings.antialiasingLevel = antialiasing();
  sf::RenderTexture target;
  if (!target.create(options_.width, options_.height, settings)) {
    std::cerr << "refsim-viz: error: cannot create a " << options_.width << "x" << options_.height
              << " OpenGL render target (is a display available? try xvfb-run)\n";
    return 1;
  }
  ui_.interactive = false;
  draw(target);
  target.display();
  const sf::Image image = target.getTexture().copyToImage();
  if (!image.saveToFile(options_.screenshot)) {
    std::cerr << "refsim-viz: error: " << options_.screenshot << ": cannot write the image\n";
    return 1;
  }
  if (exercise_ && options_.player) {
    const std::string path = player_screenshot_path(options_.screenshot);
    draw_player(target, fonts_, *exercise_, sim_, *options_.player, false);
    target.display();
    if (!target.getTexture().copyToImage().saveToFile(path)) {
      std::cerr << "refsim-viz: error: " << path << ": cannot write the image\n";
      return 1;
    }
  }
  if (exercise_) exercise_->finish(sim_.now());
  return 0;
}

void App::advance_capped(Time t) {
  // Stop once at the scenario's horizon, so a class does not run past the period it studies.
  const Time horizon = sim_.scenario().run.horizon;
  if (exercise_) {
    // An exercise ends at its horizon: the end record closes the log, nothing runs after it.
    if (xui_.over) return;
    advance_exercise(std::min(t, horizon));
    notice_injects();
    if (sim_.now() >= horizon) {
      xui_.over = true;
      ui_.paused = true;
      exercise_->finish(sim_.now());
      ui_.banner = "Exercise over: horizon reached (day " + std::to_string(static_cast<long>(horizon)) +
                   "); the log is complete. Q quits";
    }
    return;
  }
  if (!horizon_noted_ && sim_.now() < horizon && t >= horizon) {
    sim_.advance_to(horizon);
    horizon_noted_ = true;
    ui_.paused = true;
    ui_.banner = "Horizon reached (day " + std::to_string(static_cast<long>(horizon)) +
                 "): Space continues, R restarts with a new seed";
    return;
  }
  sim_.advance_to(t);
}

void App::step_simulation(double real_seconds) {
  if (ui_.paused) return;
  if (ui_.speed != kMaxSpeed) {
    advance_capped(sim_.now() + ui_.speed * real_seconds);
    return;
  }
  // As fast as possible: engine work in adaptive chunks until this frame's budget is spent.
  sf::Clock budget;
  while (!ui_.paused && budget.getElapsedTime().asSeconds() < kMaxSpeedBudget) {
    sf::Clock chunk;
    advance_capped(sim_.now() + max_chunk_);
    const double spent = chunk.getElapsedTime().asSeconds();
    if (spent < kChunkGrowBelow) max_chunk_ = std::min(max_chunk_ * 2, kMaxChunk);
    if (spent > kChunkShrinkAbove) max_chunk_ = std::max(max_chunk_ / 2, kMinChunk);
  }
}

void App::apply(const Command& command) {
  // The facilitator's changes act on the agency selected now, through facilitate() alone; a
  // refused change leaves its reason in the panel (and changes nothing).
  const auto facilitator = [&](auto c) {
    if (exercise_ && xui_.over) {
      ui_.change_error = "the exercise is over (its log is complete): no more changes";
      return;
    }
    if (!c.agency) c.agency = ui_.selected;
    if (!c.agency) {
      ui_.change_error =
          "no agency selected: click one first, then A / D add or remove staff or a bed, C closes or reopens it";
      return;
    }
    ui_.change_error = facilitate(sim_, c).value_or("");
  };
  std::visit(Overloaded{
                 [&](const cmd::TogglePause&) {
                   if (exercise_ && ui_.paused) {
                     if (xui_.over) return;
                     if (const auto p = exercise_->pending_inject()) {
                       ui_.banner = "Inject '" + exercise_->exercise().injects[*p].id +
                                    "' waits for a decision: press its number (the default is taken when the "
                                    "time allowed runs out)";
                       return;
                     }
                   }
                   if (xui_.run_to_inject) {
                     xui_.run_to_inject = false;
                     ui_.speed = speed_before_jump_;
                   }
                   ui_.paused = !ui_.paused;
                   if (!ui_.paused) ui_.banner.clear();
                   mark(ui_.paused ? "pause" : "resume");
                 },
                 [&](const cmd::Step& s) {
                   if (exercise_ && exercise_->pending_inject()) {
                     ui_.banner = "A decision is waiting: press its number first";
                     return;
                   }
                   if (!ui_.paused) mark("pause");
                   ui_.paused = true;
                   mark("step " + format_duration(s.days));
                   advance_capped(sim_.now() + s.days);
                 },
                 [&](const cmd::Faster&) {
                   ui_.speed = faster(ui_.speed);
                   mark("speed " + speed_label(ui_.speed));
                 },
                 [&](const cmd::Slower&) {
                   ui_.speed = slower(ui_.speed);
                   mark("speed " + speed_label(ui_.speed));
                 },
                 [&](const cmd::Restart&) {
                   if (exercise_) {
                     ui_.banner = "R (restart) is off in an exercise: its log must replay the one run played";
                     return;
                   }
                   sim_.restart(sim_.seed() + 1);
                   horizon_noted_ = false;
                   ui_.change_error.clear();
                   ui_.banner = "Restarted with seed " + std::to_string(sim_.seed());
                 },
                 [&](const cmd::Zoom& z) {
                   ui_.camera.zoom_at(z.factor, {z.x, z.y});
                 },
                 [&](const cmd::Pan& p) {
                   ui_.camera.pan({p.dx, p.dy});
                 },
                 [&](const cmd::Select& s) { ui_.selected = s.agency; },
                 [&](const cmd::SelectAt& s) {
                   ui_.selected = agency_at(scene_, ui_.camera, {s.x, s.y});
                 },
                 [&](const cmd::FitView&) { ui_.camera.fit(scene_.layout().bounds, ui_.screen.graph); },
                 [&](const cmd::SaveScreenshot&) { save_requested_ = true; },
                 [&](const cmd::Resize& r) {
                   set_screen(r.width, r.height);
                   ui_.camera.set_viewport(ui_.screen.graph);
                 },
                 [&](const cmd::Quit&) { quit_ = true; },
                 [&](const cmd::ChangeCapacity& c) { facilitator(c); },
                 [&](const cmd::ToggleOpen& c) { facilitator(c); },
                 [&](const cmd::HoverAt& h) {
                   ui_.pointer = {h.x, h.y};
                   ui_.hovered = h.inside && ui_.screen.graph.contains(ui_.pointer)
                                     ? agency_at(scene_, ui_.camera, ui_.pointer)
                                     : std::nullopt;
                 },
                 [&](const cmd::Decide& d) {
                   if (!exercise_) return;
                   const auto p = exercise_->pending_inject();
                   if (!p) {
                     xui_.message = "No decision is waiting";
                     return;
                   }
                   const Inject& in = exercise_->exercise().injects[*p];
                   if (d.option >= in.options.size()) {
                     xui_.message = "Inject '" + in.id + "' has options 1–" + std::to_string(in.options.size());
                     return;
                   }
                   sim_.decide(d.option, "facilitator");
                   xui_.message = "Decided: " + in.options[d.option].id;
                   ui_.banner = "Inject '" + in.id + "': decided — Space resumes";
                 },
                 [&](const cmd::RunToInject&) {
                   if (!exercise_ || xui_.over) return;
                   if (exercise_->pending_inject()) {
                     ui_.banner = "A decision is waiting: press its number first";
                     return;
                   }
                   if (xui_.run_to_inject) return;
                   speed_before_jump_ = ui_.speed;
                   ui_.speed = kMaxSpeed;
                   xui_.run_to_inject = true;
                   ui_.paused = false;
                   ui_.banner = "Running to the next inject…";
                   mark("run to next inject");
                 },
                 [&](const cmd::Note& n) {
                   if (!exercise_) return;
                   std::string objective;
                   if (xui_.card) {
                     const Inject& in = exercise_->exercise().injects[exercise_->director().fired()[*xui_.card].inject];
                     objective = in.objective.value_or("");
                   }
                   exercise_->director().note("facilitator", n.text, objective, "");
                   xui_.message = "Note logged at " + sim_clock(sim_.now());
                 },
             },
             command);
}

int App::interactive() {
  sf::ContextSettings settings;
  settings.antialiasingLevel = antialiasing();
  sf::RenderWindow window(
      sf::VideoMode(options_.width, options_.height),
      sf::String::fromUtf8(sim_.scenario().name.begin(), sim_.scenario().name.end()) + " — refsim-viz",
      sf::Style::Default, settings);
  window.setFramerateLimit(kFrameRate);
  ui_.interactive = true;
  // The player view: a second window in this process, drawn after the facilitator's each frame.
  std::unique_ptr<sf::RenderWindow> player;
  if (exercise_ && options_.player) {
    const std::string& name = sim_.scenario().agencies[*options_.player].name;
    player = std::make_unique<sf::RenderWindow>(sf::VideoMode(options_.width, options_.height),
                                                sf::String::fromUtf8(name.begin(), name.end()) + " — player view",
                                                sf::Style::Default, settings);
  }

  bool dragging = false;
  float drag_distance = 0;
  sf::Vector2f last_mouse;
  sf::Clock clock, fps_clock;
  double accumulator = 0;
  unsigned frames = 0, fps_frames = 0;
  double work_seconds = 0, total_seconds = 0, worst_work = 0;

  while (window.isOpen() && !quit_) {
    // 1. Input → commands.
    sf::Event ev;
    while (window.pollEvent(ev)) {
      switch (ev.type) {
        case sf::Event::Closed: commands_.push(cmd::Quit{}); break;
        case sf::Event::Resized: {
          window.setView(
              sf::View(sf::FloatRect(0, 0, static_cast<float>(ev.size.width), static_cast<float>(ev.size.height))));
          commands_.push(cmd::Resize{ev.size.width, ev.size.height});
          break;
        }
        case sf::Event::TextEntered:
          if (type_note(ev.text.unicode)) break;
          if (exercise_) {
            const std::uint32_t u = ev.text.unicode;
            if (u >= '1' && u <= '9') {
              commands_.push(cmd::Decide{u - '1'});
              break;
            }
            if (u == 'j' || u == 'J') {
              commands_.push(cmd::RunToInject{});
              break;
            }
            if (u == 't' || u == 'T') {
              xui_.typing = true;
              xui_.note.clear();
              xui_.message.clear();
              break;
            }
          }
          switch (ev.text.unicode) {
            case ' ': commands_.push(cmd::TogglePause{}); break;
            case 'n':
            case '.': commands_.push(cmd::Step{kStepSmall}); break;
            case 'N': commands_.push(cmd::Step{kStepLarge}); break;
            case '+':
            case '=':
            case ']': commands_.push(cmd::Faster{}); break;
            case '-':
            case '[': commands_.push(cmd::Slower{}); break;
            case 'r':
            case 'R': commands_.push(cmd::Restart{}); break;
            case 'f':
            case 'F':
            case '0': commands_.push(cmd::FitView{}); break;
            case 'p':
            case 'P': commands_.push(cmd::SaveScreenshot{}); break;
            case 'q':
            case 'Q': commands_.push(cmd::Quit{}); break;
            // The facilitator, on the selected agency: one staff member or bed more / less, close or reopen.
            case 'a': commands_.push(cmd::ChangeCapacity{+1, std::nullopt}); break;
            case 'A':
            case 'd':
            case 'D': commands_.push(cmd::ChangeCapacity{-1, std::nullopt}); break;
            case 'c':
            case 'C': commands_.push(cmd::ToggleOpen{std::nullopt}); break;
            default: break;
          }
          break;
        case sf::Event::KeyPressed:
          if (note_key(ev.key.code)) break;  // the notes field has the keyboard
          switch (ev.key.code) {
            case sf::Keyboard::Escape: commands_.push(cmd::Select{std::nullopt}); break;
            case sf::Keyboard::Left: commands_.push(cmd::Pan{kPanStep, 0}); break;
            case sf::Keyboard::Right: commands_.push(cmd::Pan{-kPanStep, 0}); break;
            case sf::Keyboard::Up: commands_.push(cmd::Pan{0, kPanStep}); break;
            case sf::Keyboard::Down: commands_.push(cmd::Pan{0, -kPanStep}); break;
            case sf::Keyboard::Home: commands_.push(cmd::FitView{}); break;
            default: break;
          }
          break;
        case sf::Event::MouseWheelScrolled:
          commands_.push(cmd::Zoom{std::pow(kWheelZoom, ev.mouseWheelScroll.delta),
                                   static_cast<float>(ev.mouseWheelScroll.x),
                                   static_cast<float>(ev.mouseWheelScroll.y)});
          break;
        case sf::Event::MouseButtonPressed:
          if (ev.mouseButton.button == sf::Mouse::Left &&
              ui_.screen.graph.contains(static_cast<float>(ev.mouseButton.x), static_cast<float>(ev.mouseButton.y))) {
            dragging = true;
            drag_distance = 0;
            last_mouse = {static_cast<float>(ev.mouseButton.x), static_cast<float>(ev.mouseButton.y)};
          }
          break;
        case sf::Event::MouseMoved:
          if (dragging) {
            const sf::Vector2f p{static_cast<float>(ev.mouseMove.x), static_cast<float>(ev.mouseMove.y)};
            drag_distance += std::hypot(p.x - last_mouse.x, p.y - last_mouse.y);
            commands_.push(cmd::Pan{p.x - last_mouse.x, p.y - last_mouse.y});
            last_mouse = p;
          }
          commands_.push(cmd::HoverAt{static_cast<float>(ev.mouseMove.x), static_cast<float>(ev.mouseMove.y)});
          break;
        case sf::Event::MouseLeft: commands_.push(cmd::HoverAt{0, 0, false}); break;
        case sf::Event::MouseButtonReleased:
          if (ev.mouseButton.button == sf::Mouse::Left && dragging) {
            dragging = false;
            if (drag_distance < kClickSlop) {
              commands_.push(cmd::SelectAt{static_cast<float>(ev.mouseButton.x), static_cast<float>(ev.mouseButton.y)});
            }
          }
          break;
        default: break;
      }
    }
    const sf::Time elapsed = clock.restart();
    total_seconds += elapsed.asSeconds();
    sf::Clock work;

    if (player) {
      for (sf::Event pev; player->pollEvent(pev);) {
        if (pev.type == sf::Event::Closed) {
          player->close();
        } else if (pev.type == sf::Event::Resized) {
          player->setView(
              sf::View(sf::FloatRect(0, 0, static_cast<float>(pev.size.width), static_cast<float>(pev.size.height))));
        }
      }
    }

    // 2. Commands, between frames.
    while (!commands_.empty()) apply(commands_.pop());
    if (quit_) break;
    check_timeout();

    // 3. Fixed-step simulation: whole steps of kFrame real seconds (at most kMaxCatchUp to catch up).
    accumulator = std::min(accumulator + elapsed.asSeconds(), kMaxCatchUp * kFrame);
    if (ui_.speed == kMaxSpeed) {
      step_simulation(kFrame);
      accumulator = 0;
    } else {
      while (accumulator >= kFrame) {
        step_simulation(kFrame);
        accumulator -= kFrame;
      }
    }

    // 4. Draw a const snapshot.
    draw(window);
    if (player && player->isOpen()) {
      draw_player(*player, fonts_, *exercise_, sim_, *options_.player, true);
    }
    const double w = work.getElapsedTime().asSeconds();
    work_seconds += w;
    worst_work = std::max(worst_work, w);
    window.display();
    if (player && player->isOpen()) player->display();

    if (save_requested_) {
      save_requested_ = false;
      sf::Texture texture;
      if (texture.create(window.getSize().x, window.getSize().y)) {
        texture.update(window);
        const std::string name = "refsim-viz-day" + std::to_string(static_cast<long>(sim_.now())) + ".png";
        ui_.banner = texture.copyToImage().saveToFile(name) ? "Saved " + name : "Could not save " + name;
      }
    }
    ++frames;
    ++fps_frames;
    if (fps_clock.getElapsedTime().asSeconds() >= kFpsEvery) {
      ui_.fps = fps_frames / static_cast<double>(fps_clock.restart().asSeconds());
      fps_frames = 0;
    }
    if (options_.frames && frames >= options_.frames) break;
  }
  if (exercise_) {
    if (!xui_.over) mark("quit");
    exercise_->finish(sim_.now());
  }
  if (options_.frames) {
    std::fprintf(stderr,
                 "refsim-viz: %u frames in %.2f s: %.1f frames/s; drawing and simulation %.2f ms/frame on average, "
                 "%.2f ms at worst; simulated day %.1f; multisampling %ux\n",
                 frames, total_seconds, frames / std::max(total_seconds, 1e-9),
                 1000 * work_seconds / std::max(frames, 1u), 1000 * worst_work, sim_.now(),
                 window.getSettings().antialiasingLevel);
  }
  return 0;
}

}  // namespace refsim::viz
