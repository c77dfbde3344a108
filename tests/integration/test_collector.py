"""collector + feed-sim against the real local stack (Kafka, the MongoDB-wire
server on 27017). The simulator records every trade and every frame it sent;
the tests compare that record with what reached `ticks` (independent
confluent-kafka consumer) and the raw archive (pymongo)."""
import json
import os
import time
import uuid

import pymongo
import pytest
import requests

from conftest import BROKERS, MONGO_URL, consume, run_once, wait_until, free_port

SYMS = ["005930", "000660", "035420", "005380", "051910", "006400", "035720", "068270"]
WELL_KNOWN = SYMS + ["105560", "055550"]  # the simulator's first ten codes


class Sim:
    def __init__(self, run, tmp_path, *args):
        self.dir = tmp_path
        self.rec = str(tmp_path / "sent.ndjson")
        self.frames = str(tmp_path / "frames.ndjson")
        pf = str(tmp_path / ("port-%s" % uuid.uuid4().hex[:6]))
        self.p = run("feed-sim", "--port-file", pf, "--record", self.rec, "--record-frames", self.frames,
                     *args)
        self.port = int(wait_until(lambda: os.path.exists(pf) and open(pf).read().strip(), 20,
                                   what="feed-sim port"))
        self.url = "127.0.0.1:%d" % self.port

    def stats(self):
        return requests.get("http://%s/stats" % self.url, timeout=5).json()

    def wait_sent(self, key, n, timeout=60):
        return wait_until(lambda: self.stats()[key] >= n, timeout, what="%s >= %d" % (key, n))

    def sent(self):
        with open(self.rec) as f:
            return [json.loads(l) for l in f if l.strip()]

    def sent_frames(self):
        with open(self.frames) as f:
            return [json.loads(l) for l in f if l.strip()]


def kis_args(sim, topics, coll, symbols=SYMS, *extra):
    return ["--ignore-hours", "--kis-ws-url", "ws://%s" % sim.url, "--kis-rest-url", "http://%s" % sim.url,
            "--kis-symbols", ",".join(symbols), "--ticks-topic", topics["ticks"], "--dlq-topic", topics["dlq"],
            "--mongo-uri", MONGO_URL, "--mongo-collection", coll, "--subscribe-interval-ms", "0",
            "--backoff-base-ms", "100", "--backoff-max-ms", "1000", "--summary-interval", "1"] + list(extra)


CRED_ENV = {"KIS_APPKEY": "PSimAppKey0001", "KIS_SECRET": "sim-secret-0001"}


@pytest.fixture
def coll():
    name = "raw_%s" % uuid.uuid4().hex[:8]
    client = pymongo.MongoClient(MONGO_URL, serverSelectionTimeoutMS=5000)
    yield client.tickpipe[name], name
    client.tickpipe.drop_collection(name)
    client.close()


def archived_frames(c):
    return [d["frame"] for d in c.find({}, {"frame": 1})]


def check_ticks_match(ticks, sent):
    """Every sent trade exactly once, with the feed's own fields intact."""
    ids = [t["id"] for t in ticks]
    assert len(ids) == len(set(ids)), "duplicate ticks"
    by_id = {t["id"]: t for t in ticks}
    want = {s["id"]: s for s in sent}
    assert set(by_id) == set(want), "missing %d, unexpected %d" % (len(set(want) - set(by_id)),
                                                                  len(set(by_id) - set(want)))
    for i, s in want.items():
        t = by_id[i]
        assert (t["symbol"], t["ts"], t["day"], t["price"], t["qty"], t["side"]) == \
            (s["symbol"], s["ts"], s["day"], s["price"], s["qty"], s["side"]), (t, s)
        assert t["cum_volume"] == s["cum_volume"] and t["cum_turnover"] == s["cum_turnover"]
        # WGHN_AVRG_STCK_PRC is exactly ACML_TR_PBMN / ACML_VOL: downstream can verify VWAP.
        assert t["feed_vwap"] == t["cum_turnover"] / t["cum_volume"]
        assert t["source"] == "kis" and t["exchange"] == "KRX"


