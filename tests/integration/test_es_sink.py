"""es-sink against the real stack: Kafka on 9092 and the shared Elasticsearch
on 9200. Every test uses its own topics and its own index prefix
(tickpipe-test-<uuid>), and deletes its indices and templates afterwards.

Checks go through independent clients only: confluent-kafka (conftest) and
plain HTTP to Elasticsearch (requests). The outage test never stops the shared
node: es-sink talks to Elasticsearch through a TCP proxy in this file, and
cutting the proxy (listener closed, connections reset, new connections
refused) is what a stopped node looks like to the sink."""
import http.server
import json
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
import uuid

import pytest
import requests
from conftest import BROKERS, ES_URL, committed, consume, produce, wait_until, free_port
from confluent_kafka import Consumer, KafkaException, TopicPartition

KST = 9 * 3600 * 1000
SYMBOLS = ["005930", "000660", "035420", "051910", "AAPL", "MSFT", "035720", "068270"]


def kst_day(ms):
    return time.strftime("%Y-%m-%d", time.gmtime((ms + KST) // 1000))


def make_bar(symbol, start, updated_ts, seq, final=True, extra=None):
    base = 70000 + (hash(symbol) % 1000) + seq % 97
    o, c = base, base + (seq % 7) - 3
    hi, lo = max(o, c) + 5, min(o, c) - 5
    vol = 100 + seq % 50
    b = {"v": 1, "id": "%s|1m|%d" % (symbol, start), "symbol": symbol, "exchange": "KRX",
         "window": "1m", "start": start, "end": start + 60000, "day": kst_day(start),
         "open": o, "high": hi, "low": lo, "close": c, "volume": vol,
         "turnover": vol * (o + c) / 2.0, "vwap": (o + c) / 2.0, "trades": 3 + seq % 11,
         "cum_vwap": base + 0.25, "final": final, "updated_ts": updated_ts}
    if seq % 3 == 0:
        b["sma_5"] = base + 0.5
        b["ema_20"] = base + 0.125
        b["volatility"] = 0.0012
    if seq % 10 == 0:
        b["cross"] = "golden"
    if extra:
        b.update(extra)
    return b


def make_bars(n, days=2, t0=1763856000000, updates=0):
    """n distinct bars spread over `days` KST days and 8 symbols; each bar is
    preceded by `updates` in-progress versions (same id, fewer trades, as a
    bar grows one trade per tick)."""
    out = []
    per_day = max(1, n // days)
    for i in range(n):
        sym = SYMBOLS[i % len(SYMBOLS)]
        start = t0 + (i // per_day) * 86400000 + (i % per_day) // len(SYMBOLS) * 60000
        final = make_bar(sym, start, start + 61000, i, final=True, extra={"trades": 3 + i % 11 + updates})
        for u in range(updates):
            out.append(make_bar(sym, start, start + 1000 + u, i + u + 1, final=False,
                                extra={"trades": final["trades"] - updates + u}))
        out.append(final)
    return out


def revision(b):
    """The external version es-sink gives a bar (lib/bar.h bar_revision)."""
    return 2 * b["trades"] + (1 if b["final"] else 0) + 1


def latest_by_id(bars):
    """What Elasticsearch keeps per id: the highest revision, the later of equals (external_gte)."""
    best = {}
    for b in bars:
        cur = best.get(b["id"])
        if cur is None or revision(b) >= revision(cur):
            best[b["id"]] = b
    return best


class ES:
    def __init__(self, url, prefix):
        self.url, self.prefix = url, prefix

    def refresh(self):
        requests.post("%s/%s-*/_refresh" % (self.url, self.prefix), timeout=30)

    def count(self, kind="bars"):
        self.refresh()
        r = requests.get("%s/%s-%s-*/_count" % (self.url, self.prefix, kind), timeout=30)
        return r.json().get("count", 0) if r.status_code == 200 else 0

    def docs(self, kind="bars"):
        """{_id: (_index, _version, _source)} for every document."""
        self.refresh()
        out = {}
        r = requests.post("%s/%s-%s-*/_search?scroll=1m" % (self.url, self.prefix, kind),
                          json={"size": 5000, "version": True, "sort": ["_doc"]}, timeout=60).json()
        while r.get("hits", {}).get("hits"):
            for h in r["hits"]["hits"]:
                out[h["_id"]] = (h["_index"], h["_version"], h["_source"])
            r = requests.post("%s/_search/scroll" % self.url,
                              json={"scroll": "1m", "scroll_id": r["_scroll_id"]}, timeout=60).json()
        return out

    def cleanup(self):
        requests.delete("%s/%s-*" % (self.url, self.prefix), timeout=60)
        requests.delete("%s/_index_template/%s-*" % (self.url, self.prefix), timeout=60)


class Proxy:
    """TCP proxy to Elasticsearch. cut() closes the listener and every open
    connection (new connections are refused, as with a stopped node);
    restore() listens again on the same port."""

    def __init__(self, upstream=("127.0.0.1", 9200)):
        self.upstream = upstream
        self.conns, self.lock = [], threading.Lock()
        self.lsock = None
        self.port = 0
        self._listen()

    def _listen(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.port = s.getsockname()[1]
        self.lsock = s
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()

    def _accept(self, ls):
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            try:
                u = socket.create_connection(self.upstream)
            except OSError:
                c.close()
                continue
            with self.lock:
                self.conns += [c, u]
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        # shutdown() wakes the thread blocked in accept(); close() alone would not.
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self):
        self._listen()

    def close(self):
        self.cut()


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def es():
    e = ES(ES_URL, "tickpipe-test-%s" % uuid.uuid4().hex[:10])
    yield e
    e.cleanup()


def sink_args(topics, es, group, url=ES_URL, extra=()):
    return ["--brokers", BROKERS, "--group", group, "--bars-topic", topics["bars"],
            "--anomalies-topic", topics["anomalies"], "--ticks-topic", topics["ticks"],
            "--dlq-topic", topics["dlq"], "--es-url", url, "--index-prefix", es.prefix,
            "--index-replicas", "0", "--batch-ms", "200", "--backoff-ms", "100",
            "--backoff-max-ms", "1500"] + list(extra)


def end_offsets(topic, partitions=6):
    c = Consumer({"bootstrap.servers": BROKERS, "group.id": "wm-" + uuid.uuid4().hex})
    try:
        for attempt in range(5):
            try:
                return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
                        for p in range(partitions)}
            except KafkaException:
                # A broker that has just (re)started answers NOT_LEADER for a moment.
                if attempt == 4:
                    raise
                time.sleep(1)
    finally:
        c.close()


def all_committed(group, topic):
    want = end_offsets(topic)
    have = committed(group, topic)
    return all(have[p] == want[p] or (want[p] == 0 and have[p] < 0) for p in want)


def assert_docs_equal(es, expected):
    """ES holds exactly the expected documents, field by field, in the right daily index."""
    docs = es.docs()
    assert set(docs) == set(expected), "missing %s, extra %s" % (
        sorted(set(expected) - set(docs))[:5], sorted(set(docs) - set(expected))[:5])
    for i, b in expected.items():
        index, version, src = docs[i]
        assert src == b, "document %s differs: %s vs %s" % (i, src, b)
        assert index == "%s-bars-%s" % (es.prefix, b["day"].replace("-", "."))
        assert version == revision(b), "external version of %s" % i
    return docs


# ------------------------------------------------------------------- tests

def test_index_contents_and_replay(run, topics, es):
    """Every bar (latest version per id) lands field by field in its KST-day
    index; a late older update never overwrites; replaying the topic twice
    (new groups from the start) changes nothing, not even _version."""
    bars = make_bars(600, days=2, updates=2)
    produce(topics["bars"], bars)
    expected = latest_by_id(bars)
    port = free_port()
    p = run("es-sink", *sink_args(topics, es, "g1", extra=["--metrics-port", str(port)]))
    wait_until(lambda: es.count() == len(expected), timeout=90, what="all bars indexed")
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=30, what="offsets committed")
    # In-progress versions of a bar met in one batch: only the newest was sent.
    assert metric(http_get("http://127.0.0.1:%d/metrics" % port)[1],
                  "tickpipe_es_sink_docs_collapsed_total") > 0
    # Stale versions arrive late — the final's trades without final, and fewer trades with a
    # newer updated_ts (an instance whose partition moved on): external_gte refuses both
    # (409), offsets still move.
    first = next(iter(expected.values()))
    stale = dict(first, final=False, close=1.0, low=1.0, updated_ts=first["start"] + 5)
    zombie = dict(first, final=False, trades=first["trades"] - 1, close=2.0, low=1.0,
                  updated_ts=first["updated_ts"] + 3600000)
    produce(topics["bars"], [stale, zombie])
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=30, what="stale bars settled")
    # After a rebalance, the new owner's final can carry an older updated_ts than the old
    # owner's last update (CI once kept that update, 23 trades short): trades order them.
    update = make_bar("035720", 1764028800000, 1764028862000, 5, final=False, extra={"trades": 83})
    final = make_bar("035720", 1764028800000, 1764028861000, 6, final=True, extra={"trades": 106})
    produce(topics["bars"], [update])
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=30, what="update settled")
    produce(topics["bars"], [final])
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=30, what="final settled")
    expected[final["id"]] = final
    assert p.stop() == 0
    before = assert_docs_equal(es, expected)
    assert "drained" in p.output()
    for g in ("replay-1", "replay-2"):
        r = run("es-sink", *sink_args(topics, es, g))
        wait_until(lambda: all_committed(g, topics["bars"]), timeout=90, what="replay " + g)
        assert r.stop() == 0
        assert es.docs() == before
    assert consume(topics["dlq"], idle=2) == []


