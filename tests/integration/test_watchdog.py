"""watchdog against the real stack: Kafka, Elasticsearch, MongoDB, PostgreSQL
and a real SMTP server (aiosmtpd, started here on a free port).

Every test has its own topics, index pattern, collection and PostgreSQL schema;
results are read back with independent clients (psycopg, the SMTP server's
inbox), never from the watchdog's own word."""
import datetime
import os
import socket
import threading
import time
import uuid

import psycopg
import pymongo
import pytest
import requests
from aiosmtpd.controller import Controller
from confluent_kafka import Consumer, TopicPartition

from conftest import BROKERS, ES_URL, MONGO_URL, PG_DSN, ROOT, produce, run_once, wait_until, free_port

CAL_DIR = os.path.join(ROOT, "deploy", "calendars")


def wd_once(*a):
    """watchdog run to completion; a sanitizer report fails the test whatever the exit code."""
    p = run_once("watchdog", *a)
    for marker in ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer"):
        assert marker not in p.stderr, p.stderr[-4000:]
    return p


def high_watermarks(topic, partitions=6):
    """{partition: high watermark}; retried, since a topic just created may not
    have its leaders elected yet (NOT_LEADER_FOR_PARTITION)."""
    c = Consumer({"bootstrap.servers": BROKERS, "group.id": "wm-" + uuid.uuid4().hex})
    try:
        def attempt():
            try:
                return {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=5)[1]
                        for p in range(partitions)}
            except Exception:  # noqa: BLE001 (transient leadership errors)
                return None
        return wait_until(attempt, 30, 0.5, "watermarks of " + topic)
    finally:
        c.close()



class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def subjects(self):
        with self.lock:
            return [line[len("Subject: "):] for m in self.messages for line in m.splitlines()
                    if line.startswith("Subject: ")]

    def matching(self, word):
        return [s for s in self.subjects() if word in s]


@pytest.fixture
def smtp():
    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=free_port())
    ctl.start()
    inbox.url = "smtp://127.0.0.1:%d" % ctl.port
    yield inbox
    ctl.stop()


@pytest.fixture
def names():
    h = uuid.uuid4().hex[:8]
    n = {"schema": "wd_" + h, "index": "wdt-%s-bars" % h, "coll": "raw_" + h, "group": "wdg-" + h}
    yield n
    with psycopg.connect(PG_DSN, autocommit=True) as pg:
        pg.execute('DROP SCHEMA IF EXISTS "%s" CASCADE' % n["schema"])
    requests.delete("%s/%s-*" % (ES_URL, n["index"]), timeout=10)
    pymongo.MongoClient(MONGO_URL)["tickpipe_wdtest"][n["coll"]].drop()


def args(topics, names, smtp=None, *extra, es=False, mongo=False, groups=""):
    a = ["--calendar-dir", CAL_DIR, "--pg-dsn", PG_DSN, "--pg-schema", names["schema"],
         "--ticks-topic", topics["ticks"], "--bars-topic", "", "--groups", groups,
         "--es-url", ES_URL if es else "", "--es-index", names["index"] + "-*",
         "--mongo-uri", MONGO_URL if mongo else "", "--mongo-db", "tickpipe_wdtest",
         "--mongo-collection", names["coll"], "--timeout", "3"]
    if smtp:
        a += ["--smtp-url", smtp.url, "--mail-to", "ops@example.com"]
    return a + list(extra)


def tick(i=0):
    return {"v": 1, "symbol": "005930", "price": 71000 + i, "qty": 1}


def rows(names, sql="SELECT target, state, lag_msgs, lag_s, lag_state, error FROM \"%s\".checks"
         " ORDER BY checked_at"):
    with psycopg.connect(PG_DSN) as pg:
        try:
            return pg.execute(sql % names["schema"]).fetchall()
        except psycopg.errors.UndefinedTable:
            return []


def es_doc(names, updated_ms):
    idx = names["index"] + "-2026.11.23"
    r = requests.put("%s/%s/_doc/x?refresh=true" % (ES_URL, idx),
                     json={"symbol": "005930", "updated_ts": updated_ms}, timeout=10)
    assert r.status_code in (200, 201), r.text


