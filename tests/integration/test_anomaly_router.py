"""anomaly-router against the real stack: Kafka topics per test, a PostgreSQL
schema per test (--pg-schema), a real SMTP server (aiosmtpd) and a real HTTP
webhook receiver started inside the test. Results are read back with
confluent-kafka, psycopg, and what the servers received."""
import http.server
import json
import os
import socket
import threading
import time
import uuid

import psycopg
import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import PG_DSN, BROKERS, ROOT, consume, committed, produce, wait_until, free_port

HOUR = 1763856000000  # 2026-11-23T00:00:00Z = 09:00 KST, an epoch hour
DAY = "2026-11-23"



def tick(sym, n, price, qty=1, ts=None):
    return {"v": 1, "id": "sim|%s|%s|%d" % (sym, DAY.replace("-", ""), n), "source": "sim",
            "symbol": sym, "exchange": "KRX", "ts": ts if ts is not None else HOUR + n * 1000,
            "day": DAY, "price": price, "qty": qty}


def bar(sym, minute, close):
    start = HOUR + minute * 60000
    return {"v": 1, "id": "%s|1m|%d" % (sym, start), "symbol": sym, "exchange": "KRX",
            "window": "1m", "start": start, "end": start + 60000, "day": DAY, "open": close,
            "high": close, "low": close, "close": close, "volume": 10, "turnover": close * 10,
            "vwap": close, "trades": 3, "cum_vwap": close, "final": True,
            "updated_ts": start + 60001}


@pytest.fixture
def schema():
    name = "t_ar_" + uuid.uuid4().hex[:10]
    yield name
    with psycopg.connect(PG_DSN, autocommit=True) as c:
        c.execute("DROP SCHEMA IF EXISTS %s CASCADE" % name)


@pytest.fixture
def smtp():
    class Handler:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    h = Handler()
    ctl = Controller(h, hostname="127.0.0.1", port=free_port())
    ctl.start()
    h.url = "smtp://127.0.0.1:%d" % ctl.port
    yield h
    ctl.stop()