def test_every_trade_exactly_once_across_disconnects(run, tmp_path, topics, coll):
    c, cname = coll
    total = 600
    sim = Sim(run, tmp_path, "--symbols", "8", "--total", str(total), "--rate", "400", "--max-batch", "6",
              "--batch-prob", "0.5", "--drop-every", "60", "--drop-max", "3", "--ping-interval-ms", "300",
              "--seed", "7")
    col = run("collector", *kis_args(sim, topics, cname), env=CRED_ENV)
    sim.wait_sent("krx_sent", total)
    ticks = consume(topics["ticks"], expect=total, timeout=60)
    sent = sim.sent()
    assert len(sent) == total
    check_ticks_match(ticks, sent)
    # Multi-record frames were in the mix, and the socket really was dropped.
    frames = sim.sent_frames()
    assert any(f["frame"].startswith("0|H0STCNT0|00") and not f["frame"].startswith("0|H0STCNT0|001|")
               for f in frames)
    assert sim.stats()["drops"] == 3
    # Every frame the simulator sent is in the archive, verbatim.
    want = {f["frame"] for f in frames}
    wait_until(lambda: want <= set(archived_frames(c)), 30, what="frames archived")
    # ... and nothing else (read the record again: pings went on meanwhile).
    assert set(archived_frames(c)) <= {f["frame"] for f in sim.sent_frames()}
    t0 = time.time()
    assert col.stop() == 0
    assert time.time() - t0 < 10
    out = col.output()
    assert out.count("event=session_open") >= 4
    assert "PSimAppKey0001" not in out and "sim-secret-0001" not in out


def test_event_times_hours_ahead_go_in_first_time_in_order(run, tmp_path, topics, coll):
    """The virtual-clock simulator run at night: its morning is hours ahead of the wall
    clock. The broker refuses a CreateTime more than log.message.timestamp.after.max.ms
    (3600000 on our broker) ahead, so the collector stamps the time it produces: every trade goes
    in on the first try, in the feed's order per symbol (compose-test once lost half of
    its bars: the refused batches, retried, came in out of order and late)."""
    c, cname = coll
    total, ahead_s = 400, 5 * 3600
    start = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() + 9 * 3600 + ahead_s))
    sim = Sim(run, tmp_path, "--symbols", "4", "--total", str(total), "--rate", "400", "--clock",
              "virtual", "--start", start, "--speed", "30", "--seed", "11")
    t0 = time.time() * 1000
    col = run("collector", *kis_args(sim, topics, cname, SYMS[:4]), env=CRED_ENV)
    sim.wait_sent("krx_sent", total)
    got = consume(topics["ticks"], expect=total, timeout=60, stamps=True)
    t1 = time.time() * 1000
    ticks, sent = [v for v, _ in got], sim.sent()
    check_ticks_match(ticks, sent)
    assert min(t["ts"] for t in ticks) > t1 + 3600 * 1000, "event times are not hours ahead"
    assert all(t0 - 1000 <= ts <= t1 + 1000 for _, ts in got), "CreateTime is not the produce time"
    for sym in SYMS[:4]:  # one symbol, one partition: topic order is the feed's order
        assert [t["id"] for t in ticks if t["symbol"] == sym] == [s["id"] for s in sent if s["symbol"] == sym]
    assert col.stop() == 0
    assert "kafka_delivery_failed" not in col.output()


def test_same_seed_same_trades(tmp_path):
    a, b = str(tmp_path / "a.txt"), str(tmp_path / "b.txt")
    args = ["--symbols", "20", "--total", "500", "--clock", "virtual", "--start", "2026-11-23T09:00:00"]
    assert run_once("feed-sim", "--dump-frames", a, "--seed", "42", *args).returncode == 0
    assert run_once("feed-sim", "--dump-frames", b, "--seed", "42", *args).returncode == 0
    assert open(a).read() == open(b).read()
    c = str(tmp_path / "c.txt")
    assert run_once("feed-sim", "--dump-frames", c, "--seed", "43", *args).returncode == 0
    assert open(a).read() != open(c).read()


