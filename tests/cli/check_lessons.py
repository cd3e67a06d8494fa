#!/usr/bin/env python3
"""The failure lessons from the command line (README, docs/failures.md).

usage: check_lessons.py KUBESIM SCENARIOS_DIR

- every lesson runs with exit 0 and reports an availability section;
- manual-vs-kubernetes: with --controllers manual, `shop` has all its replicas
  ready for a strictly smaller fraction of the day than with kubernetes, and
  its mean time to repair is longer (same seed, same faults);
- --naive-timers writes the same events.jsonl, byte for byte.
"""
import json
import os
import subprocess
import sys
import tempfile

kubesim, lessons = sys.argv[1], os.path.join(sys.argv[2], "lessons")


def run(tmp, name, *flags):
    out = os.path.join(tmp, name + "-" + "-".join(f.strip("-") for f in flags))
    p = subprocess.run([kubesim, "run", os.path.join(lessons, name + ".yaml"), "--out", out,
                        "--output", "json", *flags], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{name} {flags}: exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout), out


with tempfile.TemporaryDirectory() as tmp:
    for name in ("manual-vs-kubernetes", "node-failure", "crashloop", "control-plane-outage",
                 "bad-rollout"):
        summary, _ = run(tmp, name)
        if not summary["availability"]["workloads"]:
            sys.exit(f"{name}: no workload in the availability section")

    k8s, _ = run(tmp, "manual-vs-kubernetes", "--controllers", "kubernetes")
    manual, _ = run(tmp, "manual-vs-kubernetes", "--controllers", "manual")
    a = k8s["availability"]["workloads"][0]
    b = manual["availability"]["workloads"][0]
    if not b["availability_full"] < a["availability_full"]:
        sys.exit(f"manual full availability {b['availability_full']} is not below "
                 f"kubernetes' {a['availability_full']}")
    if not b["mttr_seconds"]["mean"] > a["mttr_seconds"]["mean"]:
        sys.exit("manual MTTR is not longer than kubernetes'")

    for name in ("node-failure", "crashloop", "control-plane-outage"):
        _, lazy = run(tmp, name, "--seed", "5")
        _, naive = run(tmp, name, "--seed", "5", "--naive-timers")
        with open(os.path.join(lazy, "events.jsonl"), "rb") as f1, \
                open(os.path.join(naive, "events.jsonl"), "rb") as f2:
            if f1.read() != f2.read():
                sys.exit(f"{name}: --naive-timers changed events.jsonl")