def test_backlog_of_updates_sends_one_document_per_bar(run, topics, es):
    """A backlog shaped like vwap-stream's output (every bar re-emitted each
    second with one more trade, then its final) is settled with one document
    per bar and batch: Elasticsearch holds the newest version field by field,
    far fewer documents are sent than records read, and every record's offset
    is committed, a stale version collapsed at a partition's end included."""
    t0, rounds = 1763856000000, 30
    bars = [make_bar(sym, t0 + m * 60000, t0 + m * 60000 + 1000 + u, i + m, final=u == rounds - 1,
                     extra={"trades": 1 + u})
            for u in range(rounds) for i, sym in enumerate(SYMBOLS) for m in range(5)]
    stale = make_bar(SYMBOLS[0], t0, t0 + 999, 0, final=False, extra={"trades": 1})
    produce(topics["bars"], bars + [stale])
    expected = latest_by_id(bars)
    port = free_port()
    args = sink_args(topics, es, "g1", extra=["--metrics-port", str(port), "--batch-docs", "100"])
    args[args.index("--batch-ms") + 1] = "2000"
    p = run("es-sink", *args)
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=90, what="every offset committed")
    m = http_get("http://127.0.0.1:%d/metrics" % port)[1]
    sent = metric(m, "tickpipe_es_sink_docs_indexed_total")
    settled = sent + metric(m, "tickpipe_es_sink_docs_collapsed_total") + \
        metric(m, "tickpipe_es_sink_docs_superseded_total")
    assert settled == len(bars) + 1
    # 1,200 records of 40 bars: a batch (2 lanes x 100 documents) holds every bar, so
    # the backlog goes out as a batch or two of 40, not as batches of 200 records.
    assert sent <= len(bars) // 10, "%d documents sent for %d records" % (sent, len(bars))
    assert p.stop() == 0
    assert_docs_equal(es, expected)


