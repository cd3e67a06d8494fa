#!/usr/bin/env python3
"""Runs `kubesim schedule --output json` and checks one plugin's raw scores.

    check_scores.py KUBESIM CLUSTER POD PROFILE PLUGIN node=score ...
"""
import json
import subprocess
import sys

kubesim, cluster, pod, profile, plugin, *expected = sys.argv[1:]
out = subprocess.run([kubesim, "schedule", "--cluster", cluster, "--pod", pod,
                      "--profile", profile, "--output", "json"],
                     check=True, capture_output=True, text=True).stdout
result = json.loads(out)
assert set(result) >= {"pod", "selected", "nodes"}, result.keys()
scores = {n["name"]: n["scores"][plugin]["raw"] for n in result["nodes"] if n["feasible"]}
want = {k: int(v) for k, v in (e.split("=") for e in expected)}
if scores != want:
    sys.exit(f"{plugin} with profile {profile}: got {scores}, want {want}")
