#!/bin/bash
# Starts a KRaft Kafka node configured like the official apache/kafka image: every
# KAFKA_<NAME> variable becomes the property <name> (_ -> ., __ -> _, ___ -> -), except the
# JVM settings KAFKA_HEAP_OPTS/KAFKA_OPTS/KAFKA_JVM_PERFORMANCE_OPTS. Formats the storage on
# first start with $CLUSTER_ID. java is exec'd, so SIGTERM reaches Kafka's shutdown hook.
set -euo pipefail
conf=/opt/kafka/config/server.properties
: >"$conf"
while IFS='=' read -r name value; do
	case $name in
		KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_LOG4J_OPTS) continue ;;
	esac
	key=${name#KAFKA_}
	key=${key,,}
	key=${key//___/-}
	key=${key//__/@}
	key=${key//_/.}
	key=${key//@/_}
	printf '%s=%s\n' "$key" "$value" >>"$conf"
done < <(env | grep -E '^KAFKA_[A-Z0-9_]+=' | sort)
logdir=$(sed -n 's/^log\.dirs=//p' "$conf")
logdir=${logdir:-/var/lib/kafka/data}
grep -q '^log\.dirs=' "$conf" || echo "log.dirs=$logdir" >>"$conf"
cat >/opt/kafka/config/log4j2.properties <<'L4J'
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
L4J
cp=/opt/kafka/libs/*
if [[ ! -f $logdir/meta.properties ]]; then
	java -Xmx256m -cp "$cp" -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
		kafka.tools.StorageTool format --ignore-formatted -t "${CLUSTER_ID:?set CLUSTER_ID}" -c "$conf"
fi
# shellcheck disable=SC2086
exec java $KAFKA_HEAP_OPTS ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC} ${KAFKA_OPTS:-} \
	-Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
	-cp "$cp" kafka.Kafka "$conf"
