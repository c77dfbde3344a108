#!/usr/bin/env bash
# bench/bench_anomaly.sh — anomaly-router evaluation throughput with 10,000
# rules over 2,539 symbols (the issue's sizes), two ways:
#
#  1. the pure evaluation loop on one core: `anomaly-router bench-eval`
#     (in-memory JSON ticks → tickfast decode → rule evaluation; and
#     evaluation alone on decoded ticks);
#  2. end to end from Kafka: BENCH_TICKS ticks produced to a fresh topic
#     first, then the release router pinned to one core (taskset -c 0)
#     consumes, decodes, evaluates and stores offsets; the rate is measured
#     from its own ticks_evaluated_total counter (/metrics) between the first
#     and the last tick, with its CPU time from /proc over the same span.
#
# Baseline: the issue's target, 500,000 ticks/s on one core.
# Sizes (environment): BENCH_TICKS (2,000,000), BENCH_RULES (10,000),
# BENCH_SYMBOLS (2,539); BENCH_SCALE multiplies BENCH_TICKS. Smoke test:
#   BENCH_SCALE=0.05 bash bench/bench_anomaly.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SCALE=${BENCH_SCALE:-1}
TICKS=$(python3 -c "print(max(1000, int(${BENCH_TICKS:-2000000} * $SCALE)))")
RULES=${BENCH_RULES:-10000}
SYMBOLS=${BENCH_SYMBOLS:-2539}
py=.cache/venv/bin/python
bin=bin/anomaly-router
[[ -x $bin ]] || die "build first: make"
work=$(mktemp -d /tmp/bench_anomaly.XXXXXX)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
	# the bench's topics go too (the broker is shared)
	$py - "$suffix" <<'PY' 2>/dev/null || true
import sys
from confluent_kafka.admin import AdminClient
a = AdminClient({"bootstrap.servers": "127.0.0.1:9092"})
a.delete_topics([t + sys.argv[1] for t in ("bench_ar_ticks_", "bench_ar_bars_", "bench_ar_anoms_", "bench_ar_dlq_")])
PY
}
suffix=$(date +%s)-$$
trap cleanup EXIT

# ---- 1. pure evaluation loop ------------------------------------------------
say "anomaly bench: evaluation loop, $RULES rules, $SYMBOLS symbols, $TICKS ticks"
loop=$(taskset -c 0 $bin bench-eval "$RULES" "$SYMBOLS" "$TICKS")
echo "$loop"
# The symbol index: ten times the rules, the extra ones on symbols that do
# not trade, should cost about the same per tick (only the rules of a tick's
# own symbol and the wildcards are visited).
many=$((RULES * 10))
loop_many=$(taskset -c 0 $bin bench-eval "$many" "$((SYMBOLS * 10))" "$TICKS" "$SYMBOLS")
echo "$loop_many"

# ---- 2. end to end from Kafka ------------------------------------------------
say "anomaly bench: producing $TICKS ticks"
$bin bench-rules "$RULES" "$SYMBOLS" >"$work/rules.json"
$py - "$suffix" "$TICKS" "$SYMBOLS" <<'PY'
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
suffix, n, nsym = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = AdminClient({"bootstrap.servers": "127.0.0.1:9092"})
for f in a.create_topics([NewTopic(t + suffix, 6, 1) for t in
                          ("bench_ar_ticks_", "bench_ar_bars_", "bench_ar_anoms_", "bench_ar_dlq_")]).values():
    f.result(30)
p = Producer({"bootstrap.servers": "127.0.0.1:9092", "linger.ms": 50, "compression.type": "lz4",
              "batch.size": 1000000, "queue.buffering.max.messages": 2000000})
topic = "bench_ar_ticks_" + suffix
# The producer's own layout (tick_encode), so the fast decoder applies.
fmt = ('{"v":1,"id":"sim|%s|20261123|%d","source":"sim","symbol":"%s","exchange":"KRX",'
       '"ts":%d,"day":"2026-11-23","price":%d,"qty":%d}')
for i in range(n):
    s = "A%05d" % (i % nsym)
    v = fmt % (s, i, s, 1763856000000 + i, 10000 + (i % 50) * 10, 1 + i % 97)
    while True:
        try:
            p.produce(topic, v.encode(), key=s.encode())
            break
        except BufferError:
            p.poll(0.05)
    if i % 10000 == 0:
        p.poll(0)