@pytest.fixture
def webhook():
    got = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if srv.fail_next > 0:  # a receiver having a bad moment: 503, then fine
                srv.fail_next -= 1
                srv.failed += 1
                self.send_response(503)
                self.end_headers()
                return
            got.append((self.path, self.headers.get("Content-Type"), json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    srv.got = got
    srv.fail_next = srv.failed = 0
    srv.url = "http://127.0.0.1:%d/hook/T000/B000/secret" % srv.server_address[1]
    yield srv
    srv.shutdown()


def router(run, topics, *extra, group=None):
    port = free_port()
    p = run("anomaly-router", "--ticks-topic", topics["ticks"], "--bars-topic", topics["bars"],
            "--anomalies-topic", topics["anomalies"], "--dlq-topic", topics["dlq"],
            "--group", group or "ar-" + uuid.uuid4().hex[:8], "--metrics-port", str(port),
            "--metrics-addr", "127.0.0.1", *extra)
    p.metrics_port = port
    wait_until(lambda: "event=running" in p.output() or not p.alive(), 60, what="router running")
    assert p.alive(), p.output()[-3000:]
    return p


def metric(p, name):
    text = requests.get("http://127.0.0.1:%d/metrics" % p.metrics_port, timeout=5).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("tickpipe_anomaly_router_" + name):
            total += float(line.rsplit(" ", 1)[1])
    return total


def reloads(p):
    return metric(p, "rules_reloads_total")


def insert(schema, rows):
    """One transaction: the trigger's notifications are delivered at commit."""
    with psycopg.connect(PG_DSN) as c:
        for r in rows:
            c.execute("INSERT INTO %s.anomaly_rules (id, symbol, kind, params, recipients, owner) "
                      "VALUES (%%s, %%s, %%s, %%s, %%s, 'test')" % schema,
                      (r[0], r[1], r[2], json.dumps(r[3]), r[4] if len(r) > 4 else []))


def sql(statement, *args):
    with psycopg.connect(PG_DSN, autocommit=True) as c:
        c.execute(statement, args)


def test_each_kind_fires_at_its_boundary_dlq_and_notifications(topics, run, schema, smtp, webhook):
    p = router(run, topics, "--pg-dsn", PG_DSN, "--pg-schema", schema, "--smtp-url", smtp.url,
               "--smtp-starttls", "no", "--notify-retries", "1")
    before = reloads(p)
    insert(schema, [
        ("r_limit", "LIM001", "price_limit", {"base": 9980}, ["ops@example.com", webhook.url]),
        ("r_chg", "CHG001", "change_rate", {"base": 10000, "pct": 5, "direction": "up"}),
        ("r_tgt", "TGT001", "target_price", {"price": 75000}),
        ("r_vwap", "VWP001", "vwap_deviation", {"pct": 3}),
        ("r_vol", "VOL001", "volume_spike", {"n": 5, "k": 2}),
        ("r_pdv", "PDV001", "prev_day_change", {"field": "volume", "pct": 100, "prev_volume": 1000}),
        ("r_qty", "QTY001", "threshold", {"field": "qty", "op": ">=", "value": 5000}),
        ("r_bar", "BAR001", "threshold", {"field": "close", "value": 70000, "window": "1m"}),
        ("r_junk", "JNK001", "threshold", {"field": "price", "value": 1}),
        ("r_bad", "BAD001", "change_rate", {"pct": "x"}),  # invalid: skipped, not fatal
    ])
    # rules_applied: the evaluation loop switched to the new ruleset
    wait_until(lambda: reloads(p) > before and "event=rules_applied rules=9" in p.output(), 10,
               what="reload after insert")
    # (symbol, prices, qtys, index of the first tick that must fire); later ticks
    # fire too and must be suppressed as duplicates within the hour.
    plans = [
        ("LIM001", [12000, 12960, 12969, 12970, 12980], None, 3),   # KRX: 9,980 → 12,970
        ("CHG001", [10000, 10490, 10499, 10500, 10600], None, 3),   # +5.00% vs 10,000
        ("TGT001", [74000, 74900, 74999, 75000, 75100], None, 3),   # crosses 75,000 upward
        ("VWP001", [100, 100, 102, 103.5, 104], [1e6, 1e6, 1, 1, 1], 3),  # VWAP ≈ 100: 2% no, 3.5% yes
        ("VOL001", [1] * 8, [10, 12, 8, 10, 10, 12, 13, 100], 7),  # mean+2sd of the last 5
        ("PDV001", [1] * 4, [400, 500, 99, 1], 3),                 # 1,000 = 100% of yesterday
        ("QTY001", [1] * 3, [4999, 4000, 5000], 2),
    ]
    ticks, expect = [], {}
    for sym, prices, qtys, first in plans:
        for i, pr in enumerate(prices):
            ticks.append(tick(sym, i, pr, qtys[i] if qtys else 1))
        expect[sym] = tick(sym, first, 0)["id"]
    produce(topics["ticks"], ticks)
    produce(topics["bars"], [bar("BAR001", 0, 69999), bar("BAR001", 1, 70000), bar("BAR001", 2, 70100)])
    # trailing bytes after the object: accepted by the decoder, embedded re-serialised
    produce(topics["ticks"], [json.dumps(tick("JNK001", 0, 5)).encode() + b" trailing junk"])
    produce(topics["ticks"], [b"not json at all", json.dumps({k: v for k, v in tick("BAD001", 0, 1).items()
                                                               if k != "price"}).encode()])
    got = consume(topics["anomalies"], expect=9, timeout=60)
    by_sym = {a["symbol"]: a for a in got}
    assert len(got) == 9, ([a["id"] for a in got],
                           requests.get("http://127.0.0.1:%d/metrics" % p.metrics_port).text)
    for sym, tid in expect.items():
        a = by_sym[sym]
        assert a["original"]["id"] == tid, (sym, a)
        assert a["source_topic"] == "ticks"
        assert a["id"] == "%s|%s|%d" % (a["rule_id"], sym, HOUR)
    lim = by_sym["LIM001"]
    assert lim["kind"] == "price_limit" and lim["observed"] == 12970 and lim["threshold"] == 12970
    assert "12970" in lim["message"]
    assert by_sym["BAR001"]["original"]["close"] == 70000 and by_sym["BAR001"]["source_topic"] == "bars"
    assert abs(by_sym["CHG001"]["observed"] - 5.0) < 1e-9
    dlq = consume(topics["dlq"], expect=2, timeout=30)
    reasons = sorted(d["reason"] for d in dlq)
    assert len(dlq) == 2 and all(d["stage"] == "anomaly-router" for d in dlq), dlq
    assert any("price" in r for r in reasons), reasons
    assert any(d.get("original") == "not json at all" for d in dlq)
    # notifications: the e-mail reached the SMTP server, the webhook got JSON
    wait_until(lambda: smtp.messages and webhook.got, 30, what="notifications")
    rcpts, text = smtp.messages[0]
    assert rcpts == ["ops@example.com"]
    for s in ("LIM001", "r_limit", "price_limit", "12970"):
        assert s in text, text
    path, ctype, body = webhook.got[0]
    assert ctype == "application/json" and "LIM001" in body["text"]
    assert body["anomaly"]["rule_id"] == "r_limit" and body["anomaly"]["observed"] == 12970
    assert len(smtp.messages) == 1 and len(webhook.got) == 1  # duplicates notify nobody
    assert metric(p, 'hits_total{kind="price_limit"}') == 2
    # later firing ticks: 12,980 (limit), 104 (VWAP), the 70,100 bar; crossings do not repeat
    assert metric(p, "duplicates_suppressed_total") == 3
    assert metric(p, "notifications_sent_total") == 2
    assert by_sym["JNK001"]["original"]["id"] == tick("JNK001", 0, 5)["id"]
    assert metric(p, "rules ") == 9 and metric(p, "rules_invalid ") == 1
    assert "secret" not in p.output()  # the webhook URL (its token) never reaches the log
    assert p.stop() == 0


def test_rule_changes_apply_within_a_second_and_survive_pg_disconnect(topics, run, schema):
    p = router(run, topics, "--pg-dsn", PG_DSN, "--pg-schema", schema, "--pg-reconnect-max-ms", "500")
    insert(schema, [("r1", "UPD001", "threshold", {"field": "price", "value": 1000})])
    wait_until(lambda: "event=rules_applied rules=1" in p.output(), 10, what="rule applied")
    n = [0]

    def send(price, qty=1, hour=0):
        n[0] += 1
        produce(topics["ticks"], [tick("UPD001", n[0], price, qty, ts=HOUR + hour * 3600000 + n[0] * 1000)])
        evaluated = n[0]
        wait_until(lambda: metric(p, "ticks_evaluated_total") >= evaluated, 20, what="tick evaluated")

    send(900)
    assert consume(topics["anomalies"], idle=1.0) == []
    sql("UPDATE %s.anomaly_rules SET params = '{\"field\":\"price\",\"value\":800}' WHERE id = 'r1'" % schema)
    time.sleep(1.0)
    send(900)  # the lowered threshold is in force one second after the commit
    got = consume(topics["anomalies"], expect=1, timeout=20)
    assert [a["rule_id"] for a in got] == ["r1"] and got[0]["threshold"] == 800
    insert(schema, [("r2", "UPD001", "threshold", {"field": "qty", "value": 5})])
    time.sleep(1.0)
    send(1, qty=10)
    got = consume(topics["anomalies"], expect=2, timeout=20)
    assert sorted(a["rule_id"] for a in got) == ["r1", "r2"]
    # The database connection dies: evaluation goes on with the last rules,
    # the router reconnects and picks up what changed meanwhile.
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
        "AND application_name = 'tickpipe-anomaly-router' AND query LIKE %s", "%" + schema + "%")
    wait_until(lambda: "event=postgres_lost" in p.output(), 10, what="connection loss noticed")
    send(900, hour=1)  # r1 (800) still in force while reconnecting
    sql("UPDATE %s.anomaly_rules SET enabled = false WHERE id = 'r1'" % schema)
    wait_until(lambda: p.output().count("event=postgres_connected") >= 2, 15, what="reconnect")
    time.sleep(1.0)
    send(900, hour=2)  # r1 disabled: nothing
    got = consume(topics["anomalies"], expect=3, idle=2.0, timeout=20)
    assert sorted((a["rule_id"], a["id"].split("|")[2]) for a in got) == [
        ("r1", str(HOUR)), ("r1", str(HOUR + 3600000)), ("r2", str(HOUR))]
    assert p.stop() == 0


def test_dedup_survives_kill9_and_rules_file_fallback(topics, run, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"rules": [
        {"id": "d1", "symbol": "DED001", "kind": "threshold", "params": {"field": "price", "value": 100}}]}))
    group = "ar-" + uuid.uuid4().hex[:8]
    # the killed member holds its partitions until its session times out
    fast = ("-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000")
    p = router(run, topics, "--rules-file", str(rules), *fast, group=group)
    produce(topics["ticks"], [tick("DED001", 1, 150)])
    assert len(consume(topics["anomalies"], expect=1, timeout=30)) == 1
    p.kill9()  # no drain, perhaps no commit: the tick may be read again
    p = router(run, topics, "--rules-file", str(rules), *fast, group=group)
    assert "event=dedup_rebuilt" in p.output() and "ids=1" in p.output()
    produce(topics["ticks"], [tick("DED001", 2, 160), tick("DED001", 3, 170, ts=HOUR + 3600000 + 5)])
    got = consume(topics["anomalies"], expect=2, idle=2.0, timeout=40)
    assert sorted(a["id"] for a in got) == ["d1|DED001|%d" % HOUR, "d1|DED001|%d" % (HOUR + 3600000)]
    wait_until(lambda: metric(p, "ticks_evaluated_total") >= 2, 10, what="evaluated")
    assert metric(p, "duplicates_suppressed_total") >= 1
    # the rules file is reloaded when it changes
    rules.write_text(json.dumps([{"id": "d2", "symbol": "*", "kind": "threshold",
                                  "params": {"field": "qty", "value": 7}}]))
    wait_until(lambda: "rules=1 invalid=0 source=file" in p.output().split("event=dedup_rebuilt")[-1]
               and reloads(p) >= 2, 10, what="file reload")
    produce(topics["ticks"], [tick("ANY001", 4, 1, qty=7)])
    got = consume(topics["anomalies"], expect=3, timeout=30)
    assert sorted(a["rule_id"] for a in got) == ["d1", "d1", "d2"]
    assert p.stop() == 0
    offs = committed(group, topics["ticks"])
    assert sum(o for o in offs.values() if o > 0) == 4  # every tick committed after its output


