#!/usr/bin/env python3
"""Checks `kubesim run` (docs/running.md) on one scenario. One check per call:

    check_run.py KUBESIM SCENARIO same-seed   same seed twice -> byte-identical events.jsonl
    check_run.py KUBESIM SCENARIO other-seed  another seed -> a different events.jsonl
    check_run.py KUBESIM SCENARIO json        --output json: the documented keys; = summary.json
    check_run.py KUBESIM SCENARIO events      every line is a JSON object with t and type,
                                              t never decreases
    check_run.py KUBESIM SCENARIO bad-flags   bad --until/--output/--scheduler: one line, exit 2,
                                              nothing written
    check_run.py KUBESIM SCENARIO load-error  a scenario with errors: file:line:col lines, exit 2,
                                              nothing written
    check_run.py KUBESIM SCENARIO interrupt   SIGINT: exit 130, no file written (exit 77, skipped,
                                              if the run ends before the signal can be sent)

Every run writes into its own temporary directory: tests run in parallel.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77

kubesim, scenario, check = sys.argv[1:4]


def run(out_dir, *flags, check_rc=True):
    p = subprocess.run([kubesim, "run", scenario, "--out", out_dir, *flags],
                       capture_output=True, text=True)
    if check_rc and p.returncode != 0:
        sys.exit(f"kubesim run {' '.join(flags)} exited {p.returncode}: {p.stderr}")
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def events_of(tmp, name, *flags):
    out = os.path.join(tmp, name)
    run(out, "--quiet", *flags)
    return read(os.path.join(out, "events.jsonl"))


def same_seed(tmp):
    a = events_of(tmp, "a", "--seed", "7")
    b = events_of(tmp, "b", "--seed", "7")
    if not a:
        sys.exit("events.jsonl is empty")
    if a != b:
        sys.exit("two runs with seed 7 wrote different event logs")


def other_seed(tmp):
    if events_of(tmp, "a", "--seed", "7") == events_of(tmp, "b", "--seed", "8"):
        sys.exit("seeds 7 and 8 wrote identical event logs")


def json_output(tmp):
    out = os.path.join(tmp, "out")
    printed = json.loads(run(out, "--output", "json", "--seed", "3").stdout)
    want = ["scenario", "seed", "simulated_seconds", "wall_seconds", "speedup",
            "events_processed", "pods", "scheduling_latency_seconds", "utilization",
            "nodes", "rollouts", "jobs", "availability", "rejected_writes", "interrupted"]
    if list(printed) != want:
        sys.exit(f"keys {list(printed)}, want {want}")
    assert printed["seed"] == 3, printed["seed"]
    assert printed["interrupted"] is False
    assert set(printed["pods"]) == {"created", "running", "pending", "succeeded", "failed",
                                    "unknown", "deleted"}, printed["pods"]
    pods = printed["pods"]
    assert pods["created"] == sum(v for k, v in pods.items() if k != "created"), pods
    for milestone in ("to_bind", "to_ready"):
        assert set(printed["scheduling_latency_seconds"][milestone]) == {"count", "p50", "p99"}
    for resource in ("cpu", "memory"):
        u = printed["utilization"][resource]
        assert set(u) == {"end", "mean"} and 0 <= u["end"] <= 1 and 0 <= u["mean"] <= 1, u
    written = json.loads(read(os.path.join(out, "summary.json")))
    if written != printed:
        sys.exit("summary.json differs from the printed summary")
    if sorted(os.listdir(out)) != ["events.jsonl", "summary.json"]:
        sys.exit(f"unexpected files in the output directory: {os.listdir(out)}")


def events(tmp):
    lines = events_of(tmp, "out").decode("utf-8").splitlines()
    if not lines:
        sys.exit("events.jsonl is empty")
    last = 0
    for n, line in enumerate(lines, 1):
        e = json.loads(line)
        if not isinstance(e, dict) or list(e)[:2] != ["t", "type"]:
            sys.exit(f"line {n}: does not start with t and type: {line}")
        if not isinstance(e["t"], (int, float)) or not isinstance(e["type"], str):
            sys.exit(f"line {n}: t must be a number and type a string: {line}")
        if e["t"] < last:
            sys.exit(f"line {n}: time went back from {last}: {line}")
        last = e["t"]


def bad_flags(tmp):
    for flags in (["--until", "10x"], ["--until", "-5m"], ["--output", "yaml"],
                  ["--scheduler", "no-such-profile"], ["--controllers", "kubernets"]):
        out = os.path.join(tmp, "out")
        p = run(out, *flags, check_rc=False)
        lines = p.stderr.splitlines()
        if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("kubesim: error: "):
            sys.exit(f"{flags}: exit {p.returncode}, stderr {p.stderr!r}; want exit 2, one line")
        if os.path.exists(out):
            sys.exit(f"{flags}: the output directory was created")


def load_error(tmp):
    out = os.path.join(tmp, "out")
    p = run(out, check_rc=False)
    name = os.path.basename(scenario)
    lines = p.stderr.splitlines()
    if p.returncode != 2 or not lines or not all(l.startswith(scenario + ":") for l in lines):
        sys.exit(f"exit {p.returncode}, stderr {p.stderr!r}; want exit 2 and {name}:line:col errors")
    if os.path.exists(out):
        sys.exit("the output directory was created")


def interrupt(tmp):
    out = os.path.join(tmp, "out")
    # A long horizon, so that the run is likely still going when the signal comes.
    p = subprocess.Popen([kubesim, "run", scenario, "--out", out, "--until", "36500d"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    if p.poll() is not None:
        print("the run ended before it could be interrupted")
        sys.exit(SKIP)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    if p.returncode != 130:
        sys.exit(f"exit {p.returncode}, want 130; stderr {stderr!r}")
    if "INTERRUPTED" not in stdout:
        sys.exit(f"the summary is not marked interrupted: {stdout!r}")
    left = os.listdir(out) if os.path.exists(out) else []
    if left:
        sys.exit(f"files left behind: {left}")


checks = {"same-seed": same_seed, "other-seed": other_seed, "json": json_output,
          "events": events, "bad-flags": bad_flags,
          "load-error": load_error, "interrupt": interrupt}
with tempfile.TemporaryDirectory(prefix="kubesim-run-test-") as tmp:
    checks[check](tmp)
