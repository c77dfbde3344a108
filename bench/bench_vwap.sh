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
#     peak RSS from /proc (VmHWM). BENCH_TP_RUNS (3) runs: median rate and
#     CPU per tick, largest peak RSS. The runs share one bars topic, so the
#     second and third also load the daily history (ma7d) from the bars the
#     earlier runs wrote, as a restarted instance does.
#  1b. restart: the last run's group again; it rebuilds the day's state by
#     replaying every tick (muted) and reads the history from those bars: the
#     time from its start to a new tick's bar in `bars`, the replay and history
#     read rates, RSS. Kafka Streams restarts the same way after its run, with
#     its state directory and without it (restored from its changelogs).
#  2. latency: ticks produced at BENCH_LAT_RATE/s (50,000) for BENCH_LAT_SECS;
#     vwap-stream with --update-ms 1 and -X linger.ms=2; p50/p99 from tick
#     produce to its bar update's append time in `bars` (LogAppendTime), and
#     from the tick's own append time in `ticks` (LogAppendTime as well) to
#     the bar update's: the processor and the broker without the harness's
#     producer. Then the harness's floor: its tick produce -> tick append.
#     While the ticks are produced, the CPU of the processor, the broker and
#     the tick producer, the machine's busy time and the hypervisor's steal
#     (% of one core; 2 cores = 200%): the tails measure that load.
#  3. baselines, same topics and sizes: bench/baselines/kstreams (Kafka
#     Streams 4.x, exactly_once_v2, 1 stream thread), and bench/baselines/spark
#     (Spark Structured Streaming 3.5, local[1]; at most BENCH_SPARK_TICKS).
#
# Sizes: BENCH_TICKS (10,000,000), BENCH_SYMBOLS (2,539), BENCH_LAT_RATE
# (50,000), BENCH_LAT_SECS (20); BENCH_SCALE multiplies ticks and seconds.
# Spark: BENCH_SPARK_TICKS (1,000,000), BENCH_SPARK_MAX_OFFSETS (100,000),
# BENCH_SPARK_PARTITIONS (1).
# Smoke test: BENCH_SCALE=0.02 bash bench/bench_vwap.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

SCALE=${BENCH_SCALE:-1}
BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
TICKS=$(python3 -c "print(max(1000000, int(${BENCH_TICKS:-10000000} * $SCALE)))")
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
	$py $tools cleanup "$sfx" || true # its topics: ticks, bars, Kafka Streams' internal ones
}
sfx=$(date +%s)-$$
trap cleanup EXIT
T=bench_vs_ticks_$sfx B=bench_vs_bars_$sfx D=bench_vs_dlq_$sfx
num() { [[ -z $1 || $1 == -1 ]] && echo null || echo "$1"; } # -1: not measured

# ---- 1. throughput and memory -------------------------------------------------
say "vwap bench: producing $TICKS ticks over $SYMBOLS symbols"
$py $tools topics "$sfx" 6
$py $tools produce "$T" "$TICKS" "$SYMBOLS"
# This VM's speed wanders by ±15% from one run to the next (same binary), so
# the rate and CPU per tick are the medians of TP_RUNS runs (each a new group
# reading all ticks), the peak RSS the largest of them.
TP_RUNS=${BENCH_TP_RUNS:-3}
tp_cmd="taskset -c 0 $bin --ticks-topic T --bars-topic B --update-ms 1000 --metrics-port P (median of $TP_RUNS runs)"
: >"$work/tp.txt"
for run in $(seq 1 "$TP_RUNS"); do
	port=$(freeport)
	taskset -c 0 $bin --ticks-topic "$T" --bars-topic "$B" --dlq-topic "$D" \
		--group "bench-vs-$sfx-$run" --metrics-port "$port" --metrics-addr 127.0.0.1 \
		2>"$work/vs.log" &
	pid=$!
	read -r r c m <<<"$($py $tools rate "$port" "$TICKS" "$pid")"
	kill -TERM "$pid"; wait "$pid" || true; pid=
	echo "vwap-stream run $run/$TP_RUNS: $r ticks/s, $c us CPU/tick, peak RSS $m KB"
	[[ $r != 0 ]] || die "vwap-stream did not process all $TICKS ticks (log: $work/vs.log)"
	echo "$r $c $m" >>"$work/tp.txt"
