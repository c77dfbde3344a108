#!/bin/bash
# The /opt/kafka/bin/*.sh tools of the official image, as far as compose.yml uses them.
set -euo pipefail
case $(basename "$0") in
	kafka-topics.sh) main=org.apache.kafka.tools.TopicCommand ;;
	kafka-broker-api-versions.sh) main=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
	kafka-consumer-groups.sh) main=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
	kafka-storage.sh) main=kafka.tools.StorageTool ;;
	*) echo "tool.sh: unknown tool $(basename "$0")" >&2; exit 2 ;;
esac
cat >/tmp/tools-log4j2.properties 2>/dev/null <<'L4J' || true
status = error
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = %p %m%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
L4J
exec java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
	-Dlog4j2.configurationFile=/tmp/tools-log4j2.properties -cp '/opt/kafka/libs/*' "$main" "$@"