def test_mapping_error_and_bad_input_to_dlq(run, topics, es):
    """A wrong-typed indicator (ES mapping error), invalid JSON and a contract
    violation go to the dlq with the reason; everything else is indexed."""
    good = make_bars(40, days=1)
    wrong = make_bar("005930", 1763900000000, 1763900061000, 1, extra={"sma_5": "not-a-number"})
    broken = b'{"v":1,"id":"x|1m|1",'
    violation = dict(make_bar("000660", 1763900000000, 1763900061000, 2), low=99999999)
    produce(topics["bars"], good[:20] + [wrong, broken, violation] + good[20:])
    p = run("es-sink", *sink_args(topics, es, "g1"))
    dead = consume(topics["dlq"], expect=3, timeout=60)
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=60, what="offsets committed")
    assert p.stop() == 0
    assert len(dead) == 3
    by_orig = {d["original"]: d for d in dead}
    assert set(by_orig) == {json.dumps(wrong), broken.decode(), json.dumps(violation)}
    mapping = by_orig[json.dumps(wrong)]
    assert mapping["stage"] == "es-sink" and mapping["topic"] == topics["bars"]
    assert "mapper_parsing_exception" in mapping["reason"] and "sma_5" in mapping["reason"]
    assert "prices" in by_orig[json.dumps(violation)]["reason"]
    assert_docs_equal(es, latest_by_id(good))


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_outage_pause_resume_no_loss(run, topics, es):
    """Elasticsearch unreachable for ~20 s mid-stream (the shared node is not
    stopped: the sink's proxy is cut, which looks the same to the sink): it
    logs the outage once, stores no offsets past what is indexed, reports
    unhealthy, and after the restore indexes everything exactly once."""
    proxy = Proxy()
    try:
        bars = make_bars(800, days=1)
        expected = latest_by_id(bars)
        port = free_port()
        p = run("es-sink", *sink_args(topics, es, "g1", url="http://127.0.0.1:%d" % proxy.port,
                                      extra=["--metrics-port", str(port), "--batch-docs", "100"]))
        produce(topics["bars"], bars[:400])
        wait_until(lambda: es.count() == 400, timeout=60, what="first half indexed")
        wait_until(lambda: all_committed("g1", topics["bars"]), timeout=30, what="first commit")
        proxy.cut()
        produce(topics["bars"], bars[400:])
        time.sleep(20)
        assert es.count() == 400
        assert sum(max(o, 0) for o in committed("g1", topics["bars"]).values()) == 400
        assert http_get("http://127.0.0.1:%d/health" % port)[0] != 200
        assert p.output().count("event=es_unavailable") == 1
        proxy.restore()
        wait_until(lambda: all_committed("g1", topics["bars"]), timeout=60, what="catch-up")
        assert "event=es_available" in p.output()
        assert http_get("http://127.0.0.1:%d/health" % port)[0] == 200
        metrics = http_get("http://127.0.0.1:%d/metrics" % port)[1]
        assert metric(metrics, "tickpipe_es_sink_docs_indexed_total") >= 800
        assert metric(metrics, "tickpipe_es_sink_retries_total") > 0
        assert metric(metrics, "tickpipe_es_sink_es_outages_total") == 1
        assert p.stop() == 0
        assert es.count() == 800
        assert_docs_equal(es, expected)
    finally:
        proxy.close()


