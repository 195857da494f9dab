// [[agency]] and its nested tables: decision, hours, not_before, withdrawal, retrafficking.
#include <algorithm>
#include <functional>
#include <map>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {
namespace {

using T = UncertainParameter::Target;

/// `decision = { sets = …, sensitivity = …, specificity = … }` or `{ sets = …, positive_rate = … }`
/// of agency `a`, the agency being read (index s.agencies.size()).
Decision read_decision(const TableView& agency, const Agency& a, const toml::node& node, Scenario& s) {
  const Reader& r = agency.reader();
  const auto index = static_cast<std::uint32_t>(s.agencies.size());
  if (!node.is_table()) {
    agency.fail(node, "decision",
                "must be a table such as { sets = \"presumed\", sensitivity = 0.8, specificity = 0.9 }, got " +
                    type_name(node));
  }
  const TableView v(r, *node.as_table(), agency.context() + ": decision", schema::section("agency.decision"));
  v.reject_unknown();
  Decision d;
  const std::string sets = v.string("sets");
  const auto st = state_attribute(sets);
  if (!st) v.fail(*v.find("sets"), "sets", "names unknown state '" + sets + "'; known: " + kStateList);
  d.sets = *st;
  const bool rate = v.find("positive_rate") != nullptr;
  const bool accuracy = v.find("sensitivity") || v.find("specificity");
  if (rate == accuracy) {
    r.fail(node, v.context() +
                     ": give either sensitivity and specificity (P(positive | victim), P(negative | not a "
                     "victim)) or positive_rate, not both");
  }
  d.by_accuracy = accuracy;
  const auto given = [&](std::string_view key, bool required) { return required ? &v.require(key) : v.find(key); };
  const std::string stream = a.id + ":decision";
  d.sensitivity = read_uncertain(v, s, "sensitivity", given("sensitivity", accuracy), 1, T::sensitivity, index, stream);
  d.specificity = read_uncertain(v, s, "specificity", given("specificity", accuracy), 1, T::specificity, index, stream);
  d.positive_rate =
      read_uncertain(v, s, "positive_rate", given("positive_rate", rate), 0, T::positive_rate, index, stream);
  return d;
}

/// `withdrawal = 0.3` or `{ unsupported = 0.35, supported = 0.12 }`.
/// Either form may use expert ranges; a single range applies (one draw) to both.
void read_withdrawal(const TableView& agency, const toml::node& n, Agency& a, Scenario& s) {
  const auto index = static_cast<std::uint32_t>(s.agencies.size());
  // A table with `dist` is a range, not the table form.
  if (n.is_number() || (n.is_table() && n.as_table()->contains("dist"))) {
    const std::size_t ranges = s.uncertain.size();
    a.withdrawal = read_uncertain(agency, s, "withdrawal", &n, 0, T::withdrawal, index, a.id);
    a.withdrawal_supported = a.withdrawal;
    if (s.uncertain.size() > ranges) {               // a range was read
      UncertainParameter both = s.uncertain.back();  // same stream key: the same draw
      both.target = T::withdrawal_supported;
      s.uncertain.push_back(both);
    }
    return;
  }
  if (!n.is_table())
    agency.fail(n, "withdrawal",
                "must be a probability or a table { unsupported = 0.35, supported = 0.12 }, got " + type_name(n));
  const TableView v(agency.reader(), *n.as_table(), agency.context() + ": withdrawal",
                    schema::section("agency.withdrawal"));
  v.reject_unknown();
  const std::string stream = a.id + ":withdrawal";
  a.withdrawal = read_uncertain(v, s, "unsupported", &v.require("unsupported"), 0, T::withdrawal, index, stream);
  a.withdrawal_supported =
      read_uncertain(v, s, "supported", &v.require("supported"), 0, T::withdrawal_supported, index, stream);
}

/// `not_before = { after = "positive:reasonable_grounds", gap = "30d" }`.
NotBefore read_not_before(const TableView& agency, const toml::node& n, const Scenario& s) {
  if (!n.is_table())
    agency.fail(
        n, "not_before",
        "must be a table such as { after = \"positive:reasonable_grounds\", gap = \"30d\" }, got " + type_name(n));
  const TableView v(agency.reader(), *n.as_table(), agency.context() + ": not_before",
                    schema::section("agency.not_before"));
  v.reject_unknown();
  NotBefore nb;
  // Arrivals are not recorded per person and agency: only entry and decisions can start a gap.
  const std::string after = v.string("after");
  if (after.rfind("arrival:", 0) == 0)
    v.fail(*v.find("after"), "after",
           "must be \"entered\", \"decided:<state>\" or \"positive:<state>\", got \"" + after + "\"");
  nb.after = read_milestone(v, s, "after");
  const toml::node& gn = v.require("gap");
  nb.gap = v.duration(gn, "gap");
  if (!(nb.gap > 0)) v.fail(gn, "gap", "must be > 0, got " + format_duration(nb.gap));
  return nb;
}

/// `hours = { days = "mon-fri", from = "09:00", to = "17:00" }`.
WorkCalendar read_hours(const TableView& agency, const toml::node& n) {
  if (!n.is_table())
    agency.fail(
        n, "hours",
        "must be a table such as { days = \"mon-fri\", from = \"09:00\", to = \"17:00\" }, got " + type_name(n));
  const TableView hv(agency.reader(), *n.as_table(), agency.context() + ": hours", schema::section("agency.hours"));
  hv.reject_unknown();
  const std::string days = hv.string("days");
  const std::string from = hv.string("from");
  const std::string to = hv.string("to");
  try {
    return WorkCalendar::parse(days, from, to);
  } catch (const std::invalid_argument& e) {
    // The message names the part at fault first ("days …", "from …", "to …").
    const std::string msg = e.what();
    const std::string part = msg.substr(0, msg.find(' '));
    const toml::node* at = hv.section().find(part) ? hv.find(part) : nullptr;
    agency.reader().fail(at ? *at : n, hv.context() + ": " + msg);
  }
}

}  // namespace

