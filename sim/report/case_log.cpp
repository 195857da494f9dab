#include "sim/report/case_log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "sim/engine/engine.hpp"
#include "sim/report/report.hpp"

namespace refsim {

namespace {

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string attribute(const char* type, std::string_view key, std::string_view value) {
  return std::string("<") + type + " key=\"" + xml_escape(key) + "\" value=\"" + xml_escape(value) + "\"/>";
}

std::string time_or_empty(Time t) { return t < 0 ? std::string() : format_number(t); }

const char* decided_name(std::uint32_t attribute) {
  switch (attribute) {
    case attr::kPresumed: return "presumed";
    case attr::kReasonableGrounds: return "reasonable_grounds";
    case attr::kIdentified: return "identified";
    case attr::kConvicted: return "convicted";
    default: return "other";
  }
}

}  // namespace

std::string xes_timestamp(Time t) {
  static const std::int64_t epoch_days = days_from_civil(2025, 1, 6);
  const auto ms = static_cast<std::int64_t>(std::llround(t * 86'400'000.0));
  std::int64_t day = ms / 86'400'000, rest = ms % 86'400'000;
  if (rest < 0) {
    rest += 86'400'000;
    --day;
  }
  std::int64_t y;
  unsigned m, d;
  civil_from_days(epoch_days + day, y, m, d);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rest / 3'600'000), static_cast<long long>(rest / 60'000 % 60),
                static_cast<long long>(rest / 1000 % 60), static_cast<long long>(rest % 1000));
  return buf;
}

// --- MilestoneWriter ---------------------------------------------------------------------------

MilestoneWriter::MilestoneWriter(const Scenario& scenario, const std::filesystem::path& path)
    : scenario_(scenario), file_(path) {
  file_.stream() << "serial,previous,cohort,entered,presumed_at,reasonable_grounds_at,identified_at,"
                    "first_service_at,exited,handoffs,interviews,outcome\n";
}

void MilestoneWriter::on_case_exited(Time, const Case& c, Time) {
  const PersonRecord& p = (*ledger_)[c.person];
  std::ostream& os = file_.stream();
  os << p.serial << ',' << (p.previous == kNoPrevious ? std::string() : std::to_string(p.previous)) << ','
     << scenario_.cohorts.name(p.cohort) << ',' << format_number(p.entered) << ',' << time_or_empty(p.presumed_at)
     << ',' << time_or_empty(p.reasonable_grounds_at) << ',' << time_or_empty(p.identified_at) << ','
     << time_or_empty(p.first_service_at) << ',' << format_number(p.exited) << ',' << p.handoffs << ',' << p.interviews
     << ',' << to_string(p.reason) << '\n';
}

// --- XesWriter ---------------------------------------------------------------------------------

XesWriter::XesWriter(const Scenario& scenario, const std::filesystem::path& path) : scenario_(scenario), file_(path) {
  std::ostream& os = file_.stream();
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<!-- refsim event log (IEEE 1849-2016 XES), replication 0; synthetic cases, no personal data.\n"
        "     Simulated time t (days) is the instant "
     << kXesEpoch
     << " + t. -->\n"
        "<log xes.version=\"1849-2016\" xes.features=\"\" xmlns=\"http://www.xes-standard.org/\">\n"
        "  <extension name=\"Concept\" prefix=\"concept\" uri=\"http://www.xes-standard.org/concept.xesext\"/>\n"
        "  <extension name=\"Lifecycle\" prefix=\"lifecycle\" uri=\"http://www.xes-standard.org/lifecycle.xesext\"/>\n"
        "  <extension name=\"Time\" prefix=\"time\" uri=\"http://www.xes-standard.org/time.xesext\"/>\n"
        "  <extension name=\"Organizational\" prefix=\"org\" uri=\"http://www.xes-standard.org/org.xesext\"/>\n"
        "  <global scope=\"trace\">\n"
        "    <string key=\"concept:name\" value=\"\"/>\n"
        "  </global>\n"
        "  <global scope=\"event\">\n"
        "    <string key=\"concept:name\" value=\"\"/>\n"
        "    <string key=\"lifecycle:transition\" value=\"complete\"/>\n"
        "    <date key=\"time:timestamp\" value=\""
     << kXesEpoch
     << "\"/>\n"
        "    <string key=\"org:resource\" value=\"\"/>\n"
        "  </global>\n"
        "  <classifier name=\"Activity\" keys=\"concept:name\"/>\n"
        "  <classifier name=\"Activity and transition\" keys=\"concept:name lifecycle:transition\"/>\n"
        "  "
     << attribute("string", "concept:name", scenario.name) << "\n";
}

void XesWriter::event(Time t, AgencyId a, const Case& c, const char* activity, const char* transition,
                      const std::string& extra) {
  const std::string& agency = scenario_.agencies[a].id;
  std::string& buf = events_[c.person];
  buf += "    <event>";
  buf += attribute("string", "concept:name", agency + ":" + activity);
  buf += attribute("string", "lifecycle:transition", transition);
  buf += attribute("date", "time:timestamp", xes_timestamp(t));
  buf += attribute("string", "org:resource", agency);
  buf += attribute("int", "refsim:track", std::to_string(c.track));
  buf += extra;
  buf += "</event>\n";
}