done
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
tp_rate=$(cut -d' ' -f1 "$work/tp.txt" | median)
tp_cpu=$(cut -d' ' -f2 "$work/tp.txt" | median)
tp_rss=$(cut -d' ' -f3 "$work/tp.txt" | sort -g | tail -1)
tp_all=$(awk '{printf "%s%s", (NR > 1 ? ", " : ""), $1} END {print ""}' "$work/tp.txt")
echo "vwap-stream: median $tp_rate ticks/s (runs: $tp_all), $tp_cpu us CPU/tick, peak RSS $tp_rss KB"

# ---- 1b. restart ----------------------------------------------------------------
# The last run's group again: it committed every tick, so the restart rebuilds
# the day's state by replaying all of them (muted) and reads the daily history
# from the bars the runs wrote. Measured: the time from its start until one new
# tick (a new symbol, just after the data) has its bar in `bars` (restartbar),
# and from its log the replay and history read times.
say "vwap bench: restart of run $TP_RUNS's group (state rebuilt from $TICKS ticks)"
rs_group=bench-vs-$sfx-$TP_RUNS
rs_cmd="taskset -c 0 $bin --ticks-topic T --bars-topic B --group <run $TP_RUNS's group>; vwap_tools.py restartbar (start -> a new tick's bar)"
t0=$(date +%s%N)
taskset -c 0 $bin --ticks-topic "$T" --bars-topic "$B" --dlq-topic "$D" --group "$rs_group" \
	2>"$work/vsr.log" &
pid=$!
read -r rs_ms rs_rss <<<"$($py $tools restartbar "$T" "$B" "$TICKS" "$SYMBOLS" "$t0" "$pid")"
kill -TERM "$pid"; wait "$pid" || true; pid=
[[ $rs_ms != -1 ]] || die "vwap-stream restart: no bar for the new tick (log: $work/vsr.log)"
field() { grep -o "event=$1 .*" "$work/vsr.log" | grep -o " $2=[0-9]*" | head -1 | cut -d= -f2; }
rs_ticks=$(field rebuilt ticks) rs_tms=$(field rebuilt ms)
rs_bars=$(field history_loaded bars) rs_bms=$(field history_loaded ms)
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN {printf "%.0f\n", n * 1000 / (ms > 0 ? ms : 1)}'; }
rs_tps=$(per_s "$rs_ticks" "$rs_tms") rs_bps=$(per_s "$rs_bars" "$rs_bms")
echo "restart: a new tick's bar $rs_ms ms after the start (replay of $rs_ticks ticks $rs_tms ms, $rs_tps ticks/s;" \
	"history $rs_bars bars $rs_bms ms, $rs_bps bars/s), peak RSS $rs_rss KB"

# ---- 2. latency ----------------------------------------------------------------
say "vwap bench: latency at $LAT_RATE ticks/s for $LAT_SECS s"
lsfx=$sfx-lat
$py $tools topics "$lsfx" 6
# No -X fetch.wait.max.ms=1: with fetch.min.bytes=1 the broker answers a fetch
# as soon as a tick lands anyway; 1 ms only adds empty fetches (measured at
# 50k ticks/s: the consumer's CPU 1.3 -> 2.3 s per 8 s, the broker's +50%).
lat_cmd="$bin --update-ms 1 -X linger.ms=2 (ticks at $LAT_RATE/s)"
$bin --ticks-topic "bench_vs_ticks_$lsfx" --bars-topic "bench_vs_bars_$lsfx" \
	--dlq-topic "bench_vs_dlq_$lsfx" --group "bench-vsl-$sfx" --update-ms 1 -X linger.ms=2 \
	2>"$work/vsl.log" &
pid=$!
sleep 5 # group join
read -r lat50 lat99 latn latticks alat50 alat99 lcpu lbrk lpace lbusy lsteal \
	<<<"$($py $tools latency "bench_vs_ticks_$lsfx" "bench_vs_bars_$lsfx" "$LAT_RATE" "$LAT_SECS" \
	"$SYMBOLS" "$pid")"
kill -TERM "$pid"; wait "$pid" || true; pid=
echo "latency: p50 $lat50 ms, p99 $lat99 ms over $latn bar updates ($latticks ticks);" \
	"from the tick's append: p50 $alat50 ms, p99 $alat99 ms"
