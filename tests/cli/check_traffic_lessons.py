#!/usr/bin/env python3
"""The traffic lessons from the command line (README, docs/traffic.md).

usage: check_traffic_lessons.py KUBESIM SCENARIOS_DIR

- every Service of both lessons accounts for every request
  (arrived = completed + failed + in flight) and traffic.csv is written;
- load-balancing: random balancing gives each pod an M/M/1 queue at 90%, so
  its p99 is the largest; round-robin, least-connections and power-of-2 all
  look at (or evenly spread) the queues and must have a smaller p99 and mean;
  round-robin through one kube-proxy gives every pod the same count to within
  one request, so its max/mean load share is below 1 + 1/(count per pod);
- rolling-update-traffic: the unprobed Service fails the most (its new pods
  get requests before the app listens); the probed one still fails some
  requests (old pods refuse while kube-proxies lag) and the retried one
  fails the fewest.
"""
import json
import os
import subprocess
import sys
import tempfile

kubesim, lessons = sys.argv[1], os.path.join(sys.argv[2], "lessons")


def run(tmp, name):
    out = os.path.join(tmp, name)
    p = subprocess.run([kubesim, "run", os.path.join(lessons, name + ".yaml"), "--out", out,
                        "--output", "json"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{name}: exit {p.returncode}: {p.stderr}")
    summary = json.loads(p.stdout)
    if not os.path.exists(os.path.join(out, "traffic.csv")):
        sys.exit(f"{name}: no traffic.csv")
    for svc, s in summary["services"].items():
        r = s["requests"]
        if r["arrived"] != r["completed"] + r["failed"] + r["in_flight"]:
            sys.exit(f"{name}: {svc} loses requests: {r}")
        if r["arrived"] == 0:
            sys.exit(f"{name}: {svc} got no request")
    return summary["services"]


with tempfile.TemporaryDirectory() as tmp:
    lb = run(tmp, "load-balancing")
    random = lb["random"]["latency_seconds"]
    for other in ("round-robin", "least-conn", "power-of-2"):
        o = lb[other]["latency_seconds"]
        if not (o["p99"] < random["p99"] and o["mean"] < random["mean"]):
            sys.exit(f"load-balancing: {other} {o} is not better than random {random}")
    rr = lb["round-robin"]
    per_pod = rr["requests"]["arrived"] / rr["load_share"]["pods"]
    if not rr["load_share"]["max_over_mean"] <= 1 + 1 / per_pod + 1e-9:
        sys.exit(f"load-balancing: round-robin shares unevenly: {rr['load_share']}")

    ru = run(tmp, "rolling-update-traffic")
    failed = {k: v["requests"]["failed"] for k, v in ru.items()}
    if not failed["unprobed"] > failed["probed"] > failed["retried"]:
        sys.exit(f"rolling-update-traffic: failures not in the lesson's order: {failed}")
    if ru["probed"]["failed_by_reason"]["connection_error"] == 0:
        sys.exit("rolling-update-traffic: no refusal from lagging kube-proxies")
print("ok")
