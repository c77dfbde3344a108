#!/usr/bin/env bash
# bench/baselines/spark/setup.sh — installs the Spark Structured Streaming
# baseline: a venv .cache/spark-venv with pinned pyspark (plus pandas/pyarrow
# for applyInPandasWithState), and the spark-sql-kafka-0-10 connector with its
# run-time dependencies in .cache/spark-venv/kafka-jars (fetched by Maven into
# .cache/m2, so later runs work offline). Idempotent: a second run only checks.
# Kept apart from .cache/venv, which CI installs. Needs java 17, python3, mvn.
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)
root=$(cd ../../.. && pwd)
venv=$root/.cache/spark-venv
# A symlink (a worktree sharing main's venv) is followed: venv refuses links.
[[ -L $venv ]] && venv=$(readlink -f "$venv")
jars=$venv/kafka-jars
m2=$root/.cache/m2
PYSPARK=3.5.7 # = spark.version in pom.xml (the newest 3.5.x whose connector Maven Central has here)
PINS="pyspark==$PYSPARK pandas==2.2.3 pyarrow==17.0.0 numpy==1.26.4"
stamp=$venv/.tickpipe-setup
log() { echo "[spark setup] $*" >&2; }

want="$PINS $(cat pom.xml setup.sh | md5sum | cut -c1-32)"
if [[ -f $stamp && $(cat "$stamp") == "$want" ]] && ls "$jars"/spark-sql-kafka-0-10_2.12-$PYSPARK.jar "$jars"/kafka-clients-*.jar >/dev/null 2>&1; then
	log "already installed: $venv (pyspark $PYSPARK, $(ls "$jars" | wc -l) connector jars)"
	exit 0
fi
t0=$(date +%s)
command -v java >/dev/null || { log "java not found (Spark $PYSPARK needs Java 8/11/17)"; exit 1; }
command -v mvn >/dev/null || { log "mvn not found (fetches the Kafka connector jars)"; exit 1; }
if [[ ! -x $venv/bin/python ]]; then
	log "creating venv $venv"
	python3 -m venv "$venv"
fi
log "pip install $PINS (pyspark is a ~317 MB download the first time)"
"$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar on $PINS
log "fetching spark-sql-kafka-0-10_2.12:$PYSPARK and its dependencies from Maven Central into $m2"
mkdir -p "$jars.new"
# Offline first (all in .cache/m2 already); online when something is missing.
mvnc=(mvn -B -Dmaven.repo.local="$m2" -f "$here/pom.xml" dependency:copy-dependencies
	-DincludeScope=runtime -DoutputDirectory="$jars.new")
# Maven only warns about a missing POM and then copies no dependency: check
# that kafka-clients came along.
if ! { "${mvnc[@]}" -o -q >/dev/null 2>&1 && ls "$jars.new"/kafka-clients-*.jar >/dev/null 2>&1; }; then
	rm -rf "$jars.new" && mkdir -p "$jars.new"
	"${mvnc[@]}" -U | grep -E '^\[INFO\] (Downloaded|Copying)|WARN|ERROR|BUILD' >&2 || true
	ls "$jars.new"/kafka-clients-*.jar >/dev/null 2>&1 || { log "connector dependencies incomplete"; exit 1; }
fi
# Drop what pyspark's own jars/ already has (hadoop client, compression
# codecs, slf4j): two versions of one library on the class path cause trouble.
pj=$("$venv/bin/python" -c 'import pyspark, os; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')
for j in "$jars.new"/*.jar; do
	a=$(basename "$j" | sed -E 's/-[0-9][^-]*(-[A-Za-z0-9.]+)?\.jar$//')
	if ls "$pj/$a"-[0-9]*.jar >/dev/null 2>&1; then
		log "  pyspark has $a: skipping $(basename "$j")"
		rm -f "$j"
	fi
done
rm -rf "$jars" && mv "$jars.new" "$jars"
log "connector jars: $(ls "$jars" | tr '\n' ' ')"
"$venv/bin/python" -c 'import pyspark, pandas, pyarrow; print("[spark setup] import check: pyspark", pyspark.__version__)' >&2
echo "$want" >"$stamp"
log "done in $(( $(date +%s) - t0 )) s; venv size $(du -sh "$venv" | cut -f1)"