echo "  CPU meanwhile (% of one core): vwap-stream $lcpu, broker $lbrk, tick producer $lpace;" \
	"machine busy $lbusy of 200, stolen $lsteal"
say "vwap bench: the harness's own floor (tick produce -> tick append), same rate"
fsfx=$sfx-floor
$py $tools topics "$fsfx" 6
read -r fl50 fl99 _ _ _ fbrk fpace fbusy fsteal <<<"$($py -W ignore $tools floor \
	"bench_vs_ticks_$fsfx" "$LAT_RATE" "$LAT_SECS" "$SYMBOLS")"
echo "floor: p50 $fl50 ms, p99 $fl99 ms (broker $fbrk, tick producer $fpace; busy $fbusy, stolen $fsteal)"

# ---- 3. baselines ----------------------------------------------------------------
ks_rate=null ks_rss=null ks_p99=null ks_a99=null ks_cpu=null ks_brk=null ks_note="not run"
ks_rs_kept=null ks_rs_removed=null
if bash bench/baselines/kstreams/build.sh >"$work/ks-build.log" 2>&1; then
	say "vwap bench: Kafka Streams baseline, throughput"
	jar=bench/baselines/kstreams/target/vwap-kstreams.jar
	ks_cmd="taskset -c 0 java -Xmx256m -jar $jar B T KSBARS APPID 1000 INSTANCEID"
	# The throughput run and its restarts: one application, one static member.
	ks_start() {
		taskset -c 0 java -Xmx256m -jar "$jar" "$BROKERS" "$T" "bench_vs_ksbars_$sfx" \
			"bench-ks-$sfx" 1000 "bench-ks-$sfx-1" >"$1" 2>&1 &
		pid=$!
	}
	ks_start "$work/ks.log"
	read -r r c m <<<"$($py $tools groupdone "bench-ks-$sfx" "$T" "$pid")"
	kill -TERM "$pid"; wait "$pid" || true; pid=
	[[ $r != 0 ]] && ks_rate=$r ks_rss=$m ks_note="ok"
	# Restarts of the same application: with its state directory, and without
	# it (a replaced container without a volume: restored from the changelogs).
	for how in kept removed; do
		say "vwap bench: Kafka Streams baseline, restart (state directory $how)"
		[[ $how == kept ]] || rm -rf "/tmp/kstreams-bench-ks-$sfx"
		t0=$(date +%s%N)
		ks_start "$work/ksr.log"
		read -r r m <<<"$($py $tools restartbar "$T" "bench_vs_ksbars_$sfx" "$TICKS" "$SYMBOLS" "$t0" "$pid")"
		kill -TERM "$pid"; wait "$pid" || true; pid=
		[[ $how == kept ]] && ks_rs_kept=$(num "$r") || ks_rs_removed=$(num "$r")
	done
	echo "kafka streams restart: a new tick's bar after $ks_rs_kept ms (state kept)," \
		"$ks_rs_removed ms (state directory removed)"
	say "vwap bench: Kafka Streams baseline, latency"
	lk=$sfx-kslat
	$py $tools topics "$lk" 6
	java -Xmx256m -jar "$jar" "$BROKERS" "bench_vs_ticks_$lk" "bench_vs_bars_$lk" \
		"bench-ksl-$sfx" 1 >"$work/ksl.log" 2>&1 &
	pid=$!
	sleep 10
	read -r k50 k99 kn kt ka50 ka99 kcpu kbrk _ <<<"$($py $tools latency "bench_vs_ticks_$lk" \
		"bench_vs_bars_$lk" "$LAT_RATE" "$LAT_SECS" "$SYMBOLS" "$pid")"
	kill -TERM "$pid"; wait "$pid" || true; pid=
	[[ $kn != 0 ]] && ks_p99=$k99 ks_a99=$ka99 ks_cpu=$kcpu ks_brk=$kbrk
	echo "kafka streams: $ks_rate ticks/s, RSS $ks_rss KB, p99 $ks_p99 ms"
else
	ks_note="build failed: $(tail -1 "$work/ks-build.log")"
	echo "kafka streams: $ks_note"
fi

