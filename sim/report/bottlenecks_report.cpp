#include "sim/report/bottlenecks_report.hpp"

#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>

#include "sim/model/units.hpp"
#include "sim/report/report.hpp"
#include "sim/report/summary_document.hpp"

namespace refsim {

namespace {

using Json = nlohmann::ordered_json;

Json ci_json(const std::pair<double, double>& ci) {
  return Json::array({number_or_null(ci.first), number_or_null(ci.second)});
}
/// {"mean", "ci95", "n", "replications"}: n is the observations behind the figure.
Json estimate_json(const Estimate& e) {
  Json j;
  j["mean"] = number_or_null(e.mean);
  j["ci95"] = e.ci95 ? ci_json(*e.ci95) : Json(nullptr);
  j["n"] = static_cast<std::uint64_t>(std::llround(e.observations));
  j["replications"] = e.replications;
  return j;
}
Json difference_json(const std::optional<Difference>& d) {
  if (!d) return Json(nullptr);
  Json j;
  j["mean"] = number_or_null(d->mean);
  j["ci95"] = ci_json(d->ci95);
  j["ci95_adjusted"] = ci_json(d->ci95_adjusted);
  j["relative"] = number_or_null(d->relative);
  j["replications"] = d->replications;
  return j;
}
const char* kind_of_location(const Scenario& s, std::uint32_t loc) {
  return loc < s.agencies.size() ? "agency" : "referral";
}
std::string capacity_word(const Agency& a) { return a.residential ? "beds" : "servers"; }

std::string fixed_or_na(double v, int precision) {
  if (!std::isfinite(v)) return "n/a";
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << v;
  std::string s = os.str();
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);
  return s;
}
/// Whether `v` shows as zero at `precision` decimals ("0.0", "-0.00").
bool shows_as_zero(double v, int precision) {
  const std::string t = fixed_or_na(v, precision);
  return t.find_first_not_of("-0.") == std::string::npos;
}
int unit_decimals(const std::string& unit) {
  if (unit == "share") return 3;
  if (unit == "days" || unit == "cases") return 1;
  return 2;
}
std::string with_interval(const Estimate& e, int p) {
  if (!std::isfinite(e.mean)) return "n/a";
  std::string s = fixed_or_na(e.mean, p);
  if (e.ci95) s += " [" + fixed_or_na(e.ci95->first, p) + "," + fixed_or_na(e.ci95->second, p) + "]";
  return s;
}

}  // namespace