def test_kill9_mid_batch_then_restart(run, topics, es):
    """kill -9 while batches are in flight; the restart replays from the last
    commit and Elasticsearch ends up with exactly the documents of a clean run."""
    bars = make_bars(3000, days=2, updates=1)
    expected = latest_by_id(bars)
    produce(topics["bars"], bars)
    # A short session timeout: the killed member leaves the group in seconds, not 45 s.
    args = sink_args(topics, es, "g1", extra=["--batch-docs", "100", "-X", "session.timeout.ms=6000"])
    p = run("es-sink", *args)
    wait_until(lambda: es.count() > 300, timeout=60, interval=0.05, what="some bars indexed")
    p.kill9()
    assert es.count() < len(expected), "killed too late to test anything"
    p2 = run("es-sink", *args)
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=120, what="restart catch-up")
    assert p2.stop() == 0
    assert_docs_equal(es, expected)


def test_parallel_lanes_index_everything_once(run, topics, es):
    """--bulk-lanes 4: each round's items go out as four concurrent requests;
    every lane carries some, the index still holds exactly the newest version
    of every bar, and every record is settled exactly once. (Retries after a
    failed request: test_outage_pause_resume_no_loss.)"""
    bars = make_bars(4000, days=2, updates=2)
    expected = latest_by_id(bars)
    produce(topics["bars"], bars)
    port = free_port()
    p = run("es-sink", *sink_args(topics, es, "g1", extra=[
        "--bulk-lanes", "4", "--batch-docs", "1000", "--log-level", "debug",
        "--metrics-port", str(port)]))
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=120, what="all settled")
    text = http_get("http://127.0.0.1:%d/metrics" % port)[1]
    assert p.stop() == 0
    assert_docs_equal(es, expected)
    out = p.output()
    assert "lanes=4" in out
    for lane in range(4):
        assert "event=bulk_sent lane=%d docs=" % lane in out, "lane %d unused" % lane
    # Every record settled exactly once, whichever lane carried it: indexed,
    # refused as older (409), or collapsed into a newer version of its batch.
    settled = sum(metric(text, "tickpipe_es_sink_" + m) for m in (
        "docs_indexed_total", "docs_superseded_total", "docs_collapsed_total"))
    assert settled == len(bars)
    assert consume(topics["dlq"], idle=2) == []


