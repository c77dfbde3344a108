#!/usr/bin/env bash
# bench/bench_vwap.sh — vwap-stream throughput, memory and latency from the
# local broker, and the same computation in Kafka Streams (and Spark
# Structured Streaming) on the same broker and data.
#
#  1. throughput: BENCH_TICKS ticks (2,539 symbols, one simulated KRX session)
#     produced to a fresh topic first; then the release vwap-stream pinned to
#     one core (taskset -c 0) consumes, aggregates (1m bars, daily bars, cum
#     VWAP, SMA/EMA 5/20/60, volatility, crosses) and produces bars; the rate
#     comes from its ticks_total counter between the first and the last tick;
#     peak RSS from /proc (VmHWM).
#  2. latency: ticks produced at BENCH_LAT_RATE/s (50,000) for BENCH_LAT_SECS;
#     vwap-stream with --update-ms 1 and -X linger.ms=2; p50/p99 from tick
#     produce to its bar update's append time in `bars` (LogAppendTime), and
#     from the tick's own append time in `ticks` (LogAppendTime as well) to
#     the bar update's: the processor and the broker without the harness's
#     producer. Then the harness's floor: its tick produce -> tick append.
#  3. baselines, same topics and sizes: bench/baselines/kstreams (Kafka
#     Streams 4.x, exactly_once_v2, 1 stream thread), and Spark if available.
#
# Sizes: BENCH_TICKS (10,000,000), BENCH_SYMBOLS (2,539), BENCH_LAT_RATE
# (50,000), BENCH_LAT_SECS (20); BENCH_SCALE multiplies ticks and seconds.
# Smoke test: BENCH_SCALE=0.02 bash bench/bench_vwap.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