def test_malformed_frames_to_dlq_good_trades_still_arrive(run, tmp_path, topics, coll):
    c, cname = coll
    total = 200
    sim = Sim(run, tmp_path, "--symbols", "4", "--total", str(total), "--rate", "300", "--malformed-every", "20")
    run("collector", *kis_args(sim, topics, cname, SYMS[:4]), env=CRED_ENV)
    sim.wait_sent("krx_sent", total)
    bad = [f["frame"] for f in sim.sent_frames() if f["kind"] == "malformed"]
    assert len(bad) >= 3
    ticks = consume(topics["ticks"], expect=total, timeout=60)
    check_ticks_match(ticks, sim.sent())
    dlq = consume(topics["dlq"], expect=len(bad), timeout=30)
    assert sorted(d["original"] for d in dlq) == sorted(bad)
    assert all(d["stage"] == "collector" and d["reason"] for d in dlq)
    reasons = " ".join(d["reason"] for d in dlq)
    assert "record" in reasons and "header" in reasons


def test_pingpong_echoed_so_the_socket_stays(run, tmp_path, topics, coll):
    c, cname = coll
    # The simulator closes any socket that leaves a PINGPONG unanswered for 500 ms.
    sim = Sim(run, tmp_path, "--symbols", "2", "--rate", "5", "--ping-interval-ms", "200",
              "--pong-timeout-ms", "500")
    col = run("collector", *kis_args(sim, topics, cname, SYMS[:2]), env=CRED_ENV)
    time.sleep(4)
    pings = [f for f in sim.sent_frames() if "PINGPONG" in f["frame"]]
    assert len(pings) >= 10
    assert col.alive()
    col.stop()
    assert col.output().count("event=session_open") == 1
    want = {f["frame"] for f in pings}
    wait_until(lambda: want <= set(archived_frames(c)), 20, what="pings archived")


def test_silent_socket_is_reconnected_without_loss(run, tmp_path, topics, coll):
    c, cname = coll
    total = 150
    sim = Sim(run, tmp_path, "--symbols", "3", "--total", str(total), "--rate", "100", "--silence-after", "30",
              "--silence-ms", "4000", "--ping-interval-ms", "0")
    col = run("collector", *kis_args(sim, topics, cname, SYMS[:3], "--idle-timeout-ms", "1000"), env=CRED_ENV)
    sim.wait_sent("krx_sent", total, timeout=60)
    ticks = consume(topics["ticks"], expect=total, timeout=60)
    check_ticks_match(ticks, sim.sent())
    col.stop()
    out = col.output()
    assert "reason=idle" in out


CREDS = ["PSimKeyA:secretA", "PSimKeyB:secretB", "PSimKeyC:secretC"]


def test_symbols_sharded_over_appkeys(run, tmp_path, topics, coll):
    c, cname = coll
    cred = tmp_path / "creds.txt"
    cred.write_text("# appkey:secret\n" + "\n".join(CREDS) + "\n")
    total = 400
    sim = Sim(run, tmp_path, "--symbols", "100", "--total", str(total), "--rate", "400",
              "--credentials", str(cred), "--max-subs", "41")
    # The simulator's codes: ask it for them through a dump (same generator).
    dump = tmp_path / "codes.txt"
    assert run_once("feed-sim", "--symbols", "100", "--total", "3000", "--dump-frames", str(dump)).returncode == 0
    codes = sorted({f for line in open(dump) for f in line.strip().split("|", 3)[3].split("^")[::46]})
    assert len(codes) == 100
    col = run("collector", *kis_args(sim, topics, cname, codes, "--kis-credentials", str(cred)))
    sim.wait_sent("krx_sent", total)
    assert sim.stats()["approvals"] == 3
    ticks = consume(topics["ticks"], expect=total, timeout=60)
    check_ticks_match(ticks, sim.sent())
    assert len({s["session"] for s in sim.sent()}) == 3
    col.stop()
    assert "PSimKeyA" not in col.output() and "secretB" not in col.output()


def test_too_many_symbols_refused(tmp_path, topics):
    cred = tmp_path / "creds.txt"
    cred.write_text("\n".join(CREDS[:2]) + "\n")
    codes = ["%06d" % (100000 + i) for i in range(100)]
    r = run_once("collector", "--ignore-hours", "--kis-ws-url", "ws://127.0.0.1:9", "--kis-rest-url",
                 "http://127.0.0.1:9", "--kis-credentials", str(cred), "--kis-symbols", ",".join(codes),
                 "--ticks-topic", topics["ticks"])
    assert r.returncode == 2
    assert "do not fit" in r.stderr and "3 appkeys" in r.stderr


