#!/usr/bin/env bash
# deploy/kibana/load.sh — imports tickpipe's Kibana saved objects (data views,
# visualizations, the "tickpipe — market overview" dashboard) through Kibana's
# saved-objects import API, overwriting earlier copies, and sets Kibana's
# display time zone to Asia/Seoul so the epoch-millis times show as KST.
#
#   KIBANA_URL         default http://127.0.0.1:5601 (may carry a base path)
#   KIBANA_SPACE       import into this space instead of the default one
#   KIBANA_USER, KIBANA_PASSWORD (or KIBANA_PASSWORD_FILE)   basic auth, or
#   KIBANA_API_KEY (or KIBANA_API_KEY_FILE)                 "Authorization: ApiKey ..."
#   KIBANA_CA_FILE     CA bundle for an https Kibana
#   ES_INDEX_PREFIX    es-sink's --index-prefix when not "tickpipe"
#   SET_TZ=0           leave dateFormat:tz alone
# Secrets go to curl through a config on stdin, never on the command line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
url=${KIBANA_URL:-http://127.0.0.1:5601}
url=${url%/}
[[ -n ${KIBANA_SPACE:-} ]] && url="$url/s/$KIBANA_SPACE"
prefix=${ES_INDEX_PREFIX:-tickpipe}

secret() { # NAME: $NAME, or the contents of $NAME_FILE
	local v=${!1:-} f="${1}_FILE"
	if [[ -z $v && -n ${!f:-} ]]; then v=$(<"${!f}"); fi
	printf '%s' "$v"
}

curl_config() { # auth and TLS for curl -K -
	local key pw
	key=$(secret KIBANA_API_KEY)
	pw=$(secret KIBANA_PASSWORD)
	if [[ -n $key ]]; then
		printf 'header = "Authorization: ApiKey %s"\n' "$key"
	elif [[ -n ${KIBANA_USER:-} ]]; then
		printf 'user = "%s:%s"\n' "$KIBANA_USER" "$pw"
	fi
	[[ -n ${KIBANA_CA_FILE:-} ]] && printf 'cacert = "%s"\n' "$KIBANA_CA_FILE"
	printf 'header = "kbn-xsrf: tickpipe"\nsilent\nshow-error\n'
}

objects=$(mktemp)
trap 'rm -f "$objects"' EXIT
# The data views name the indices es-sink writes: <prefix>-bars-*, <prefix>-anomalies-*.
sed "s/\"title\":\"tickpipe-\(bars\|anomalies\)-\*\"/\"title\":\"$prefix-\1-*\"/" \
	"$here/tickpipe.ndjson" >"$objects"

out=$(curl_config | curl -K - -X POST "$url/api/saved_objects/_import?overwrite=true" \
	-F "file=@$objects;filename=tickpipe.ndjson" -w '\n%{http_code}')
code=${out##*$'\n'}
body=${out%$'\n'*}
if [[ $code != 200 || $body != *'"success":true'* ]]; then
	echo "load.sh: import failed (HTTP $code): $body" >&2
	exit 1
fi
echo "load.sh: imported $(grep -c . "$objects") saved objects into $url"

if [[ ${SET_TZ:-1} != 0 ]]; then
	code=$(curl_config | curl -K - -X POST "$url/api/kibana/settings" -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' -d '{"changes":{"dateFormat:tz":"Asia/Seoul"}}')
	[[ $code == 200 ]] || { echo "load.sh: setting dateFormat:tz failed (HTTP $code)" >&2; exit 1; }
	echo "load.sh: dateFormat:tz = Asia/Seoul"
fi
