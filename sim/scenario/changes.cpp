// [[change]]: scheduled changes to the running mechanism.
#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "sim/model/parameters.hpp"
#include "sim/scenario/changes.hpp"
#include "sim/scenario/reader.hpp"

namespace refsim {
namespace detail {
namespace {

/// The keys a change of `target` may set (`residential`: beds instead of servers), as a list.
std::vector<std::string> change_fields(Change::Target target, bool residential) {
  switch (target) {
    case Change::Target::agency:
      return {residential ? "beds" : "servers", "open", "sensitivity", "specificity", "positive_rate"};
    case Change::Target::source: return {"rate", "profile"};
    case Change::Target::referral: return {"probability", "when", "loss", "consent", "delay"};
  }
  return {};
}

/// `c` with only the field written as `key` kept (and its target).
Change only_field(const Change& c, std::string_view key) {
  Change one;
  one.target = c.target;
  one.index = c.index;
  one.origin = c.origin;
  one.where = c.where;
  if (key == "servers" || key == "beds") one.servers = c.servers;
  if (key == "open") one.open = c.open;
  if (key == "sensitivity") one.sensitivity = c.sensitivity;
  if (key == "specificity") one.specificity = c.specificity;
  if (key == "positive_rate") one.positive_rate = c.positive_rate;
  if (key == "rate") one.rate_per_day = c.rate_per_day;
  if (key == "profile") one.profile = c.profile;
  if (key == "probability") one.probability = c.probability;
  if (key == "when") one.when = c.when;
  if (key == "loss") one.loss = c.loss;
  if (key == "consent") one.consent = c.consent;
  if (key == "delay") one.delay = c.delay;
  return one;
}

}  // namespace

ChangeFields read_change(const TableView& v, const Scenario& s, std::initializer_list<std::string_view> other_keys,
                         ChangeForm form) {
  const Reader& r = v.reader();
  const toml::table* t = &v.table();
  ChangeFields out;
  Change& c = out.change;
  c.where = r.at(*t);

  // The keys in the order written (a table iterates in key order).
  std::vector<ChangeField> keys;
  for (auto&& [k, node] : *t) keys.push_back({std::string(k.str()), r.at(k.source()), &node});
  std::sort(keys.begin(), keys.end(), [](const ChangeField& a, const ChangeField& b) {
    return std::pair{a.key_at.line, a.key_at.column} < std::pair{b.key_at.line, b.key_at.column};
  });

  // The target: exactly one of agency, source, referral.
  const ChangeField* target = nullptr;
  for (const ChangeField& f : keys) {
    if (f.key != "agency" && f.key != "source" && f.key != "referral") continue;
    if (target) {
      r.fail(f.key_at, v.context() + ": names both " + target->key + " and " + f.key +
                           "; give exactly one target: agency, source or referral");
    }
    target = &f;
  }
  if (!target) r.fail(*t, v.context() + ": names no target; give one of agency, source or referral");
  std::string object;
  bool residential = false;
  if (target->key == "agency") {
    c.target = Change::Target::agency;
    c.index = agency_ref(v, s, "agency");
    object = "agency '" + s.agencies[c.index].id + "'";
    residential = s.agencies[c.index].residential;
  } else if (target->key == "source") {
    c.target = Change::Target::source;
    c.index = source_ref(v, s, "source");
    object = "source '" + s.sources[c.index].id + "'";
  } else {
    c.target = Change::Target::referral;
    const std::string text = v.string(*target->value, "referral");
    const auto found = find_referral(s, text);
    if (const auto* why = std::get_if<std::string>(&found)) v.fail(*target->value, "referral", *why);
    c.index = std::get<ReferralId>(found);
    object = "referral '" + s.referrals[c.index].key + "'";
  }

  // What it sets, each checked against what the target has.
  std::vector<std::string> takes = change_fields(c.target, residential);
  const bool surges = form == ChangeForm::inject && c.target == Change::Target::agency;
  const bool relative = form != ChangeForm::scheduled && c.target == Change::Target::agency;
  if (surges) takes.insert(takes.end(), {"surge", "profile"});
  const auto other = [&](const std::string& k) {
    return std::find(other_keys.begin(), other_keys.end(), k) != other_keys.end();
  };
  for (const ChangeField& f : keys) {
    if (other(f.key) || &f == target) continue;
    if (std::find(takes.begin(), takes.end(), f.key) == takes.end()) {
      if (f.key == "servers" && residential)
        r.fail(f.key_at, v.context() + ": servers does not apply to " + object +
                             ", which has beds (a residential agency): write beds = N");
      if (f.key == "beds" && c.target == Change::Target::agency)
        r.fail(f.key_at,
               v.context() + ": beds does not apply to " + object + ", which has servers, not beds: write servers = N");
      const char* kind = c.target == Change::Target::agency   ? "an agency"
                         : c.target == Change::Target::source ? "a source"
                                                              : "a referral";
      r.fail(f.key_at,
             v.context() + ": " + f.key + " does not apply to " + object + "; " + kind + " takes " + join(takes));
    }
    const toml::node& n = *f.value;
    if ((f.key == "servers" || f.key == "beds") && relative && n.is_string()) {
      const std::string text(*n.value<std::string_view>());
      std::int64_t delta = 0;
      const char* end = text.data() + text.size();
      const auto [p, ec] = text.size() > 1 ? std::from_chars(text.data() + 1, end, delta)
                                           : std::from_chars_result{text.data(), std::errc::invalid_argument};
      if ((text[0] != '+' && text[0] != '-') || ec != std::errc() || p != end || delta > schema::kMaxServers) {
        v.fail(n, f.key,
               "must be an integer >= 0, or a change relative to the value in force such as \"+2\" or \"-1\", got "
               "\"" +
                   text + "\"");
      }
      out.servers_delta = text[0] == '-' ? -delta : delta;
    } else if (f.key == "servers" || f.key == "beds") {
      const auto k = v.integer(n, f.key, "an integer >= 0");
      if (k < 0 || k > schema::kMaxServers)
        v.fail(
            n, f.key,
            "must be an integer between 0 and " + std::to_string(schema::kMaxServers) + ", got " + std::to_string(k));
      c.servers = static_cast<std::uint32_t>(k);
    } else if (f.key == "open") {
      if (!n.is_boolean()) v.fail(n, "open", "must be true or false, got " + type_name(n));
      c.open = *n.value<bool>();
    } else if (f.key == "sensitivity") {
      c.sensitivity = v.probability(n, f.key);
    } else if (f.key == "specificity") {
      c.specificity = v.probability(n, f.key);
    } else if (f.key == "positive_rate") {
      c.positive_rate = v.probability(n, f.key);
    } else if (f.key == "rate") {
      c.rate_per_day = v.rate(n, "rate");
    } else if (f.key == "surge") {
      const auto k = v.integer(n, f.key, "an integer >= 1");
      if (k < 1 || k > schema::kMaxBatchCases)
        v.fail(n, f.key,
               "must be an integer between 1 and " + std::to_string(schema::kMaxBatchCases) + ", got " +
                   std::to_string(k));
      if (!c.surge) c.surge = Change::Surge{};
      c.surge->count = static_cast<std::uint32_t>(k);
    } else if (f.key == "profile") {
      if (surges) {
        if (!c.surge) c.surge = Change::Surge{};
        c.surge->profile = profile_ref(v, s, "profile");
      } else {
        c.profile = profile_ref(v, s, "profile");
      }
    } else if (f.key == "probability") {
      c.probability = v.probability(n, f.key);
    } else if (f.key == "when") {
      c.when = read_condition(v, s, "when");
    } else if (f.key == "loss") {
      c.loss = v.probability(n, f.key);
    } else if (f.key == "consent") {
      c.consent = v.probability(n, f.key);
    } else if (f.key == "delay") {
      c.delay = read_distribution(r, n, v.context(), "delay");
    }
    out.fields.push_back(f);
  }
  if (c.surge && c.surge->count == 0) {
    r.fail(*t, v.context() + ": profile says who the surge brings, but surge (how many) is missing");
  }
  if (out.fields.empty())
    r.fail(*t, v.context() + ": changes nothing; give at least one of " + join(takes) + " for " + object);
  return out;
}

/// Reads every [[change]] into s.changes (declaration order), then applies them in order of `at`
/// (equal times in declaration order) to the scenario's parameters, so that a change that makes
/// no sense when it comes (route probabilities above 1 after it) is reported where it is written.
void read_changes(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("change");
  struct Written {
    std::string context;
    SourceLocation where;
    std::vector<ChangeField> fields;  ///< the keys it sets, in the order written
  };
  std::vector<Written> written;
  for (const toml::table* t : tables_of(top, "change")) {
    const TableView pre(r, *t, "[[change]]", section);
    const toml::node& an = pre.require("at");
    ScheduledChange sc;
    sc.at = pre.duration(an, "at");
    if (sc.at < 0) pre.fail(an, "at", "must be >= 0, got " + format_duration(sc.at));
    if (sc.at > s.run.horizon) {
      pre.fail(an, "at",
               "(" + format_duration(sc.at) + ") is after the horizon (" + format_duration(s.run.horizon) +
                   "): the change would never apply");
    }
    const std::string at_text = an.is_string() ? std::string(*an.value<std::string_view>()) : format_duration(sc.at);
    const TableView v(r, *t, "[[change]] at " + at_text, section);
    v.reject_unknown();
    ChangeFields read = read_change(v, s, {"at", "note"}, ChangeForm::scheduled);
    sc.change = std::move(read.change);
    Change& c = sc.change;
    Written w{v.context(), c.where, std::move(read.fields)};
    c.origin = v.find("note") ? v.string("note") : v.context();
    s.changes.push_back(std::move(sc));
    written.push_back(std::move(w));
  }

  // Applied as the engine will apply them (application_order), each checked against the values
  // the changes before it leave.
  Parameters p = Parameters::of(s);
  for (const std::size_t i : application_order(s.changes)) {
    const Change& c = s.changes[i].change;
    try {
      p.apply(c, s);
    } catch (const std::invalid_argument& e) {
      // Located at the first field that fails on its own; else (a combination, such as a probability
      // and a condition together) at the probability or the condition.
      const Written& w = written[i];
      const toml::node* at = nullptr;
      for (const ChangeField& f : w.fields) {
        Parameters trial = p;
        try {
          trial.apply(only_field(c, f.key), s);
        } catch (const std::invalid_argument&) {
          at = f.value;
          break;
        }
      }
      for (const ChangeField& f : w.fields) {
        if (!at && (f.key == "probability" || f.key == "when")) at = f.value;
      }
      if (at) r.fail(*at, w.context + ": " + e.what());
      r.fail(w.where, w.context + ": " + e.what());
    }
  }
}

}  // namespace detail

std::variant<ReferralId, std::string> find_referral(const Scenario& s, std::string_view text) {
  const auto hash = text.find('#');
  const std::string key(text.substr(0, hash));
  std::vector<ReferralId> rules;
  std::vector<std::string> known;
  for (ReferralId i = 0; i < s.referrals.size(); ++i) {
    // The rule's pair: its key without the "#n" of a second or later rule on it.
    const std::string& k = s.referrals[i].key;
    const std::string pair = k.substr(0, k.find('#'));
    if (pair == key) rules.push_back(i);
    if (std::find(known.begin(), known.end(), pair) == known.end()) known.push_back(pair);
  }
  if (rules.empty()) return "names unknown referral '" + key + "'; known: " + detail::join(known);
  const std::string n = std::to_string(rules.size());
  const std::string choices = rules.size() == 1 ? "one rule, '" + key + "' or '" + key + "#1'"
                                                : n + " rules, '" + key + "#1' to '" + key + "#" + n + "'";
  if (hash == std::string_view::npos) {
    if (rules.size() == 1) return rules[0];
    std::vector<std::string> where;
    for (ReferralId i : rules) where.push_back(s.referrals[i].where.str());
    return "'" + key + "' matches " + n + " rules (declared at " + detail::join(where) +
           "); pick one by its place in " + "declaration order: '" + key + "#1' to '" + key + "#" + n + "'";
  }
  const std::string_view number = text.substr(hash + 1);
  std::size_t k = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), k);
  if (ec != std::errc{} || end != number.data() + number.size() || k < 1 || k > rules.size())
    return "'" + std::string(text) + "' names no rule: '" + key + "' has " + choices;
  return rules[k - 1];
}

}  // namespace refsim
