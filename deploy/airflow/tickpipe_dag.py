"""Airflow DAGs that run tickpipe on a Docker host (the images compose.yml builds).

tickpipe_pipeline — weekdays at 08:50 Asia/Seoul, one DockerOperator task per stage
    (collector, vwap-stream, es-sink, anomaly-router), all long-running. The collector exits 3
    when the day is not a trading day or the time is outside its window: the task is then
    skipped, not failed. At 16:00 a sensor wakes a chain that stops the stages with SIGTERM in
    pipeline order (collector, then vwap-stream and anomaly-router after a drain, then
    es-sink), so every stage drains, commits and exits 0 and its task succeeds.
tickpipe_watchdog — `watchdog --once` every 5 minutes: exit 0 fresh, 1 stale, 2 could not
    check (these fail the task, which e-mails), 3 outside the collection window (skipped).

No secret passes through Airflow: they are files on the Docker host mounted read-only at
/run/secrets and read by the programs through NAME_FILE variables; anything else sensitive
would go in private_environment. No task pushes XCom. auto_remove="force" removes a container
even when its task is killed (on_kill stops it with SIGTERM first).

Settings come from the scheduler's environment (read at parse time, no metadata-DB access):
  TICKPIPE_IMAGE_PREFIX [tickpipe]  TICKPIPE_TAG [latest]  TICKPIPE_DOCKER_URL
  [unix://var/run/docker.sock]  TICKPIPE_DOCKER_NETWORK [tickpipe_default: compose's network]
  TICKPIPE_SECRETS_DIR [/etc/tickpipe/secrets]  TICKPIPE_ALERT_EMAIL (comma-separated)
  KAFKA_BROKERS [kafka:9092]  ES_URL [http://elasticsearch:9200]  ES_USER [elastic]
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timedelta

import pendulum
from airflow import DAG
from airflow.operators.python import PythonOperator
from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sensors.date_time import DateTimeSensor
from airflow.timetables.trigger import CronTriggerTimetable
from docker.types import Mount

TZ = pendulum.timezone("Asia/Seoul")
# Cron *trigger* timetables: a run starts at the cron time and its logical date is that time
# (today 08:50 KST), not the end of a data interval one schedule period later.
PIPELINE_CRON = "50 8 * * 1-5"
WATCHDOG_CRON = "*/5 * * * *"
START = datetime(2026, 1, 1, tzinfo=TZ)
EXIT_CLOSED = 3  # lib/app.h: outside the collection window / not a trading day

ENV = os.environ.get
IMAGE_PREFIX = ENV("TICKPIPE_IMAGE_PREFIX", "tickpipe")
TAG = ENV("TICKPIPE_TAG", "latest")
DOCKER_URL = ENV("TICKPIPE_DOCKER_URL", "unix://var/run/docker.sock")
NETWORK = ENV("TICKPIPE_DOCKER_NETWORK", "tickpipe_default")
SECRETS_DIR = ENV("TICKPIPE_SECRETS_DIR", "/etc/tickpipe/secrets")
ALERT_EMAIL = [a.strip() for a in ENV("TICKPIPE_ALERT_EMAIL", "").split(",") if a.strip()]

COMMON_ENV = {
    "KAFKA_BROKERS": ENV("KAFKA_BROKERS", "kafka:9092"),
    "TICKPIPE_LOG_LEVEL": ENV("TICKPIPE_LOG_LEVEL", "info"),
    "TICKPIPE_METRICS_PORT": "9100",
}
ES_ENV = {
    "ES_URL": ENV("ES_URL", "http://elasticsearch:9200"),
    "ES_USER": ENV("ES_USER", "elastic"),
    "ES_PASSWORD_FILE": "/run/secrets/es_password",
}
ALERT_ENV = {
    "SMTP_URL": ENV("SMTP_URL", ""),
    "SMTP_USER": ENV("SMTP_USER", ""),
    "SMTP_PASSWORD_FILE": "/run/secrets/smtp_password",
    "MAIL_FROM": ENV("MAIL_FROM", "tickpipe@localhost"),
    "MAIL_TO": ENV("MAIL_TO", ""),
    "WEBHOOK_URL_FILE": "/run/secrets/webhook_url",
}

# Per stage: image, arguments, environment. The collector uses its default --outside-hours
# exit, so a holiday or a late start ends the task at once with code 3 (skipped).
STAGES = {
    "collector": {
        "image": "collector",
        "command": ["--outside-hours", "exit"],
        "environment": {
            "KIS_SYMBOLS": ENV("KIS_SYMBOLS", "005930,000660"),
            "FINNHUB_SYMBOLS": ENV("FINNHUB_SYMBOLS", ""),
            "TICKPIPE_WINDOW": "08:50-16:00",
            "MONGO_URI_FILE": "/run/secrets/mongo_uri",
            "KIS_APPKEY_FILE": "/run/secrets/kis_appkey",
            "KIS_SECRET_FILE": "/run/secrets/kis_secret",
            "FINNHUB_TOKEN_FILE": "/run/secrets/finnhub_token",
        },
        "skip_on_exit_code": EXIT_CLOSED,
    },
    "vwap-stream": {"image": "vwap-stream", "command": [], "environment": {}},
    "anomaly-router": {
        "image": "anomaly-router",
        "command": [],
        "environment": {"PG_DSN_FILE": "/run/secrets/pg_dsn", **ALERT_ENV},
    },
    "es-sink": {"image": "es-sink", "command": [], "environment": dict(ES_ENV)},
}

# Stop order at the close: input first, then the processors after a drain, the sink last.
STOP_WAVES = [("collector",), ("vwap-stream", "anomaly-router"), ("es-sink",)]
DRAIN_SECONDS = 60
STOP_GRACE_SECONDS = 15  # the programs exit within 10 s of SIGTERM

CONTAINER_SUFFIX = "{{ data_interval_end.in_timezone('Asia/Seoul').strftime('%Y%m%d-%H%M') }}"


def image(name: str) -> str:
    return "%s/%s:%s" % (IMAGE_PREFIX, name, TAG)


def task_id(stage: str) -> str:
    return stage.replace("-", "_")


def container_name(stage: str, suffix: str = CONTAINER_SUFFIX) -> str:
    return "tickpipe-%s-%s" % (stage, suffix)


def secrets_mount() -> list[Mount]:
    return [Mount(target="/run/secrets", source=SECRETS_DIR, type="bind", read_only=True)]


def docker_task(task: str, stage: str, command: list[str], environment: dict,
                private_environment: dict | None = None, **kwargs) -> DockerOperator:
    """One program in its image; secrets only as mounted files or private_environment."""
    return DockerOperator(
        task_id=task,
        image=image(stage),
        command=command or None,
        environment={**COMMON_ENV, **environment},
        private_environment=private_environment or {},
        mounts=secrets_mount(),
        docker_url=DOCKER_URL,
        network_mode=NETWORK,
        auto_remove="force",
        mount_tmp_dir=False,
        do_xcom_push=False,
        xcom_all=False,
        retrieve_output=False,
        tty=False,
        **kwargs,
    )


def stop_containers(names: list[str], delay: int = 0, **context) -> list[str]:
    """SIGTERM the named containers (docker stop), waiting `delay` seconds first.

    A container that is already gone (exited and auto-removed, or never started because its
    task was skipped) is fine. Returns nothing to XCom (do_xcom_push=False)."""
    import docker
    from docker.errors import NotFound

    if delay:
        time.sleep(delay)
    client = docker.APIClient(base_url=DOCKER_URL)
    stopped = []
    for name in names:
        try:
            client.stop(name, timeout=STOP_GRACE_SECONDS)
            stopped.append(name)
        except NotFound:
            print("container %s not running" % name)
    print("stopped: %s" % ", ".join(stopped) if stopped else "nothing to stop")
    return stopped


DEFAULT_ARGS = {
    "owner": "tickpipe",
    "email": ALERT_EMAIL,
    "email_on_failure": bool(ALERT_EMAIL),
    "email_on_retry": False,
    "retries": 0,
}

with DAG(
    dag_id="tickpipe_pipeline",
    description="tickpipe stages during the KRX collection window (08:50-16:00 KST)",
    schedule=CronTriggerTimetable(PIPELINE_CRON, timezone=TZ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["tickpipe"],
    doc_md=__doc__,
) as pipeline:
    stage_tasks = {}
    for stage, spec in STAGES.items():
        stage_tasks[stage] = docker_task(
            task_id(stage),
            spec["image"],
            spec["command"],
            spec["environment"],
            container_name=container_name(stage),
            skip_on_exit_code=spec.get("skip_on_exit_code"),
            # A safety net past the close: the stop chain normally ends the task by 16:02.
            execution_timeout=timedelta(hours=7, minutes=45),
        )

    close = DateTimeSensor(
        task_id="wait_for_close",
        target_time="{{ data_interval_end.in_timezone('Asia/Seoul')"
                    ".replace(hour=16, minute=0, second=0, microsecond=0).isoformat() }}",
        mode="reschedule",
        poke_interval=60,
        timeout=9 * 3600,
        do_xcom_push=False,
    )
    previous = close
    for i, wave in enumerate(STOP_WAVES):
        stop = PythonOperator(
            task_id="stop_" + "_".join(task_id(s) for s in wave),
            python_callable=stop_containers,
            op_kwargs={"names": [container_name(s) for s in wave], "delay": DRAIN_SECONDS if i == 1 else 0},
            do_xcom_push=False,
        )
        previous >> stop
        previous = stop

with DAG(
    dag_id="tickpipe_watchdog",
    description="watchdog --once: freshness of ticks, bars, Elasticsearch, the raw archive, lag",
    schedule=CronTriggerTimetable(WATCHDOG_CRON, timezone=TZ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=5),
    default_args={**DEFAULT_ARGS, "email_on_failure": True},
    tags=["tickpipe"],
) as watchdog_dag:
    docker_task(
        "watchdog_once",
        "watchdog",
        ["--once"],
        {
            "TICKPIPE_METRICS_PORT": "0",  # a one-shot check serves no metrics
            "TICKPIPE_TICKS_TOPIC": "ticks",
            "TICKPIPE_BARS_TOPIC": "bars",
            "MONGO_URI_FILE": "/run/secrets/mongo_uri",
            "PG_DSN_FILE": "/run/secrets/pg_dsn",
            **ES_ENV,
            **ALERT_ENV,
        },
        # A fresh container name per run, so a slow check never collides with the next.
        container_name="tickpipe-watchdog-{{ ts_nodash }}",
        # The exit code is the verdict: 1 stale, 2 could not check -> the task fails and mails;
        # 3 outside the collection window or a holiday -> skipped.
        skip_on_exit_code=EXIT_CLOSED,
        execution_timeout=timedelta(minutes=4),
    )