void read_agencies(const TableView& top, Scenario& s, IdMap& ids) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("agency");
  for (const toml::table* t : tables_of(top, "agency")) {
    const TableView pre(r, *t, "[[agency]]", section);
    Agency a;
    a.id = checked_id(pre, "id");
    a.where = r.at(*t);
    const TableView v(r, *t, "agency '" + a.id + "'", section);
    v.reject_unknown();
    claim_id(v, ids, a.id, "");
    a.name = v.string("name", a.id);
    a.kind = v.string("kind");
    a.country = v.string("country");
    if (!a.country.empty() && !is_country_code(a.country)) {
      // "th" would never equal a nationality "TH": every Thai national would count as foreign.
      v.fail(*v.find("country"), "country",
             "must be a country code in capitals, e.g. \"NA\", got \"" + a.country + "\"");
    }
    const toml::node* bn = v.find("beds");
    if (bn && v.find("servers")) v.fail(*bn, "beds", "replaces servers: give one or the other");
    if (bn) {
      const auto beds = v.integer(*bn, "beds", "an integer >= 0");
      if (beds < 0 || beds > schema::kMaxServers)
        v.fail(*bn, "beds",
               "must be an integer between 0 and " + std::to_string(schema::kMaxServers) + ", got " +
                   std::to_string(beds));
      a.residential = true;
      a.servers = static_cast<std::uint32_t>(beds);
    } else if (const toml::node& sn = v.require("servers");
               sn.is_string() && *sn.value<std::string_view>() == "unlimited") {
      a.unlimited = true;
    } else {
      if (!sn.is_integer()) v.fail(sn, "servers", "must be an integer >= 1 or \"unlimited\", got " + type_name(sn));
      const auto c = *sn.value<std::int64_t>();
      if (c < 1 || c > schema::kMaxServers)
        v.fail(sn, "servers",
               "must be an integer from 1 to " + std::to_string(schema::kMaxServers) + " or \"unlimited\", got " +
                   std::to_string(c));
      a.servers = static_cast<std::uint32_t>(c);
    }
    a.service = read_distribution(r, v.require("service"), v.context(), "service");
    if (const toml::node* pn = v.find("position")) {
      const toml::array* arr = pn->as_array();
      if (!arr || arr->size() != 2)
        v.fail(*pn, "position", "must be an array of two numbers [x, y], got " + type_name(*pn));
      a.position = std::pair{v.number((*arr)[0], "position"), v.number((*arr)[1], "position")};
    }
    if (const toml::node* dn = v.find("decision")) a.decision = read_decision(v, a, *dn, s);
    if (const toml::node* pn = v.find("patience")) {
      if (a.unlimited) v.fail(*pn, "patience", "has no effect: with servers = \"unlimited\" nobody waits");
      a.patience = read_distribution(r, *pn, v.context(), "patience");
    }
    if (const toml::node* in = v.find("initial_cases")) {
      const auto n = v.integer(*in, "initial_cases", "an integer >= 0");
      if (n < 0 || n > schema::kMaxInitialCases)
        v.fail(*in, "initial_cases",
               "must be an integer between 0 and " + std::to_string(schema::kMaxInitialCases) + ", got " +
                   std::to_string(n));
      a.initial_cases = static_cast<std::uint32_t>(n);
    }
    if (const toml::node* n = v.find("not_before")) a.not_before = read_not_before(v, *n, s);
    if (const toml::node* n = v.find("hours")) {
      a.hours = read_hours(v, *n);
      if (a.unlimited) v.fail(*n, "hours", "cannot apply to servers = \"unlimited\" (a pure delay)");
    }
    auto flag = [&](std::string_view key) {
      const toml::node* n = v.find(key);
      if (!n) return false;
      if (!n->is_boolean()) v.fail(*n, key, "must be true or false, got " + type_name(*n));
      return *n->value<bool>();
    };
    a.supports = flag("supports");
    a.interview = flag("interview");
    if (const toml::node* n = v.find("provides")) {
      const std::string known = [] {
        std::string k;
        for (auto need : kNeeds) k += (k.empty() ? "" : ", ") + std::string(need);
        return k;
      }();
      if (!n->is_array()) v.fail(*n, "provides", "must be an array of needs (" + known + "), got " + type_name(*n));
      for (const toml::node& e : *n->as_array()) {
        const auto* str = e.as_string();
        const auto it = str ? std::find(kNeeds.begin(), kNeeds.end(), str->get()) : kNeeds.end();
        if (it == kNeeds.end())
          v.fail(e, "provides",
                 "must name needs (" + known + "), got " + (str ? "\"" + str->get() + "\"" : type_name(e)));
        a.provides.push_back(static_cast<std::uint32_t>(it - kNeeds.begin()));
      }
    }
    if (const toml::node* n = v.find("stage")) {
      static const std::map<std::string, Stage, std::less<>> kStages = {{"investigation", Stage::investigation},
                                                                        {"prosecution", Stage::prosecution},
                                                                        {"trial", Stage::trial},
                                                                        {"return", Stage::return_home},
                                                                        {"reintegration", Stage::reintegration}};
      const std::string st = v.string("stage");
      const auto it = kStages.find(st);
      if (it == kStages.end())
        v.fail(*n, "stage", "must be one of " + v.section().key("stage").allowed + ", got \"" + st + "\"");
      a.stage = it->second;
    }
    if (const toml::node* n = v.find("withdrawal")) read_withdrawal(v, *n, a, s);
    if (const toml::node* n = v.find("retrafficking")) {
      if (!n->is_table())
        v.fail(*n, "retrafficking",
               "must be a table { probability = 0.08, after = <a distribution>, reenters = \"<agency>\" }, got " +
                   type_name(*n));
      const TableView rv(r, *n->as_table(), v.context() + ": retrafficking", schema::section("agency.retrafficking"));
      rv.reject_unknown();
      Retrafficking rt;
      rt.probability = read_uncertain(rv, s, "probability", &rv.require("probability"), 0, T::retrafficking,
                                      static_cast<std::uint32_t>(s.agencies.size()), a.id + ":retrafficking");
      rt.after = read_distribution(r, rv.require("after"), rv.context(), "after");
      (void)rv.require("reenters");  // resolved in read_agency_links
      a.retrafficking = rt;
    }
    s.agencies.push_back(std::move(a));
  }
  if (s.agencies.empty()) {
    r.fail(SourceLocation{r.file(), 1, 1}, "no [[agency]] declared; a scenario needs at least one agency");
  }
}