Json bottlenecks_json(const BottleneckContext& ctx, const BottleneckResult& res) {
  const Scenario& s = ctx.scenario;
  const BottleneckOptions& o = ctx.options;
  Json j;
  j["refsim_version"] = REFSIM_VERSION;
  j["scenario"] = s.name;
  j["file"] = ctx.file;
  j["seed"] = ctx.seed;
  j["replications"] = res.replications;
  j["horizon_days"] = s.run.horizon;
  j["warmup_days"] = s.run.warmup;
  j["common_random_numbers"] = true;

  Json att;
  Json agencies = Json::array();
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    const AgencyAttribution& x = res.agencies[a];
    Json aj;
    aj["agency"] = s.agencies[a].id;
    aj["name"] = s.agencies[a].name;
    if (s.agencies[a].unlimited) {
      aj["capacity"] = nullptr;
    } else {
      aj["capacity"] = s.agencies[a].servers;
    }
    aj["capacity_unit"] = s.agencies[a].unlimited ? "none (unlimited)" : capacity_word(s.agencies[a]);
    aj["visits"] = estimate_json(x.visits);
    aj["waiting_person_days"] = estimate_json(x.waiting_person_days);
    aj["held_person_days"] = estimate_json(x.held_person_days);
    aj["service_person_days"] = estimate_json(x.service_person_days);
    aj["deadline_breaches"] = estimate_json(x.breaches);
    aj["utilization"] = estimate_json(x.utilization);
    agencies.push_back(std::move(aj));
  }
  att["agencies"] = std::move(agencies);
  Json referrals = Json::array();
  for (std::size_t r = 0; r < s.referrals.size(); ++r) {
    const ReferralAttribution& x = res.referrals[r];
    Json rj;
    rj["referral"] = s.referrals[r].key;
    rj["sent"] = estimate_json(x.sent);
    rj["transfer_person_days"] = estimate_json(x.transfer_person_days);
    rj["deadline_breaches"] = estimate_json(x.breaches);
    referrals.push_back(std::move(rj));
  }
  att["referrals"] = std::move(referrals);
  Json deadlines = Json::array();
  for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
    const DeadlineAttribution& x = res.deadlines[d];
    Json dj;
    dj["deadline"] = s.deadlines[d].id;
    dj["breached"] = estimate_json(x.breached);
    Json by = Json::array();
    for (const auto& [loc, e] : x.by_location) {
      Json bj;
      bj["location"] = location_name(s, loc);
      bj["kind"] = kind_of_location(s, loc);
      bj["breaches"] = estimate_json(e);
      by.push_back(std::move(bj));
    }
    dj["attributed_to"] = std::move(by);
    deadlines.push_back(std::move(dj));
  }
  att["deadlines"] = std::move(deadlines);
  Json milestones = Json::object();
  for (std::size_t m = 0; m < kBottleneckMilestones.size(); ++m) {
    Json mj = Json::object();
    for (std::size_t g = 0; g < kBottleneckGroups.size(); ++g) {
      const MilestoneAttribution& x = res.milestones[g][m];
      Json gj;
      gj["persons"] = estimate_json(x.persons);
      gj["mean_days"] = estimate_json(x.mean_days);
      Json shares = Json::array();
      for (const ShareOfTime& sh : x.shares) {
        Json sj;
        sj["location"] = location_name(s, sh.location);
        sj["kind"] = kind_of_location(s, sh.location);
        sj["spent"] = to_string(sh.kind);
        sj["share"] = estimate_json(sh.share);
        shares.push_back(std::move(sj));
      }
      gj["shares"] = std::move(shares);
      mj[std::string(kBottleneckGroups[g])] = std::move(gj);
    }
    milestones[std::string(kBottleneckMilestones[m])] = std::move(mj);
  }
  att["milestones"] = std::move(milestones);
  j["attribution"] = std::move(att);

  if (o.marginal) {
    Json mj;
    mj["indicators"] = res.indicators;
    mj["extra_servers"] = o.extra_servers;
    mj["extra_beds"] = o.extra_beds;
    Json mc;
    mc["method"] = res.comparisons >= 2 ? "Bonferroni" : "none";
    mc["comparisons"] = res.comparisons;
    mc["familywise_level"] = 0.95;
    mj["multiple_comparisons"] = std::move(mc);
    Json ranked = Json::array();
    for (const MarginalValue& v : res.marginal) {
      Json vj;
      vj["rank"] = v.rank;
      vj["agency"] = s.agencies[v.agency].id;
      vj["capacity_unit"] = capacity_word(s.agencies[v.agency]);
      vj["from"] = v.from;
      vj["to"] = v.to;
      Json effects = Json::object();
      for (const MarginalEffect& e : v.effects) {
        Json ej;
        ej["label"] = e.label;
        ej["unit"] = e.unit;
        ej["better"] = e.smaller_is_better ? "smaller" : "larger";
        ej["baseline"] = estimate_json(e.baseline);
        ej["difference"] = difference_json(e.difference);
        ej["includes_zero"] = e.includes_zero;
        ej["improves"] = e.improves;
        effects[e.indicator] = std::move(ej);
      }
      vj["effects"] = std::move(effects);
      ranked.push_back(std::move(vj));
    }
    mj["ranked"] = std::move(ranked);
    j["marginal"] = std::move(mj);
  } else {
    j["marginal"] = nullptr;
  }

  Json cap = Json::array();
  for (const CapacitySearch& c : res.capacity) {
    Json cj;
    cj["agency"] = s.agencies[c.agency].id;
    cj["capacity_unit"] = capacity_word(s.agencies[c.agency]);
    cj["target"] = c.target.text;
    cj["indicator"] = c.target.indicator;
    cj["operator"] = c.target.at_least ? ">=" : "<=";
    cj["value"] = c.target.value;
    cj["current"] = c.current;
    cj["needed"] = c.needed ? Json(*c.needed) : Json(nullptr);
    cj["at_needed"] = c.needed ? estimate_json(c.at_needed) : Json(nullptr);
    cj["versus_current"] = difference_json(c.versus_current);
    cj["largest_tried"] = c.max_tried;
    cj["note"] = c.note;
    Json steps = Json::array();
    for (const CapacityStep& st : c.steps) {
      Json sj;
      sj["capacity"] = st.capacity;
      sj["estimate"] = estimate_json(st.estimate);
      sj["met"] = st.met;
      steps.push_back(std::move(sj));
    }
    cj["steps"] = std::move(steps);
    cap.push_back(std::move(cj));
  }
  j["capacity"] = std::move(cap);
  return j;
}

