#!/usr/bin/env python3
"""Checks a rolling update's bounds at every instant of an event log.

    check_rollout.py EVENTS.jsonl NAMESPACE/DEPLOYMENT --replicas N \
        --max-surge 25% --max-unavailable 1

Between the Deployment's RolloutStarted and RolloutComplete records, after
every record: the Deployment's pods that exist and are not terminating never
exceed replicas + maxSurge, and its available pods (Ready, not terminating;
minReadySeconds 0) never drop below replicas - maxUnavailable. maxSurge
rounds up and maxUnavailable down; both 0 gives maxUnavailable 1
(pkg/controller/deployment/util/deployment_util.go ResolveFenceposts).
The rollout must complete, and every remaining pod must be of the new revision.
"""
import argparse
import json
import math
import sys


def resolve(value, replicas, round_up):
    if value.endswith("%"):
        x = int(value[:-1]) * replicas / 100
        return math.ceil(x) if round_up else math.floor(x)
    return int(value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("events")
    ap.add_argument("deployment")
    ap.add_argument("--replicas", type=int, required=True)
    ap.add_argument("--max-surge", default="25%")
    ap.add_argument("--max-unavailable", default="25%")
    a = ap.parse_args()
    surge = resolve(a.max_surge, a.replicas, True)
    unavailable = resolve(a.max_unavailable, a.replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    name = a.deployment.split("/")[-1]

    pods = {}  # pod -> {"alive": bool, "ready": bool, "revision": str}
    in_rollout = False
    rollouts = completes = 0
    checked = 0
    new_revision = None
    for n, line in enumerate(open(a.events), 1):
        r = json.loads(line)
        t, typ = r["t"], r["type"]
        if typ in ("RolloutStarted", "RolloutComplete") and r.get("kind") == "Deployment" \
                and r.get("name", "").split("/")[-1] == name:
            # Revision 0 -> 1 is the Deployment's creation, not an update.
            if typ == "RolloutStarted" and r["from"] > 0:
                in_rollout, rollouts = True, rollouts + 1
                new_revision = str(r["to"])
            elif typ == "RolloutComplete" and in_rollout and str(r["to"]) == new_revision:
                in_rollout, completes = False, completes + 1
        if r.get("deployment", "").split("/")[-1] == name and "pod" in r:
            p = pods.setdefault(r["pod"], {"alive": True, "ready": False,
                                           "revision": str(r.get("revision", ""))})
            if typ == "PodReady":
                p["ready"] = True
            elif typ in ("PodNotReady", "PodRestarted"):
                p["ready"] = False
            elif typ in ("PodTerminating", "PodDeleted", "PodSucceeded", "PodFailed"):
                p["alive"] = p["ready"] = False
        if in_rollout:
            alive = sum(1 for p in pods.values() if p["alive"])
            available = sum(1 for p in pods.values() if p["alive"] and p["ready"])
            checked += 1
            if alive > a.replicas + surge:
                sys.exit(f"line {n} (t={t}): {alive} pods > replicas {a.replicas} + maxSurge {surge}")
            if available < a.replicas - unavailable:
                sys.exit(f"line {n} (t={t}): {available} available < replicas {a.replicas} - "
                         f"maxUnavailable {unavailable}")
    if rollouts == 0 or completes != rollouts:
        sys.exit(f"{rollouts} rollouts started, {completes} completed")
    left = [k for k, p in pods.items() if p["alive"] and p["revision"] != new_revision]
    if left:
        sys.exit(f"pods of an old revision remain: {left[:3]}")
    alive = sum(1 for p in pods.values() if p["alive"])
    if alive != a.replicas:
        sys.exit(f"{alive} pods at the end, expected {a.replicas}")
    print(f"ok: {rollouts} rollout(s), bounds held at {checked} records "
          f"(max {a.replicas + surge} pods, min {a.replicas - unavailable} available)")


if __name__ == "__main__":
    main()