def mongo_doc(names, when):
    pymongo.MongoClient(MONGO_URL)["tickpipe_wdtest"][names["coll"]].insert_one(
        {"_id": uuid.uuid4().hex, "recv_ts": when, "frame": "raw"})


def next_krx_trading_day():
    """A KRX trading day after today (KST), from deploy/calendars/krx.txt, so
    --now lies after every record the test produced."""
    closed = set()
    with open(os.path.join(CAL_DIR, "krx.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1] == "closed":
                closed.add(parts[0])
    kst = datetime.timezone(datetime.timedelta(hours=9))
    d = datetime.datetime.now(kst).date() + datetime.timedelta(days=1)
    while d.weekday() >= 5 or d.isoformat() in closed:
        d += datetime.timedelta(days=1)
    return d.isoformat()


def now_ms():
    return int(time.time() * 1000)


def test_stale_then_recovered_one_notice_each(run, topics, names, smtp):
    produce(topics["ticks"], [tick()])
    wd = run("watchdog", *args(topics, names, smtp, "--interval", "1", "--threshold", "4", "--always-on"))
    # Fresh at first: no notice.
    wait_until(lambda: any(r[1] == "fresh" for r in rows(names)), 20, what="a fresh check")
    assert smtp.subjects() == []
    # Nothing produced for > threshold: exactly one STALE notice within an interval.
    wait_until(lambda: smtp.matching("STALE"), 12, what="the stale notice")
    time.sleep(4)  # four more intervals: still one
    assert len(smtp.matching("STALE")) == 1, smtp.subjects()
    msg = smtp.messages[0]
    assert "topic:%s" % topics["ticks"] in msg
    assert "last value seen: partition" in msg and "key 005930" in msg
    assert "stale since:" in msg
    produce(topics["ticks"], [tick(1)])
    wait_until(lambda: smtp.matching("RECOVERED"), 12, what="the recovery notice")
    for i in range(6):  # kept fresh for three more intervals: no further notice
        produce(topics["ticks"], [tick(2 + i)])
        time.sleep(0.5)
    assert len(smtp.matching("RECOVERED")) == 1 and len(smtp.matching("STALE")) == 1, smtp.subjects()
    assert wd.alive()
    assert wd.stop() == 0
    states = [r[1] for r in rows(names)]
    assert "stale" in states and states[-1] == "fresh"
    with psycopg.connect(PG_DSN) as pg:
        inc = pg.execute('SELECT open FROM "%s".incidents WHERE target = %%s' % names["schema"],
                         ("topic:" + topics["ticks"],)).fetchone()
    assert inc == (False,)


def test_once_alerts_once_per_incident_across_runs(topics, names, smtp):
    produce(topics["ticks"], [tick()])
    # Threshold 4 s: wide enough that a loaded CI box still sees the fresh
    # records below as fresh.
    a = args(topics, names, smtp, "--once", "--always-on", "--threshold", "4")
    time.sleep(4.5)
    for _ in range(3):  # Airflow every 5 minutes: one process per check
        p = wd_once(*a)
        assert p.returncode == 1, p.stderr
    assert len(smtp.matching("STALE")) == 1, smtp.subjects()
    for i in range(2):
        produce(topics["ticks"], [tick(1 + i)])
        p = wd_once(*a)
        assert p.returncode == 0, p.stderr
    assert len(smtp.matching("RECOVERED")) == 1, smtp.subjects()
    assert len(smtp.messages) == 2
    # History older than --history-days goes; the rest stays.
    with psycopg.connect(PG_DSN, autocommit=True) as pg:
        pg.execute('INSERT INTO "%s".checks (checked_at, target, kind, state) VALUES'
                   " (now() - interval '8 days', 'old', 'topic', 'fresh')" % names["schema"])
    n_before = len(rows(names))
    assert wd_once(*(a + ["--history-days", "7"])).returncode == 0
    assert "old" not in [r[0] for r in rows(names)] and len(rows(names)) == n_before
    st = wd_once("status", "--pg-dsn", PG_DSN, "--pg-schema", names["schema"])
    assert st.returncode == 0, st.stderr
    line = [l for l in st.stdout.splitlines() if topics["ticks"] in l]
    assert len(line) == 1 and "FRESH" in line[0], st.stdout


def test_once_exit_codes_fresh_stale_cannot_check(topics, names):
    now = now_ms()
    produce(topics["ticks"], [tick()])
    es_doc(names, now)
    mongo_doc(names, datetime.datetime.now(datetime.timezone.utc))
    base = args(topics, names, None, "--once", "--always-on", "--threshold", "30", es=True, mongo=True)
    p = wd_once(*base)
    assert p.returncode == 0, p.stderr
    assert sorted(r[1] for r in rows(names)) == ["fresh"] * 3
    # The newest-frame query is index-backed: the watchdog created the index.
    ix = pymongo.MongoClient(MONGO_URL)["tickpipe_wdtest"][names["coll"]].index_information()
    assert ix["watchdog_recv_ts_desc"]["key"] == [("recv_ts", -1)]
    # An old ES document: stale, exit 1.
    es_doc(names, now - 3600 * 1000)
    p = wd_once(*base)
    assert p.returncode == 1, p.stderr
    assert ("es:%s-*" % names["index"], "stale") in [(r[0], r[1]) for r in rows(names)]
    es_doc(names, now_ms())
    # ES on a closed port, Mongo on a closed port: "cannot check", exit 2, quickly.
    fmt = {"--es-url": "http://127.0.0.1:%d", "--mongo-uri": "mongodb://127.0.0.1:%d",
           "--brokers": "127.0.0.1:%d"}
    for flag in ("--es-url", "--mongo-uri", "--brokers"):
        url = fmt[flag] % free_port()
        t0 = time.time()
        p = wd_once(*(base + [flag, url]))
        assert p.returncode == 2, p.stderr
        assert time.time() - t0 < 15
        assert "cannot_check" in p.stderr and "state=stale" not in p.stderr, p.stderr
    errs = [r for r in rows(names) if r[1] == "error"]
    assert len(errs) == 3 and all(r[5] for r in errs)
    assert "cannot reach Kafka" in errs[-1][5]


def test_outside_window_or_holiday_no_alert(run, topics, names, smtp):
    produce(topics["ticks"], [tick()])
    time.sleep(1.2)
    closed = ["2026-11-22T11:00:00+09:00",  # Sunday
              "2026-01-01T11:00:00+09:00",  # New Year's Day (krx.txt)
              "2026-11-23T16:00:00+09:00",  # Monday, the window has closed
              "2026-11-23T08:49:00+09:00"]  # not yet open
    for now in closed:
        p = wd_once(*args(topics, names, smtp, "--once", "--threshold", "1", "--now", now))
        assert p.returncode == 3, (now, p.stderr)
    p = wd_once(*args(topics, names, smtp, "--once", "--threshold", "1", "--exchange", "US",
                                   "--now", "2026-11-26T15:00:00Z"))  # Thanksgiving
    assert p.returncode == 3, p.stderr
    wd = run("watchdog", *args(topics, names, smtp, "--interval", "1", "--threshold", "1",
                               "--now", "2026-01-01T11:00:00+09:00"))
    time.sleep(3)
    assert wd.stop() == 0
    assert smtp.messages == [] and rows(names) == []
    # The same stale data inside the window (--now on a trading day) does alert:
    # the gate, not the data, kept the watchdog quiet.
    p = wd_once(*args(topics, names, smtp, "--once", "--threshold", "1",
                                   "--now", next_krx_trading_day() + "T10:00:00+09:00"))
    assert p.returncode == 1, p.stderr
    assert len(smtp.matching("STALE")) == 1


class Lagger:
    """A member of group that polls but never commits, until it leaves."""

    def __init__(self, group, topic):
        self.c = Consumer({"bootstrap.servers": BROKERS, "group.id": group,
                           "enable.auto.commit": False, "auto.offset.reset": "earliest"})
        self.c.subscribe([topic])
        self.stop = threading.Event()
        self.t = threading.Thread(target=self.poll, daemon=True)
        self.t.start()

    def poll(self):
        while not self.stop.is_set():
            self.c.poll(0.2)

    def leave(self):
        self.stop.set()
        self.t.join()
        self.c.close()


def group_rows(names, group):
    return [r for r in rows(names) if r[0] == "group:" + group]


def test_stalled_consumer_stall_then_stop(run, topics, names):
    t0 = time.time()
    produce(topics["ticks"], [tick(i) for i in range(10)], key_of=lambda r: None)
    # Keyless: the producer picks the partitions; find where the records landed.
    parts = [p for p, hw in high_watermarks(topics["ticks"]).items() if hw > 0]
    assert parts
    # The group commits once (offset 2 where the records are, 0 elsewhere) ...
    cc = Consumer({"bootstrap.servers": BROKERS, "group.id": names["group"], "enable.auto.commit": False})
    cc.commit(offsets=[TopicPartition(topics["ticks"], p, 2 if p == parts[0] else 0) for p in parts],
              asynchronous=False)
    cc.close()
    # ... and then a member stays in the group without committing again.
    lag = Lagger(names["group"], topics["ticks"])
    stop = threading.Event()

    def keep_producing():  # messages keep coming while the group stands still
        i = 100
        while not stop.is_set():
            produce(topics["ticks"], [tick(i)])
            i += 1
            time.sleep(0.3)

    th = threading.Thread(target=keep_producing, daemon=True)
    th.start()
    try:
        wd = run("watchdog", *args(topics, names, None, "--interval", "1", "--threshold", "120",
                                   "--lag-window", "2", "--always-on", groups=names["group"]))
        wait_until(lambda: any(r[4] == "STALL" for r in group_rows(names, names["group"])), 20,
                   what="STALL")
        stall = [r for r in group_rows(names, names["group"]) if r[4] == "STALL"][-1]
        elapsed = time.time() - t0
        assert stall[1] == "stale" and stall[2] > 0
        # Lag in seconds: the first unconsumed message was produced at t0.
        assert 1.0 <= stall[3] <= elapsed + 2, (stall, elapsed)
        lag.leave()
        wait_until(lambda: group_rows(names, names["group"])[-1][4] == "STOP", 20, what="STOP")
        last = group_rows(names, names["group"])[-1]
        assert last[1] == "stale" and last[2] > 0 and last[3] >= 1.0
        assert wd.stop() == 0
    finally:
        stop.set()
        th.join()


def test_metrics_and_health(run, topics, names):
    produce(topics["ticks"], [tick()])
    port = free_port()
    wd = run("watchdog", *args(topics, names, None, "--interval", "1", "--threshold", "60",
                               "--always-on", "--metrics-port", str(port), "--metrics-addr", "127.0.0.1"))
    url = "http://127.0.0.1:%d" % port

    def metrics():
        try:
            r = requests.get(url + "/metrics", timeout=2)
        except requests.ConnectionError:
            return None
        return r.text if 'target="topic:%s"' % topics["ticks"] in r.text else None

    text = wait_until(metrics, 20, what="metrics")
    assert 'tickpipe_watchdog_target_stale{target="topic:%s"} 0' % topics["ticks"] in text
    assert requests.get(url + "/health", timeout=2).status_code == 200
    assert wd.stop() == 0


def test_transactional_tail_and_marker_lag(run, topics, names):
    """vwap-stream writes bars in transactions: the tail of each partition is a
    commit (or abort) marker, and a caught-up read_committed group keeps a lag
    of 1. Neither may look stale; aborted records are not data."""
    from confluent_kafka import Producer
    t = topics["ticks"]
    old = now_ms() - 60 * 1000
    p = Producer({"bootstrap.servers": BROKERS, "transactional.id": "wdtx-" + names["group"]})
    p.init_transactions(30)
    p.begin_transaction()
    p.produce(t, b'{"committed":1}', key=b"K", partition=0, timestamp=old)
    p.commit_transaction(30)
    p.begin_transaction()  # newer, but aborted: must not count as fresh data
    delivered = []
    p.produce(t, b'{"aborted":1}', key=b"K", partition=0, timestamp=now_ms(),
              on_delivery=lambda err, msg: delivered.append(err))
    assert p.flush(30) == 0  # written to the log before the abort (else purged unsent)
    assert delivered == [None], delivered
    p.abort_transaction(30)
    # The coordinator writes commit/abort markers after the call returns:
    # wait for both to reach the log rather than racing them.
    wait_until(lambda: high_watermarks(t)[0] == 4 or None, 30, 0.5, "transaction markers")
    base = args(topics, names, None, "--once", "--always-on", "--groups", names["group"],
                "--lag-window", "1")
    c = Consumer({"bootstrap.servers": BROKERS, "group.id": names["group"], "enable.auto.commit": False})
    # Caught up as a read_committed consumer ends up: just past the last record it
    # read, i.e. at the commit marker (lag 1 on partition 0 before the abort).
    c.commit(offsets=[TopicPartition(t, 0, 1)], asynchronous=False)
    c.close()
    r = wd_once(*(base + ["--threshold", "30"]))
    # The committed record is 60 s old: stale (1). The aborted one would have been fresh.
    assert r.returncode == 1, r.stderr
    topic_row = [x for x in rows(names) if x[0] == "topic:" + t][-1]
    assert topic_row[1] == "stale"
    with psycopg.connect(PG_DSN) as pg:
        newest = pg.execute('SELECT extract(epoch from newest_ts) * 1000 FROM "%s".checks WHERE'
                            " target = %%s ORDER BY checked_at DESC LIMIT 1" % names["schema"],
                            ("topic:" + t,)).fetchone()[0]
    assert abs(float(newest) - old) < 2
    # The group: offset 1, high watermark 4 (record, commit marker, aborted record,
    # abort marker). Offsets after 1 hold no committed data, so nothing is unconsumed.
    g = [x for x in rows(names) if x[0] == "group:" + names["group"]][-1]
    assert g[4] == "OK" and g[3] == 0.0, g
    # Past the lag window with the offset unchanged: still OK, not STOP, since
    # only markers and aborted records lie beyond it.
    time.sleep(1.2)
    r = wd_once(*(base + ["--threshold", "30"]))
    g = [x for x in rows(names) if x[0] == "group:" + names["group"]][-1]
    assert g[4] == "OK" and g[1] == "fresh", g
    # Committed right at the end but for the marker: lag 1 is allowed, fresh;
    # with --allowed-lag 0 it counts as lag.
    c = Consumer({"bootstrap.servers": BROKERS, "group.id": names["group"], "enable.auto.commit": False})
    c.commit(offsets=[TopicPartition(t, 0, 3)], asynchronous=False)
    c.close()
    r = wd_once(*(base + ["--threshold", "120"]))
    assert r.returncode == 0, r.stderr
    g = [x for x in rows(names) if x[0] == "group:" + names["group"]][-1]
    assert g[1] == "fresh" and g[2] == 1 and g[4] == "OK", g


def test_postgres_down_is_not_silent(topics, names):
    produce(topics["ticks"], [tick()])
    a = args(topics, names, None, "--once", "--always-on", "--threshold", "60")
    a[a.index("--pg-dsn") + 1] = "host=127.0.0.1 port=%d dbname=x user=x connect_timeout=1" % free_port()
    t0 = time.time()
    r = wd_once(*a)
    # The data was checked (fresh) but nothing could be recorded: exit 2, logged.
    assert r.returncode == 2, r.stderr
    assert "cannot_record" in r.stderr and "state=fresh" in r.stderr
    assert time.time() - t0 < 15


class Hook:
    """A webhook receiver (http.server in a thread) keeping each JSON payload."""

    def __init__(self):
        import http.server
        import json as _json
        hook = self
        self.payloads = []

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                hook.payloads.append(_json.loads(self.rfile.read(n)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.HTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d/hook" % self.srv.server_port
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def texts(self):
        return [p.get("text", "") for p in self.payloads]

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def test_webhook_and_mail_retried_after_smtp_outage(run, topics, names):
    """Both channels configured; the SMTP server is down when the target goes
    stale. The webhook gets its notice at once, the mail only once SMTP is
    back, and neither channel gets a second copy."""
    hook = Hook()
    port = free_port()
    produce(topics["ticks"], [tick()])
    try:
        wd = run("watchdog", *args(topics, names, None, "--interval", "1", "--threshold", "2",
                                   "--always-on", "--webhook-url", hook.url,
                                   "--smtp-url", "smtp://127.0.0.1:%d" % port,
                                   "--mail-to", "ops@example.com"))
        wait_until(lambda: [t for t in hook.texts() if "STALE" in t], 15, what="webhook notice")
        time.sleep(2)
        assert "alert_failed" in wd.output() and "channel=mail" in wd.output()
        inbox = Inbox()
        ctl = Controller(inbox, hostname="127.0.0.1", port=port)
        ctl.start()
        try:
            wait_until(lambda: inbox.matching("STALE"), 15, what="the retried mail")
            time.sleep(2)
            assert len(inbox.matching("STALE")) == 1, inbox.subjects()
            assert len([t for t in hook.texts() if "STALE" in t]) == 1, hook.texts()
            assert "topic:%s" % topics["ticks"] in hook.texts()[0]
            produce(topics["ticks"], [tick(1)])
            wait_until(lambda: inbox.matching("RECOVERED") and
                       [t for t in hook.texts() if "RECOVERED" in t], 15, what="recovery on both")
        finally:
            ctl.stop()
        assert wd.stop() == 0
    finally:
        hook.close()


def test_rewind_across_once_runs(topics, names):
    """The offset history is kept in PostgreSQL, so even one-shot runs see a
    group's committed offset go back."""
    t = topics["ticks"]
    produce(t, [tick(i) for i in range(20)])
    hw = high_watermarks(t)
    part = max(hw, key=hw.get)

    def commit(off):
        cc = Consumer({"bootstrap.servers": BROKERS, "group.id": names["group"], "enable.auto.commit": False})
        cc.commit(offsets=[TopicPartition(t, part, off)], asynchronous=False)
        cc.close()

    a = args(topics, names, None, "--once", "--always-on", "--threshold", "600", groups=names["group"])
    commit(15)
    assert wd_once(*a).returncode == 0
    commit(3)
    r = wd_once(*a)
    assert r.returncode == 1, r.stderr
    g = group_rows(names, names["group"])[-1]
    assert g[4] == "REWIND" and g[1] == "stale" and g[2] == 17, g
    commit(20)  # caught up: the rewind is over
    assert wd_once(*a).returncode == 0
    assert group_rows(names, names["group"])[-1][4] == "OK"


def test_per_partition_quiet_shard(topics, names):
    """Two partitions had data; one keeps flowing, the other went quiet (a
    dead collector shard). By default the topic is fresh (its newest record
    is); with --per-partition it is stale and the notice names the partition."""
    from confluent_kafka import Producer
    t = topics["ticks"]
    p = Producer({"bootstrap.servers": BROKERS})
    p.produce(t, b"{}", partition=4)
    p.flush(10)
    time.sleep(4.5)
    p.produce(t, b"{}", partition=1)
    p.flush(10)
    a = args(topics, names, None, "--once", "--always-on", "--threshold", "4")
    r = wd_once(*a)
    assert r.returncode == 0, r.stderr
    r = wd_once(*(a + ["--per-partition"]))
    assert r.returncode == 1, r.stderr
    assert "partition 4 silent since" in r.stderr
    with psycopg.connect(PG_DSN) as pg:
        reason = pg.execute('SELECT reason FROM "%s".checks ORDER BY checked_at DESC LIMIT 1'
                            % names["schema"]).fetchone()[0]
    assert reason.startswith("partition 4 silent since")
