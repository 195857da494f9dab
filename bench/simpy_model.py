#!/usr/bin/python3
"""The queueing core of a refsim scenario (format v1), run with SimPy, for bench/simpy.sh.

Issue 2 sets refsim's speed target against SimPy ("a scenario of this size takes SimPy about 30 s
on this kind of machine"). This script measures that yardstick on the machine at hand, with the
SimPy that Debian 12 packages (python3-simpy, SimPy 2.3.1), for the same scenario file: sources
(Poisson), multi-server FIFO agencies, one routing draw at the end of each service, transfer
delays. It reads only what bench/scenarios/ uses and rejects anything else, so that the two
programs run the same model. Its statistics are the ones refsim's summary reports for that
model (per agency: visits, waits, time in the agency; cases entered and exited, time in
system), counted by the same rule: an observation counts when it completes inside
[warmup, horizon]. Random numbers come from Python's generator, so the results agree with
refsim's in distribution, not digit for digit: compare them with the confidence intervals.

Usage: bench/simpy_model.py SCENARIO.toml [--seed N]   (prints one JSON object)
"""
import json
import math
import random
import re
import sys
import time
import tomllib

from SimPy.Simulation import Process, Resource, Simulation, hold, release, request

UNITS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "w": 7.0, "y": 365.0}


def fail(what):
    print(f"simpy_model.py: {what}", file=sys.stderr)
    sys.exit(2)