void read_agency_links(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  AgencyId a = 0;
  std::vector<const toml::node*> when_full_nodes(s.agencies.size(), nullptr);
  for (const toml::table* t : tables_of(top, "agency")) {
    Agency& ag = s.agencies[a];
    const TableView v(r, *t, "agency '" + ag.id + "'", schema::section("agency"));
    if (const toml::node* n = v.find("when_full")) {
      when_full_nodes[a] = n;
      const std::string wf = v.string("when_full");
      if (wf == "wait") {
        ag.when_full = WhenFull::wait;
      } else if (wf == "turn_away") {
        ag.when_full = WhenFull::turn_away;
      } else if (wf.rfind("overflow:", 0) == 0) {
        const std::string to = wf.substr(9);
        const auto target = s.find_agency(to);
        if (!target) v.fail(*n, "when_full", "names unknown agency '" + to + "'; known: " + s.agency_list());
        if (*target == a) v.fail(*n, "when_full", "cannot overflow to the agency itself");
        ag.when_full = WhenFull::overflow;
        ag.overflow_to = *target;
      } else {
        v.fail(*n, "when_full", "must be \"wait\", \"turn_away\" or \"overflow:<agency>\", got \"" + wf + "\"");
      }
      if (ag.unlimited) v.fail(*n, "when_full", "has no effect: with servers = \"unlimited\" the agency is never full");
    }
    if (ag.residential && ag.servers == 0 && ag.when_full == WhenFull::wait) {
      v.fail(*v.find("beds"), "beds",
             "= 0 with when_full = \"wait\": nobody would ever leave the wait list; set when_full to "
             "\"turn_away\" or \"overflow:<agency>\"");
    }
    if (const toml::node* n = v.find("retrafficking")) {
      const TableView rv(r, *n->as_table(), v.context() + ": retrafficking", schema::section("agency.retrafficking"));
      ag.retrafficking->reenters = agency_ref(rv, s, "reenters");
    }
    ++a;
  }
  // Overflow chains must end: following overflow_to from any agency must not come back.
  for (AgencyId start = 0; start < s.agencies.size(); ++start) {
    AgencyId cur = start;
    for (std::size_t steps = 0; s.agencies[cur].when_full == WhenFull::overflow; ++steps) {
      cur = s.agencies[cur].overflow_to;
      if (cur == start || steps > s.agencies.size()) {
        r.fail(*when_full_nodes[start], "agency '" + s.agencies[start].id +
                                            "': when_full: overflow chain comes back to '" + s.agencies[start].id +
                                            "'; cases could be passed round forever when all are full");
      }
    }
  }
}

void read_initial_profiles(const TableView& top, Scenario& s) {
  AgencyId a = 0;
  for (const toml::table* t : tables_of(top, "agency")) {
    Agency& ag = s.agencies[a++];
    const TableView v(top.reader(), *t, "agency '" + ag.id + "'", schema::section("agency"));
    const toml::node* pn = v.find("initial_profile");
    if (!pn) continue;
    ag.initial_profile = profile_ref(v, s, "initial_profile");
    if (ag.initial_cases == 0) v.fail(*pn, "initial_profile", "has no effect without initial_cases");
  }
}

}  // namespace refsim::detail