std::string bottlenecks_csv(const BottleneckContext& ctx, const BottleneckResult& res) {
  const Scenario& s = ctx.scenario;
  std::ostringstream os;
  os << "section,subject,detail,measure,mean,ci_low,ci_high,n,replications,note\n";
  const auto num = [](double v) { return std::isfinite(v) ? format_number(v) : std::string(); };
  const auto row = [&](const std::string& section, const std::string& subject, const std::string& detail,
                       const std::string& measure, const Estimate& e, const std::string& note = "") {
    os << section << ',' << subject << ',' << detail << ',' << measure << ',' << num(e.mean) << ','
       << (e.ci95 ? num(e.ci95->first) : "") << ',' << (e.ci95 ? num(e.ci95->second) : "") << ','
       << format_number(std::round(e.observations)) << ',' << e.replications << ',' << note << '\n';
  };
  for (std::size_t a = 0; a < s.agencies.size(); ++a) {
    const AgencyAttribution& x = res.agencies[a];
    const std::string& id = s.agencies[a].id;
    row("agency", id, "", "visits", x.visits);
    row("agency", id, "", "waiting_person_days", x.waiting_person_days);
    row("agency", id, "", "held_person_days", x.held_person_days);
    row("agency", id, "", "service_person_days", x.service_person_days);
    row("agency", id, "", "deadline_breaches", x.breaches);
    row("agency", id, "", "utilization", x.utilization);
  }
  for (std::size_t r = 0; r < s.referrals.size(); ++r) {
    const ReferralAttribution& x = res.referrals[r];
    row("referral", s.referrals[r].key, "", "sent", x.sent);
    row("referral", s.referrals[r].key, "", "transfer_person_days", x.transfer_person_days);
    row("referral", s.referrals[r].key, "", "deadline_breaches", x.breaches);
  }
  for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
    row("deadline", s.deadlines[d].id, "", "breached", res.deadlines[d].breached);
    for (const auto& [loc, e] : res.deadlines[d].by_location)
      row("deadline", s.deadlines[d].id, location_name(s, loc), "breaches_attributed", e);
  }
  for (std::size_t m = 0; m < kBottleneckMilestones.size(); ++m) {
    for (std::size_t g = 0; g < kBottleneckGroups.size(); ++g) {
      const MilestoneAttribution& x = res.milestones[g][m];
      const std::string subject = std::string(kBottleneckMilestones[m]) + "/" + std::string(kBottleneckGroups[g]);
      row("milestone", subject, "", "persons", x.persons);
      row("milestone", subject, "", "mean_days", x.mean_days);
      for (const ShareOfTime& sh : x.shares)
        row("milestone", subject, location_name(s, sh.location) + ":" + to_string(sh.kind), "share", sh.share);
    }
  }
  for (const MarginalValue& v : res.marginal) {
    const std::string subject = s.agencies[v.agency].id;
    const std::string detail = std::to_string(v.from) + "->" + std::to_string(v.to) + " " +
                               capacity_word(s.agencies[v.agency]) + " (rank " + std::to_string(v.rank) + ")";
    for (const MarginalEffect& e : v.effects) {
      // The difference in the columns of an estimate: mean, adjusted interval, pairs; n is the
      // observations behind the baseline's figure (those of the variant are of the same persons).
      Estimate d;
      d.observations = e.baseline.observations;
      if (e.difference) {
        d.mean = e.difference->mean;
        d.ci95 = e.difference->ci95_adjusted;
        d.replications = e.difference->replications;
      }
      row("marginal", subject, detail, e.indicator, d,
          e.includes_zero ? "includes zero" : (e.improves ? "improves" : "worsens"));
    }
  }
  for (const CapacitySearch& c : res.capacity) {
    for (const CapacityStep& st : c.steps) {
      row("capacity", s.agencies[c.agency].id, std::to_string(st.capacity) + " " + capacity_word(s.agencies[c.agency]),
          c.target.indicator, st.estimate, st.met ? "meets " + c.target.text : "does not meet");
    }
  }
  std::string text = os.str();
  // The target's text may hold a comma only inside a quoted cell; targets have none (NAME>=VALUE).
  return text;
}

