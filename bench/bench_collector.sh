#!/usr/bin/env bash
# bench/bench_collector.sh — the collector's three numbers against the local broker:
#
#  1. parse + produce throughput on one core (taskset -c 0): pre-built H0STCNT0
#     frames (feed-sim --dump-frames, so the simulator is not the bottleneck)
#     through `collector replay --replay-format frames` — the live path's
#     parser, normaliser and producer — until every tick is acknowledged.
#     Baseline: the same work in Python (split by record count, dict,
#     json.dumps, confluent-kafka idempotent producer with lz4), the seed
#     system's way of doing it.
#     (2 and 3 have the same kind of baseline: a Python websocket-client +
#     confluent-kafka client, $work/baseline.py below.)
#  2. latency from frame receipt to Kafka acknowledgement, p50/p99, from the
#     collector's own histogram (/metrics) while feed-sim streams live trades.
#  3. resident memory with every symbol subscribed (2,539 over 62 appkeys).
#
# Sizes (environment): BENCH_TRADES (2,000,000), BENCH_LAT_RATE trades/s (20,000),
# BENCH_LAT_SECS (20), BENCH_SYMBOLS (2,539). Smoke test:
#   BENCH_TRADES=50000 BENCH_LAT_RATE=2000 BENCH_LAT_SECS=3 BENCH_SYMBOLS=200 bash bench/bench_collector.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

TRADES=${BENCH_TRADES:-2000000}
LAT_RATE=${BENCH_LAT_RATE:-20000}
LAT_SECS=${BENCH_LAT_SECS:-20}
SYMBOLS=${BENCH_SYMBOLS:-2539}
py=.cache/venv/bin/python
work=$(mktemp -d /tmp/bench_collector.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
	# its topics, also after a failure: the broker should not keep every run's ticks
	$py - "bench_ticks_$suffix" "bench_dlq_$suffix" "bench_py_$suffix" "bench_lat_$suffix" \
		"bench_latdlq_$suffix" <<'PY' || true
import sys
from confluent_kafka.admin import AdminClient
AdminClient({"bootstrap.servers": "127.0.0.1:9092"}).delete_topics(sys.argv[1:])
PY
}
suffix=$(date +%s)-$$
trap cleanup EXIT

topic() { # creates the topics given, 6 partitions each
	$py - "$@" <<'PY'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({"bootstrap.servers": "127.0.0.1:9092"})
for f in a.create_topics([NewTopic(t, 6, 1) for t in sys.argv[1:]]).values():
    f.result(30)
PY
}

