#!/usr/bin/env bash
# bench_es_catchup — es-sink catching up on a backlog of vwap-stream's real
# output (what it meets after an Elasticsearch outage or a restart), side by
# side with the Python baseline (confluent-kafka + helpers.bulk) on the same
# records and the same node.
#
# The data: vwap-stream run live on ticks paced at BENCH_CATCHUP_RATE/s over
# 2,539 symbols for BENCH_CATCHUP_SECS, with its default settings (an
# in-progress update of each changed bar every second, a final at the window's
# close), so `bars` holds what production holds: many versions of each id.
# Both sinks then read that topic from the start. Rate = records settled per
# second (indexed, or made redundant by a newer version of the same id), from
# the first acknowledged batch to the last; both indices must end up holding,
# id by id, the newest version of every bar (checked field by field).
#
#   BENCH_SCALE=1 (120 s of live output; the smoke test uses 0.1)
#   BENCH_CATCHUP_RATE=5000 ticks/s   BENCH_REPEAT=3 interleaved runs (medians)
# Results: bench/results/es_sink_catchup.json.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
PY=.cache/venv/bin/python
HELP=bench/baselines/es_python_sink.py
ES=${ES_URL:-http://127.0.0.1:9200}
BROKERS=127.0.0.1:9092
SCALE=${BENCH_SCALE:-1}
SECS=$($PY -c "print(max(10, int(120 * float('$SCALE'))))")
RATE=${BENCH_CATCHUP_RATE:-5000}
SYMBOLS=2539
REPEAT=${BENCH_REPEAT:-3}
[[ -x bin/es-sink && -x bin/vwap-stream ]] || die "build first: make"
make -s build/release/bench/tickpace
ID=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
T=bench_cu_ticks_$ID B=bench_cu_bars_$ID D=bench_cu_dlq_$ID
SINK=tickpipe-bench-cus-$ID PYB=tickpipe-bench-cup-$ID
WORK=$(mktemp -d)
PIDS=()
topics() { # create|delete NAME...
	$PY - "$@" <<'EOF'
import sys
from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({"bootstrap.servers": "127.0.0.1:9092"})
op, names = sys.argv[1], sys.argv[2:]
fs = a.create_topics([NewTopic(n, 6, 1) for n in names]) if op == "create" else a.delete_topics(names)
for f in fs.values():
    f.result(30)
EOF
}
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for p in $SINK $PYB; do curl -s -o /dev/null -XDELETE "$ES/$p-*"; done
	curl -s -o /dev/null -XDELETE "$ES/_index_template/$PYB-*"
	topics delete "$T" "$B" "$D" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
metric() { curl -s "127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }

# 1. The backlog: vwap-stream's own output for a live session.
topics create "$T" "$B" "$D"
vport=$(freeport)
bin/vwap-stream --ticks-topic "$T" --bars-topic "$B" --dlq-topic "$D" --group "bench-cu-$ID" \
	--metrics-port "$vport" --metrics-addr 127.0.0.1 --log-level warn 2>"$WORK/vs.log" &
PIDS+=($!)
say "es catch-up bench: vwap-stream live on $RATE ticks/s over $SYMBOLS symbols for $SECS s"
TICKS=$(build/release/bench/tickpace "$BROKERS" "$T" "$RATE" "$SECS" "$SYMBOLS")
for _ in $(seq 600); do # until vwap-stream has taken every tick, then a final update
	[[ $(metric "$vport" tickpipe_vwap_stream_ticks_total) == "$TICKS" ]] && break
	sleep 0.5
done
[[ $(metric "$vport" tickpipe_vwap_stream_ticks_total) == "$TICKS" ]] ||
	die "vwap-stream did not take all $TICKS ticks in 300 s (log: $WORK/vs.log)"
sleep 2
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}" || die "vwap-stream failed (log: $WORK/vs.log)"
PIDS=()
read -r N IDS < <($PY $HELP latest "$B" | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["records"], d["ids"])')
[[ $N -gt 0 ]] || die "vwap-stream wrote no bars (log: $WORK/vs.log)"
say "backlog: $N bar records for $IDS distinct bars ($TICKS ticks)"

# 2. Interleaved runs of es-sink (defaults) and the Python baseline (chunks of
#    es-sink's default --batch-docs), each a new group from the start.
BATCH=$(bin/es-sink --help | awk '/--batch-docs/ {f=1} f && /default:/ {print $2; exit}')
es_templates "$PYB"
run_sink() { # RUN
	curl -s -o /dev/null -XDELETE "$ES/$SINK-*"
	local port out
	port=$(freeport)
	bin/es-sink --group "bench-cus-$ID-$1" --bars-topic "$B" --dlq-topic "$D" --index-prefix "$SINK" \
		--index-replicas 0 --metrics-port "$port" --metrics-addr 127.0.0.1 --log-level warn \
		2>"$WORK/sink.log" &
	PIDS=($!)
	out=$($PY $HELP watch "$port" "$N" --records)
	metric "$port" tickpipe_es_sink_docs_indexed_total >"$WORK/sink-indexed"
	awk '/^VmHWM:/ {print $2}' /proc/${PIDS[0]}/status >>"$WORK/rss-sink"
	kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}"; PIDS=()
	$PY -c "import json; print(json.loads('$out')['docs_per_s'])"
}
run_python() { # RUN
	curl -s -o /dev/null -XDELETE "$ES/$PYB-*"
	local out
	out=$($PY $HELP sink "$B" "bench-cup-$ID-$1" "$PYB" "$BATCH" "$N")
	$PY -c "import json; print(json.loads('$out')['peak_rss_kb'])" >>"$WORK/rss-python"
	$PY -c "import json; print(json.loads('$out')['docs_per_s'])"
}
SINKS=() PYS=()
for r in $(seq "$REPEAT"); do
	SINKS+=("$(run_sink "$r")")
	PYS+=("$(run_python "$r")")
	$PY $HELP same "$SINK" "$PYB" "$B" >"$WORK/same" || die "run $r: the indices differ ($(cat "$WORK/same"))"
	say "run $r: es-sink ${SINKS[-1]}, python ${PYS[-1]} records/s; both indices hold the newest of $IDS bars"