def test_max_subscribe_over_and_appkey_in_use(run, tmp_path, topics, coll):
    c, cname = coll
    codes = WELL_KNOWN + ["%06d" % (100000 + i * 37) for i in range(35)]  # 45 > 41
    sim = Sim(run, tmp_path, "--symbols", "45", "--rate", "20", "--max-subs", "41")
    col = run("collector", *kis_args(sim, topics, cname, codes, "--kis-max-subs", "45"), env=CRED_ENV)
    wait_until(lambda: col.output().count("event=kis_max_subscribe_over") >= 4, 20, what="OPSP0008 acks")
    # A second process on the same appkey: OPSP8996, then a long hold, never a spin.
    col2 = run("collector", *kis_args(sim, topics, cname, SYMS[:1], "--in-use-hold", "30"), env=CRED_ENV)
    wait_until(lambda: "event=kis_appkey_in_use" in col2.output(), 20, what="OPSP8996")
    time.sleep(2)
    assert col2.output().count("event=session_open") == 1
    assert col.alive() and col2.alive()
    col2.stop()
    col.stop()
    assert col.output().count("event=kis_max_subscribe_over") == 4


def test_rejected_credentials_retried_with_backoff_not_spun(run, tmp_path, topics, coll):
    c, cname = coll
    cred = tmp_path / "sim-creds.txt"
    cred.write_text("\n".join(CREDS) + "\n")
    sim = Sim(run, tmp_path, "--symbols", "1", "--rate", "5", "--credentials", str(cred))
    col = run("collector", *kis_args(sim, topics, cname, SYMS[:1]), env=CRED_ENV)  # not in the list
    time.sleep(3)
    out = col.output()
    fails = out.count("event=kis_approval_failed")
    assert 2 <= fails <= 12, fails  # retried, with backoff (100 ms doubling to 1 s)
    assert "status=401" in out and "event=session_open" not in out
    assert sim.stats()["approvals"] == 0
    col.stop()


