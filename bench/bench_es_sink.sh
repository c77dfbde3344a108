#!/usr/bin/env bash
# bench_es_sink — es-sink's indexing rate against the same Elasticsearch node,
# side by side with
#   ceiling:  curl POSTing pre-built _bulk bodies (same documents, same action
#             lines, same batch size, same templates) over one kept-alive
#             connection: what the node takes with zero client work (the
#             issue's ceiling);
#   ceiling2: the same bodies over two connections at once (two curl
#             processes), the ceiling at es-sink's default concurrency
#             (--bulk-lanes 2 sends each batch as two concurrent halves);
#   baseline: a Python consumer (confluent-kafka + elasticsearch.helpers.bulk,
#             client 7.13 for the 7.x node) doing the same job.
# Goals: es-sink >= 95% of the ceiling, >= 3x the Python baseline.
#
#   BENCH_SCALE=1 (200000 bars; the smoke test uses 0.05)  BENCH_BATCH=2000
#   BENCH_REPEAT=5 (interleaved runs; each contender's median counts: the machine is shared)
# Each rate runs from the first acknowledged batch to the last (start-up and
# group join excluded, the same way for all three). Results: bench/results/es_sink.json.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
PY=.cache/venv/bin/python
HELP=bench/baselines/es_python_sink.py
ES=${ES_URL:-http://127.0.0.1:9200}
N=$($PY -c "print(max(1000, int(200000 * float('${BENCH_SCALE:-1}'))))")
BATCH=${BENCH_BATCH:-2000}
ID=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
TOPIC=bench_es_$ID
CEIL=tickpipe-bench-ceil-$ID SINK=tickpipe-bench-sink-$ID PYB=tickpipe-bench-py-$ID
WORK=$(mktemp -d)
SINK_PID=

cleanup() {
	[[ -n $SINK_PID ]] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
	for p in $CEIL $SINK $PYB; do
		curl -s -o /dev/null -XDELETE "$ES/$p-*"
		curl -s -o /dev/null -XDELETE "$ES/_index_template/$p-*"
	done
	$PY -c "from confluent_kafka.admin import AdminClient
a = AdminClient({'bootstrap.servers': '127.0.0.1:9092'})
[f.result(30) for f in a.delete_topics(['$TOPIC']).values()]" || true
	rm -rf "$WORK"
}
trap cleanup EXIT


count() { curl -s -XPOST "$ES/$1-*/_refresh" >/dev/null; curl -s "$ES/$1-*/_count" | $PY -c 'import json,sys; print(json.load(sys.stdin)["count"])'; }

$PY -c "from confluent_kafka.admin import AdminClient, NewTopic
a = AdminClient({'bootstrap.servers': '127.0.0.1:9092'})
[f.result(30) for f in a.create_topics([NewTopic('$TOPIC', num_partitions=6, replication_factor=1)]).values()]"
mkdir -p "$WORK/bodies"
echo "bench es_sink: $N bars, batch $BATCH" >&2
$PY $HELP gen "$TOPIC" "$N" --bodies "$WORK/bodies" --prefix "$CEIL" --batch "$BATCH"

drop() { curl -s -o /dev/null -XDELETE "$ES/$1-*"; }

# 1. ceiling: curl, one connection, bodies ready on disk; per-request times, first excluded.
es_templates "$CEIL"
first=1
for f in "$WORK"/bodies/*.ndjson; do
	((first)) || echo next
	first=0
	printf 'url = "%s/_bulk?filter_path=errors,items.*.status,items.*.error"\n' "$ES"
	printf 'data-binary = "@%s"\nheader = "Content-Type: application/x-ndjson"\n' "$f"
	printf 'output = "/dev/null"\nwrite-out = "%%{time_total}\\n"\n'
done >"$WORK/curl.cfg"
run_ceiling() {
	drop "$CEIL"
	curl -s -K "$WORK/curl.cfg" >"$WORK/times"
	[[ $(count "$CEIL") == "$N" ]] || { echo "ceiling run did not index $N documents" >&2; exit 1; }
	$PY -c "t=[float(x) for x in open('$WORK/times').read().split()]; print(round(($N - $BATCH) / sum(t[1:]), 1))"
}
# The first body alone (creates the index, untimed), then the others split
# over two connections; the rate is over the wall time of both.
split_cfg() {
	awk -v RS='next\n' -v ORS='' -v want="$1" 'NR > 1 && NR % 2 == want { if (n++) print "next\n"; print }' \
		"$WORK/curl.cfg" >"$WORK/curl$1.cfg"
}
split_cfg 0; split_cfg 1
awk -v RS='next\n' 'NR == 1' "$WORK/curl.cfg" >"$WORK/curl-first.cfg"
run_ceiling2() {
	drop "$CEIL"
	curl -s -K "$WORK/curl-first.cfg" >/dev/null
	local t0 t1
	t0=$(date +%s.%N)
	curl -s -K "$WORK/curl0.cfg" >/dev/null & curl -s -K "$WORK/curl1.cfg" >/dev/null
	wait
	t1=$(date +%s.%N)
	[[ $(count "$CEIL") == "$N" ]] || { echo "2-connection ceiling run did not index $N documents" >&2; exit 1; }
	$PY -c "print(round(($N - $BATCH) / ($t1 - $t0), 1))"
}

# 2. es-sink (release build), same batch size; a new group reads the topic from the start.
run_sink() { # REPEAT
	drop "$SINK"
	local port out
	port=$(freeport)
	bin/es-sink --group "bench-$ID-$1" --bars-topic "$TOPIC" --index-prefix "$SINK" --index-replicas 0 \
		--batch-docs "$BATCH" --metrics-port "$port" --metrics-addr 127.0.0.1 --log-level warn \
		2>"$WORK/sink.log" &
	SINK_PID=$!
	out=$($PY $HELP watch "$port" "$N")
	curl -s "127.0.0.1:$port/metrics" >"$WORK/metrics"
	awk '/^VmHWM:/ {print $2}' /proc/$SINK_PID/status >>"$WORK/rss-sink"
	kill -TERM $SINK_PID; wait $SINK_PID; SINK_PID=
	[[ $(count "$SINK") == "$N" ]] || { echo "es-sink did not index $N documents" >&2; exit 1; }
	$PY -c "import json; print(json.loads('$out')['docs_per_s'])"
}

# 3. the Python baseline.
es_templates "$PYB"
run_python() { # REPEAT
	drop "$PYB"
	local out
	out=$($PY $HELP sink "$TOPIC" "bench-py-$ID-$1" "$PYB" "$BATCH" "$N")
	[[ $(count "$PYB") == "$N" ]] || { echo "python baseline did not index $N documents" >&2; exit 1; }
	$PY -c "import json; print(json.loads('$out')['peak_rss_kb'])" >>"$WORK/rss-python"
	$PY -c "import json; print(json.loads('$out')['docs_per_s'])"
}

# The machine (and the node's GC) is shared: interleave the three and keep each
# one's median of BENCH_REPEAT runs (a best-of let one lucky ceiling run decide).
best() { $PY -c "import sys, statistics; print(statistics.median(float(x) for x in sys.argv[1:]))" "$@"; }
CEILS=() CEIL2S=() SINKS=() PYS=()
for r in $(seq "${BENCH_REPEAT:-5}"); do
	CEILS+=("$(run_ceiling)")
	CEIL2S+=("$(run_ceiling2)")
	SINKS+=("$(run_sink "$r")")
	PYS+=("$(run_python "$r")")
	echo "run $r: es-sink ${SINKS[-1]}, ceiling ${CEILS[-1]} (2 connections ${CEIL2S[-1]}), python ${PYS[-1]} docs/s" >&2
done
CEIL_RATE=$(best "${CEILS[@]}") SINK_RATE=$(best "${SINKS[@]}") PY_RATE=$(best "${PYS[@]}")
CEIL2_RATE=$(best "${CEIL2S[@]}")
# Peak RSS: the largest of the runs, each process's own high-water mark.
RSS_SINK=$(sort -n "$WORK/rss-sink" | tail -1) RSS_PY=$(sort -n "$WORK/rss-python" | tail -1)
P99=$($PY -c '
b=[(float(l.split("le=\"")[1].split("\"")[0].replace("+Inf","inf")), float(l.split()[-1]))
   for l in open("'"$WORK"'/metrics") if l.startswith("tickpipe_es_sink_bulk_latency_seconds_bucket")]
tot=b[-1][1]; print(next(le for le, c in b if c >= 0.99 * tot))')

echo "es-sink $SINK_RATE docs/s, curl ceiling $CEIL_RATE docs/s (2 connections $CEIL2_RATE), python $PY_RATE docs/s, p99 bulk $P99 s, peak RSS es-sink $RSS_SINK KB, python $RSS_PY KB" >&2
CMD="BENCH_SCALE=${BENCH_SCALE:-1} BENCH_BATCH=$BATCH BENCH_REPEAT=${BENCH_REPEAT:-5} bash bench/bench_es_sink.sh"
$PY bench/record.py es_sink "[
 {\"metric\": \"es_sink_docs_per_s_vs_ceiling\", \"value\": $SINK_RATE, \"unit\": \"docs/s\",
  \"baseline\": \"curl with pre-built _bulk bodies, same node, batch $BATCH ($N bars)\",
  \"baseline_value\": $CEIL_RATE, \"ratio\": null, \"command\": \"$CMD\"},
 {\"metric\": \"es_sink_docs_per_s_vs_ceiling_2_connections\", \"value\": $SINK_RATE, \"unit\": \"docs/s\",
  \"baseline\": \"curl with the same bodies over 2 connections at once (es-sink's --bulk-lanes 2), same node\",
  \"baseline_value\": $CEIL2_RATE, \"ratio\": null, \"command\": \"$CMD\"},
 {\"metric\": \"es_sink_docs_per_s_vs_python\", \"value\": $SINK_RATE, \"unit\": \"docs/s\",
  \"baseline\": \"python confluent-kafka + elasticsearch.helpers.bulk 7.13.4, batch $BATCH\",
  \"baseline_value\": $PY_RATE, \"ratio\": null, \"command\": \"$CMD\"},
 {\"metric\": \"es_sink_bulk_latency_p99\", \"value\": $P99, \"unit\": \"s\",
  \"baseline\": null, \"baseline_value\": null, \"ratio\": null, \"command\": \"$CMD\"},
 {\"metric\": \"es_sink_peak_rss\", \"value\": $RSS_SINK, \"unit\": \"KB\",
  \"baseline\": \"the Python baseline's peak RSS (ru_maxrss), same runs\",
  \"baseline_value\": $RSS_PY, \"ratio\": null, \"command\": \"$CMD\"}
]"
