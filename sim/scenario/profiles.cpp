// [[profile]], the nationality values the scenario names, and the attribute schema.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>
#include <sstream>

#include "sim/scenario/reader.hpp"

namespace refsim::detail {
namespace {

/// Reads `{ a = 0.3, b = 0.7 }` shares over known names; they must sum to 1.
template <class Index>
void read_shares(const TableView& v, std::string_view key, Index index_of, const std::string& known,
                 const std::function<void(std::uint32_t, double)>& put) {
  const toml::node* n = v.find(key);
  if (!n) return;
  if (!n->is_table())
    v.fail(*n, key,
           "must be a table of shares such as { " + known.substr(0, known.find(',')) + " = 0.5, … }, got " +
               type_name(*n));
  const TableView shares(v.reader(), *n->as_table(), v.context() + ": " + std::string(key),
                         schema::section(v.section().id + "." + std::string(key)));
  double total = 0;
  for (auto&& [k, node] : *n->as_table()) {
    const auto idx = index_of(k.str());
    if (!idx) {
      v.reader().fail(v.reader().at(k.source()),
                      shares.context() + ": unknown value '" + std::string(k.str()) + "'; known: " + known);
    }
    const double p = shares.number(node, k.str());
    if (p < 0 || p > 1) shares.fail(node, k.str(), "must be a share between 0 and 1");
    total += p;
    put(*idx, p);
  }
  if (std::fabs(total - 1) > 1e-6) {
    std::ostringstream os;
    os << "shares must sum to 1, got " << total;
    v.fail(*n, key, os.str());
  }
}

std::string names(auto const& values) {
  std::string out;
  for (auto x : values) out += (out.empty() ? "" : ", ") + std::string(x);
  return out;
}

}  // namespace

void collect_nationalities(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  std::set<std::string> codes;
  if (!s.home_country.empty()) codes.insert(s.home_country);
  for (const Agency& a : s.agencies) {
    if (!a.country.empty()) codes.insert(a.country);
  }
  for (const toml::table* t : tables_of(top, "profile")) {
    const toml::node* n = TableView(r, *t, "[[profile]]", schema::section("profile")).find("nationality");
    if (!n || !n->is_table()) continue;
    for (auto&& [k, v] : *n->as_table()) {
      if (k.str() == "other") continue;
      if (!is_country_code(k.str())) {
        r.fail(r.at(k.source()), "nationality '" + std::string(k.str()) +
                                     "' must be a country code in capitals (e.g. \"NA\", \"GB\") or \"other\"");
      }
      codes.emplace(k.str());
    }
  }
  s.nationalities.assign(codes.begin(), codes.end());
  s.nationalities.push_back("other");
}

void build_schema(Scenario& s) {
  auto& at = s.schema.attributes;
  at.assign(attr::kCount, {});
  at[attr::kChild] = {"child", {}};
  at[attr::kAdult] = {"adult", {}};
  at[attr::kSex] = {"sex", {kSexes.begin(), kSexes.end()}};
  at[attr::kExploitation] = {"exploitation", {kExploitationTypes.begin(), kExploitationTypes.end()}};
  at[attr::kNationality] = {"nationality", s.nationalities};
  at[attr::kForeign] = {"foreign", {}};
  at[attr::kVictim] = {"victim", {}};
  for (std::size_t i = 0; i < kNeeds.size(); ++i) at[attr::kNeedsFirst + i] = {"needs." + std::string(kNeeds[i]), {}};
  at[attr::kPresumed] = {"presumed", {}};
  at[attr::kReasonableGrounds] = {"reasonable_grounds", {}};
  at[attr::kIdentified] = {"identified", {}};
  at[attr::kConvicted] = {"convicted", {}};
  at[attr::kSupported] = {"supported", {}};
  at[attr::kEnteredIn] = {"entered_in", s.nationalities};
  at[attr::kInCountry] = {"in_country", s.nationalities};
  s.schema.validate();
}

void read_profiles(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("profile");
  Profile dflt;
  dflt.id = "default";
  const auto home =
      std::find(s.nationalities.begin(), s.nationalities.end(), s.home_country.empty() ? "other" : s.home_country);
  dflt.nationality = {{static_cast<std::uint32_t>(home - s.nationalities.begin()), 1.0}};
  s.profiles.push_back(dflt);
  IdMap ids;
  for (const toml::table* t : tables_of(top, "profile")) {
    const TableView pre(r, *t, "[[profile]]", section);
    Profile p;
    p.id = checked_id(pre, "id");
    const TableView v(r, *t, "profile '" + p.id + "'", section);
    v.reject_unknown();
    if (p.id == "default")
      v.fail(*v.find("id"), "id", "'default' is reserved for the built-in profile (adult victims)");
    claim_id(v, ids, p.id, "profile ");
    (void)v.string("description");
    p.child = v.probability("child");
    p.female = v.probability("female");
    p.victim = v.probability("victim");
    if (const toml::node* pn = v.find("patience")) p.patience = read_distribution(r, *pn, v.context(), "patience");
    if (v.find("exploitation")) p.exploitation.fill(0);
    read_shares(
        v, "exploitation",
        [](std::string_view k) -> std::optional<std::uint32_t> {
          for (std::uint32_t i = 0; i < kExploitationTypes.size(); ++i)
            if (kExploitationTypes[i] == k) return i;
          return std::nullopt;
        },
        names(kExploitationTypes), [&](std::uint32_t i, double x) { p.exploitation[i] = x; });
    read_shares(
        v, "nationality",
        [&](std::string_view k) -> std::optional<std::uint32_t> {
          for (std::uint32_t i = 0; i < s.nationalities.size(); ++i)
            if (s.nationalities[i] == k) return i;
          return std::nullopt;
        },
        names(s.nationalities), [&](std::uint32_t i, double x) { p.nationality.emplace_back(i, x); });
    if (p.nationality.empty()) p.nationality = dflt.nationality;
    if (const toml::node* nn = v.find("needs")) {
      if (!nn->is_table())
        v.fail(*nn, "needs", "must be a table of probabilities such as { shelter = 0.4 }, got " + type_name(*nn));
      const TableView needs(r, *nn->as_table(), v.context() + ": needs", schema::section("profile.needs"));
      needs.reject_unknown();
      for (std::size_t i = 0; i < kNeeds.size(); ++i) p.needs[i] = needs.probability(kNeeds[i]);
    }
    s.profiles.push_back(std::move(p));
  }
}

}  // namespace refsim::detail