void print_bottlenecks_table(std::ostream& os, const BottleneckContext& ctx, const BottleneckResult& res) {
  const Scenario& s = ctx.scenario;
  os << "bottlenecks of " << s.name << " (" << ctx.file << "): " << res.replications << " replication(s), seed "
     << ctx.seed << ", horizon " << format_duration(s.run.horizon) << ", common random numbers\n\n";
  // Where persons wait, most person-days first.
  std::vector<std::uint32_t> order;
  for (std::uint32_t a = 0; a < s.agencies.size(); ++a) order.push_back(a);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t p, std::uint32_t q) {
    const double x = res.agencies[p].waiting_person_days.mean, y = res.agencies[q].waiting_person_days.mean;
    return (std::isfinite(x) ? x : -1) > (std::isfinite(y) ? y : -1);
  });
  os << "where persons wait (per replication, 95% CI):\n";
  std::vector<std::vector<std::string>> grid{
      {"agency", "capacity", "utilization", "visits", "waiting person-days", "held person-days", "breaches"}};
  for (std::uint32_t a : order) {
    const AgencyAttribution& x = res.agencies[a];
    const Agency& ag = s.agencies[a];
    grid.push_back({ag.id, ag.unlimited ? "unlimited" : std::to_string(ag.servers) + " " + capacity_word(ag),
                    with_interval(x.utilization, 2), fixed_or_na(x.visits.mean, 0),
                    with_interval(x.waiting_person_days, 1), with_interval(x.held_person_days, 1),
                    fixed_or_na(x.breaches.mean, 1)});
  }
  print_grid(os, "  ", grid);
  bool any_delay = false;
  for (const ReferralAttribution& r : res.referrals) any_delay = any_delay || r.transfer_person_days.mean > 0;
  if (any_delay) {
    os << "\nreferral delays:\n";
    std::vector<std::vector<std::string>> rg{{"referral", "sent", "transfer person-days", "breaches"}};
    for (std::size_t r = 0; r < s.referrals.size(); ++r) {
      const ReferralAttribution& x = res.referrals[r];
      if (!(x.transfer_person_days.mean > 0)) continue;
      rg.push_back({s.referrals[r].key, fixed_or_na(x.sent.mean, 0), with_interval(x.transfer_person_days, 1),
                    fixed_or_na(x.breaches.mean, 1)});
    }
    print_grid(os, "  ", rg);
  }
  for (std::size_t d = 0; d < s.deadlines.size(); ++d) {
    const DeadlineAttribution& x = res.deadlines[d];
    if (!(x.breached.mean > 0)) continue;
    os << "\ndeadline " << s.deadlines[d].id << ": " << fixed_or_na(x.breached.mean, 1) << " breaches per replication;";
    for (std::size_t k = 0; k < x.by_location.size() && k < 3; ++k) {
      const auto& [loc, e] = x.by_location[k];
      os << (k ? "," : "") << " " << location_name(s, loc) << " " << fixed_or_na(100 * e.mean / x.breached.mean, 0)
         << "%";
    }
    os << "\n";
  }
  for (std::size_t m = 0; m < kBottleneckMilestones.size(); ++m) {
    const MilestoneAttribution& x = res.milestones[0][m];
    if (!(x.persons.mean > 0)) continue;
    os << "\ntime to " << (m == 0 ? "identification" : "first service") << ": mean " << with_interval(x.mean_days, 1)
       << " days over " << fixed_or_na(x.persons.mean, 0) << " persons per replication; largest shares:";
    for (std::size_t k = 0; k < x.shares.size() && k < 4; ++k) {
      os << (k ? "," : "") << " " << location_name(s, x.shares[k].location) << " " << to_string(x.shares[k].kind) << " "
         << fixed_or_na(100 * x.shares[k].share.mean, 0) << "%";
    }
    os << "\n";
    for (std::size_t g = 1; g < kBottleneckGroups.size(); ++g) {
      const MilestoneAttribution& y = res.milestones[g][m];
      if (!(y.persons.mean > 0) || y.shares.empty()) continue;
      os << "  " << kBottleneckGroups[g] << " (" << fixed_or_na(y.persons.mean, 0) << "): mean "
         << fixed_or_na(y.mean_days.mean, 1) << " days; " << location_name(s, y.shares[0].location) << " "
         << to_string(y.shares[0].kind) << " " << fixed_or_na(100 * y.shares[0].share.mean, 0) << "%\n";
    }
  }

  if (!res.marginal.empty()) {
    os << "\nmarginal value (paired difference with the change minus without, 95% CI"
       << (res.comparisons >= 2 ? " Bonferroni-adjusted for " + std::to_string(res.comparisons) + " agencies" : "")
       << "):\n";
    std::vector<std::string> header{"rank", "agency", "change"};
    for (const MarginalEffect& e : res.marginal.front().effects) header.push_back(e.indicator);
    std::vector<std::vector<std::string>> mg{header};
    for (const MarginalValue& v : res.marginal) {
      std::vector<std::string> row{std::to_string(v.rank), s.agencies[v.agency].id,
                                   "+" + std::to_string(v.to - v.from) + " " + capacity_word(s.agencies[v.agency])};
      for (const MarginalEffect& e : v.effects) {
        if (!e.difference) {
          row.push_back("n/a");
          continue;
        }
        const Difference& d = *e.difference;
        // An interval that excludes 0 gets the decimals it needs (up to four more) to show that it
        // does: never "0.0 [-0.1,0.0] +".
        int p = unit_decimals(e.unit);
        const int most = p + 4;
        while (!e.includes_zero && p < most &&
               (shows_as_zero(d.mean, p) || shows_as_zero(d.ci95_adjusted.first, p) ||
                shows_as_zero(d.ci95_adjusted.second, p))) {
          ++p;
        }
        row.push_back((d.mean > 0 && !shows_as_zero(d.mean, p) ? "+" : "") + fixed_or_na(d.mean, p) + " [" +
                      fixed_or_na(d.ci95_adjusted.first, p) + "," + fixed_or_na(d.ci95_adjusted.second, p) + "]" +
                      (e.includes_zero ? " ~0"
                       : e.improves    ? " +"
                                       : " -"));
      }
      mg.push_back(std::move(row));
    }
    print_grid(os, "  ", mg);
    os << "  + improves (interval excludes 0, better direction); - worsens; ~0 the interval includes 0 (no effect "
          "shown)\n";
  }
  for (const CapacitySearch& c : res.capacity) {
    const Agency& ag = s.agencies[c.agency];
    os << "\ncapacity needed at " << ag.id << " for " << c.target.text << ": ";
    if (c.needed) {
      os << *c.needed << " " << capacity_word(ag) << " (now " << c.current << "; " << c.note << "), "
         << c.target.indicator << " " << with_interval(c.at_needed, 3) << "\n";
    } else {
      os << c.note << " (now " << c.current << ")\n";
    }
    os << "  tried:";
    for (const CapacityStep& st : c.steps)
      os << " " << st.capacity << (st.met ? "(met)" : "") << "=" << fixed_or_na(st.estimate.mean, 3);
    os << "\n";
  }
  os << "\nevery figure with its observations is in bottlenecks.json and bottlenecks.csv (--out), or --format json\n";
}

}  // namespace refsim
