#!/usr/bin/env bash
# Builds target/vwap-kstreams.jar; Maven's repository is cached under
# .cache/m2 so later builds run offline (-o) once the first fetch succeeded.
set -euo pipefail
cd "$(dirname "$0")"
repo=$(cd ../../.. && pwd)/.cache/m2
[[ -f target/vwap-kstreams.jar && target/vwap-kstreams.jar -nt src/main/java/tickpipe/VwapStreams.java ]] && exit 0
# Offline first (everything cached); online only when something is missing.
mvn -q -o -Dmaven.repo.local="$repo" package >/dev/null 2>&1 || mvn -q -Dmaven.repo.local="$repo" package
