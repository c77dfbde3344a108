"""lib/ and the C client libraries against the real stack, each result checked with
an independent client: confluent-kafka, requests (Elasticsearch REST), pymongo, psycopg."""
import json
import os
import subprocess
import uuid

import psycopg
import pymongo
import requests

from conftest import BROKERS, ES_URL, MONGO_URL, PG_DSN, committed, consume, produce

IT = os.path.join(os.path.dirname(os.environ.get("TICKPIPE_BIN", "build/san/bin")), "tests", "it_lib_stack")
PG_URL_DSN = PG_DSN


def it(*args):
    r = subprocess.run([IT] + [str(a) for a in args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ERROR: AddressSanitizer" not in r.stderr and "runtime error" not in r.stderr, r.stderr
    return r.stdout


def test_kafka_produce_is_read_by_confluent_kafka(topics):
    out = it("kafka-produce", BROKERS, topics["ticks"], 500)
    assert "delivered=500 failed=0 left=0" in out
    ticks = consume(topics["ticks"], expect=500)
    assert len(ticks) == 500
    assert len({t["id"] for t in ticks}) == 500          # idempotent: no duplicates
    assert all(t["v"] == 1 and t["exchange"] == "KRX" for t in ticks)
    by_sym = {}
    for t in ticks:                                      # keyed by symbol: per-symbol order kept
        by_sym.setdefault(t["symbol"], []).append(t["ts"])
    assert all(ts == sorted(ts) for ts in by_sym.values())


def test_kafka_consume_commits_after_processing(topics):
    recs = [{"v": 1, "id": "py|%d" % i, "source": "sim", "symbol": "%06d" % (i % 9), "exchange": "KRX",
             "ts": 1763856000000 + i, "day": "2026-11-23", "price": 100 + i, "qty": 1} for i in range(300)]
    produce(topics["ticks"], recs)
    group = "it-" + uuid.uuid4().hex[:6]
    out = it("kafka-consume", BROKERS, topics["ticks"], group, 300)
    assert "consumed=300 valid=300" in out
    assert sum(max(0, o) for o in committed(group, topics["ticks"]).values()) == 300


def test_elasticsearch_bulk_and_search():
    index = "tickpipe-it-" + uuid.uuid4().hex[:8]
    try:
        out = it("es", ES_URL, index, 200)
        assert "bulk_ok=1" in out
        r = requests.get("%s/%s/_search" % (ES_URL, index), json={"query": {"term": {"symbol.keyword": "S3"}}})
        assert r.json()["hits"]["total"]["value"] == 20
        assert requests.get("%s/%s/_count" % (ES_URL, index)).json()["count"] == 200
    finally:
        requests.delete("%s/%s" % (ES_URL, index))


def test_mongo_insert_read_by_pymongo():
    db, coll = "tickpipe_it", "c_" + uuid.uuid4().hex[:8]
    out = it("mongo", MONGO_URL, db, coll, 50)
    assert "count=50" in out
    c = pymongo.MongoClient(MONGO_URL)[db][coll]
    try:
        assert c.count_documents({}) == 50
        assert c.find_one({"_id": 7})["frame"].startswith("0|H0STCNT0|")
    finally:
        c.drop()


def test_postgres_roundtrip_with_psycopg():
    table = "it_" + uuid.uuid4().hex[:8]
    with psycopg.connect(PG_URL_DSN, autocommit=True) as pg:
        try:
            out = it("pg", PG_URL_DSN, table, 40)
            assert "rows=40 sum=780" in out
            pg.execute("INSERT INTO %s VALUES (1000, 'py')" % table)
            assert pg.execute("SELECT count(*) FROM %s WHERE who = 'c'" % table).fetchone()[0] == 40
            out = it("pg", PG_URL_DSN, table, 0)   # C reads back what Python wrote
            assert "rows=41 sum=1780" in out
        finally:
            pg.execute("DROP TABLE IF EXISTS %s" % table)


def test_every_program_answers_help_version_and_bad_flags():
    bindir = os.environ.get("TICKPIPE_BIN", "build/san/bin")
    for prog in ("collector", "vwap-stream", "es-sink", "anomaly-router", "watchdog", "feed-sim"):
        path = os.path.join(bindir, prog)
        h = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=30)
        assert h.returncode == 0 and "usage:" in h.stdout, prog
        v = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
        assert v.returncode == 0 and v.stdout.startswith(prog + " "), prog
        bad = subprocess.run([path, "--no-such-flag"], capture_output=True, text=True, timeout=30)
        assert bad.returncode == 2, prog
        assert len(bad.stderr.strip().splitlines()) == 1 and prog in bad.stderr, (prog, bad.stderr)
        dump = subprocess.run([path, "-X", "dump", "-X", "sasl.password=pw-%s" % prog], capture_output=True,
                              text=True, timeout=30)
        assert dump.returncode == 0 and "pw-" not in dump.stdout and "[redacted]" in dump.stdout, prog
