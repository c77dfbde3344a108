#!/usr/bin/env python3
"""bench/baselines/es_python_sink.py — the pieces of bench/bench_es_sink.sh.

    gen TOPIC N [--bodies DIR --prefix P --batch B]
        produce N bars to TOPIC; with --bodies also write the same bars as
        pre-built _bulk bodies (B documents each) for the curl ceiling
    sink TOPIC GROUP PREFIX BATCH N
        the baseline a Python shop would write: confluent-kafka consumer +
        elasticsearch.helpers.bulk (client major = the node's major), same
        _id/external version/daily index as es-sink; prints JSON docs/s
    watch PORT N [--records]
        polls es-sink's /metrics until docs_indexed_total reaches N; prints JSON docs/s.
        --records: until N records are settled (indexed + collapsed into a newer
        version of their batch + refused as older), for topics with many versions per id
    latest TOPIC
        records in TOPIC and distinct bar ids (JSON)
    same PREFIX_A PREFIX_B TOPIC
        the two indices hold, id by id, the same source and version, and that is
        the newest version of each bar in TOPIC; exits 1 when not

Rates exclude start-up: they run from the first acknowledged batch to the last.
"""
import json
import resource
import sys
import time
import urllib.request

# elasticsearch 7.13's serializer imports numpy when present, and breaks on
# numpy 2 (np.float_). The baseline needs neither numpy nor pandas.
sys.modules["numpy"] = None
sys.modules["pandas"] = None

KST = 9 * 3600 * 1000
SYMBOLS = ["005930", "000660", "035420", "051910", "035720", "068270", "207940", "005380"]


