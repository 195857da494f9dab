#pragma once
// summary.json as a document, for the writers of the report layer that format the same estimates
// (html.cpp): they read them here instead of estimating again. Internal to the report layer.
#include <nlohmann/json.hpp>

#include "sim/report/report.hpp"

namespace refsim {

/// What summary_json prints (summary_json is `summary_document(ctx, result).dump(2) + "\n"`):
/// per agency, case, referral, deadline (with its cohorts), cohort and country, each metric as
/// {"mean", "ci95", "n", "replications", "few_observations"} or {"mean": null, "ci95": null,
/// "not_applicable": reason}; numbers that are not finite are null.
nlohmann::ordered_json summary_document(const RunContext& ctx, const RunResult& result);

/// `v` as a JSON number, or null when it is not finite (JSON has no NaN or infinity).
nlohmann::ordered_json number_or_null(double v);

}  // namespace refsim
