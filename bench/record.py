#!/usr/bin/env python3
"""bench/record.py — writes one benchmark's results and refreshes the summary table.

    bench/record.py NAME '[{"metric": ..., "value": ..., "unit": ..., "baseline": ...,
                          "baseline_value": ..., "ratio": ..., "command": ...}, ...]'

or, from Python: record(name, records). Each record is checked for the seven
fields; ratio is value/baseline_value when not given (None without a baseline).
bench/results/<NAME>.json holds the list; bench/results/README.md is rebuilt
from every JSON file in the folder.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
FIELDS = ("metric", "value", "unit", "baseline", "baseline_value", "ratio", "command")


def record(name, records):
    os.makedirs(RESULTS, exist_ok=True)
    clean = []
    for r in records:
        r = dict(r)
        r.setdefault("baseline", None)
        r.setdefault("baseline_value", None)
        if r.get("ratio") is None and r["baseline_value"]:
            r["ratio"] = round(r["value"] / r["baseline_value"], 3)
        r.setdefault("ratio", None)
        missing = [f for f in FIELDS if f not in r]
        if missing:
            raise ValueError("record %s lacks %s" % (r.get("metric"), missing))
        clean.append({f: r[f] for f in FIELDS})
    with open(os.path.join(RESULTS, name + ".json"), "w") as f:
        json.dump(clean, f, indent=2)
        f.write("\n")
    write_table()


def fmt(v):
    if v is None:
        return "—"
    if isinstance(v, float):
        return "%.4g" % v
    return str(v)


def write_table():
    rows = []
    for path in sorted(glob.glob(os.path.join(RESULTS, "*.json"))):
        for r in json.load(open(path)):
            rows.append("| %s | %s | %s %s | %s | %s | %s |" % (
                os.path.basename(path)[:-5], r["metric"], fmt(r["value"]), r["unit"],
                r["baseline"] or "—", fmt(r["baseline_value"]), fmt(r["ratio"])))
    with open(os.path.join(RESULTS, "README.md"), "w") as f:
        f.write("# Benchmark results\n\nWritten by `make bench` (bench/run); each row comes from "
                "bench/results/<bench>.json, where the exact command is recorded.\n"
                "Ratio = tickpipe / baseline (for latency and memory, lower is better).\n\n"
                "| bench | metric | value | baseline | baseline value | ratio |\n"
                "|---|---|---|---|---|---|\n")
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    record(sys.argv[1], json.loads(sys.argv[2]))
