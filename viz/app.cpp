#include "viz/app.hpp"

#include <SFML/Graphics/RenderTexture.hpp>
#include <SFML/Graphics/RenderWindow.hpp>
#include <SFML/Graphics/Texture.hpp>
#include <SFML/System/Clock.hpp>
#include <SFML/Window/Event.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
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

App::App(const Scenario& scenario, const ReferralGraph& graph, const Fonts& fonts, const Options& options)
    : fonts_(fonts),
      options_(options),
      sim_(scenario, graph, options.seed),
      scene_(scenario, graph, fonts.regular, [&] {
        const sf::FloatRect g = ScreenLayout::for_size(options.width, options.height).graph;
        return sf::Vector2f{g.width, g.height};
      }()) {
  ui_.screen = ScreenLayout::for_size(options.width, options.height);
  ui_.camera.fit(scene_.layout().bounds, ui_.screen.graph);
  ui_.speed = options.speed;
  ui_.paused = options.paused;
  ui_.scenario_file = options.scenario;
  ui_.selected = options.inspect;
  sim_.advance_to(options.at);
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
  const Snapshot snap = take_snapshot(sim_);
  draw_frame(target, scene_, snap, ui_, fonts_);
  target.display();
  const sf::Image image = target.getTexture().copyToImage();
  if (!image.saveToFile(options_.screenshot)) {
    std::cerr << "refsim-viz: error: " << options_.screenshot << ": cannot write the image\n";
    return 1;
  }
  return 0;
}

void App::advance_capped(Time t) {
  // Stop once at the scenario's horizon, so a class does not run past the period it studies.
  const Time horizon = sim_.scenario().run.horizon;
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
                   ui_.paused = !ui_.paused;
                   if (!ui_.paused) ui_.banner.clear();
                 },
                 [&](const cmd::Step& s) {
                   ui_.paused = true;
                   advance_capped(sim_.now() + s.days);
                 },
                 [&](const cmd::Faster&) { ui_.speed = faster(ui_.speed); },
                 [&](const cmd::Slower&) { ui_.speed = slower(ui_.speed); },
                 [&](const cmd::Restart&) {
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
                   ui_.screen = ScreenLayout::for_size(r.width, r.height);
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

    // 2. Commands, between frames.
    while (!commands_.empty()) apply(commands_.pop());
    if (quit_) break;

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
    const Snapshot snap = take_snapshot(sim_);
    draw_frame(window, scene_, snap, ui_, fonts_);
    const double w = work.getElapsedTime().asSeconds();
    work_seconds += w;
    worst_work = std::max(worst_work, w);
    window.display();

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