void XesWriter::write_trace(std::uint32_t person) {
  const PersonRecord& p = (*ledger_)[person];
  std::ostream& os = file_.stream();
  os << "  <trace>" << attribute("string", "concept:name", std::to_string(p.serial))
     << attribute("string", "refsim:cohort", scenario_.cohorts.name(p.cohort))
     << attribute("boolean", "refsim:victim", p.victim ? "true" : "false")
     << attribute("string", "refsim:outcome", p.exited < 0 ? "in_mechanism" : to_string(p.reason));
  if (p.previous != kNoPrevious) os << attribute("string", "refsim:previous", std::to_string(p.previous));
  os << "\n" << events_[person] << "  </trace>\n";
  events_[person].clear();
}

void XesWriter::on_case_entered(Time, const Case& c, const Attributes&) {
  if (c.person >= events_.size()) events_.resize(c.person + 1);
  events_[c.person].clear();
}

void XesWriter::on_arrival(Time t, AgencyId a, const Case& c) { event(t, a, c, "arrival", "schedule"); }

void XesWriter::on_service_start(Time t, AgencyId a, const Case& c, Time) { event(t, a, c, "start", "start"); }

void XesWriter::on_service_end(Time t, AgencyId a, const Case& c, Time) { event(t, a, c, "complete", "complete"); }

void XesWriter::on_referral(Time t, ReferralId r, const Case& c, Time) {
  const Referral& ref = scenario_.referrals[r];
  event(t, ref.from, c, "referral", "complete", attribute("string", "refsim:to", scenario_.agencies[ref.to].id));
}

void XesWriter::on_overflow(Time t, AgencyId from, AgencyId to, const Case& c) {
  event(t, from, c, "overflow", "complete", attribute("string", "refsim:to", scenario_.agencies[to].id));
}

void XesWriter::on_dropout(Time t, AgencyId a, const Case& c, Time) { event(t, a, c, "dropout", "withdraw"); }

void XesWriter::on_decision(Time t, AgencyId a, const Case& c, const Attributes&, std::uint32_t attribute_,
                            bool positive) {
  event(t, a, c, "decision", "complete",
        attribute("string", "refsim:decides", decided_name(attribute_)) +
            attribute("boolean", "refsim:positive", positive ? "true" : "false"));
}

void XesWriter::on_turned_away(Time t, AgencyId a, const Case& c) { event(t, a, c, "turned_away", "withdraw"); }

void XesWriter::on_referral_lost(Time t, ReferralId r, const Case& c) {
  const Referral& ref = scenario_.referrals[r];
  event(t, ref.from, c, "referral_lost", "complete", attribute("string", "refsim:to", scenario_.agencies[ref.to].id));
}

void XesWriter::on_consent_refused(Time t, ReferralId r, const Case& c) {
  const Referral& ref = scenario_.referrals[r];
  event(t, ref.from, c, "consent_refused", "complete", attribute("string", "refsim:to", scenario_.agencies[ref.to].id));
}

void XesWriter::on_hold(Time t, AgencyId a, const Case& c, Time until) {
  event(t, a, c, "hold", "suspend", attribute("date", "refsim:until", xes_timestamp(until)));
}

void XesWriter::on_hold_end(Time t, AgencyId a, const Case& c) { event(t, a, c, "hold_end", "resume"); }

void XesWriter::on_withdrawal(Time t, AgencyId a, const Case& c) { event(t, a, c, "withdrawal", "complete"); }

void XesWriter::on_retrafficked(Time t, AgencyId a, const Case& c, Time reentry) {
  event(t, a, c, "retrafficked", "complete", attribute("date", "refsim:reentry", xes_timestamp(reentry)));
}

void XesWriter::on_deadline(Time t, DeadlineId d, const Case& c, DeadlineOutcome outcome, AgencyId agency, Time) {
  if (outcome != DeadlineOutcome::breached) return;
  event(t, agency, c, "deadline_breached", "complete",
        attribute("string", "refsim:deadline", scenario_.deadlines[d].id));
}

void XesWriter::on_case_exited(Time t, const Case& c, Time) {
  event(t, c.agency, c, "exit", "complete");
  write_trace(c.person);
}

void XesWriter::on_run_end(Time) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> inside;
  for (std::uint32_t p = 0; p < ledger_->slots(); ++p) {
    if (ledger_->live(p)) inside.emplace_back(ledger_->operator[](p).serial, p);
  }
  std::sort(inside.begin(), inside.end());
  for (const auto& [serial, person] : inside) write_trace(person);
}

void XesWriter::close() {
  if (!closed_) file_.stream() << "</log>\n";
  closed_ = true;
  file_.close();
}

void XesWriter::commit() {
  close();
  file_.commit();
}

}  // namespace refsim