def test_usage_errors_and_waiting_for_an_unreachable_database(topics, run):
    from conftest import run_once
    r = run_once("anomaly-router", "--brokers", BROKERS)
    assert r.returncode == 2 and "--pg-dsn or --rules-file" in r.stderr
    r = run_once("anomaly-router", "--pg-dsn", "host=127.0.0.1", "--pg-schema", "x;drop")
    assert r.returncode == 2 and "identifiers" in r.stderr
    r = run_once("anomaly-router", "--rules-file", "/nonexistent/rules.json", "--ticks-topic", topics["ticks"])
    assert r.returncode == 2
    r = run_once("anomaly-router", "--check", "--rules-file", os.path.join(ROOT, "deploy", "rules.example.json"))
    assert r.returncode == 0 and "rules ok" in r.stdout
    bad = os.path.join(os.environ.get("TMPDIR", "/tmp"), "ar-bad-%s.json" % uuid.uuid4().hex[:6])
    with open(bad, "w") as f:
        json.dump([{"id": "a", "symbol": "A", "kind": "change_rate", "params": {"pct": -1}}], f)
    r = run_once("anomaly-router", "--check", "--rules-file", bad)
    os.unlink(bad)
    assert r.returncode == 2 and "1 invalid rules" in r.stderr and "pct" in r.stderr
    # No database at start: nothing is consumed (so nothing is lost) until rules arrive.
    port = free_port()
    p = run("anomaly-router", "--pg-dsn", "host=127.0.0.1 port=1 dbname=x user=x password=hunter22",
            "--ticks-topic", topics["ticks"], "--metrics-port", str(port), "--metrics-addr", "127.0.0.1")
    wait_until(lambda: "event=postgres_unavailable" in p.output(), 15, what="retrying")
    h = requests.get("http://127.0.0.1:%d/health" % port, timeout=5)
    assert h.status_code != 200 and "waiting for rules" in h.text
    assert "hunter22" not in p.output()
    t0 = time.time()
    assert p.stop() == 0 and time.time() - t0 < 10


