"""An independent model of vwap-stream for the integration tests: simulated KRX
days (seeded RNG) and the expected bars computed with exact Fractions.

The model follows the documented semantics (docs/vwap-stream.md), not the C
code: per-partition watermark = max event time - lateness; a tick enters every
window whose end is still above the watermark; open/close by event time
(ties: arrival); intraday indicators per trading day on final closes; ma7d on
daily closes; cum VWAP = day's sums after the bar's last arrived tick."""
import math
import random
import statistics
from fractions import Fraction

KST = 9 * 3600 * 1000
DAY_MS = 86400000


def days_from_civil(y, m, d):
    import datetime
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def day_str(days):
    import datetime
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=days)).isoformat()


def kst_ms(days, h, m, s=0, ms=0):
    return days * DAY_MS - KST + ((h * 60 + m) * 60 + s) * 1000 + ms


def trading_days(end, n):
    """n weekdays ending at `end` (days since epoch), oldest first."""
    out, d = [], end
    while len(out) < n:
        if (d + 4) % 7 not in (0, 6):  # 1970-01-01 was a Thursday (4)
            out.append(d)
        d -= 1
    return out[::-1]


def tick(sym, days, ts, price, qty, cum_v, cum_t, seq):
    return {"v": 1, "id": "sim|%s|%s|%d" % (sym, day_str(days), seq), "source": "sim",
            "symbol": sym, "exchange": "KRX", "ts": ts, "day": day_str(days), "price": price,
            "qty": qty, "cum_volume": cum_v, "cum_turnover": cum_t,
            "feed_vwap": round(cum_t / cum_v, 2) if cum_v else price, "side": "buy"}


def price_walk(rng, p):
    step = 10 if p < 50000 else 100
    return max(step, p + step * rng.choice((-2, -1, 0, 0, 1, 2)))


def symbol_day(rng, sym, days, start_min, minutes, per_min, jitter=0, very_late=0):
    """Ticks of one symbol for one day, in arrival order, cum fields consistent."""
    ts = kst_ms(days, 9, start_min)
    end = ts + minutes * 60000
    p, cum_v, cum_t, out, seq = rng.randrange(100, 2000) * 100, 0, 0, [], 0
    gap = int(60000 / per_min)
    while ts < end:
        ts += rng.randrange(1, 2 * gap)
        p = price_walk(rng, p)
        q = rng.randrange(1, 500)
        t_ev = ts
        r = rng.random()
        if r < jitter:
            t_ev = ts - rng.randrange(0, 1500)  # out of order, within lateness
        elif r < jitter + very_late:
            t_ev = ts - rng.randrange(65000, 120000)  # beyond lateness for 1m
        cum_v += q
        cum_t += p * q
        seq += 1
        t = tick(sym, days, t_ev, p, q, cum_v, cum_t, seq)
        t["_arr"] = ts  # arrival (message timestamp); popped before producing
        out.append(t)
    return out


def build_dataset(seed, n_wide, n_hist, n_days, parts=6, end_day=None, jitter=0.05,
                  very_late=0.01):
    """Returns {partition: [tick, ...]} in production order, plus closer ticks
    (next trading day) that push every partition's watermark past the data."""
    rng = random.Random(seed)
    end_day = end_day or days_from_civil(2026, 11, 20)
    days = trading_days(end_day, n_days)
    per_part = {p: [] for p in range(parts)}
    syms = ["H%04d" % i for i in range(n_hist)] + ["%06d" % (100000 + i) for i in range(n_wide)]
    part_of = {s: i % parts for i, s in enumerate(syms)}
    for d in days:
        day_ticks = []
        for s in syms:
            if s.startswith("H"):
                mins = 75 if d == days[-1] else 8
                day_ticks += symbol_day(rng, s, d, 0, mins, 3, jitter, very_late)
            elif d == days[-1]:
                day_ticks += symbol_day(rng, s, d, rng.randrange(0, 5), rng.randrange(2, 8),
                                        rng.choice((1, 2, 3)), jitter, very_late)
        # Arrival order across symbols: by arrival time (before jitter), stable.
        day_ticks.sort(key=_arrival)
        for t in day_ticks:
            per_part[part_of[t["symbol"]]].append(t)
        # A stale tick of the previous day after this one began: ignored.
        if d != days[0]:
            s = syms[0]
            stale = tick(s, days[days.index(d) - 1], kst_ms(days[days.index(d) - 1], 10, 0), 1000,
                         1, 1, 1000, 999999)
            per_part[part_of[s]].append(stale)
    nxt = trading_days(end_day + 7, 20)
    nxt = [x for x in nxt if x > end_day][0]
    for p in range(parts):
        per_part[p].append(tick("ZZEND%d" % p, nxt, kst_ms(nxt, 9, 0), 1000, 1, 1, 1000, 1))
    return per_part, part_of