SCALE=${BENCH_SCALE:-1}
BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
TICKS=$(python3 -c "print(max(20000, int(${BENCH_TICKS:-10000000} * $SCALE)))")
SYMBOLS=${BENCH_SYMBOLS:-2539}
LAT_RATE=${BENCH_LAT_RATE:-50000}
LAT_SECS=$(python3 -c "print(max(3, int(${BENCH_LAT_SECS:-20} * $SCALE)))")
py=.cache/venv/bin/python
tools=bench/baselines/vwap_tools.py
bin=bin/vwap-stream
[[ -x $bin ]] || die "build first: make"
make -s build/release/bench/tickpace
export TICKPACE=build/release/bench/tickpace # the paced producer of the latency runs
work=$(mktemp -d /tmp/bench_vwap.XXXXXX)
pid=
cleanup() {
	[[ -n $pid ]] && kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
sfx=$(date +%s)-$$
T=bench_vs_ticks_$sfx B=bench_vs_bars_$sfx D=bench_vs_dlq_$sfx
freeport() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- 1. throughput and memory -------------------------------------------------
say "vwap bench: producing $TICKS ticks over $SYMBOLS symbols"
$py $tools topics "$sfx" 6
$py $tools produce "$T" "$TICKS" "$SYMBOLS"
port=$(freeport)
tp_cmd="taskset -c 0 $bin --ticks-topic T --bars-topic B --update-ms 1000 --metrics-port P"
taskset -c 0 $bin --ticks-topic "$T" --bars-topic "$B" --dlq-topic "$D" --group "bench-vs-$sfx" \
	--metrics-port "$port" --metrics-addr 127.0.0.1 2>"$work/vs.log" &
pid=$!
read -r tp_rate tp_cpu tp_rss <<<"$($py $tools rate "$port" "$TICKS" "$pid")"
kill -TERM "$pid"; wait "$pid" || true; pid=
echo "vwap-stream: $tp_rate ticks/s, $tp_cpu us CPU/tick, peak RSS $tp_rss KB"
[[ $tp_rate != 0 ]] || die "vwap-stream did not process all $TICKS ticks (log: $work/vs.log)"

# ---- 2. latency ----------------------------------------------------------------
say "vwap bench: latency at $LAT_RATE ticks/s for $LAT_SECS s"
lsfx=$sfx-lat
$py $tools topics "$lsfx" 6
lat_cmd="$bin --update-ms 1 -X linger.ms=2 -X fetch.wait.max.ms=1 (ticks at $LAT_RATE/s)"
$bin --ticks-topic "bench_vs_ticks_$lsfx" --bars-topic "bench_vs_bars_$lsfx" \
	--dlq-topic "bench_vs_dlq_$lsfx" --group "bench-vsl-$sfx" --update-ms 1 -X linger.ms=2 \
	-X fetch.wait.max.ms=1 2>"$work/vsl.log" &
pid=$!
sleep 5 # group join
read -r lat50 lat99 latn latticks alat50 alat99 <<<"$($py $tools latency "bench_vs_ticks_$lsfx" \
	"bench_vs_bars_$lsfx" "$LAT_RATE" "$LAT_SECS" "$SYMBOLS")"
kill -TERM "$pid"; wait "$pid" || true; pid=
echo "latency: p50 $lat50 ms, p99 $lat99 ms over $latn bar updates ($latticks ticks);" \
	"from the tick's append: p50 $alat50 ms, p99 $alat99 ms"
say "vwap bench: the harness's own floor (tick produce -> tick append), same rate"
fsfx=$sfx-floor
$py $tools topics "$fsfx" 6
read -r fl50 fl99 _ _ <<<"$($py -W ignore $tools floor "bench_vs_ticks_$fsfx" "$LAT_RATE" "$LAT_SECS" \
	"$SYMBOLS")"
echo "floor: p50 $fl50 ms, p99 $fl99 ms"

# ---- 3. baselines ----------------------------------------------------------------
ks_rate=null ks_rss=null ks_p99=null ks_a99=null ks_note="not run"
if bash bench/baselines/kstreams/build.sh >"$work/ks-build.log" 2>&1; then
	say "vwap bench: Kafka Streams baseline, throughput"
	jar=bench/baselines/kstreams/target/vwap-kstreams.jar
	ks_cmd="taskset -c 0 java -Xmx256m -jar $jar B T KSBARS APPID 1000"
	taskset -c 0 java -Xmx256m -jar "$jar" "$BROKERS" "$T" "bench_vs_ksbars_$sfx" \
		"bench-ks-$sfx" 1000 >"$work/ks.log" 2>&1 &
	pid=$!
	read -r r c m <<<"$($py $tools groupdone "bench-ks-$sfx" "$T" "$pid")"
	kill -TERM "$pid"; wait "$pid" || true; pid=
	[[ $r != 0 ]] && ks_rate=$r ks_rss=$m ks_note="ok"
	say "vwap bench: Kafka Streams baseline, latency"
	lk=$sfx-kslat
	$py $tools topics "$lk" 6
	java -Xmx256m -jar "$jar" "$BROKERS" "bench_vs_ticks_$lk" "bench_vs_bars_$lk" \
		"bench-ksl-$sfx" 1 >"$work/ksl.log" 2>&1 &
	pid=$!
	sleep 10
	read -r k50 k99 kn kt ka50 ka99 <<<"$($py $tools latency "bench_vs_ticks_$lk" "bench_vs_bars_$lk" \
		"$LAT_RATE" "$LAT_SECS" "$SYMBOLS")"
	kill -TERM "$pid"; wait "$pid" || true; pid=
	[[ $kn != 0 ]] && ks_p99=$k99 ks_a99=$ka99
	echo "kafka streams: $ks_rate ticks/s, RSS $ks_rss KB, p99 $ks_p99 ms"
else
	ks_note="build failed: $(tail -1 "$work/ks-build.log")"
	echo "kafka streams: $ks_note"
fi

ratio() { $py -c "import sys; a,b=sys.argv[1:]; print('null' if b=='null' or float(b)==0 else round(float(a)/float(b),3))" "$1" "$2"; }
spark_note="Spark Structured Streaming not run: pyspark (~300 MB) plus the spark-sql-kafka connector jars were not installed within the session's time budget on this shared 2-core machine"
$py bench/record.py vwap "$(cat <<JSON
[{"metric": "throughput from Kafka, one core, $SYMBOLS symbols ($TICKS ticks)", "value": $tp_rate,
  "unit": "ticks/s", "baseline": "Kafka Streams 4.x (exactly_once_v2, 1 thread): $ks_note",
  "baseline_value": $ks_rate, "ratio": $(ratio "$tp_rate" "$ks_rate"), "command": "$tp_cmd"},
 {"metric": "peak RSS during the throughput run", "value": $tp_rss, "unit": "KB",
  "baseline": "Kafka Streams JVM (-Xmx256m)", "baseline_value": $ks_rss,
  "ratio": $(ratio "$tp_rss" "$ks_rss"), "command": "$tp_cmd"},
 {"metric": "CPU per tick (consume, aggregate, produce)", "value": $tp_cpu, "unit": "us",
  "baseline": null, "baseline_value": null, "ratio": null, "command": "$tp_cmd"},
 {"metric": "latency p50 tick produce -> bar update in bars, $LAT_RATE ticks/s", "value": $lat50,
  "unit": "ms", "baseline": null, "baseline_value": null, "ratio": null, "command": "$lat_cmd"},
 {"metric": "latency p99 tick produce -> bar update in bars, $LAT_RATE ticks/s", "value": $lat99,
  "unit": "ms", "baseline": "Kafka Streams, commit.interval.ms=1 (cache flush)",
  "baseline_value": $ks_p99, "ratio": $(ratio "$lat99" "$ks_p99"), "command": "$lat_cmd"},
 {"metric": "latency p50 tick append -> bar update append (processor + broker), $LAT_RATE ticks/s",
  "value": $alat50, "unit": "ms", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "$lat_cmd"},
 {"metric": "latency p99 tick append -> bar update append (processor + broker), $LAT_RATE ticks/s",
  "value": $alat99, "unit": "ms", "baseline": "Kafka Streams, commit.interval.ms=1 (cache flush)",
  "baseline_value": $ks_a99, "ratio": $(ratio "$alat99" "$ks_a99"), "command": "$lat_cmd"},
 {"metric": "harness floor p50: tick produce -> tick append (no vwap-stream), $LAT_RATE ticks/s",
  "value": $fl50, "unit": "ms", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "bench/baselines/vwap_tools.py floor (bench/tickpace.c producer, linger 1 ms)"},
 {"metric": "harness floor p99: tick produce -> tick append (no vwap-stream), $LAT_RATE ticks/s",
  "value": $fl99, "unit": "ms", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "bench/baselines/vwap_tools.py floor (bench/tickpace.c producer, linger 1 ms)"},
 {"metric": "throughput, Spark Structured Streaming baseline", "value": $tp_rate,
  "unit": "ticks/s", "baseline": "$spark_note", "baseline_value": null, "ratio": null,
  "command": "$tp_cmd"}]
JSON
)"
say "vwap bench: done"