# The seed-system baseline for the live numbers: websocket-client sessions (one
# thread per appkey) + confluent-kafka, doing what the collector does: approval
# key, one subscribe per symbol, PINGPONG echo, frames split by record count,
# json.dumps, produce keyed by symbol; latency from receipt to delivery report.
cat >"$work/baseline.py" <<'PY'
import json, sys, threading, time, urllib.request
import websocket
from confluent_kafka import Producer
port, creds_path, codes_path, topic, secs, mode = sys.argv[1:7]
creds = [l.strip().split(":", 1) for l in open(creds_path) if l.strip()]
codes = [l.strip() for l in open(codes_path) if l.strip()]
per = -(-len(codes) // len(creds))
lat, acks, lock = [], [0], threading.Lock()
p = Producer({"bootstrap.servers": "127.0.0.1:9092", "enable.idempotence": True, "compression.type": "lz4",
              "linger.ms": 2})
measuring = [False]
def delivered(t0):
    def cb(err, msg):
        if not err and measuring[0]:
            lat.append(time.monotonic() - t0)
    return cb
def session(key, secret, syms):
    body = json.dumps({"grant_type": "client_credentials", "appkey": key, "secretkey": secret}).encode()
    req = urllib.request.Request("http://127.0.0.1:%s/oauth2/Approval" % port, body,
                                 {"content-type": "application/json"})
    approval = json.load(urllib.request.urlopen(req))["approval_key"]
    ws = websocket.create_connection("ws://127.0.0.1:%s" % port)
    for s in syms:
        ws.send(json.dumps({"header": {"approval_key": approval, "custtype": "P", "tr_type": "1",
                                       "content-type": "utf-8"},
                            "body": {"input": {"tr_id": "H0STCNT0", "tr_key": s}}}))
    while True:
        m = ws.recv()
        t0 = time.monotonic()
        if m.startswith("{"):
            if "PINGPONG" in m:
                ws.send(m)
            elif "OPSP0000" in m:
                with lock:
                    acks[0] += 1
            continue
        _, trid, cnt, payload = m.split("|", 3)
        fl = payload.split("^")
        for r in range(int(cnt)):
            x = fl[r * 46:(r + 1) * 46]
            d, h = x[33], x[1]
            tick = {"v": 1, "id": "kis|%s|%s|%s|%s" % (x[0], d, h, x[13]), "source": "kis", "symbol": x[0],
                    "exchange": "KRX", "ts": 0, "day": "%s-%s-%s" % (d[:4], d[4:6], d[6:]), "price": int(x[2]),
                    "qty": int(x[12]), "cum_volume": int(x[13]), "cum_turnover": int(x[14]),
                    "feed_vwap": float(x[6]), "side": "buy" if x[21] == "1" else "sell"}
            p.produce(topic, json.dumps(tick).encode(), key=x[0].encode(), on_delivery=delivered(t0))
        p.poll(0)
for i, (k, sec) in enumerate(creds):
    threading.Thread(target=session, args=(k, sec, codes[i * per:(i + 1) * per]), daemon=True).start()
def pump():
    while True:
        p.poll(0.05)
threading.Thread(target=pump, daemon=True).start()
if mode == "latency":
    time.sleep(3)
    measuring[0] = True
    time.sleep(float(secs))
    measuring[0] = False
    l = sorted(lat)
    print("%.3f %.3f %d" % (l[len(l) // 2] * 1000, l[int(len(l) * 0.99)] * 1000, len(l)))
else:
    t0 = time.time()
    while acks[0] < len(codes) and time.time() - t0 < 120:
        time.sleep(0.5)
    time.sleep(3)
    rss = [l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]
    print("%.2f %d" % (int(rss) / 1024, acks[0]))
PY

# ---- 1. throughput ---------------------------------------------------------
say "collector bench: $TRADES trades as frames"
# Yesterday's session (KST): today's 09:00 may still lie ahead, and Kafka 4
# rejects timestamps more than an hour in the future (INVALID_TIMESTAMP).
start="$(TZ=Asia/Seoul date -d '1 day ago' +%F)T09:00:00"
bin/feed-sim --symbols 100 --total "$TRADES" --rate 1000 --clock virtual --start "$start" \
	--max-batch 5 --batch-prob 0.3 \
	--dump-frames "$work/frames.txt" 2>/dev/null
topic "bench_ticks_$suffix" "bench_dlq_$suffix" "bench_py_$suffix"
tp_cmd="taskset -c 0 bin/collector replay --replay-file FRAMES --replay-format frames --ticks-topic T"
/usr/bin/time -f "cpu=%U+%S" -o "$work/time.txt" taskset -c 0 bin/collector replay --replay-file "$work/frames.txt" \
	--replay-format frames --ticks-topic "bench_ticks_$suffix" --dlq-topic "bench_dlq_$suffix" 2>"$work/replay.log"
rate=$(grep -oP 'event=replay_done .*rate=\K[0-9]+' "$work/replay.log")
delivered=$(grep -oP 'event=replay_done .*delivered=\K[0-9]+' "$work/replay.log")
cpu=$(grep -oP 'cpu=\K.*' "$work/time.txt" | bc)
[[ $delivered == "$TRADES" ]] || die "replay delivered $delivered of $TRADES"
cpu_us=$(echo "scale=3; $cpu * 1000000 / $TRADES" | bc)
say "collector: $rate trades/s, $cpu_us µs CPU per trade (all threads)"

say "Python baseline (confluent-kafka) on the same frames"
base_rate=$(taskset -c 0 $py - "$work/frames.txt" "bench_py_$suffix" <<'PY'
import json, sys, time
from confluent_kafka import Producer
path, topic = sys.argv[1], sys.argv[2]
p = Producer({"bootstrap.servers": "127.0.0.1:9092", "enable.idempotence": True, "compression.type": "lz4",
              "linger.ms": 2, "batch.num.messages": 10000, "queue.buffering.max.messages": 1000000})
t0, n = time.time(), 0
with open(path) as f:
    for line in f:
        _, trid, cnt, payload = line.rstrip("\n").split("|", 3)
        fl = payload.split("^")
        for r in range(int(cnt)):
            x = fl[r * 46:(r + 1) * 46]
            d, h = x[33], x[1]
            tick = {"v": 1, "id": "kis|%s|%s|%s|%s" % (x[0], d, h, x[13]), "source": "kis", "symbol": x[0],
                    "exchange": "KRX", "day": "%s-%s-%s" % (d[:4], d[4:6], d[6:]), "price": int(x[2]),
                    "qty": int(x[12]), "cum_volume": int(x[13]), "cum_turnover": int(x[14]),
                    "feed_vwap": float(x[6]), "side": "buy" if x[21] == "1" else "sell"}
            while True:
                try:
                    p.produce(topic, json.dumps(tick).encode(), key=x[0].encode())
                    break
                except BufferError:
                    p.poll(0.01)
            p.poll(0)
            n += 1
assert p.flush(120) == 0
print(int(n / (time.time() - t0)))
PY
)
say "Python: $base_rate trades/s"

# ---- 2. latency --------------------------------------------------------------
say "latency: $LAT_RATE trades/s for $LAT_SECS s"
topic "bench_lat_$suffix" "bench_latdlq_$suffix"
bin/feed-sim --port-file "$work/lat.port" --symbols 100 --rate "$LAT_RATE" --open-burst 0 --max-batch 5 \
	--max-subs 100 --ping-interval-ms 10000 2>"$work/sim-lat.log" &
pids+=($!)
wait_for 20 "feed-sim" test -s "$work/lat.port"
port=$(cat "$work/lat.port")
mport=$((20000 + RANDOM % 20000))
bin/feed-sim --symbols 100 --list-symbols >"$work/lat.codes"
bin/collector --ignore-hours --kis-ws-url "ws://127.0.0.1:$port" --kis-rest-url "http://127.0.0.1:$port" \
	--kis-appkey BENCHKEY0001 --kis-secret bench-secret --kis-symbols-file "$work/lat.codes" \
	--kis-max-subs 100 --ticks-topic "bench_lat_$suffix" --dlq-topic "bench_latdlq_$suffix" --mongo-uri "" \
	--subscribe-interval-ms 0 --metrics-port "$mport" --metrics-addr 127.0.0.1 2>"$work/col-lat.log" &
cpid=$!
pids+=($cpid)
sleep 3 # warm-up: connections, metadata, the first batches
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics0.txt"
sleep "$LAT_SECS"
curl -sf "http://127.0.0.1:$mport/metrics" >"$work/metrics.txt"
kill -TERM "$cpid"
# Steady state: the histogram's growth between the two snapshots.
read -r p50 p99 lat_n <<<"$($py - "$work/metrics0.txt" "$work/metrics.txt" <<'PY'
import re, sys
def buckets(path):
    b = []
    for l in open(path):
        m = re.match(r'tickpipe_collector_kafka_latency_seconds_bucket\{le="([^"]+)"\} (\S+)', l)
        if m:
            b.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), float(m.group(2))))
    return b
b0, b1 = buckets(sys.argv[1]), buckets(sys.argv[2])
b = [(ub, c1 - c0) for (ub, c1), (_, c0) in zip(b1, b0)]
total = b[-1][1]
def q(x):  # linear interpolation inside the bucket holding the quantile
    lo_b, lo_c = 0.0, 0.0
    for ub, c in b:
        if c >= x * total:
            if ub == float("inf"):
                return lo_b * 1000
            return (lo_b + (ub - lo_b) * (x * total - lo_c) / max(c - lo_c, 1)) * 1000
        lo_b, lo_c = ub, c
print("%.3f %.3f %d" % (q(0.5), q(0.99), total))
PY
)"
say "latency frame -> ack: p50 $p50 ms, p99 $p99 ms over $lat_n ticks"
echo "BASEKEY0001:base-secret" >"$work/lat.creds"
pkill_sim() { kill "$1" 2>/dev/null || true; }
bin/feed-sim --port-file "$work/blat.port" --symbols 100 --rate "$LAT_RATE" --open-burst 0 --max-batch 5 \
	--max-subs 100 --ping-interval-ms 10000 2>"$work/sim-blat.log" &