def _arrival(t):
    return t.get("_arr", t["ts"])


class Model:
    def __init__(self, windows=(("1m", 60000),), lateness=2000, periods=(5, 20, 60), vol=20,
                 cross=("sma_5", "sma_20")):
        self.windows, self.lateness, self.periods, self.vol, self.cross = (
            windows, lateness, periods, vol, cross)
        self.maxts = {}
        self.sym = {}
        self.bars = {}  # id -> state
        self.daily_close = {}  # symbol -> {day: close}

    def run(self, per_part):
        for p, ticks in per_part.items():
            for i, t in enumerate(ticks):
                self.tick(p, t, i)
        return self.expected()

    def tick(self, p, t, seq):
        s = self.sym.setdefault(t["symbol"], {"day": None})
        if s["day"] is not None and t["day"] < s["day"]:
            return
        self.maxts[p] = max(self.maxts.get(p, -2**62), t["ts"])
        wm = self.maxts[p] - self.lateness
        if s["day"] != t["day"]:
            s.update(day=t["day"], cv=Fraction(0), ct=Fraction(0))
        price, qty = Fraction(t["price"]), Fraction(t["qty"])
        s["cv"] += qty
        s["ct"] += price * qty
        y, m, d = map(int, t["day"].split("-"))
        dstart = days_from_civil(y, m, d) * DAY_MS - KST
        spans = [(name, t["ts"] // n * n, t["ts"] // n * n + n) for name, n in self.windows]
        spans.append(("1d", dstart, dstart + DAY_MS))
        for name, start, end in spans:
            if end <= wm:
                continue
            bid = "%s|%s|%d" % (t["symbol"], name, start)
            b = self.bars.get(bid)
            if b is None:
                b = self.bars[bid] = {"symbol": t["symbol"], "window": name, "start": start,
                                      "end": end, "day": t["day"], "high": price, "low": price,
                                      "volume": Fraction(0), "turnover": Fraction(0),
                                      "trades": 0, "o": (t["ts"], seq, price),
                                      "c": (t["ts"], seq, price)}
            b["o"] = min(b["o"], (t["ts"], seq, price))
            b["c"] = max(b["c"], (t["ts"], seq, price))
            b["high"], b["low"] = max(b["high"], price), min(b["low"], price)
            b["volume"] += qty
            b["turnover"] += price * qty
            b["trades"] += 1
            b["cum_vwap"] = s["ct"] / s["cv"]

    def expected(self):
        out = {}
        series = {}
        for bid, b in self.bars.items():
            e = {"id": bid, "symbol": b["symbol"], "window": b["window"], "start": b["start"],
                 "end": b["end"], "day": b["day"], "open": b["o"][2], "high": b["high"],
                 "low": b["low"], "close": b["c"][2], "volume": b["volume"],
                 "turnover": b["turnover"], "vwap": b["turnover"] / b["volume"],
                 "trades": b["trades"], "cum_vwap": b["cum_vwap"], "final": True}
            out[bid] = e
            series.setdefault((b["symbol"], b["window"], b["day"]), []).append(e)
        for (sym, win, day), bars in series.items():
            bars.sort(key=lambda e: e["start"])
            if win == "1d":
                continue
            self.indicators(bars)
        daily = {}
        for e in out.values():
            if e["window"] == "1d":
                daily.setdefault(e["symbol"], []).append(e)
        for sym, bars in daily.items():
            bars.sort(key=lambda e: e["start"])
            for i in range(6, len(bars)):
                e = bars[i]
                e["ma7d"] = sum(x["close"] for x in bars[i - 6:i + 1]) / 7
        return out

    def indicators(self, bars):
        closes = []
        ema = {}
        prev = None
        for e in bars:
            closes.append(e["close"])
            n = len(closes)
            for N in self.periods:
                if n < N:
                    continue
                e["sma_%d" % N] = sum(closes[-N:]) / N
                a = Fraction(2, N + 1)
                ema[N] = e["sma_%d" % N] if n == N else a * e["close"] + (1 - a) * ema[N]
                e["ema_%d" % N] = ema[N]
            if self.vol >= 2 and n >= self.vol + 1:
                r = [math.log(closes[i] / closes[i - 1]) for i in range(n - self.vol, n)]
                e["volatility"] = statistics.stdev(r)
            f, s = e.get(self.cross[0]), e.get(self.cross[1])
            if prev and f is not None and s is not None and None not in prev:
                if prev[0] <= prev[1] and f > s:
                    e["cross"] = "golden"
                elif prev[0] >= prev[1] and f < s:
                    e["cross"] = "dead"
            prev = (f, s)


NUMERIC = ("open", "high", "low", "close", "volume", "turnover", "vwap", "cum_vwap")
INDICATOR_PREFIX = ("sma_", "ema_", "volatility", "ma7d")


def close_enough(a, b, rel=1e-9):
    a, b = float(a), float(b)
    return a == b or abs(a - b) <= rel * max(abs(a), abs(b))


def diff_bar(exp, got):
    """List of differences between an expected bar and a decoded bars message."""
    out = []
    for k in ("symbol", "window", "start", "end", "day", "trades", "final"):
        if exp[k] != got.get(k):
            out.append("%s: want %r got %r" % (k, exp[k], got.get(k)))
    for k in NUMERIC:
        if not close_enough(exp[k], got.get(k, float("nan"))):
            out.append("%s: want %r got %r" % (k, float(exp[k]), got.get(k)))
    keys = {k for k in list(exp) + list(got) if k.startswith(INDICATOR_PREFIX)}
    for k in keys:
        if k not in exp or k not in got:
            out.append("%s: want %r got %r" % (k, exp.get(k), got.get(k)))
        elif not close_enough(exp[k], got[k]):
            out.append("%s: want %r got %r" % (k, float(exp[k]), got[k]))
    if exp.get("cross", "") != got.get("cross", ""):
        out.append("cross: want %r got %r" % (exp.get("cross"), got.get("cross")))
    return out


# Self-checks of the model, so the reference the program is compared with is
# itself right on hand-computed cases.

def test_model_ema_follows_talib_seed_and_alpha():
    m = Model(periods=(3,), vol=0, cross=("sma_3", "sma_3"))
    bars = [{"close": Fraction(c)} for c in (10, 11, 12, 13, 20)]
    m.indicators(bars)
    assert "ema_3" not in bars[1] and bars[2]["ema_3"] == 11  # seed: SMA of the first 3
    assert bars[3]["ema_3"] == Fraction(1, 2) * 13 + Fraction(1, 2) * 11  # alpha = 2/(3+1)
    assert bars[4]["sma_3"] == Fraction(45, 3)


def test_model_volatility_is_sample_stdev_of_log_returns():
    m = Model(periods=(2,), vol=2, cross=("sma_2", "sma_2"))
    bars = [{"close": Fraction(c)} for c in (100, 110, 99)]
    m.indicators(bars)
    r = [math.log(110 / 100), math.log(99 / 110)]
    assert "volatility" not in bars[1]
    assert abs(bars[2]["volatility"] - statistics.stdev(r)) < 1e-15


def test_dataset_cum_fields_are_consistent():
    per_part, _ = build_dataset(seed=1, n_wide=20, n_hist=2, n_days=2)
    sums = {}
    for ticks in per_part.values():
        for t in ticks:
            if t["symbol"].startswith("ZZ") or t["id"].endswith("|999999"):
                continue
            v, tt = sums.get((t["symbol"], t["day"]), (0, 0))
            v, tt = v + t["qty"], tt + t["price"] * t["qty"]
            sums[(t["symbol"], t["day"])] = (v, tt)
            assert (t["cum_volume"], t["cum_turnover"]) == (v, tt)
