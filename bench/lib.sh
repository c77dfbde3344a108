# bench/lib.sh — what the bench scripts share (sourced after cd to the repo root).
# shellcheck shell=bash
. scripts/lib.sh

# A TCP port nobody listens on now (for --metrics-port).
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# es_templates PREFIX: installs the index templates es-sink would install for
# PREFIX, for the contenders that are not es-sink (curl, Python).
es_templates() {
	bin/es-sink templates --index-prefix "$1" --index-replicas 0 | while read -r _ path; do
		read -r body
		curl -sf -o /dev/null -XPUT -H 'Content-Type: application/json' \
			"${ES_URL:-http://127.0.0.1:9200}/$path" -d "$body"
	done
}
