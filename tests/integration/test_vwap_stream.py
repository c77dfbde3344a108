"""vwap-stream against the real Kafka: bars equal an independent exact model
(tests/integration/vwap_model.py) on simulated KRX days; the KIS cum-VWAP
check at every trade; late and other-day ticks; malformed input to the dlq;
kill -9 and restart; 1 vs 3 instances."""
import json
import os
import re
import sys
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import BROKERS, committed  # noqa: E402
import test_vwap_model as vm  # noqa: E402

PARTS = 6


@pytest.fixture
def vtopics():
    """Fresh ticks/bars/dlq topics; no retention limit (ticks carry old timestamps)."""
    sfx = uuid.uuid4().hex[:8]
    names = {k: "vs_%s_%s" % (k, sfx) for k in ("ticks", "bars", "bars2", "dlq")}
    admin = AdminClient({"bootstrap.servers": BROKERS})
    fs = admin.create_topics([NewTopic(n, num_partitions=PARTS, replication_factor=1,
                                       config={"retention.ms": "-1"}) for n in names.values()])
    for f in fs.values():
        f.result(30)
    yield names
    admin.delete_topics(list(names.values()))


def produce_parts(topic, per_part, timestamps=True, only=None):
    p = Producer({"bootstrap.servers": BROKERS, "enable.idempotence": True, "linger.ms": 5})
    for part, ticks in per_part.items():
        for t in ticks[only] if only else ticks:
            if isinstance(t, (bytes, str)):
                p.produce(topic, t, partition=part)
                continue
            t = dict(t)
            arr = t.pop("_arr", t["ts"])
            kw = {"timestamp": arr + 5} if timestamps else {}
            p.produce(topic, json.dumps(t, separators=(",", ":")).encode(),
                      key=t["symbol"].encode(), partition=part, **kw)
            p.poll(0)
    assert p.flush(30) == 0


class Bars:
    """Keeps reading a bars topic; .last is id -> last decoded value (what a
    keyed sink such as Elasticsearch ends up holding)."""

    def __init__(self, topic):
        self.c = Consumer({"bootstrap.servers": BROKERS, "group.id": "chk-" + uuid.uuid4().hex,
                           "auto.offset.reset": "earliest", "enable.auto.commit": False})
        self.c.subscribe([topic])
        self.last, self.count = {}, 0

    def poll(self, seconds):
        t0 = time.time()
        while time.time() - t0 < seconds:
            m = self.c.poll(0.1)
            if m is None or m.error():
                continue
            b = json.loads(m.value())
            assert m.key().decode() == b["symbol"]
            self.last[b["id"]] = b
            self.count += 1

    def wait_final(self, ids, timeout=90):
        t0 = time.time()
        while time.time() - t0 < timeout:
            self.poll(0.5)
            if all(self.last.get(i, {}).get("final") for i in ids):
                return
        missing = [i for i in ids if not self.last.get(i, {}).get("final")]
        raise AssertionError("%d final bars missing, e.g. %s" % (len(missing), missing[:5]))

    def close(self):
        self.c.close()


def expected_of(per_part, **kw):
    exp = vm.Model(**kw).run(per_part)
    return {k: v for k, v in exp.items() if not v["symbol"].startswith("ZZEND")}


def check_against(exp, last):
    bad = []
    for bid, e in exp.items():
        got = last.get(bid)
        d = ["missing"] if got is None else vm.diff_bar(e, got)
        if d:
            bad.append("%s: %s" % (bid, "; ".join(d[:4])))
    extra = [i for i in last if i not in exp and not i.startswith("ZZEND")]
    assert not bad, "%d bars differ, e.g.\n%s" % (len(bad), "\n".join(bad[:10]))
    assert not extra, "unexpected bars: %s" % extra[:5]


def strip(last):
    return {k: {f: v for f, v in b.items() if f != "updated_ts"} for k, b in last.items()}


def args(t, bars=None, group=None, *more):
    return ["--ticks-topic", t["ticks"], "--bars-topic", bars or t["bars"], "--dlq-topic",
            t["dlq"], "--group", group or "vs-" + uuid.uuid4().hex[:6], "--update-ms", "200",
            "-X", "auto.commit.interval.ms=200"] + list(more)


def test_bars_match_exact_model_on_krx_days(vtopics, run):
    per_part, _ = vm.build_dataset(seed=11, n_wide=1500, n_hist=12, n_days=8)
    exp = expected_of(per_part)
    assert len(exp) > 5000 and any("sma_60" in e for e in exp.values())
    assert any("ma7d" in e for e in exp.values()) and any(e.get("cross") for e in exp.values())
    produce_parts(vtopics["ticks"], per_part)
    group = "vs-" + uuid.uuid4().hex[:6]
    p = run("vwap-stream", *args(vtopics, None, group))
    bars = Bars(vtopics["bars"])
    bars.wait_final(list(exp))
    assert p.stop() == 0
    bars.poll(2)
    bars.close()
    check_against(exp, bars.last)
    # Offsets: everything consumed is committed after the drain.
    n = {q: len(t) for q, t in per_part.items()}
    assert committed(group, vtopics["ticks"], PARTS) == n


