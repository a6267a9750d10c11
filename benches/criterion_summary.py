#!/usr/bin/env python3
"""Median and p90 per iteration from criterion's raw samples, to compare with
benches/pyhanko_sign.py (which reports the same two numbers).

Criterion stores, for each benchmark, samples of `iters[i]` iterations that took `times[i]` ns
in `$CARGO_TARGET_DIR/criterion/<group>/<id>/new/sample.json`; the per-iteration time of a
sample is times[i] / iters[i]. Prints a Markdown table.

  python3 benches/criterion_summary.py [CRITERION_DIR]   (default $CARGO_TARGET_DIR/criterion)
"""

import json
import os
import statistics
import sys
from pathlib import Path


def main():
    default = Path(os.environ.get("CARGO_TARGET_DIR", "target")) / "criterion"
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    print("| benchmark | samples | iterations | median ms | p90 ms | mean ms (criterion) |")
    print("|---|---|---|---|---|---|")
    for sample_file in sorted(base.glob("*/*/new/sample.json")):
        benchmark = sample_file.parent.parent
        sample = json.loads(sample_file.read_text())
        per_iteration = [t / n / 1e6 for t, n in zip(sample["times"], sample["iters"])]
        estimates = json.loads((sample_file.parent / "estimates.json").read_text())
        p90 = statistics.quantiles(per_iteration, n=10, method="inclusive")[8]
        print(
            f"| {benchmark.parent.name}/{benchmark.name} | {len(per_iteration)} | "
            f"{int(sum(sample['iters']))} | {statistics.median(per_iteration):.2f} | {p90:.2f} | "
            f"{estimates['mean']['point_estimate'] / 1e6:.2f} |"
        )


if __name__ == "__main__":
    main()
