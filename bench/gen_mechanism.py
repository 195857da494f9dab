#!/usr/bin/env python3
"""Writes a generated referral mechanism as TOML, for bench/check.sh.

Usage: bench/gen_mechanism.py [AGENCIES] [RULES] > mechanism.toml   (default 1000 and 5000)

Ten regions of AGENCIES / 10 agencies each: a detection desk per region (the sources), then
screening, decision, service and return layers; every agency has about RULES / AGENCIES rules
out, to agencies in later layers of its own region (and, for one in ten, of the next region),
with conditions on child, nationality and exploitation so that the per-profile filtering has
work to do. The same arguments always give the same file (a fixed seed).
"""
import random
import sys

agencies = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rules = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
rng = random.Random(1234)
regions = 10
per_region = agencies // regions
layers = 5  # detection, screening, decision, services, return
out = []
out.append('[scenario]\nname = "Generated mechanism: %d agencies, %d rules"\ncountry = "GH"\n' % (agencies, rules))
out.append('[run]\nhorizon = "1y"\n')
out.append('[[profile]]\nid = "mixed"\nchild = 0.3\nnationality = { GH = 0.7, TG = 0.3 }\n'
           'exploitation = { sexual = 0.4, labour = 0.6 }\nneeds = { shelter = 0.5 }\n')

names = []
layer_of = {}
for r in range(regions):
    for i in range(per_region):
        layer = min(layers - 1, i * layers // per_region)
        name = "a%d_%d" % (r, i)
        names.append(name)
        layer_of[name] = (r, layer)
        lines = ['[[agency]]', 'id = "%s"' % name]
        if layer == 3 and i % 2 == 0:
            lines.append('kind = "shelter"\nbeds = %d\nprovides = ["shelter"]' % rng.randint(20, 60))
        elif layer == 3:
            lines.append('kind = "child_protection"\nservers = %d' % rng.randint(2, 6))
        else:
            lines.append('servers = %d' % rng.randint(2, 8))
        if layer == 4:
            lines.append('stage = "return"')
        if layer == 2:
            lines.append('decision = { sets = "presumed", sensitivity = 0.8, specificity = 0.7 }')
        lines.append('service = { dist = "exponential", mean = "%dh" }' % rng.randint(2, 48))
        out.append("\n".join(lines) + "\n")

by_region_layer = {}
for n in names:
    by_region_layer.setdefault(layer_of[n], []).append(n)
for r in range(regions):
    for n in by_region_layer[(r, 0)]:
        out.append('[[source]]\nid = "src_%s"\nto = "%s"\nrate = "0.05/d"\nprofile = "mixed"\n' % (n, n))

conditions = ["", "child", "not child", "nationality == 'TG'", "exploitation == 'labour'", "presumed",
              "not presumed and not child"]
written = 0
pairs = set()
sources = [n for n in names if layer_of[n][1] < layers - 1]
while written < rules:
    frm = sources[written % len(sources)]
    r, layer = layer_of[frm]
    if rng.random() < 0.1:
        r = (r + 1) % regions
    targets = [t for l in range(layer + 1, layers) for t in by_region_layer[(r, l)]]
    to = rng.choice(targets)
    if (frm, to) in pairs:
        continue
    pairs.add((frm, to))
    when = rng.choice(conditions)
    rule = ['[[referral]]', 'from = "%s"' % frm, 'to = "%s"' % to, 'probability = 0.12']
    if when:
        rule.append('when = "%s"' % when)
    out.append("\n".join(rule) + "\n")
    written += 1

sys.stdout.write("\n".join(out))