def test_webhook_retried_and_rate_limited_per_recipient(topics, run, tmp_path, webhook):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([
        {"id": "n%d" % i, "symbol": "NTF001", "kind": "threshold",
         "params": {"field": "price", "value": 100 + i}, "recipients": [webhook.url]}
        for i in range(3)]))
    webhook.fail_next = 1
    p = router(run, topics, "--rules-file", str(rules), "--notify-rate", "2", "--notify-retries", "2")
    produce(topics["ticks"], [tick("NTF001", 1, 200)])  # all three rules fire
    assert len(consume(topics["anomalies"], expect=3, timeout=30)) == 3
    wait_until(lambda: metric(p, "notifications_rate_limited_total") >= 1
               and metric(p, "notifications_sent_total") >= 2, 20, what="notifications settled")
    time.sleep(1.0)
    # burst of 2 per recipient: two delivered (one after a 503 and a retry), one dropped
    assert webhook.failed == 1 and len(webhook.got) == 2
    assert metric(p, "notifications_sent_total") == 2
    assert metric(p, "notifications_rate_limited_total") == 1
    assert metric(p, "notifications_failed_total") == 0
    assert sorted(b["anomaly"]["rule_id"] for _, _, b in webhook.got) == ["n0", "n1"]
    assert p.stop() == 0