def test_anomalies_and_ticks_by_flag(run, topics, es):
    """--with-anomalies and --with-ticks index those topics into their own
    daily indices (anomalies by the KST day of ts)."""
    ts = 1763856001000  # 2025-11-23 09:00:01 KST
    tick = {"v": 1, "id": "sim|005930|20251123|1", "source": "sim", "symbol": "005930",
            "exchange": "KRX", "ts": ts, "day": "2025-11-23", "price": 71000, "qty": 10}
    anomaly = {"v": 1, "id": "r1|005930|%d" % ts, "rule_id": "r1", "kind": "vwap_deviation",
               "symbol": "005930", "ts": ts + 15 * 3600 * 1000, "observed": 3.2, "threshold": 3.0,
               "message": "price 73300 is 3.2% above VWAP", "source_topic": "ticks",
               "original": tick}
    produce(topics["ticks"], [tick])
    produce(topics["anomalies"], [anomaly])
    p = run("es-sink", *sink_args(topics, es, "g1", extra=["--with-anomalies", "--with-ticks",
                                                             "--no-bars"]))
    wait_until(lambda: es.count("ticks") == 1 and es.count("anomalies") == 1, timeout=60,
               what="tick and anomaly indexed")
    assert p.stop() == 0
    (index, _, src), = es.docs("ticks").values()
    assert src == tick and index.endswith("-ticks-2025.11.23")
    (index, _, src), = es.docs("anomalies").values()
    assert src == anomaly and index.endswith("-anomalies-2025.11.24")  # 00:00:01 KST next day



def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError("metric %s missing" % name)


class CloudFront(http.server.BaseHTTPRequestHandler):
    """An HTTPS front like a cloud deployment's: serves Elasticsearch under a
    path prefix, demands an API key, records what arrived, forwards the rest
    to the real node."""
    protocol_version = "HTTP/1.1"
    prefix, key, seen = "/es-cloud", None, []

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        CloudFront.seen.append((self.command, self.path, self.headers.get("Authorization")))
        if not self.path.startswith(self.prefix + "/"):
            return self._answer(404, b'{"error":"no such path"}')
        if self.headers.get("Authorization") != "ApiKey " + self.key:
            return self._answer(401, b'{"error":"missing authentication credentials"}')
        r = requests.request(self.command, ES_URL + self.path[len(self.prefix):], data=body,
                             headers={"Content-Type": self.headers.get("Content-Type", "application/json")})
        self._answer(r.status_code, r.content)

    def _answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = _forward

    def log_message(self, *a):
        pass