# Spark Structured Streaming (bench/baselines/spark): pyspark 3.5 in its own
# venv, local[1] pinned like the others. It commits no group offsets: its rate
# comes from its checkpoints (vwap_tools.py sparkdone). It runs at a few
# thousand ticks/s on one core, so it gets at most BENCH_SPARK_TICKS ticks
# (1,000,000) of the same generator (same symbols, same trades per minute).
sp_rate=null sp_rss=null sp_p50=null sp_p99=null sp_a99=null sp_full=null sp_jvm=null sp_cpu=null
SP_TICKS=$(python3 -c "print(min($TICKS, int(${BENCH_SPARK_TICKS:-1000000})))")
SP_MAX=${BENCH_SPARK_MAX_OFFSETS:-100000} SP_PARTS=${BENCH_SPARK_PARTITIONS:-1}
spy=.cache/spark-venv/bin/python spark=bench/baselines/spark/vwap_spark.py
sp_cmd="taskset -c 0 $spy $spark B T SPARKBARS CKPT --max-offsets $SP_MAX --partitions $SP_PARTS"
spark_baseline() { # in a subshell: any failure ends it, never the bench
	set -euo pipefail
	local spt=$T ls=$sfx-splat r c m rf mj s50 s99 sn st sa50 sa99 scpu
	spid= # not local: the EXIT trap runs after the function returns
	# (not a bare `wait`: it would wait for the tee below, which waits for us)
	trap '[[ -n ${spid:-} ]] && kill -TERM "$spid" 2>/dev/null && wait "$spid"; true' EXIT
	out() { echo "$1=\"$2\"" >>"$work/sp.env"; }
	say "vwap bench: Spark Structured Streaming baseline, throughput ($SP_TICKS ticks)"
	if [[ $SP_TICKS != "$TICKS" ]]; then
		$py $tools topics "$sfx-sp" 6
		spt=bench_vs_ticks_$sfx-sp
		$py $tools produce "$spt" "$SP_TICKS" "$SYMBOLS"
	fi
	taskset -c 0 $spy $spark "$BROKERS" "$spt" "bench_vs_sparkbars_$sfx" "$work/sp-ckpt" \
		--max-offsets "$SP_MAX" --partitions "$SP_PARTS" >"$work/sp.log" 2>&1 &
	spid=$!
	read -r r c m rf mj <<<"$($py $tools sparkdone "$work/sp-ckpt" "$spt" "$spid")"
	kill -TERM "$spid"; wait "$spid" || true; spid=
	if [[ $r != 0 ]]; then
		out sp_rate "$r"; out sp_rss "$m"; out sp_full "$rf"; out sp_jvm "$mj"
		out sp_note "ok; rate over the ticks after every query's first micro-batch, as groupdone does for Kafka Streams ($rf ticks/s over all $SP_TICKS from the first micro-batch's start); RSS = JVM VmHWM $mj KB plus the python driver and workers"
	else
		out sp_note "did not process all $SP_TICKS ticks in time: $(grep -m1 -E 'Error|Exception' "$work/sp.log" | tr -d '\"' | cut -c1-200)"
	fi
	say "vwap bench: Spark Structured Streaming baseline, latency"
	$py $tools topics "$ls" 6
	$spy $spark "$BROKERS" "bench_vs_ticks_$ls" "bench_vs_bars_$ls" "$work/spl-ckpt" --linger-ms 0 \
		--partitions "$SP_PARTS" >"$work/spl.log" 2>&1 &
	spid=$!
	# Its first micro-batches plan, generate code and JIT-compile: 10 s of
	# warm-up ticks (left out of the result) at 1,000/s, processed first.
	$py $tools sparkready "$work/spl-ckpt" 4
	$py $tools warmup "bench_vs_ticks_$ls" 1000 10 "$SYMBOLS"
	$py $tools sparkwait "$work/spl-ckpt" "bench_vs_ticks_$ls"
	read -r s50 s99 sn st sa50 sa99 scpu _ <<<"$($py $tools sparklatency "$work/spl-ckpt" \
		"bench_vs_ticks_$ls" "bench_vs_bars_$ls" "$LAT_RATE" "$LAT_SECS" "$SYMBOLS" "$spid")"
	kill -TERM "$spid"; wait "$spid" || true; spid=
	[[ $sn != 0 ]] && out sp_p99 "$s99" && out sp_p50 "$s50" && out sp_a99 "$sa99" && out sp_cpu "$scpu"
	return 0
}
sp_note="not run"
if bash bench/baselines/spark/setup.sh >"$work/sp-setup.log" 2>&1; then
	: >"$work/sp.env"
	set +e # (not `|| ...`: that would switch off set -e inside it too)
	(spark_baseline) 2> >(tee "$work/sp.err" >&2)
	rc=$?
	set -e
	. "$work/sp.env"
	[[ $rc == 0 ]] || sp_note="failed ($rc): $(grep -v '^\s*$' "$work/sp.err" | tail -1 | tr -d '\"' | cut -c1-200); $sp_note"
	echo "spark: $sp_rate ticks/s ($sp_full from its first batch), RSS $sp_rss KB (JVM $sp_jvm)," \
		"p50 $sp_p50 ms, p99 $sp_p99 ms (from the tick's append: p99 $sp_a99 ms)"
