# tests/compose/exactly_once.sh — step 4 of tests/compose/run (sourced; uses its dc, say, ok,
# fail, heartbeat, $sec, $WORK, $scale).
#
# The scaled pipeline (vwap-stream x N, es-sink x N) has indexed the seeded simulation's bars
# into tickpipe-bars-*. A single-instance pipeline — one vwap-stream and one es-sink started
# with `docker-compose run`, their own consumer groups, a bars-single topic and the index
# prefix "single" — then reads the very same ticks topic from the beginning. Exactly-once
# under scale means both indices hold the same documents: the same count, the same ids, and
# the same OHLCV/VWAP values per id.

ES=
es_auth() { printf 'elastic:%s' "$(<"$sec/es_password")"; }

# es_docs INDEX OUT: every document's id and its bar values, one JSON line each, sorted.
es_docs() {
	python3 - "$ES" "$1" "$(es_auth)" >"$2" <<'PY'
import base64, json, sys, urllib.request
es, index, auth = sys.argv[1], sys.argv[2], sys.argv[3]
hdr = {"Authorization": "Basic " + base64.b64encode(auth.encode()).decode(),
       "Content-Type": "application/json"}
def call(path, body=None):
    req = urllib.request.Request(es + path, data=json.dumps(body).encode() if body else None, headers=hdr,
                                 method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
keep = ("symbol", "window", "start", "open", "high", "low", "close", "volume", "turnover", "trades", "vwap")
rows = []
res = call("/%s/_search?scroll=1m" % index, {"size": 1000, "query": {"match_all": {}}})
while res["hits"]["hits"]:
    for h in res["hits"]["hits"]:
        rows.append(json.dumps({"_id": h["_id"], **{k: h["_source"].get(k) for k in keep}}, sort_keys=True))
    res = call("/_search/scroll", {"scroll": "1m", "scroll_id": res["_scroll_id"]})
for r in sorted(rows):
    print(r)
PY
}

es_count() {
	curl -s -m 10 -u "$(es_auth)" -X POST "$ES/$1/_refresh" >/dev/null 2>&1
	curl -s -m 10 -u "$(es_auth)" "$ES/$1/_count" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin).get("count", 0))' 2>/dev/null || echo 0
}

# wait_settled INDEX LABEL: until the count is non-zero and unchanged for 15 s (or EO_TIMEOUT).
wait_settled() {
	local index=$1 label=$2 t0=$SECONDS last=-1 same_since=$SECONDS n
	while :; do
		n=$(es_count "$index")
		if [[ $n != "$last" ]]; then last=$n same_since=$SECONDS; fi
		if ((n > 0 && SECONDS - same_since >= 15)); then
			say "$label: $n documents, unchanged for 15 s"
			return 0
		fi
		if ((SECONDS - t0 >= EO_TIMEOUT)); then
			say "$label: $n documents after ${EO_TIMEOUT}s, still changing or empty"
			return 1
		fi
		say "$label: $n documents so far ($((SECONDS - t0))s)"
		sleep 3
	done
}