assert p.flush(120) == 0
PY

say "anomaly bench: router consuming from Kafka on one core"
port=$(freeport)
e2e_cmd="taskset -c 0 $bin --rules-file RULES --ticks-topic T --metrics-port P"
taskset -c 0 $bin --rules-file "$work/rules.json" --ticks-topic "bench_ar_ticks_$suffix" \
	--bars-topic "bench_ar_bars_$suffix" --anomalies-topic "bench_ar_anoms_$suffix" \
	--dlq-topic "bench_ar_dlq_$suffix" --group "bench-ar-$suffix" --metrics-port "$port" \
	--metrics-addr 127.0.0.1 2>"$work/router.log" &
pid=$!
e2e=$($py - "$port" "$TICKS" "$pid" <<'PY'
import sys, time, urllib.request, os
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
hz = os.sysconf("SC_CLK_TCK")
def evaluated():
    try:
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=2).read().decode()
    except OSError:
        return -1
    for line in text.splitlines():
        if line.startswith("tickpipe_anomaly_router_ticks_evaluated_total"):
            return float(line.split()[-1])
    return -1
def cpu():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
def peak_rss_kb():
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0
deadline = time.time() + 600
first = None
while time.time() < deadline:
    c = evaluated()
    if c > 0 and first is None:
        first = (time.time(), c, cpu())
    if c >= n:
        t1, c1 = time.time(), c
        cp = cpu() - first[2]
        print("%.0f %.3f %d" % ((c1 - first[1]) / (t1 - first[0]), cp * 1e6 / max(1, c1 - first[1]),
                                peak_rss_kb()))
        break
    time.sleep(0.02)
else:
    print("0 0 0")
PY
)
kill -TERM "$pid"; wait "$pid" || true; pid=
read -r e2e_rate e2e_cpu_us e2e_rss_kb <<<"$e2e"
echo "end to end: $e2e_rate ticks/s, $e2e_cpu_us µs CPU per tick, peak RSS $e2e_rss_kb KB"
[[ $e2e_rate != 0 ]] || die "router did not evaluate all $TICKS ticks (log: $work/router.log)"

decode_eval=$(grep -oP '"decode_eval_per_s":\K[0-9.]+' <<<"$loop")
eval_only=$(grep -oP '"eval_per_s":\K[0-9.]+' <<<"$loop")
eval_many=$(grep -oP '"eval_per_s":\K[0-9.]+' <<<"$loop_many")
$py bench/record.py anomaly "$(cat <<JSON
[{"metric": "decode+evaluate loop, $RULES rules / $SYMBOLS symbols, one core", "value": $decode_eval,
  "unit": "ticks/s", "baseline": "issue target", "baseline_value": 500000, "ratio": null,
  "command": "taskset -c 0 $bin bench-eval $RULES $SYMBOLS $TICKS"},
 {"metric": "evaluate-only loop (decoded ticks)", "value": $eval_only, "unit": "ticks/s",
  "baseline": "issue target", "baseline_value": 500000, "ratio": null,
  "command": "taskset -c 0 $bin bench-eval $RULES $SYMBOLS $TICKS"},
 {"metric": "evaluate-only loop, $many rules of which $((many - RULES)) on symbols without trades", "value": $eval_many,
  "unit": "ticks/s", "baseline": "same loop with $RULES rules", "baseline_value": $eval_only, "ratio": null,
  "command": "taskset -c 0 $bin bench-eval $many $((SYMBOLS * 10)) $TICKS $SYMBOLS"},
 {"metric": "end to end from Kafka ($TICKS ticks), one core", "value": $e2e_rate, "unit": "ticks/s",
  "baseline": "issue target", "baseline_value": 500000, "ratio": null, "command": "$e2e_cmd"},
 {"metric": "router CPU per tick end to end", "value": $e2e_cpu_us, "unit": "us",
  "baseline": null, "baseline_value": null, "ratio": null, "command": "$e2e_cmd"},
 {"metric": "router peak RSS catching up on those ticks (VmHWM)", "value": $e2e_rss_kb, "unit": "KB",
  "baseline": null, "baseline_value": null, "ratio": null, "command": "$e2e_cmd"}]
JSON
)"
say "anomaly bench: done"
