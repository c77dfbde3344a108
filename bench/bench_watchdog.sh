#!/usr/bin/env bash
# bench_watchdog — how long one `watchdog --once` check takes on a big topic,
# against reading the topic through to find its newest record (what a naive
# freshness check does). The watchdog reads one record per partition (tail,
# and the first unconsumed one for a lagging group), so its time should not
# grow with the topic.
#
#   BENCH_SCALE=1 (1,000,000 records in 6 partitions; the smoke test uses 0.01)
#   BENCH_RUNS=5  (median of that many --once runs)
# Results: bench/results/watchdog.json.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.cache/venv/bin/python
N=$($PY -c "print(max(1000, int(1000000 * float('${BENCH_SCALE:-1}'))))")
RUNS=${BENCH_RUNS:-5}
ID=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOPIC=bench_wd_$ID GROUP=bench-wd-$ID
export BENCH_TOPIC=$TOPIC BENCH_GROUP=$GROUP BENCH_N=$N

cleanup() {
	$PY -c "from confluent_kafka.admin import AdminClient
a = AdminClient({'bootstrap.servers': '127.0.0.1:9092'})
[f.result(30) for f in a.delete_topics(['$TOPIC']).values()]
a.delete_consumer_groups(['$GROUP'])" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "bench watchdog: $N records in 6 partitions" >&2
$PY - <<'PY'
import os
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
B, t, n = "127.0.0.1:9092", os.environ["BENCH_TOPIC"], int(os.environ["BENCH_N"])
admin = AdminClient({"bootstrap.servers": B})  # kept alive until the futures resolve
[f.result(30) for f in admin.create_topics(
    [NewTopic(t, num_partitions=6, replication_factor=1)]).values()]
p = Producer({"bootstrap.servers": B, "linger.ms": 50, "batch.size": 1000000,
              "queue.buffering.max.messages": 2000000, "compression.type": "lz4"})
v = b'{"v":1,"symbol":"005930","price":71000,"qty":1,"ts":1763856001000}'
for i in range(n):
    p.produce(t, v, partition=i % 6)
    if i % 100000 == 0:
        p.poll(0)
assert p.flush(120) == 0
# A group halfway through: lag n/2, so the check also reads at committed offsets.
c = Consumer({"bootstrap.servers": B, "group.id": os.environ["BENCH_GROUP"]})
c.commit(offsets=[TopicPartition(t, q, n // 12) for q in range(6)], asynchronous=False)
c.close()
PY

WD=(bin/watchdog --once --always-on --ticks-topic "$TOPIC" --bars-topic "" --groups "$GROUP"
	--es-url "" --mongo-uri "" --pg-dsn "" --threshold 3600 --log-level warn)
median_ms() { # command...: median wall time of RUNS runs, in ms
	local i t=()
	for ((i = 0; i < RUNS; i++)); do
		local s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || { echo "run failed: $*" >&2; "$@" >&2 || true; exit 1; }
		t+=($((($(date +%s%N) - s) / 1000000)))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
WD_MS=$(median_ms "${WD[@]}")

# Baseline: read the whole topic to find the newest record's timestamp.
BASE_MS=$($PY - <<'PY'
import os, time
from confluent_kafka import Consumer, TopicPartition
t, n = os.environ["BENCH_TOPIC"], int(os.environ["BENCH_N"])
t0 = time.time()
c = Consumer({"bootstrap.servers": "127.0.0.1:9092", "group.id": "bench-scan",
              "enable.partition.eof": True, "enable.auto.commit": False})
c.assign([TopicPartition(t, q, 0) for q in range(6)])
eof, newest, seen = set(), 0, 0
while len(eof) < 6:
    for m in c.consume(10000, 1.0):
        if m.error():
            eof.add(m.partition())
        else:
            seen += 1
            newest = max(newest, m.timestamp()[1])
c.close()
assert seen == n, (seen, n)
print(int((time.time() - t0) * 1000))
PY
)
echo "watchdog --once: ${WD_MS} ms (median of $RUNS); full scan: ${BASE_MS} ms" >&2
$PY bench/record.py watchdog "$($PY -c "
import json
print(json.dumps([{
  'metric': 'watchdog --once check (topic tail + group lag), $N records',
  'value': $WD_MS, 'unit': 'ms', 'baseline': 'Python full-topic scan for the newest record',
  'baseline_value': $BASE_MS, 'ratio': None,
  'command': 'BENCH_SCALE=${BENCH_SCALE:-1} bench/bench_watchdog.sh'}]))")"