bsim=$!
pids+=($bsim)
wait_for 20 "feed-sim" test -s "$work/blat.port"
read -r bp50 bp99 blat_n <<<"$(timeout $((LAT_SECS + 60)) $py "$work/baseline.py" "$(cat "$work/blat.port")" \
	"$work/lat.creds" "$work/lat.codes" "bench_lat_$suffix" "$LAT_SECS" latency || echo "null null 0")"
pkill_sim "$bsim"
say "Python latency: p50 $bp50 ms, p99 $bp99 ms over $blat_n ticks"

# ---- 3. memory with every symbol subscribed ----------------------------------
nkeys=$(((SYMBOLS + 40) / 41))
say "memory: $SYMBOLS symbols over $nkeys appkeys"
bin/feed-sim --symbols "$SYMBOLS" --list-symbols >"$work/codes.txt"
: >"$work/creds"
for ((i = 0; i < nkeys; i++)); do echo "BENCHKEY$(printf %03d "$i"):secret-$i" >>"$work/creds"; done
bin/feed-sim --port-file "$work/mem.port" --symbols "$SYMBOLS" --rate 500 --credentials "$work/creds" \
	2>"$work/sim-mem.log" &
pids+=($!)
wait_for 20 "feed-sim" test -s "$work/mem.port"
port=$(cat "$work/mem.port")
mport=$((20000 + RANDOM % 20000))
bin/collector --ignore-hours --kis-ws-url "ws://127.0.0.1:$port" --kis-rest-url "http://127.0.0.1:$port" \
	--kis-credentials "$work/creds" --kis-symbols-file "$work/codes.txt" --ticks-topic "bench_lat_$suffix" \
	--dlq-topic "bench_latdlq_$suffix" --mongo-uri "mongodb://127.0.0.1:${MONGO_PORT:-27017}" \
	--mongo-collection "bench_raw_$suffix" --subscribe-interval-ms 0 --metrics-port "$mport" \
	--metrics-addr 127.0.0.1 2>"$work/col-mem.log" &
