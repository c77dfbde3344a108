"""Shared fixtures for the integration tests.

Every test talks to the real local stack (scripts/stack up: Kafka, Elasticsearch,
FerretDB, PostgreSQL) and drives the sanitizer-built programs in $TICKPIPE_BIN.
Results are checked with independent clients: confluent-kafka, requests (the
Elasticsearch REST API), pymongo and psycopg. Each test gets its own topics,
indices, collections and schemas, so tests never see each other's data.
"""
import json
import os
import signal
import subprocess
import time
import uuid

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("TICKPIPE_BIN", os.path.join(ROOT, "bin"))
BROKERS = "127.0.0.1:%s" % os.environ.get("KAFKA_PORT", "9092")
ES_URL = "http://127.0.0.1:%s" % os.environ.get("ES_PORT", "9200")
MONGO_URL = "mongodb://127.0.0.1:%s/" % os.environ.get("MONGO_PORT", "27017")
PG_DSN = "host=127.0.0.1 port=%s dbname=tickpipe user=tickpipe password=tickpipe" % os.environ.get(
    "PG_PORT", "5432")


def binary(name):
    return os.path.join(BIN, name)


LIVE = []  # every Proc not yet stopped, so topic teardown can stop programs first


class Proc:
    """A program under test: started with args, stderr captured to a file."""

    def __init__(self, name, args, env=None, tmp_path=None):
        self.name = name
        self.log_path = os.path.join(str(tmp_path or "/tmp"), "%s-%s.log" % (name, uuid.uuid4().hex[:6]))
        self.log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.p = subprocess.Popen([binary(name)] + list(args), stdout=self.log, stderr=subprocess.STDOUT,
                                  env=full_env)
        LIVE.append(self)

    def alive(self):
        return self.p.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, then wait; returns the exit code."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=timeout)
        finally:
            self.log.close()
            if self in LIVE:
                LIVE.remove(self)

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait()
        self.log.close()
        if self in LIVE:
            LIVE.remove(self)

    def wait(self, timeout):
        rc = self.p.wait(timeout=timeout)
        self.log.close()
        return rc

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


@pytest.fixture
def run(tmp_path):
    """run(name, *args, env=...) starts a program; all are stopped at teardown."""
    procs = []

    def start(name, *args, env=None):
        p = Proc(name, args, env=env, tmp_path=tmp_path)
        procs.append(p)
        return p

    yield start
    for p in procs:
        if p.alive():
            p.stop()
        out = p.output()
        # A sanitizer report anywhere fails the test, even after a clean exit.
        assert "ERROR: AddressSanitizer" not in out, out[-4000:]
        assert "runtime error:" not in out, out[-4000:]
        assert "ERROR: LeakSanitizer" not in out, out[-4000:]


def run_once(name, *args, env=None, timeout=60):
    """Runs a program to completion; returns CompletedProcess (text)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([binary(name)] + list(args), capture_output=True, text=True, env=full_env,
                          timeout=timeout)


@pytest.fixture
def topics():
    """Fresh topics for one test: {'ticks': 'ticks_ab12cd', 'bars': ..., ...}, 6 partitions."""
    suffix = uuid.uuid4().hex[:8]
    names = {k: "%s_%s" % (k, suffix) for k in ("ticks", "bars", "anomalies", "dlq")}
    admin = AdminClient({"bootstrap.servers": BROKERS})
    fs = admin.create_topics([NewTopic(n, num_partitions=6, replication_factor=1) for n in names.values()])
    for f in fs.values():
        f.result(30)
    yield names
    # Programs first: librdkafka 2.0.2 can hang closing a consumer whose topic was deleted.
    for p in list(LIVE):
        if p.alive():
            p.stop()
    admin.delete_topics(list(names.values()))


def produce(topic, records, key_of=lambda r: r.get("symbol")):
    """Produces dicts (JSON) or bytes, keyed by symbol; waits for every ack."""
    p = Producer({"bootstrap.servers": BROKERS, "enable.idempotence": True, "linger.ms": 5})
    for r in records:
        if isinstance(r, (bytes, str)):
            p.produce(topic, r)
        else:
            k = key_of(r)
            p.produce(topic, json.dumps(r).encode(), key=k.encode() if k else None)
        p.poll(0)
    assert p.flush(30) == 0


def consume(topic, expect=None, idle=3.0, timeout=60, raw=False, stamps=False):
    """Reads a topic from the beginning until `expect` messages arrived (or, without
    expect, until nothing new arrives for `idle` seconds). Returns decoded JSON values
    (or raw message objects as (key, value, partition, offset) tuples; with stamps,
    (value, message timestamp in ms) pairs)."""
    c = Consumer({"bootstrap.servers": BROKERS, "group.id": "check-" + uuid.uuid4().hex,
                  "auto.offset.reset": "earliest", "enable.auto.commit": False,
                  "isolation.level": "read_committed"})
    c.subscribe([topic])
    out, last, t0 = [], time.time(), time.time()
    while time.time() - t0 < timeout:
        m = c.poll(0.2)
        if m is None or m.error():
            if expect is None and time.time() - last > idle:
                break
            if expect is not None and len(out) >= expect and time.time() - last > 0.5:
                break
            continue
        last = time.time()
        if raw:
            out.append((m.key(), m.value(), m.partition(), m.offset()))
        elif stamps:
            out.append((json.loads(m.value()), m.timestamp()[1]))
        else:
            out.append(json.loads(m.value()))
    c.close()
    return out


def committed(group, topic, partitions=6):
    """The group's committed offsets for topic, as {partition: offset}."""
    c = Consumer({"bootstrap.servers": BROKERS, "group.id": group})
    tps = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=10)
    c.close()
    return {tp.partition: tp.offset for tp in tps}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, timeout=30, interval=0.2, what="condition"):
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
