#!/usr/bin/env python3
"""Summarises a Google Benchmark JSON file of bench/engine_bench as a Markdown
table: median events per second per peer and N, and ratios of kubesim's engine
to the std::function/priority_queue baseline and to the fastest ns-3 scheduler.

    engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
        --benchmark_out=bench.json --benchmark_out_format=json
    scripts/bench-report.py bench.json
"""
import json
import sys
from collections import defaultdict


def main(path):
    with open(path) as f:
        data = json.load(f)
    medians = defaultdict(dict)  # peer -> n -> events/s
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        _, peer, n = b["run_name"].split("/")
        medians[peer][int(n)] = b["items_per_second"]
    sizes = sorted({n for per in medians.values() for n in per})
    ns3 = [p for p in medians if p.startswith("ns3_")]
    print("| peer | " + " | ".join(f"N = {n:,}" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for peer in sorted(medians, key=lambda p: (p != "kubesim", p)):
        cells = [f"{medians[peer][n] / 1e6:.2f} M/s" if n in medians[peer] else "-" for n in sizes]
        print(f"| {peer} | " + " | ".join(cells) + " |")
    base = medians.get("std_function_priority_queue", {})
    mine = medians.get("kubesim", {})
    print()
    print("| ratio | " + " | ".join(f"N = {n:,}" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    print("| kubesim / std::function priority_queue | "
          + " | ".join(f"{mine[n] / base[n]:.2f}x" for n in sizes) + " |")
    if ns3:
        best = {n: max(medians[p].get(n, 0) for p in ns3) for n in sizes}
        which = {n: max(ns3, key=lambda p: medians[p].get(n, 0)) for n in sizes}
        print("| kubesim / fastest ns-3 scheduler | "
              + " | ".join(f"{mine[n] / best[n]:.2f}x ({which[n][4:]})" for n in sizes) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