else
	sp_note="setup failed: $(tail -1 "$work/sp-setup.log" | tr -d '\"')"
	echo "spark: $sp_note"
fi
sp_base="Spark Structured Streaming 3.5.7 (pyspark, local[1], 4 micro-batch queries, $SP_PARTS shuffle partition(s), maxOffsetsPerTrigger $SP_MAX, $SP_TICKS ticks): $sp_note"

ratio() { $py -c "import sys; a,b=sys.argv[1:]; print('null' if 'null' in (a,b) or float(b)==0 else round(float(a)/float(b),3))" "$1" "$2"; }
$py bench/record.py vwap "$(cat <<JSON
[{"metric": "throughput from Kafka, one core, $SYMBOLS symbols ($TICKS ticks), median of $TP_RUNS runs ($tp_all)", "value": $tp_rate,
  "unit": "ticks/s", "baseline": "Kafka Streams 4.x (exactly_once_v2, 1 thread): $ks_note",
  "baseline_value": $ks_rate, "ratio": $(ratio "$tp_rate" "$ks_rate"), "command": "$tp_cmd"},
 {"metric": "peak RSS during the throughput runs (largest)", "value": $tp_rss, "unit": "KB",
  "baseline": "Kafka Streams JVM (-Xmx256m)", "baseline_value": $ks_rss,
  "ratio": $(ratio "$tp_rss" "$ks_rss"), "command": "$tp_cmd"},
 {"metric": "CPU per tick (consume, aggregate, produce)", "value": $tp_cpu, "unit": "us",
  "baseline": null, "baseline_value": null, "ratio": null, "command": "$tp_cmd"},
 {"metric": "restart: start to a new tick's bar in bars (state rebuilt from every tick of the day, history from $rs_bars bars)",
  "value": $rs_ms, "unit": "ms", "baseline": "Kafka Streams, same application restarted with its state directory removed (restored from its changelogs)",
  "baseline_value": $ks_rs_removed, "ratio": $(ratio "$rs_ms" "$ks_rs_removed"), "command": "$rs_cmd"},
 {"metric": "restart: start to a new tick's bar in bars, vs Kafka Streams keeping its state directory",
  "value": $rs_ms, "unit": "ms", "baseline": "Kafka Streams restarted with its state directory (checkpointed stores)",
  "baseline_value": $ks_rs_kept, "ratio": $(ratio "$rs_ms" "$ks_rs_kept"), "command": "$rs_cmd"},
 {"metric": "restart: ticks replayed per second (muted rebuild)", "value": $rs_tps, "unit": "ticks/s",
  "baseline": "the live rate of the same ticks (throughput median above)", "baseline_value": $tp_rate,
  "ratio": $(ratio "$rs_tps" "$tp_rate"), "command": "$rs_cmd"},
 {"metric": "restart: history bars read per second (final daily bars kept)", "value": $rs_bps,
  "unit": "bars/s", "baseline": null, "baseline_value": null, "ratio": null, "command": "$rs_cmd"},
 {"metric": "restart: peak RSS", "value": $rs_rss, "unit": "KB", "baseline": null,
  "baseline_value": null, "ratio": null, "command": "$rs_cmd"},
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
 {"metric": "CPU of the stream processor while ticks are produced at $LAT_RATE/s (latency run)",
  "value": $(num "$lcpu"), "unit": "% of one core",
  "baseline": "Kafka Streams, same run for it (above its capacity: it runs flat out)",
  "baseline_value": $(num "$ks_cpu"), "ratio": $(ratio "$(num "$lcpu")" "$(num "$ks_cpu")"),
  "command": "$lat_cmd"},
 {"metric": "broker CPU during that latency run", "value": $(num "$lbrk"), "unit": "% of one core",
  "baseline": "broker CPU during Kafka Streams' latency run", "baseline_value": $(num "$ks_brk"),
  "ratio": $(ratio "$(num "$lbrk")" "$(num "$ks_brk")"), "command": "$lat_cmd"},
 {"metric": "tick producer (harness) CPU during that latency run", "value": $(num "$lpace"),
  "unit": "% of one core", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "bench/tickpace.c via vwap_tools.py latency"},
 {"metric": "machine busy during that latency run (2 cores = 200)", "value": $(num "$lbusy"),
  "unit": "% of one core", "baseline": "the floor run (no stream processor)",
  "baseline_value": $(num "$fbusy"), "ratio": $(ratio "$(num "$lbusy")" "$(num "$fbusy")"),
  "command": "$lat_cmd"},
 {"metric": "CPU stolen by the hypervisor during that latency run", "value": $(num "$lsteal"),
  "unit": "% of one core", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "/proc/stat steal"},
 {"metric": "harness floor p50: tick produce -> tick append (no vwap-stream), $LAT_RATE ticks/s",
  "value": $fl50, "unit": "ms", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "bench/baselines/vwap_tools.py floor (bench/tickpace.c producer, linger 1 ms)"},
 {"metric": "harness floor p99: tick produce -> tick append (no vwap-stream), $LAT_RATE ticks/s",
  "value": $fl99, "unit": "ms", "baseline": null, "baseline_value": null, "ratio": null,
  "command": "bench/baselines/vwap_tools.py floor (bench/tickpace.c producer, linger 1 ms)"},
 {"metric": "throughput from Kafka, one core, $SYMBOLS symbols, vs Spark", "value": $tp_rate,
  "unit": "ticks/s", "baseline": "$sp_base", "baseline_value": $sp_rate,
  "ratio": $(ratio "$tp_rate" "$sp_rate"), "command": "tickpipe: $tp_cmd; Spark: $sp_cmd"},
 {"metric": "peak RSS during the throughput runs (largest), vs Spark", "value": $tp_rss, "unit": "KB",
  "baseline": "Spark: JVM (spark.driver.memory 512m) + python driver and workers",
  "baseline_value": $sp_rss, "ratio": $(ratio "$tp_rss" "$sp_rss"),
  "command": "tickpipe: $tp_cmd; Spark: $sp_cmd"},
 {"metric": "latency p99 tick produce -> bar update in bars, $LAT_RATE ticks/s, vs Spark",
  "value": $lat99, "unit": "ms",
  "baseline": "Spark, trigger processingTime 0, kafka.linger.ms 0, after a 10 s warm-up at 1,000 ticks/s (left out); a rate above its capacity on one core measures its backlog",
  "baseline_value": $sp_p99, "ratio": $(ratio "$lat99" "$sp_p99"),
  "command": "tickpipe: $lat_cmd; Spark: $spy $spark B T BARS CKPT --linger-ms 0 --partitions $SP_PARTS"},
 {"metric": "latency p99 tick append -> bar update append (processor + broker), $LAT_RATE ticks/s, vs Spark",
  "value": $alat99, "unit": "ms", "baseline": "Spark, as above", "baseline_value": $sp_a99,
  "ratio": $(ratio "$alat99" "$sp_a99"),
  "command": "tickpipe: $lat_cmd; Spark: $spy $spark B T BARS CKPT --linger-ms 0 --partitions $SP_PARTS"},
 {"metric": "CPU of the stream processor while ticks are produced at $LAT_RATE/s, vs Spark",
  "value": $(num "$lcpu"), "unit": "% of one core",
  "baseline": "Spark (driver, JVM and workers), as above", "baseline_value": $(num "$sp_cpu"),
  "ratio": $(ratio "$(num "$lcpu")" "$(num "$sp_cpu")"),
  "command": "tickpipe: $lat_cmd; Spark: $spy $spark B T BARS CKPT --linger-ms 0 --partitions $SP_PARTS"}]
JSON
)"
say "vwap bench: done"