# expected_bars: how many documents the seeded simulation implies — its trades' distinct
# (symbol, minute) pairs plus a daily bar per symbol — from feed-sim's own frames, dumped with
# the very command compose.yml gives it. Independent of the pipeline: comparing the scaled with
# the single run alone cannot see ticks that both lost (CI once indexed 113 of 220).
expected_bars() {
	dc --profile sim config 2>/dev/null | python3 -c '
import sys, yaml
cmd = yaml.safe_load(sys.stdin)["services"]["feed-sim"]["command"]
print("\n".join(a for a in cmd if not a.startswith(("--port", "--credentials"))))' >"$WORK/sim-args" ||
		return 1
	local args
	mapfile -t args <"$WORK/sim-args"
	podman run --rm --network none --entrypoint /usr/local/bin/feed-sim tickpipe/collector:latest \
		"${args[@]}" --dump-frames /dev/stdout 2>"$WORK/sim-dump.log" | python3 -c '
import sys
bars, symbols = set(), set()
for line in sys.stdin:
    p = line.rstrip("\n").split("|", 3)
    if len(p) < 4 or p[1] != "H0STCNT0":
        continue
    n, f = int(p[2]), p[3].split("^")
    for r in range(n):  # n records of len(f)/n fields: code, HHMMSS, ...
        code, hhmmss = f[r * len(f) // n], f[r * len(f) // n + 1]
        bars.add((code, hhmmss[:4]))
        symbols.add(code)
print(len(bars) + len(symbols))'
}

check_exactly_once() {
	local hostport
	hostport=$(dc port elasticsearch 9200 2>/dev/null | tail -n1)
	[[ -n $hostport ]] || { fail "exactly-once: Elasticsearch has no published port"; return; }
	ES=http://$hostport
	say "exactly-once: waiting for the scaled pipeline's bars in $ES/tickpipe-bars-*"
	wait_settled 'tickpipe-bars-*' "scaled ($scale x vwap-stream, $scale x es-sink)" ||
		{ fail "exactly-once: the scaled pipeline's bars did not settle"; return; }

	local want
	want=$(expected_bars)
	if [[ $want =~ ^[1-9][0-9]*$ ]]; then
		local got
		got=$(es_count 'tickpipe-bars-*')
		((got == want)) && ok "the scaled pipeline indexed every bar the simulation implies ($want)" ||
			fail "the scaled pipeline indexed $got bars, the simulation implies $want"
	else
		fail "could not count the bars the simulation implies (see $WORK/sim-dump.log)"
	fi

	say "exactly-once: single-instance pipeline over the same ticks (groups *-single, index single-*)"
	heartbeat "topic bars-single" "$WORK/topic-single.log" \
		dc run --rm --no-deps -e TOPICS=bars-single topic-init ||
		{ fail "exactly-once: could not create bars-single"; return; }
	# podman run rather than `docker-compose run`: compose v1 adds legacy links to a one-off
	# container, which podman's API refuses. Same images, network and secret files as the stack.
	local net=${PROJECT//[^a-zA-Z0-9_-]/}_default
	local common=(-d --network "$net" --read-only --tmpfs /tmp
		--label "com.docker.compose.project=$PROJECT" -e KAFKA_BROKERS=kafka:9092)
	podman run "${common[@]}" --name "${PROJECT}_vwap-single" -e TICKPIPE_GROUP=vwap-single \
		-e TICKPIPE_BARS_TOPIC=bars-single tickpipe/vwap-stream:latest >"$WORK/run-single.log" 2>&1 &&
	podman run "${common[@]}" --name "${PROJECT}_es-single" -e TICKPIPE_GROUP=es-single \
		-e TICKPIPE_BARS_TOPIC=bars-single -e ES_URL=http://elasticsearch:9200 -e ES_USER=elastic \
		-e ES_PASSWORD_FILE=/run/secrets/es_password -v "$sec/es_password:/run/secrets/es_password:ro" \
		-e ES_INDEX_PREFIX=single -e ES_INDEX_REPLICAS=0 tickpipe/es-sink:latest >>"$WORK/run-single.log" 2>&1 ||
		{ tail -n 5 "$WORK/run-single.log" >&2; fail "exactly-once: could not start the single pipeline"; return; }
	wait_settled 'single-bars-*' "single (1 x vwap-stream, 1 x es-sink)" ||
		{ fail "exactly-once: the single pipeline's bars did not settle"; return; }
	# The scaled side once more: its count must not have moved meanwhile.
	es_docs 'tickpipe-bars-*' "$WORK/bars-scaled.jsonl"
	es_docs 'single-bars-*' "$WORK/bars-single.jsonl"
	local ns n1 ids_s ids_1
	ns=$(wc -l <"$WORK/bars-scaled.jsonl") n1=$(wc -l <"$WORK/bars-single.jsonl")
	ids_s=$(python3 -c 'import json,sys; [print(json.loads(l)["_id"]) for l in open(sys.argv[1])]' "$WORK/bars-scaled.jsonl" | sort | sha256sum | cut -c1-16)
	ids_1=$(python3 -c 'import json,sys; [print(json.loads(l)["_id"]) for l in open(sys.argv[1])]' "$WORK/bars-single.jsonl" | sort | sha256sum | cut -c1-16)
	say "exactly-once: scaled $ns documents (ids $ids_s), single $n1 documents (ids $ids_1)"
	((ns == n1)) && ok "document count equal ($ns)" || fail "document count differs: scaled $ns, single $n1"
	[[ $ids_s == "$ids_1" ]] && ok "document ids equal" || {
		fail "document ids differ"
		diff <(python3 -c 'import json,sys; [print(json.loads(l)["_id"]) for l in open(sys.argv[1])]' "$WORK/bars-scaled.jsonl" | sort) \
			<(python3 -c 'import json,sys; [print(json.loads(l)["_id"]) for l in open(sys.argv[1])]' "$WORK/bars-single.jsonl" | sort) | head -10 >&2
	}
	if cmp -s "$WORK/bars-scaled.jsonl" "$WORK/bars-single.jsonl"; then
		ok "every bar's OHLCV, turnover, trades and VWAP equal"
	else
		fail "bar values differ between the scaled and the single pipeline"
		diff "$WORK/bars-scaled.jsonl" "$WORK/bars-single.jsonl" | head -6 >&2
	fi
	# Each document exactly once also means no id is indexed under two days' indices.
	local dup
	dup=$(python3 -c 'import json,sys,collections; c=collections.Counter(json.loads(l)["_id"] for l in open(sys.argv[1])); print(sum(1 for v in c.values() if v>1))' "$WORK/bars-scaled.jsonl")
	((dup == 0)) && ok "no bar id indexed twice" || fail "$dup bar ids indexed more than once"
}