def bar(i, t0=1763856000000):
    sym = SYMBOLS[i % len(SYMBOLS)]
    start = t0 + (i // len(SYMBOLS)) * 60000
    base = 70000 + i % 997
    o, c = base, base + i % 7 - 3
    vol = 100 + i % 50
    b = {"v": 1, "id": "%s|1m|%d" % (sym, start), "symbol": sym, "exchange": "KRX", "window": "1m",
         "start": start, "end": start + 60000,
         "day": time.strftime("%Y-%m-%d", time.gmtime((start + KST) // 1000)),
         "open": o, "high": max(o, c) + 5, "low": min(o, c) - 5, "close": c, "volume": vol,
         "turnover": vol * (o + c) / 2.0, "vwap": (o + c) / 2.0, "trades": 3 + i % 11,
         "cum_vwap": base + 0.25, "final": True, "updated_ts": start + 61000,
         "sma_5": base + 0.5, "ema_20": base + 0.125, "volatility": 0.0012}
    return b


def revision(b):
    """The external version es-sink gives a bar (lib/bar.h bar_revision)."""
    return 2 * b["trades"] + (1 if b["final"] else 0) + 1


def action(prefix, b):
    return {"index": {"_index": "%s-bars-%s" % (prefix, b["day"].replace("-", ".")), "_id": b["id"],
                      "version": revision(b), "version_type": "external_gte"}}


def gen(topic, n, bodies=None, prefix=None, batch=None):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": "127.0.0.1:9092", "linger.ms": 20, "enable.idempotence": True,
                  "compression.type": "lz4", "queue.buffering.max.messages": 1000000})
    out, lines = 0, []
    for i in range(n):
        b = bar(i)
        doc = json.dumps(b, separators=(",", ":"))
        while True:
            try:
                p.produce(topic, doc.encode(), key=b["symbol"].encode())
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
        if bodies:
            lines += [json.dumps(action(prefix, b), separators=(",", ":")), doc]
            if len(lines) == 2 * batch or i == n - 1:
                with open("%s/%06d.ndjson" % (bodies, out), "w") as f:
                    f.write("\n".join(lines) + "\n")
                out, lines = out + 1, []
    assert p.flush(120) == 0


def sink(topic, group, prefix, batch, n):
    from confluent_kafka import Consumer
    from elasticsearch import Elasticsearch, helpers
    es = Elasticsearch(["http://127.0.0.1:9200"], timeout=60)
    c = Consumer({"bootstrap.servers": "127.0.0.1:9092", "group.id": group,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    done, t_first, docs_first = 0, None, 0
    while done < n:
        msgs = [m for m in c.consume(num_messages=batch, timeout=1.0) if not m.error()]
        if not msgs:
            continue
        acts = []
        for m in msgs:
            b = json.loads(m.value())
            acts.append({"_index": "%s-bars-%s" % (prefix, b["day"].replace("-", ".")), "_id": b["id"],
                         "_version": revision(b), "_version_type": "external_gte", "_source": b})
        ok, errors = helpers.bulk(es, acts, chunk_size=batch, raise_on_error=False)
        c.commit(asynchronous=False)
        done += len(msgs)
        if t_first is None:
            t_first, docs_first = time.time(), done
    dt = time.time() - t_first
    c.close()
    print(json.dumps({"docs": n, "seconds": round(dt, 3), "docs_per_s": round((n - docs_first) / dt, 1),
                      "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def metric(port, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


def watch(port, n, records=False, timeout=1800):
    t0, t_first, first = time.time(), None, 0
    names = ["tickpipe_es_sink_docs_indexed_total"]
    if records:
        names += ["tickpipe_es_sink_docs_collapsed_total", "tickpipe_es_sink_docs_superseded_total"]
    while time.time() - t0 < timeout:
        try:
            v = sum(metric(port, name) for name in names)
        except OSError:
            v = 0
        if v > 0 and t_first is None:
            t_first, first = time.time(), v
        if v >= n:
            dt = time.time() - t_first
            print(json.dumps({"docs": n, "seconds": round(dt, 3), "docs_per_s": round((n - first) / dt, 1)}))
            return
        time.sleep(0.02)
    sys.exit("es-sink did not index %d documents in %d s" % (n, timeout))


def newest(topic):
    """{id: bar} with the newest version of each bar in topic, and the record count."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": "127.0.0.1:9092", "group.id": "latest-%d" % time.time(),
                  "enable.auto.commit": False})
    parts = c.list_topics(topic, timeout=30).topics[topic].partitions
    ends = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=30)[1] for p in parts}
    c.assign([TopicPartition(topic, p, 0) for p in parts])
    best, seen, left = {}, 0, {p for p, e in ends.items() if e > 0}
    while left:
        for m in c.consume(num_messages=10000, timeout=1.0):
            if m.error():
                continue
            seen += 1
            b = json.loads(m.value())
            old = best.get(b["id"])
            if old is None or revision(b) >= revision(old):
                best[b["id"]] = b
            if m.offset() + 1 >= ends[m.partition()]:
                left.discard(m.partition())
    c.close()
    return best, seen


def latest(topic):
    best, seen = newest(topic)
    print(json.dumps({"records": seen, "ids": len(best)}))


def same(prefix_a, prefix_b, topic):
    from elasticsearch import Elasticsearch, helpers
    es = Elasticsearch(["http://127.0.0.1:9200"], timeout=60)

    def docs(prefix):
        es.indices.refresh(index=prefix + "-*")
        return {h["_id"]: (h["_source"], h["_version"]) for h in
                helpers.scan(es, index=prefix + "-*", query={"query": {"match_all": {}}},
                             version=True, size=5000)}
    a, b = docs(prefix_a), docs(prefix_b)
    best, seen = newest(topic)
    want = {i: (bar, revision(bar)) for i, bar in best.items()}
    bad = [i for i in want if a.get(i) != want[i] or b.get(i) != want[i]]
    print(json.dumps({"records": seen, "ids": len(want), "docs_a": len(a), "docs_b": len(b),
                      "differ": len(bad)}))
    if bad or len(a) != len(want) or len(b) != len(want):
        sys.exit("indices differ from the newest version per id, e.g. %s" % bad[:3])


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "gen":
        kw = {}
        if "--bodies" in a:
            kw = {"bodies": a[a.index("--bodies") + 1], "prefix": a[a.index("--prefix") + 1],
                  "batch": int(a[a.index("--batch") + 1])}
        gen(a[1], int(a[2]), **kw)
    elif a[0] == "sink":
        sink(a[1], a[2], a[3], int(a[4]), int(a[5]))
    elif a[0] == "watch":
        watch(int(a[1]), int(a[2]), records="--records" in a)
    elif a[0] == "latest":
        latest(a[1])
    elif a[0] == "same":
        same(a[1], a[2], a[3])
    else:
        sys.exit(__doc__)