def test_tls_ca_file_api_key_file_and_path_prefix(run, topics, es, tmp_path):
    """https with a private CA (--es-ca-file), the API key read from
    ES_API_KEY_FILE, a base URL with a path prefix; the key never reaches the log."""
    cert, keyf = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(keyf), "-out", str(cert)], check=True, capture_output=True)
    CloudFront.key, CloudFront.seen = "dGlja3BpcGU6czNjcjN0LWFwaS1rZXk=", []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CloudFront)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(keyf))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        (tmp_path / "api_key").write_text(CloudFront.key + "\n")
        bars = make_bars(50, days=1)
        produce(topics["bars"], bars)
        url = "https://127.0.0.1:%d%s" % (srv.server_port, CloudFront.prefix)
        p = run("es-sink", *sink_args(topics, es, "g1", url=url, extra=["--es-ca-file", str(cert)]),
                env={"ES_API_KEY_FILE": str(tmp_path / "api_key")})
        wait_until(lambda: all_committed("g1", topics["bars"]), timeout=60, what="indexed over TLS")
        assert p.stop() == 0
        assert_docs_equal(es, latest_by_id(bars))
        assert CloudFront.seen and all(a == "ApiKey " + CloudFront.key for _, _, a in CloudFront.seen)
        assert any(m == "PUT" and pth.startswith(CloudFront.prefix + "/_index_template/")
                   for m, pth, _ in CloudFront.seen)
        assert CloudFront.key not in p.output()
    finally:
        srv.shutdown()


def test_sigterm_during_outage_exits_in_time_without_storing(run, topics, es):
    """SIGTERM while Elasticsearch is unreachable: es-sink gives up retrying
    after --drain-ms, exits 1 within 10 s, and stores no offset for what it
    could not index (the restart re-reads it)."""
    proxy = Proxy()
    try:
        p = run("es-sink", *sink_args(topics, es, "g1", url="http://127.0.0.1:%d" % proxy.port,
                                      extra=["--drain-ms", "3000"]))
        produce(topics["bars"], make_bars(20, days=1)[:10])
        wait_until(lambda: all_committed("g1", topics["bars"]) and es.count() == 10, timeout=60,
                   what="first bars indexed")
        proxy.cut()
        produce(topics["bars"], make_bars(40, days=1)[20:])
        wait_until(lambda: "event=es_unavailable" in p.output(), timeout=30, what="outage seen")
        t0 = time.time()
        rc = p.stop(timeout=10)
        assert rc == 1 and time.time() - t0 < 10
        assert "event=drain_incomplete" in p.output()
        assert sum(max(o, 0) for o in committed("g1", topics["bars"]).values()) == 10
    finally:
        proxy.close()


def test_scale_out_rebalance_keeps_everything(run, topics, es):
    """A second es-sink joins the group mid-stream (cooperative rebalance: the
    first settles its batch before giving partitions away), then the first
    leaves: Elasticsearch ends with exactly the expected documents."""
    bars = make_bars(4000, days=2, updates=1)
    expected = latest_by_id(bars)
    args = sink_args(topics, es, "g1", extra=["--batch-docs", "200", "-X", "session.timeout.ms=6000"])
    a = run("es-sink", *args)
    produce(topics["bars"], bars[:3000])
    wait_until(lambda: es.count() > 200, timeout=60, interval=0.05, what="first sink indexing")
    b = run("es-sink", *args)
    produce(topics["bars"], bars[3000:])
    wait_until(lambda: "partitions_assigned" in b.output(), timeout=30, what="second sink assigned")
    assert a.stop() == 0
    wait_until(lambda: all_committed("g1", topics["bars"]), timeout=90, what="all settled")
    assert b.stop() == 0
    assert_docs_equal(es, expected)
    assert "partitions_revoked" in a.output()
