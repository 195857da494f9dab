#!/usr/bin/env python3
"""Prints the calibration table of docs/calibration.md from a run of scenarios/uk-nrm.toml.

    build/release/bin/refsim run scenarios/uk-nrm.toml --out results/uk-nrm
    python3 scripts/calibration.py results/uk-nrm

Reads the tidy per-replication files of the run (agencies.csv, referrals.csv, cohorts.csv) and
summary.json, computes each figure per replication (sums and shares of the counts refsim writes),
then the mean and the Student-t 95 % interval over replications, as refsim does for its own
metrics. The published figures and the tolerances are those of docs/calibration.md, stated before
the run; tests/test_calibration.cpp asserts the same. Only the standard library is used.
"""
import csv
import json
import math
import sys
from collections import defaultdict


def student_t_quantile(p, dof):
    """t such that P(T <= t) = p, for Student's t with `dof` degrees of freedom (bisection on the
    CDF, itself integrated with Simpson's rule: ample for four decimals)."""

    def pdf(x):
        return math.exp(math.lgamma((dof + 1) / 2) - math.lgamma(dof / 2)) / math.sqrt(dof * math.pi) * (
            1 + x * x / dof) ** (-(dof + 1) / 2)

    def cdf(x):
        n = 2000
        h = x / n
        s = pdf(0) + pdf(x) + sum((4 if k % 2 else 2) * pdf(k * h) for k in range(1, n))
        return 0.5 + s * h / 3

    lo, hi = 0.0, 100.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < p else (lo, mid)
    return (lo + hi) / 2


def estimate(values):
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, None
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = student_t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return mean, (mean - half, mean + half)


def read_tidy(path, key):
    """{(replication, key column, metric): value} from one of refsim's tidy CSV files."""
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            value = float(row["value"]) if row["value"] != "" else math.nan
            out[(int(row["replication"]), row[key], row["metric"])] = value
    return out


def main(results):
    summary = json.load(open(f"{results}/summary.json"))
    reps = summary["replications"]
    ag = read_tidy(f"{results}/agencies.csv", "agency")
    rf = read_tidy(f"{results}/referrals.csv", "referral")
    co = read_tidy(f"{results}/cohorts.csv", "cohort")
    child_cohorts = sorted({c for (_, c, _) in co if c.startswith("child/")})
    referral = "first_responders->competent_authority"

    def decisions(r, agency):
        return ag[(r, agency, "decisions_positive")] + ag[(r, agency, "decisions_negative")]

    # (figure, published, unit, tolerance (lo, hi), per-replication value)
    figures = [
        ("NRM referrals", "19,125", (19125 * 0.98, 19125 * 1.02), lambda r: rf[(r, referral, "sent")]),
        ("children, share of referrals", "31 %", (0.30, 0.32),
         lambda r: sum(co[(r, c, "entered")] for c in child_cohorts) / rf[(r, referral, "sent")]),
        ("Duty to Notify reports", "5,598", (5598 * 0.98, 5598 * 1.02),
         lambda r: rf[(r, referral, "consent_refused")]),
        ("RG decisions", "20,090", (20090 * 0.98, 20090 * 1.02), lambda r: decisions(r, "competent_authority")),
        ("RG decisions positive", "53 %", (0.52, 0.54),
         lambda r: ag[(r, "competent_authority", "decisions_positive")] / decisions(r, "competent_authority")),
        ("CG decisions", "17,304", (17304 * 0.98, 17304 * 1.02), lambda r: decisions(r, "cg_decision")),
        ("CG decisions positive", "56 %", (0.55, 0.57),
         lambda r: ag[(r, "cg_decision", "decisions_positive")] / decisions(r, "cg_decision")),
        ("awaiting a CG decision at year end", "17,168", (17168 * 0.95, 17168 * 1.05),
         lambda r: ag[(r, "cg_decision", "in_agency_at_end")]),
        ("mean days from referral to a positive CG decision", "~450–530", (405, 583),
         lambda r: co[(r, "overall", "time_to_identified_days_mean")]),
    ]

    def fmt(v, share):
        return f"{100 * v:.1f} %" if share else f"{v:,.0f}"

    print(f"scenario: {summary['scenario']}; seed {summary['seed']}, {reps} replications; "
          f"window {summary['warmup_days']:g}–{summary['horizon_days']:g} d (2024)")
    print("| figure (2024) | published | simulated: mean (95 % interval) | tolerance | within |")
    print("|---|---|---|---|---|")
    for name, published, (lo, hi), value in figures:
        share = published.endswith("%")
        mean, ci = estimate([value(r) for r in range(reps)])
        interval = f" ({fmt(ci[0], share)} – {fmt(ci[1], share)})" if ci else ""
        tol = f"{100 * lo:.0f}–{100 * hi:.0f} %" if share else f"{lo:,.0f}–{hi:,.0f}"
        print(f"| {name} | {published} | {fmt(mean, share)}{interval} | {tol} | "
              f"{'yes' if lo <= mean <= hi else 'NO'} |")
    # For information, no published 2024 figure to compare with (see docs/calibration.md).
    print()
    print("not compared (no published 2024 figure in the primer):")
    for name, value in [
        ("RG desk: mean days from arrival to decision",
         lambda r: ag[(r, "competent_authority", "mean_time_in_agency_days")]),
        ("RG decisions within 5 working days (compliance)",
         lambda r: float(next(x for x in csv.DictReader(open(f"{results}/deadlines.csv"))
                              if int(x["replication"]) == r and x["deadline"] == "rg_decision_5wd"
                              and x["metric"] == "compliance")["value"])),
        ("awaiting an RG decision at year end", lambda r: ag[(r, "competent_authority", "in_agency_at_end")]),
        ("median days from referral to a positive CG decision",
         lambda r: co[(r, "overall", "time_to_identified_days_median")]),
    ]:
        mean, ci = estimate([value(r) for r in range(reps)])
        print(f"  {name}: {mean:,.3g} ({ci[0]:,.3g} – {ci[1]:,.3g})" if ci else f"  {name}: {mean:,.3g}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: calibration.py RESULTS_DIR   (the --out directory of refsim run scenarios/uk-nrm.toml)")
    main(sys.argv[1])