mpid=$!
pids+=($mpid)
subs() { curl -sf "http://127.0.0.1:$mport/metrics" | grep -oP 'subscriptions_total\{result="ok"\} \K[0-9]+' || echo 0; }
all_subscribed() { (($(subs) >= SYMBOLS)); }
wait_for 120 "all $SYMBOLS subscriptions" all_subscribed || true
nsubs=$(subs)
sleep 3
rss_kb=$(grep -oP 'VmRSS:\s+\K[0-9]+' "/proc/$mpid/status")
rss_mb=$(echo "scale=2; $rss_kb / 1024" | bc)
kill -TERM "$mpid"
say "memory: $rss_mb MB RSS with $nsubs subscriptions"
bin/feed-sim --port-file "$work/bmem.port" --symbols "$SYMBOLS" --rate 500 --credentials "$work/creds" \
	2>"$work/sim-bmem.log" &
bsim=$!
pids+=($bsim)
wait_for 20 "feed-sim" test -s "$work/bmem.port"
read -r brss bsubs <<<"$(timeout 200 $py "$work/baseline.py" "$(cat "$work/bmem.port")" "$work/creds" \
	"$work/codes.txt" "bench_lat_$suffix" 0 memory || echo "null 0")"
pkill_sim "$bsim"
say "Python memory: $brss MB RSS with $bsubs subscriptions"
$py -c "import pymongo; pymongo.MongoClient('mongodb://127.0.0.1:${MONGO_PORT:-27017}').tickpipe.drop_collection('bench_raw_$suffix')" || true

bench/record.py collector "$(cat <<JSON
[
 {"metric": "frames -> parse -> produce, one core (acknowledged)", "value": $rate, "unit": "trades/s",
  "baseline": "Python: split + json.dumps + confluent-kafka (idempotent, lz4), same frames, same core",
  "baseline_value": $base_rate, "command": "$tp_cmd (BENCH_TRADES=$TRADES)"},
 {"metric": "CPU per trade, all threads", "value": $cpu_us, "unit": "µs",
  "baseline": null, "baseline_value": null, "ratio": null, "command": "$tp_cmd; /usr/bin/time user+sys / trades"},
 {"metric": "latency frame receipt -> Kafka ack p50", "value": $p50, "unit": "ms",
  "baseline": "Python: websocket-client + confluent-kafka, same feed ($blat_n ticks)", "baseline_value": $bp50,
  "command": "feed-sim --rate $LAT_RATE --symbols 100; collector --metrics-port; kafka_latency_seconds histogram ($lat_n ticks)"},
 {"metric": "latency frame receipt -> Kafka ack p99", "value": $p99, "unit": "ms",
  "baseline": "Python: websocket-client + confluent-kafka, same feed ($blat_n ticks)", "baseline_value": $bp99,
  "command": "feed-sim --rate $LAT_RATE --symbols 100; collector --metrics-port; kafka_latency_seconds histogram ($lat_n ticks)"},
 {"metric": "RSS with $nsubs symbols subscribed ($nkeys appkeys, archive on)", "value": $rss_mb, "unit": "MB",
  "baseline": "Python: websocket-client threads + confluent-kafka, no archive ($bsubs subscribed)", "baseline_value": $brss,
  "command": "feed-sim --symbols $SYMBOLS --credentials; collector --kis-credentials (VmRSS)"}
]
JSON
)"
say "recorded bench/results/collector.json"