def duration(v, where):
    """Days, from a number of days or a string with a unit ("4h")."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    m = re.fullmatch(r"\s*([0-9.eE+-]+)\s*(s|min|h|d|w|y)\s*", str(v))
    if not m:
        fail(f"{where}: expected a duration such as \"4h\", got {v!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def sampler(spec, where, rng):
    """A function drawing one value of the distribution `spec` (a table, or a bare duration)."""
    if not isinstance(spec, dict):
        value = duration(spec, where)
        return lambda: value
    p = {k: v for k, v in spec.items() if k != "dist"}
    kind = spec.get("dist")
    d = lambda key: duration(p[key], f"{where}.{key}")  # noqa: E731
    if kind == "exponential" and set(p) == {"mean"}:
        rate = 1 / d("mean")
        return lambda: rng.expovariate(rate)
    if kind == "deterministic" and set(p) == {"value"}:
        value = d("value")
        return lambda: value
    if kind == "uniform" and set(p) == {"min", "max"}:
        lo, hi = d("min"), d("max")
        return lambda: rng.uniform(lo, hi)
    if kind == "triangular" and set(p) == {"min", "mode", "max"}:
        lo, mode, hi = d("min"), d("mode"), d("max")
        return lambda: rng.triangular(lo, hi, mode)
    if kind == "lognormal" and set(p) == {"mean", "sd"}:
        mean, sd = d("mean"), d("sd")
        sigma = math.sqrt(math.log(1 + (sd / mean) ** 2))
        mu = math.log(mean) - sigma * sigma / 2
        return lambda: rng.lognormvariate(mu, sigma)
    if kind == "gamma" and set(p) == {"mean", "cv"}:
        mean, cv = d("mean"), float(p["cv"])
        shape, scale = 1 / (cv * cv), mean * cv * cv
        return lambda: rng.gammavariate(shape, scale)
    fail(f"{where}: distribution {spec!r} is not one this script models")


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return
    path, seed = args[0], 1
    if len(args) == 3 and args[1] == "--seed":
        seed = int(args[2])
    elif len(args) != 1:
        fail("usage: simpy_model.py SCENARIO.toml [--seed N]")
    try:
        with open(path, "rb") as f:
            sc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        fail(f"{path}: {e}")
    try:
        simulate(path, sc, seed)
    except (KeyError, TypeError, ValueError) as e:
        fail(f"{path}: not a queueing-core scenario this script can run ({type(e).__name__}: {e})")


def simulate(path, sc, seed):
    run = sc["run"]
    horizon, warmup = duration(run["horizon"], "run.horizon"), duration(run.get("warmup", 0), "run.warmup")
    rng = random.Random(seed)
    sim = Simulation()

    agencies = {}
    for a in sc["agency"]:
        if set(a) - {"id", "name", "kind", "country", "servers", "service"}:
            fail(f"agency {a['id']}: options beyond the queueing core")
        agencies[a["id"]] = {
            "server": Resource(capacity=a["servers"], name=a["id"], sim=sim),
            "service": sampler(a["service"], f"agency {a['id']}.service", rng),
            "routes": [],
            "arrivals": 0, "starts": 0, "completions": 0, "wait_sum": 0.0, "time_sum": 0.0,
        }
    for r in sc.get("referral", []):
        if set(r) - {"from", "to", "probability", "delay"}:
            fail(f"referral {r['from']} -> {r['to']}: options beyond the queueing core")
        delay = sampler(r["delay"], f"referral {r['from']} -> {r['to']}.delay", rng) if "delay" in r else None
        agencies[r["from"]]["routes"].append((float(r["probability"]), r["to"], delay))
    totals = {"entered": 0, "exited": 0, "system_time_sum": 0.0}

    class Case(Process):
        def visit(self, agency_id):
            entered = sim.now()
            while agency_id is not None:
                ag = agencies[agency_id]
                arrived = sim.now()
                if arrived >= warmup:
                    ag["arrivals"] += 1
                yield request, self, ag["server"]
                started = sim.now()
                if started >= warmup:
                    ag["starts"] += 1
                    ag["wait_sum"] += started - arrived
                yield hold, self, ag["service"]()
                yield release, self, ag["server"]
                if sim.now() >= warmup:
                    ag["completions"] += 1
                    ag["time_sum"] += sim.now() - arrived
                # One draw; the remaining probability leaves the mechanism.
                u, cumulative, agency_id, delay = rng.random(), 0.0, None, None
                for probability, to, d in ag["routes"]:
                    cumulative += probability
                    if u < cumulative:
                        agency_id, delay = to, d
                        break
                if delay is not None:
                    yield hold, self, delay()
            if sim.now() >= warmup:
                totals["exited"] += 1
                totals["system_time_sum"] += sim.now() - entered

    class Source(Process):
        def arrivals(self, to, rate):
            while True:
                yield hold, self, rng.expovariate(rate)
                if sim.now() >= warmup:
                    totals["entered"] += 1
                c = Case(sim=sim)
                sim.activate(c, c.visit(to))

    for s in sc["source"]:
        if set(s) - {"id", "to", "rate"} or not isinstance(s["rate"], (int, float)):
            fail(f"source {s['id']}: only a numeric rate per day is modelled")
        p = Source(sim=sim)
        sim.activate(p, p.arrivals(s["to"], float(s["rate"])))

    # Count what the calendar hands out: SimPy's step() is one event notice each.
    steps = 0
    step = sim.step

    def counted_step():
        nonlocal steps
        steps += 1
        return step()

    sim.step = counted_step
    start = time.perf_counter()
    sim.simulate(until=horizon)
    wall = time.perf_counter() - start

    window = horizon - warmup
    out = {
        "scenario": path, "seed": seed, "simpy": "SimPy 2.3.1 (Debian 12 python3-simpy)",
        "python": sys.version.split()[0], "wall_seconds": round(wall, 3), "event_notices": steps,
        "cases": {
            "entered": totals["entered"], "exited": totals["exited"],
            "mean_time_in_system_days": totals["system_time_sum"] / max(totals["exited"], 1),
        },
        "agencies": {
            k: {
                "arrivals": a["arrivals"],
                "throughput_per_day": a["completions"] / window,
                "mean_wait_days": a["wait_sum"] / max(a["starts"], 1),
                "mean_time_in_agency_days": a["time_sum"] / max(a["completions"], 1),
            }
            for k, a in agencies.items()
        },
    }
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
