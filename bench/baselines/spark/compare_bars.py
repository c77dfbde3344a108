#!/usr/bin/env python3
"""Compares two bars topics fed the same ticks (vwap-stream or Kafka Streams vs
the Spark baseline): every final 1m bar by id, and each symbol's last daily
bar, field by field (relative tolerance 1e-9). Prints a few symbols' bars side
by side and the count of differences; exits 1 on any.

  compare_bars.py BARS_A BARS_B [SYMBOLS_TO_SHOW]     (run with .cache/venv)
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from vwap_tools import records  # noqa: E402 — the bench's shared topic reader

BAR = ("open", "high", "low", "close", "volume", "turnover", "vwap", "trades")
IND = ("sma_5", "ema_5", "sma_20", "ema_20", "sma_60", "ema_60", "volatility", "cross")
DAY = ("open", "high", "low", "close", "volume", "turnover", "trades", "cum_vwap")


def read(topic):
    finals, daily = {}, {}
    for m in records(topic, "cmp", idle_s=4, poll_s=0.3):
        b = json.loads(m.value())
        if b["window"] == "1m" and b.get("final"):
            finals[b["id"]] = b
        elif b["window"] == "1d":
            prev = daily.get(b["symbol"])
            if prev is None or b["trades"] >= prev["trades"]:
                daily[b["symbol"]] = b
    return finals, daily


def same(x, y):
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
    return x == y


def main():
    a, b = sys.argv[1], sys.argv[2]
    show = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    fa, da = read(a)
    fb, db = read(b)
    diffs = 0
    ids = sorted(set(fa) | set(fb))
    for i in ids:
        x, y = fa.get(i), fb.get(i)
        if x is None or y is None:
            diffs += 1
            print("only in %s: %s" % (a if y is None else b, i))
            continue
        for f in BAR + IND:
            if not same(x.get(f), y.get(f)):
                diffs += 1
                if diffs <= 20:
                    print("%s %s: %r vs %r" % (i, f, x.get(f), y.get(f)))
    for s in sorted(set(da) | set(db)):
        x, y = da.get(s, {}), db.get(s, {})
        for f in DAY:
            if not same(x.get(f), y.get(f)):
                diffs += 1
                print("1d %s %s: %r vs %r" % (s, f, x.get(f), y.get(f)))
    syms = sorted({fa[i]["symbol"] for i in fa})[:show]
    cols = ("start",) + BAR + ("sma_5", "ema_20", "sma_60", "volatility", "cross")
    for s in syms:
        rows = [i for i in ids if i.startswith(s + "|")][-3:]
        print("\n%s, last 3 final 1m bars (A = %s, B = %s)" % (s, a, b))
        print("  " + " ".join("%12s" % c for c in cols))
        for i in rows:
            for tag, d in (("A", fa), ("B", fb)):
                r = d.get(i, {})
                print(tag + " " + " ".join("%12s" % fmt(r.get(c)) for c in cols))
        print("1d A: " + " ".join("%s=%s" % (f, fmt(da.get(s, {}).get(f))) for f in DAY))
        print("1d B: " + " ".join("%s=%s" % (f, fmt(db.get(s, {}).get(f))) for f in DAY))
    print("\n%d final 1m bars in A, %d in B, %d daily bars; %d differences"
          % (len(fa), len(fb), len(da), diffs))
    sys.exit(1 if diffs else 0)


def fmt(v):
    if isinstance(v, float):
        return "%.6g" % v if abs(v) < 1e6 else "%.0f" % v
    return "-" if v is None else str(v)


if __name__ == "__main__":
    main()
