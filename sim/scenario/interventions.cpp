// [[intervention]]: costed interventions for `refsim plan`.
#include <cmath>

#include "sim/model/intervention.hpp"
#include "sim/scenario/reader.hpp"

namespace refsim::detail {

namespace {

/// A cost key: a finite number >= 0; 0 when absent.
double cost_of(const TableView& v, std::string_view key) {
  const toml::node* n = v.find(key);
  if (!n) return 0;
  const double x = v.number(*n, key);
  if (!(x >= 0) || !std::isfinite(x)) v.fail(*n, key, "must be a finite number >= 0, got " + std::to_string(x));
  return x;
}

}  // namespace

void read_interventions(const TableView& top, Scenario& s) {
  const Reader& r = top.reader();
  const schema::Section& section = schema::section("intervention");
  const schema::Section& change_section = schema::section("intervention.change");
  IdMap ids;
  struct Excludes {
    const toml::node* list;
    std::size_t index;
  };
  std::vector<Excludes> excludes;
  for (const toml::table* t : tables_of(top, "intervention")) {
    const TableView pre(r, *t, "[[intervention]]", section);
    Intervention iv;
    iv.id = checked_id(pre, "id");
    iv.where = r.at(*t);
    const TableView v(r, *t, "intervention '" + iv.id + "'", section);
    v.reject_unknown();
    claim_id(v, ids, iv.id, "intervention ");
    iv.name = v.string("name", iv.id);
    iv.description = v.string("description");
    iv.basis = v.string("basis", "illustrative");
    iv.cost_once = cost_of(v, "cost_once");
    iv.cost_yearly = cost_of(v, "cost_yearly");
    if ((iv.cost_once > 0 || iv.cost_yearly > 0) && s.currency.empty()) {
      r.fail(*t, v.context() +
                     ": has a cost, but [scenario] names no currency; add currency = \"USD\" (or the "
                     "currency the costs are in) to [scenario]");
    }
    if (const toml::node* sn = v.find("start")) {
      iv.start = v.duration(*sn, "start");
      if (!(iv.start >= 0)) v.fail(*sn, "start", "must be >= 0, got " + format_duration(iv.start));
      if (iv.start > s.run.horizon) {
        v.fail(*sn, "start",
               "(" + format_duration(iv.start) + ") is after the horizon (" + format_duration(s.run.horizon) +
                   "): it would never apply");
      }
    }
    if (const toml::node* en = v.find("excludes")) {
      if (!en->is_array()) v.fail(*en, "excludes", "must be an array of intervention ids, got " + type_name(*en));
      excludes.push_back({en, s.interventions.size()});
    }
    const std::vector<const toml::table*> changes = tables_of(v, "change");
    if (changes.empty()) r.fail(*t, v.context() + ": changes nothing; give at least one [[intervention.change]]");
    for (std::size_t k = 0; k < changes.size(); ++k) {
      const TableView cv(r, *changes[k], v.context() + " change #" + std::to_string(k + 1), change_section);
      cv.reject_unknown();
      ChangeFields read = read_change(cv, s, {}, ChangeForm::intervention);
      iv.changes.push_back({std::move(read.change), read.servers_delta});
    }
    s.interventions.push_back(std::move(iv));
  }
  for (const Excludes& e : excludes) {
    Intervention& iv = s.interventions[e.index];
    for (const toml::node& x : *e.list->as_array()) {
      if (!x.is_string()) r.fail(x, "intervention '" + iv.id + "': excludes: expected an id, got " + type_name(x));
      const std::string id(*x.value<std::string_view>());
      if (!ids.count(id)) {
        std::vector<std::string> known;
        for (const Intervention& o : s.interventions) known.push_back(o.id);
        r.fail(x, "intervention '" + iv.id + "': excludes unknown intervention '" + id + "'; known: " + join(known));
      }
      if (id == iv.id) r.fail(x, "intervention '" + iv.id + "': excludes itself");
      iv.excludes.push_back(id);
    }
  }
  // Each alone must apply to the scenario as it stands at its start.
  for (std::size_t k = 0; k < s.interventions.size(); ++k) {
    const std::size_t one[] = {k};
    try {
      (void)with_interventions(s, one);
    } catch (const std::invalid_argument& e) {
      r.fail(s.interventions[k].where, e.what());
    }
  }
}

}  // namespace refsim::detail