done
med() { $PY -c "import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
SINK_RATE=$(med "${SINKS[@]}") PY_RATE=$(med "${PYS[@]}")
SENT=$(cat "$WORK/sink-indexed")
RSS_SINK=$(sort -n "$WORK/rss-sink" | tail -1) RSS_PY=$(sort -n "$WORK/rss-python" | tail -1)
say "es-sink $SINK_RATE records/s, python $PY_RATE records/s; es-sink sent $SENT documents for $N records"
CMD="BENCH_SCALE=$SCALE BENCH_CATCHUP_RATE=$RATE BENCH_REPEAT=$REPEAT bash bench/bench_es_catchup.sh"
$PY bench/record.py es_sink_catchup "[
 {\"metric\": \"es_sink_catchup_records_per_s_vs_python\", \"value\": $SINK_RATE, \"unit\": \"records/s\",
  \"baseline\": \"python confluent-kafka + elasticsearch.helpers.bulk 7.13.4, chunks of $BATCH, same $N records of vwap-stream's live output ($RATE ticks/s, $SYMBOLS symbols, $SECS s; $IDS distinct bars), median of $REPEAT\",
  \"baseline_value\": $PY_RATE, \"ratio\": null, \"command\": \"$CMD\"},
 {\"metric\": \"es_sink_catchup_documents_sent_per_record\", \"value\": $($PY -c "print(round($SENT / $N, 4))"), \"unit\": \"docs/record\",
  \"baseline\": \"the Python baseline sends every record\", \"baseline_value\": 1, \"ratio\": null, \"command\": \"$CMD\"},
 {\"metric\": \"es_sink_catchup_peak_rss\", \"value\": $RSS_SINK, \"unit\": \"KB\",
  \"baseline\": \"the Python baseline's peak RSS (ru_maxrss), same runs\",
  \"baseline_value\": $RSS_PY, \"ratio\": null, \"command\": \"$CMD\"}
]"
