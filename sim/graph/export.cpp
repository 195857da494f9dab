#include "sim/graph/export.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/graph/layout.hpp"

namespace refsim {

std::optional<GraphFormat> parse_graph_format(std::string_view name) {
  if (name == "dot") return GraphFormat::dot;
  if (name == "graphml") return GraphFormat::graphml;
  if (name == "json") return GraphFormat::json;
  return std::nullopt;
}

namespace {

/// A number for labels: up to 4 significant figures ("0.85", "120", "0.0333").
std::string num(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

std::string capacity(const Agency& a) {
  if (a.unlimited) return "unlimited (a delay)";
  const std::string n = std::to_string(a.servers);
  return a.residential ? n + (a.servers == 1 ? " bed" : " beds") : n + (a.servers == 1 ? " server" : " servers");
}

std::string decision(const Scenario& s, const Agency& a) {
  if (!a.decision) return "";
  const Decision& d = *a.decision;
  const std::string& what = s.schema.attributes[d.sets].name;
  if (d.by_accuracy)
    return "decides " + what + " (sensitivity " + num(d.sensitivity) + ", specificity " + num(d.specificity) + ")";
  return "decides " + what + " (positive " + num(d.positive_rate) + ")";
}

std::string when_full(const Scenario& s, const Agency& a) {
  switch (a.when_full) {
    case WhenFull::wait: return "wait";
    case WhenFull::turn_away: return "turn_away";
    case WhenFull::overflow: return "overflow:" + s.agencies[a.overflow_to].id;
  }
  return "wait";
}

/// One edge of the exported graph: a rule, an overflow, a re-entry or a source's arrivals.
struct Arc {
  std::string kind;  ///< referral, overflow, reentry, source
  std::string from, to;
  std::string key;  ///< a rule's key, "source:<id>", …
  const Referral* rule = nullptr;
  double probability = 1;
  std::string label;
};

std::vector<Arc> arcs(const Scenario& s) {
  std::vector<Arc> out;
  for (const Source& src : s.sources) {
    Arc a{"source", "source:" + src.id, s.agencies[src.to].id, "source:" + src.id, nullptr, 1, ""};
    out.push_back(a);
  }
  for (const Referral& r : s.referrals) {
    Arc a{"referral", s.agencies[r.from].id, s.agencies[r.to].id, r.key, &r, r.probability, ""};
    std::string l = "p " + num(r.probability);
    if (!r.when.text().empty()) l += "\nwhen " + r.when.text();
    if (r.consent) l += "\nconsent " + num(*r.consent) + " (adults)";
    if (r.loss > 0) l += "\nloss " + num(r.loss);
    if (r.delay) l += "\ndelay " + r.delay->describe();
    if (r.fork) l += "\nfork (parallel track)";
    a.label = l;
    out.push_back(a);
  }
  for (const Agency& ag : s.agencies) {
    if (ag.when_full == WhenFull::overflow) {
      out.push_back({"overflow", ag.id, s.agencies[ag.overflow_to].id, ag.id + ":overflow", nullptr, 1, "when full"});
    }
    if (ag.retrafficking) {
      out.push_back(
          {"reentry", ag.id, s.agencies[ag.retrafficking->reenters].id, ag.id + ":retrafficking", nullptr,
           ag.retrafficking->probability,
           "re-trafficked p " + num(ag.retrafficking->probability) + "\nafter " + ag.retrafficking->after.describe()});
    }
  }
  return out;
}

std::vector<Point2> positions(const Scenario& s) {
  if (s.agencies.empty()) return {};
  const std::vector<NodeBox> boxes(s.agencies.size(), NodeBox{60, 60, 30, 40});
  return layout_agencies(s, boxes).positions;
}

std::string dot_escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string xml_escape(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      case '\n': out += "&#10;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string agency_label(const Scenario& s, const Agency& a) {
  std::string l = a.name + "\n" + capacity(a) + ", service " + a.service.describe();
  if (a.hours) l += "\nopen " + a.hours->describe();
  if (const std::string d = decision(s, a); !d.empty()) l += "\n" + d;
  if (a.when_full != WhenFull::wait) l += "\nwhen full: " + when_full(s, a);
  return l;
}

std::string source_label(const Scenario& s, const Source& src) {
  std::string l = src.id + "\n" + num(src.rate_per_day) + "/d";
  if (!src.batches.empty())
    l += " + " + std::to_string(src.batches.size()) + " batch(es) of " + std::to_string(src.batch_size);
  if (src.profile != 0) l += "\nprofile " + s.profiles[src.profile].id;
  return l;
}

void write_dot(std::ostream& os, const Scenario& s) {
  const auto pos = positions(s);
  os << "digraph \"" << dot_escape(s.name) << "\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  // Agencies, each country's in a cluster (in order of first appearance).
  std::vector<std::string> countries;
  for (const Agency& a : s.agencies) {
    if (!a.country.empty() && std::find(countries.begin(), countries.end(), a.country) == countries.end()) {
      countries.push_back(a.country);
    }
  }
  const auto node = [&](std::size_t i, const std::string& indent) {
    const Agency& a = s.agencies[i];
    os << indent << "\"" << dot_escape(a.id) << "\" [label=\"" << dot_escape(agency_label(s, a)) << "\"";
    if (a.residential) os << ", shape=house";
    if (a.unlimited) os << ", style=\"rounded,dashed\"";
    os << ", pos=\"" << num(pos[i].x) << "," << num(-pos[i].y) << "\"];\n";
  };
  for (std::size_t c = 0; c < countries.size(); ++c) {
    os << "  subgraph \"cluster_" << dot_escape(countries[c]) << "\" {\n    label=\"" << dot_escape(countries[c])
       << "\";\n";
    for (std::size_t i = 0; i < s.agencies.size(); ++i) {
      if (s.agencies[i].country == countries[c]) node(i, "    ");
    }
    os << "  }\n";
  }
  for (std::size_t i = 0; i < s.agencies.size(); ++i) {
    if (s.agencies[i].country.empty()) node(i, "  ");
  }
  for (const Source& src : s.sources) {
    os << "  \"source:" << dot_escape(src.id) << "\" [shape=ellipse, label=\"" << dot_escape(source_label(s, src))
       << "\"];\n";
  }
  for (const Arc& a : arcs(s)) {
    os << "  \"" << dot_escape(a.from) << "\" -> \"" << dot_escape(a.to) << "\"";
    std::string attrs;
    if (!a.label.empty()) attrs += "label=\"" + dot_escape(a.label) + "\"";
    const auto add = [&attrs](const std::string& x) { attrs += (attrs.empty() ? "" : ", ") + x; };
    if (a.kind == "referral") add("id=\"" + dot_escape(a.key) + "\"");
    if (a.rule && a.rule->fork) add("style=dashed");
    if (a.kind == "overflow") add("style=dotted");
    if (a.kind == "reentry") add("style=dashed, color=red, constraint=false");
    if (!attrs.empty()) os << " [" << attrs << "]";
    os << ";\n";
  }
  os << "}\n";
}

void write_graphml(std::ostream& os, const Scenario& s) {
  const auto pos = positions(s);
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
        "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
        "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";
  const std::vector<std::pair<const char*, const char*>> node_keys = {
      {"label", "string"},        {"type", "string"},    {"kind", "string"},     {"country", "string"},
      {"capacity", "string"},     {"servers", "int"},    {"beds", "int"},        {"unlimited", "boolean"},
      {"service", "string"},      {"hours", "string"},   {"decision", "string"}, {"when_full", "string"},
      {"rate_per_day", "double"}, {"profile", "string"}, {"x", "double"},        {"y", "double"}};
  const std::vector<std::pair<const char*, const char*>> edge_keys = {
      {"edge_kind", "string"}, {"key", "string"},  {"probability", "double"}, {"when", "string"},
      {"consent", "double"},   {"loss", "double"}, {"delay", "string"},       {"fork", "boolean"}};
  for (const auto& [k, t] : node_keys) {
    os << "  <key id=\"" << k << "\" for=\"node\" attr.name=\"" << k << "\" attr.type=\"" << t << "\"/>\n";
  }
  for (const auto& [k, t] : edge_keys) {
    os << "  <key id=\"" << k << "\" for=\"edge\" attr.name=\"" << (std::string(k) == "edge_kind" ? "kind" : k)
       << "\" attr.type=\"" << t << "\"/>\n";
  }
  os << "  <graph id=\"" << xml_escape(s.name) << "\" edgedefault=\"directed\">\n";
  const auto data = [&os](const char* key, const std::string& value) {
    os << "      <data key=\"" << key << "\">" << xml_escape(value) << "</data>\n";
  };
  for (std::size_t i = 0; i < s.agencies.size(); ++i) {
    const Agency& a = s.agencies[i];
    os << "    <node id=\"" << xml_escape(a.id) << "\">\n";
    data("label", a.name);
    data("type", "agency");
    data("kind", a.kind);
    if (!a.country.empty()) data("country", a.country);
    data("capacity", capacity(a));
    if (!a.unlimited) data(a.residential ? "beds" : "servers", std::to_string(a.servers));
    data("unlimited", a.unlimited ? "true" : "false");
    data("service", a.service.describe());
    if (a.hours) data("hours", a.hours->describe());
    if (a.decision) data("decision", decision(s, a));
    data("when_full", when_full(s, a));
    data("x", num(pos[i].x));
    data("y", num(pos[i].y));
    os << "    </node>\n";
  }
  for (const Source& src : s.sources) {
    os << "    <node id=\"source:" << xml_escape(src.id) << "\">\n";
    data("label", src.id);
    data("type", "source");
    data("rate_per_day", num(src.rate_per_day));
    data("profile", s.profiles[src.profile].id);
    os << "    </node>\n";
  }
  std::size_t n = 0;
  for (const Arc& a : arcs(s)) {
    os << "    <edge id=\"e" << n++ << "\" source=\"" << xml_escape(a.from) << "\" target=\"" << xml_escape(a.to)
       << "\">\n";
    data("edge_kind", a.kind);
    data("key", a.key);
    data("probability", num(a.probability));
    if (a.rule) {
      if (!a.rule->when.text().empty()) data("when", a.rule->when.text());
      if (a.rule->consent) data("consent", num(*a.rule->consent));
      data("loss", num(a.rule->loss));
      if (a.rule->delay) data("delay", a.rule->delay->describe());
      data("fork", a.rule->fork ? "true" : "false");
    }
    os << "    </edge>\n";
  }
  os << "  </graph>\n</graphml>\n";
}

void write_json(std::ostream& os, const Scenario& s) {
  const auto pos = positions(s);
  using nlohmann::ordered_json;
  ordered_json j;
  j["name"] = s.name;
  ordered_json agencies = ordered_json::array();
  for (std::size_t i = 0; i < s.agencies.size(); ++i) {
    const Agency& a = s.agencies[i];
    ordered_json x;
    x["id"] = a.id;
    x["name"] = a.name;
    x["kind"] = a.kind;
    x["country"] = a.country.empty() ? ordered_json() : ordered_json(a.country);
    ordered_json cap;
    if (a.unlimited) {
      cap["unlimited"] = true;
    } else {
      cap[a.residential ? "beds" : "servers"] = a.servers;
    }
    x["capacity"] = cap;
    x["service"] = a.service.describe();
    x["service_mean_days"] = a.service.mean();
    x["hours"] = a.hours ? ordered_json(a.hours->describe()) : ordered_json();
    x["decision"] = a.decision ? ordered_json(decision(s, a)) : ordered_json();
    x["when_full"] = when_full(s, a);
    x["position"] = {{"x", pos[i].x}, {"y", pos[i].y}};
    agencies.push_back(x);
  }
  j["agencies"] = agencies;
  ordered_json sources = ordered_json::array();
  for (const Source& src : s.sources) {
    sources.push_back({{"id", src.id},
                       {"to", s.agencies[src.to].id},
                       {"rate_per_day", src.rate_per_day},
                       {"batches", src.batches.size()},
                       {"batch_size", src.batch_size},
                       {"profile", s.profiles[src.profile].id}});
  }
  j["sources"] = sources;
  ordered_json edges = ordered_json::array();
  for (const Arc& a : arcs(s)) {
    if (a.kind == "source") continue;  // in "sources"
    ordered_json e;
    e["kind"] = a.kind;
    e["from"] = a.from;
    e["to"] = a.to;
    e["key"] = a.key;
    e["probability"] = a.probability;
    if (a.rule) {
      e["when"] = a.rule->when.text().empty() ? ordered_json() : ordered_json(a.rule->when.text());
      e["consent"] = a.rule->consent ? ordered_json(*a.rule->consent) : ordered_json();
      e["loss"] = a.rule->loss;
      e["delay"] = a.rule->delay ? ordered_json(a.rule->delay->describe()) : ordered_json();
      e["fork"] = a.rule->fork;
    }
    edges.push_back(e);
  }
  j["edges"] = edges;
  std::vector<std::string> countries;
  for (const Agency& a : s.agencies) {
    if (!a.country.empty() && std::find(countries.begin(), countries.end(), a.country) == countries.end()) {
      countries.push_back(a.country);
    }
  }
  j["countries"] = countries;
  os << j.dump(2) << "\n";
}

}  // namespace

void write_graph(std::ostream& os, const Scenario& s, GraphFormat format) {
  switch (format) {
    case GraphFormat::dot: write_dot(os, s); return;
    case GraphFormat::graphml: write_graphml(os, s); return;
    case GraphFormat::json: write_json(os, s); return;
  }
}

}  // namespace refsim