def test_outside_window_exits_3(topics):
    # A one-minute window ten minutes from now (KST) is closed now.
    now = (time.gmtime().tm_hour * 60 + time.gmtime().tm_min + 9 * 60) % 1440
    start = (now + 10) % 1439
    window = "%02d:%02d-%02d:%02d" % (start // 60, start % 60, (start + 1) // 60, (start + 1) % 60)
    r = run_once("collector", "--window", window, "--kis-appkey", "k1234", "--kis-secret", "s1234",
                 "--kis-symbols", "005930", "--ticks-topic", topics["ticks"], "--mongo-uri", "")
    assert r.returncode == 3, r.stderr


def test_outside_window_idle_waits_without_connecting(run, tmp_path, topics, coll):
    c, cname = coll
    sim = Sim(run, tmp_path, "--symbols", "1", "--rate", "5")
    now = (time.gmtime().tm_hour * 60 + time.gmtime().tm_min + 9 * 60) % 1440
    start = (now + 10) % 1439
    window = "%02d:%02d-%02d:%02d" % (start // 60, start % 60, (start + 1) // 60, (start + 1) % 60)
    args = [a for a in kis_args(sim, topics, cname, SYMS[:1]) if a != "--ignore-hours"]
    col = run("collector", *args, "--window", window, "--outside-hours", "idle", env=CRED_ENV)
    time.sleep(3)
    assert col.alive()
    assert sim.stats()["approvals"] == 0
    assert col.stop() == 0
    assert "event=session_open" not in col.output()


def test_replay_archive_gives_the_same_ids(run, tmp_path, topics, coll):
    c, cname = coll
    total = 120
    sim = Sim(run, tmp_path, "--symbols", "4", "--total", str(total), "--rate", "300")
    col = run("collector", *kis_args(sim, topics, cname, SYMS[:4]), env=CRED_ENV)
    sim.wait_sent("krx_sent", total)
    live = consume(topics["ticks"], expect=total, timeout=60)
    want = {f["frame"] for f in sim.sent_frames()}
    wait_until(lambda: want <= set(archived_frames(c)), 30, what="frames archived")
    col.stop()
    day = c.find_one({"source": "kis"})["day"]
    r = run_once("collector", "replay", "--replay-day", day, "--mongo-uri", MONGO_URL, "--mongo-collection", cname,
                 "--ticks-topic", topics["bars"], "--dlq-topic", topics["dlq"], timeout=60)
    assert r.returncode == 0, r.stderr
    replayed = consume(topics["bars"], expect=total, timeout=30)
    assert sorted(t["id"] for t in replayed) == sorted(t["id"] for t in live)


def test_replay_trades_file_ndjson_and_csv(tmp_path, topics):
    nd = tmp_path / "t.ndjson"
    nd.write_text('{"ts":1795392001000,"symbol":"005930","price":71000,"size":10}\n'
                  '{"timestamp":"2026-11-23T09:00:02+09:00","symbol":"AAPL","price":190.5,"size":3,"side":"buy"}\n'
                  '{"symbol":"005930","price":"x"}\n')
    csv = tmp_path / "t.csv"
    csv.write_text("timestamp,symbol,price,size\n2026-11-23T00:00:03Z,000660,120000,5\n")
    for f in (nd, csv):
        r = run_once("collector", "replay", "--replay-file", str(f), "--ticks-topic", topics["ticks"],
                     "--dlq-topic", topics["dlq"], timeout=60)
        assert r.returncode == 0, r.stderr
    ticks = sorted(consume(topics["ticks"], expect=3, timeout=30), key=lambda t: t["ts"])
    assert [(t["symbol"], t["ts"], t["price"], t["qty"], t["exchange"], t["day"]) for t in ticks] == [
        ("005930", 1795392001000, 71000, 10, "KRX", "2026-11-23"),
        ("AAPL", 1795392002000, 190.5, 3, "US", "2026-11-22"),
        ("000660", 1795392003000, 120000, 5, "KRX", "2026-11-23")]
    dlq = consume(topics["dlq"], expect=1, timeout=20)
    assert len(dlq) == 1 and "line 3" in dlq[0]["reason"]


def test_finnhub_trades_and_quotes(run, tmp_path, topics, coll):
    c, cname = coll
    sim = Sim(run, tmp_path, "--symbols", "1", "--fh-symbols", "AAPL,MSFT", "--fh-total", "100", "--fh-rate", "200",
              "--finnhub-token", "fh-token-123", "--ping-interval-ms", "300", "--quote-limit", "2")
    col = run("collector", "--ignore-hours", "--finnhub-ws-url", "ws://%s" % sim.url, "--finnhub-rest-url",
              "http://%s" % sim.url, "--finnhub-symbols", "AAPL,MSFT", "--finnhub-poll", "1",
              "--ticks-topic", topics["ticks"], "--dlq-topic", topics["dlq"], "--mongo-uri", MONGO_URL,
              "--mongo-collection", cname, "--subscribe-interval-ms", "0", env={"FINNHUB_TOKEN": "fh-token-123"})
    sim.wait_sent("us_sent", 100)
    time.sleep(2.5)
    col.stop()
    ticks = consume(topics["ticks"], idle=3, timeout=30)
    trades = [t for t in ticks if t["id"].startswith("finnhub|")]
    quotes = [t for t in ticks if t["id"].startswith("finnhub-quote|")]
    sent = sim.sent()
    assert sorted((t["symbol"], t["ts"], t["price"], t["qty"]) for t in trades) == \
        sorted((s["symbol"], s["ts"], s["price"], s["qty"]) for s in sent)
    assert len({t["id"] for t in trades}) == 100
    assert quotes and all(q["qty"] == 0 and q["exchange"] == "US" for q in quotes)
    out = col.output()
    assert "fh-token-123" not in out
    # The third /quote within a minute gets 429 and is backed off, not hammered.
    assert "event=finnhub_quote_retry" in out and "status=429" in out
    assert len(quotes) <= 2
    assert c.count_documents({"source": "finnhub"}) >= 1



class OwnMongo:
    """A private MongoDB-wire server (the stack's mongo-java-server build) on its
    own port and data file, so restarting it cannot disturb other tests."""
    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    def __init__(self, tmp_path):
        self.port = free_port()
        self.data = str(tmp_path / "mongo.mv")
        self.uri = "mongodb://127.0.0.1:%d/" % self.port
        self.p = None

    def start(self):
        import subprocess
        cache = os.path.join(self.ROOT, ".cache", "stack", "mongo")
        cp = "%s/classes:%s/libs/*" % (cache, cache)
        self.p = subprocess.Popen([os.environ.get("JAVA", "java"), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", cp,
                                   "TickpipeMongo", self.data, str(self.port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        c = pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=1000)
        wait_until(lambda: self._ping(c), 60, what="private mongo up")
        c.close()

    @staticmethod
    def _ping(c):
        try:
            return c.admin.command("ping")
        except pymongo.errors.PyMongoError:
            return None

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            self.p.wait(30)


@pytest.fixture
def own_mongo(tmp_path):
    cache = os.path.join(OwnMongo.ROOT, ".cache", "stack", "mongo", "classes")
    if not os.path.isdir(cache):
        pytest.skip("no mongo-java-server build under .cache/stack/mongo")
    m = OwnMongo(tmp_path)
    m.start()
    yield m
    m.stop()


def test_mongo_restart_loses_no_frame_and_never_stalls_kafka(run, tmp_path, topics, own_mongo):
    total = 500
    sim = Sim(run, tmp_path, "--symbols", "5", "--total", str(total), "--rate", "100", "--ping-interval-ms", "0")
    args = kis_args(sim, topics, "raw", SYMS[:5])
    args[args.index("--mongo-uri") + 1] = own_mongo.uri
    col = run("collector", *args, env=CRED_ENV)
    sim.wait_sent("krx_sent", 50)
    own_mongo.stop()  # MongoDB goes away while trades keep flowing
    time.sleep(2)
    sent_during = sim.stats()["krx_sent"]
    ticks = consume(topics["ticks"], expect=sent_during, timeout=30)
    assert len(ticks) >= sent_during  # Kafka kept up during the outage
    own_mongo.start()
    sim.wait_sent("krx_sent", total)
    check_ticks_match(consume(topics["ticks"], expect=total, timeout=60), sim.sent())
    c = pymongo.MongoClient(own_mongo.uri).tickpipe.raw
    want = {f["frame"] for f in sim.sent_frames()}
    wait_until(lambda: want <= set(archived_frames(c)), 60, what="every frame archived after the restart")
    assert col.stop() == 0
    out = col.output()
    assert "event=archive_write_failed" in out and "event=archive_recovered" in out


def test_archive_overflow_counted_and_metrics_served(run, tmp_path, topics):
    total = 200
    sim = Sim(run, tmp_path, "--symbols", "3", "--total", str(total), "--rate", "400")
    mport = free_port()
    args = kis_args(sim, topics, "raw", SYMS[:3], "--archive-buffer", "20", "--metrics-port", str(mport),
                    "--metrics-addr", "127.0.0.1")
    args[args.index("--mongo-uri") + 1] = "mongodb://127.0.0.1:%d/" % free_port()  # nobody listens
    col = run("collector", *args, env=CRED_ENV)
    sim.wait_sent("krx_sent", total)
    ticks = consume(topics["ticks"], expect=total, timeout=60)
    if len(ticks) < total:
        # Seen once in CI (198 of 200, not reproduced since): say whether the
        # missing ticks came late, went to the dlq, or what the programs logged.
        late = consume(topics["ticks"], expect=total, timeout=30)
        dead = consume(topics["dlq"], idle=2)
        said = [l for p in (col, sim.p) for l in p.output().splitlines()
                if "level=warn" in l or "level=error" in l or "session_closed" in l]
        print("ticks %d, re-read %d, dlq %d; logs:\n%s" % (len(ticks), len(late), len(dead),
                                                          "\n".join(said[-60:])))
    check_ticks_match(ticks, sim.sent())

    def metric(name):
        text = requests.get("http://127.0.0.1:%d/metrics" % mport, timeout=5).text
        for line in text.splitlines():
            if line.startswith("tickpipe_collector_" + name + " "):
                return float(line.split()[1])
        return None
    wait_until(lambda: metric("delivered_total") == total, 30, what="delivered_total")
    assert metric("trades_total") == total
    frames = metric("frames_total")
    assert frames >= len([f for f in sim.sent_frames() if f["kind"] == "data"])
    assert metric("archive_dropped_total") >= frames - 20 - 1000  # all but what the buffer holds
    assert metric("archive_dropped_total") > 0 and metric("archive_buffered") <= 20
    assert metric("kafka_latency_seconds_count") == total
    assert requests.get("http://127.0.0.1:%d/health" % mport, timeout=5).status_code == 200
    col.stop()
    assert "event=archive_dropped" in col.output()