def test_kis_cum_vwap_equals_feed_at_every_trade(vtopics, run):
    import random
    rng = random.Random(5)
    day = vm.days_from_civil(2026, 11, 20)
    per_part, ticks = {q: [] for q in range(PARTS)}, 0
    for i in range(300):
        sym, ts, p, cv, ct = "K%05d" % i, vm.kst_ms(day, 9, 0), 50000, 0, 0
        for k in range(25):
            ts += rng.randrange(1000, 4000)  # one trade per second at most: one per 1s bar
            p = vm.price_walk(rng, p)
            q = rng.randrange(1, 900)
            cv, ct = cv + q, ct + p * q
            per_part[i % PARTS].append(vm.tick(sym, day, ts, p, q, cv, ct, k))
            ticks += 1
    for q in range(PARTS):
        per_part[q].sort(key=lambda t: t["ts"])  # the feed's order: by time across symbols
        per_part[q].append(vm.tick("ZZEND%d" % q, day + 3, vm.kst_ms(day + 3, 9, 0), 1, 1, 1, 1, 1))
    produce_parts(vtopics["ticks"], per_part)
    run("vwap-stream", *args(vtopics, None, None, "--windows", "1s", "--lateness-ms", "500"))
    feed = {}
    for q in per_part.values():
        for t in q:
            if not t["symbol"].startswith("ZZ"):
                feed["%s|1s|%d" % (t["symbol"], t["ts"] // 1000 * 1000)] = t
    bars = Bars(vtopics["bars"])
    bars.wait_final(list(feed))
    bars.close()
    assert len(feed) == ticks
    for bid, t in feed.items():
        b = bars.last[bid]
        assert b["trades"] == 1
        want = vm.Fraction(t["cum_turnover"]) / t["cum_volume"]
        assert vm.close_enough(want, b["cum_vwap"]), (bid, float(want), b["cum_vwap"])


def test_late_and_out_of_order_ticks_at_window_edges(vtopics, run):
    d = vm.days_from_civil(2026, 11, 20)
    t0 = vm.kst_ms(d, 9, 1)  # a window edge
    seq = [(t0 - 1, 100), (t0, 200), (t0 + 1000, 300),
           (t0 - 500, 400),   # out of order, within lateness: joins the 09:00 bar
           (t0 + 2500, 500),  # watermark t0+500: the 09:00 bar closes
           (t0 - 100, 600),   # late for 1m (counted, dropped there), still in the daily bar
           (t0 + 59999, 700), (t0 + 60000, 800), (t0 + 62000, 900)]  # 09:01 closes exactly
    cv = ct = 0
    ticks = []
    for i, (ts, price) in enumerate(seq):
        cv, ct = cv + 10, ct + price * 10
        ticks.append(vm.tick("EDGE", d, ts, price, 10, cv, ct, i))
    stale = vm.tick("EDGE", d - 1, vm.kst_ms(d - 1, 15, 0), 5, 1, 1, 5, 99)
    per_part = {0: ticks + [stale, vm.tick("ZZEND0", d + 3, vm.kst_ms(d + 3, 9, 0), 1, 1, 1, 1, 1)]}
    per_part[0].insert(1, b"not json at all")
    produce_parts(vtopics["ticks"], per_part)
    run("vwap-stream", *args(vtopics, None, None, "--other-day", "dlq"))
    exp = expected_of({0: [t for t in per_part[0] if isinstance(t, dict)]})
    bars = Bars(vtopics["bars"])
    bars.wait_final(list(exp))
    bars.close()
    check_against(exp, bars.last)
    b0 = bars.last["EDGE|1m|%d" % (t0 - 60000)]
    assert (b0["trades"], b0["open"], b0["close"], b0["high"]) == (2, 400, 100, 400)
    b1 = bars.last["EDGE|1m|%d" % t0]
    assert (b1["trades"], b1["close"]) == (4, 700)
    daily = [b for b in bars.last.values() if b["window"] == "1d" and b["symbol"] == "EDGE"]
    assert len(daily) == 1 and daily[0]["trades"] == 9 and daily[0]["day"] == "2026-11-20"
    dlq = [json.loads(v) for _, v, _, _ in consume_raw(vtopics["dlq"], 2)]
    reasons = sorted(x["reason"] for x in dlq)
    assert reasons[0] == "not valid JSON" and "trading day 2026-11-19" in reasons[1], reasons


def consume_raw(topic, expect):
    from conftest import consume
    return consume(topic, expect=expect, raw=True, timeout=30)


def test_kill9_restart_equals_clean_run(vtopics, run):
    per_part, _ = vm.build_dataset(seed=23, n_wide=900, n_hist=10, n_days=8)
    exp = expected_of(per_part)
    # The crash run consumes while ticks arrive in three chunks and is killed
    # with SIGKILL twice mid-stream; each restart rebuilds from the ticks.
    group = "vs-crash-" + uuid.uuid4().hex[:6]
    # Static membership: a restarted instance takes its predecessor's place at
    # once instead of waiting for the dead member's session to expire.
    fast_fail = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500", "-X",
                 "group.instance.id=" + group]
    crash_args = args(vtopics, vtopics["bars2"], group, *fast_fail)
    chunks = [{q: t[i * len(t) // 3:(i + 1) * len(t) // 3] for q, t in per_part.items()}
              for i in range(3)]
    b2 = Bars(vtopics["bars2"])
    procs = []
    produce_parts(vtopics["ticks"], chunks[0])
    produced = sum(len(t) for t in chunks[0].values())
    done = 0
    for chunk, delay in ((chunks[1], 0.3), (chunks[2], 0.6)):
        p = run("vwap-stream", *crash_args)
        procs.append(p)
        # Kill only once the run committed progress of its own, so the restart
        # must rebuild state from the ticks before its committed offsets. When the
        # killed run had already committed everything produced, there is nothing
        # new to commit: its successor has then rebuilt once every offset is committed.
        t0 = time.time()
        while time.time() - t0 < 60:
            now = sum(max(0, o) for o in committed(group, vtopics["ticks"], PARTS).values())
            if now > done or (now >= produced and "partition_rebuilt" in p.output()):
                done = now
                break
            b2.poll(0.2)
        assert time.time() - t0 < 60, "no progress committed"
        produce_parts(vtopics["ticks"], chunk)
        produced += sum(len(t) for t in chunk.values())
        time.sleep(delay)
        assert p.alive()
        p.kill9()
        done = sum(max(0, o) for o in committed(group, vtopics["ticks"], PARTS).values())
    p = run("vwap-stream", *crash_args)
    b2.wait_final(list(exp))
    # The last restart must have rebuilt too before we stop it.
    t0 = time.time()
    while time.time() - t0 < 60 and "partition_rebuilt" not in p.output():
        b2.poll(0.5)
    assert p.stop() == 0
    b2.poll(1)
    b2.close()
    rebuilt = [x.output().count("partition_rebuilt") for x in procs[1:] + [p]]
    assert all(rebuilt), rebuilt
    # The restarts read the earlier days' final daily bars back (ma7d's history).
    daily = [int(n) for x in procs[1:] + [p]
             for n in re.findall(r"event=history_loaded .*daily_bars=(\d+)", x.output())]
    assert daily and max(daily) > 0, daily
    check_against(exp, b2.last)
    # A clean run over the same ticks ends with exactly the same bars.
    clean = run("vwap-stream", *args(vtopics, vtopics["bars"], None))
    b1 = Bars(vtopics["bars"])
    b1.wait_final(list(exp))
    assert clean.stop() == 0
    b1.poll(1)
    b1.close()
    assert strip(b1.last) == strip(b2.last)


def test_three_instances_equal_one(vtopics, run):
    per_part, _ = vm.build_dataset(seed=31, n_wide=900, n_hist=6, n_days=8)
    exp = expected_of(per_part)
    group = "vs-scale-" + uuid.uuid4().hex[:6]
    procs = [run("vwap-stream", *args(vtopics, vtopics["bars2"], group))]
    time.sleep(2)
    half = {q: t[: len(t) // 2] for q, t in per_part.items()}
    rest = {q: t[len(t) // 2:] for q, t in per_part.items()}
    produce_parts(vtopics["ticks"], half)
    procs += [run("vwap-stream", *args(vtopics, vtopics["bars2"], group, "-X",
                                       "session.timeout.ms=6000")) for _ in range(2)]
    time.sleep(3)
    produce_parts(vtopics["ticks"], rest)
    b3 = Bars(vtopics["bars2"])
    b3.wait_final(list(exp))
    for p in procs:
        assert p.stop() == 0
    b3.poll(1)
    b3.close()
    check_against(exp, b3.last)
    outs = [p.output() for p in procs]
    assert all("partitions_assigned" in o for o in outs)
    single = run("vwap-stream", *args(vtopics, vtopics["bars"], None))
    b1 = Bars(vtopics["bars"])
    b1.wait_final(list(exp))
    assert single.stop() == 0
    b1.poll(1)
    b1.close()
    assert strip(b1.last) == strip(b3.last)