def test_email_over_starttls_with_auth(topics, run, tmp_path):
    """STARTTLS required, the server's certificate checked against --smtp-ca-file,
    AUTH with the password from SMTP_PASSWORD_FILE (a secret: never logged)."""
    import ssl
    import subprocess
    from aiosmtpd.smtp import AuthResult
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert), str(key))
    got = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            got.append((session.authenticated, envelope.content.decode()))
            return "250 OK"

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"alerts" and auth_data.password == b"s3cret-pw"
        return AuthResult(success=ok)

    ctl = Controller(Handler(), hostname="127.0.0.1", port=free_port(), tls_context=ctx,
                     require_starttls=True, authenticator=check, auth_require_tls=True)
    ctl.start()
    try:
        pw = tmp_path / "pw"
        pw.write_text("s3cret-pw\n")
        rules = tmp_path / "rules.json"
        rules.write_text(json.dumps([{"id": "tls1", "symbol": "TLS001", "kind": "target_price",
                                      "params": {"price": 100}, "recipients": ["sec@example.com"]}]))
        p = run("anomaly-router", "--rules-file", str(rules), "--ticks-topic", topics["ticks"],
                "--bars-topic", topics["bars"], "--anomalies-topic", topics["anomalies"],
                "--dlq-topic", topics["dlq"], "--group", "ar-" + uuid.uuid4().hex[:8],
                "--smtp-url", "smtp://127.0.0.1:%d" % ctl.port, "--smtp-starttls", "required",
                "--smtp-ca-file", str(cert), "--smtp-user", "alerts",
                env={"SMTP_PASSWORD_FILE": str(pw)})
        wait_until(lambda: "event=running" in p.output(), 30, what="running")
        produce(topics["ticks"], [tick("TLS001", 1, 99), tick("TLS001", 2, 101)])
        wait_until(lambda: got, 30, what="mail over STARTTLS")
        assert got[0][0] is True and "TLS001" in got[0][1] and "tls1" in got[0][1]
        assert "s3cret-pw" not in p.output()
        assert p.stop() == 0
    finally:
        ctl.stop()


def test_dedup_holds_when_partitions_move_between_instances(topics, run, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([{"id": "mv", "symbol": "MOV001", "kind": "threshold",
                                  "params": {"field": "price", "value": 100}}]))
    group = "ar-" + uuid.uuid4().hex[:8]
    a = router(run, topics, "--rules-file", str(rules), group=group)
    b = router(run, topics, "--rules-file", str(rules), group=group)
    wait_until(lambda: "partitions_assigned" in b.output(), 30, what="second instance assigned")
    time.sleep(2)  # let the cooperative rebalance settle
    produce(topics["ticks"], [tick("MOV001", 1, 150)])
    assert len(consume(topics["anomalies"], expect=1, timeout=30)) == 1
    owner, other = (a, b) if metric(a, "anomalies_produced_total") == 1 else (b, a)
    assert metric(owner, "anomalies_produced_total") == 1
    assert owner.stop() == 0  # its partitions move to the other instance
    wait_until(lambda: other.output().count("event=dedup_rebuilt") >= 2, 30, what="rebuild on assignment")
    produce(topics["ticks"], [tick("MOV001", 2, 160), tick("MOV001", 3, 170, ts=HOUR + 3600000 + 7)])
    got = consume(topics["anomalies"], expect=2, idle=2.0, timeout=30)
    assert sorted(x["id"] for x in got) == ["mv|MOV001|%d" % HOUR, "mv|MOV001|%d" % (HOUR + 3600000)]
    assert metric(other, "duplicates_suppressed_total") == 1
    assert other.stop() == 0
