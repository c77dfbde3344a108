"""deploy/airflow/tickpipe_dag.py loads in a real Airflow and schedules what users expect.

Airflow is heavy and conflicts with the test environment's packages, so it lives in its own
virtualenv (.cache/airflow-venv, from the fully pinned deploy/airflow/requirements.txt,
created once and reused while that file is unchanged). deploy/airflow/inspect_dags.py runs
inside it: DagBag loads the folder (no metadata database, no Docker), templates are rendered
for a Monday 08:50 KST run, and the timetables are asked for their next runs; the JSON it
writes is checked here.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AIRFLOW_DIR = os.path.join(ROOT, "deploy", "airflow")
REQUIREMENTS = os.path.join(AIRFLOW_DIR, "requirements.txt")
VENV = os.path.join(ROOT, ".cache", "airflow-venv")
RUN_AT = "2026-11-23T08:50:00+09:00"  # a Monday
PROBE = "next_runs_after_2026-11-27T17:00:00+09:00"  # a Friday after the close
STAGES = {"collector": "collector", "vwap_stream": "vwap-stream", "es_sink": "es-sink",
          "anomaly_router": "anomaly-router"}


def venv_python():
    """The Airflow virtualenv's python, (re)built when the requirements changed."""
    py = os.path.join(VENV, "bin", "python")
    stamp = os.path.join(VENV, ".requirements.sha256")
    with open(REQUIREMENTS, "rb") as f:
        want = hashlib.sha256(f.read()).hexdigest()
    if os.path.exists(py) and os.path.exists(stamp) and open(stamp).read() == want:
        return py
    shutil.rmtree(VENV, ignore_errors=True)
    base = shutil.which("python3.11") or sys.executable
    print("creating %s (pip install -r %s, about a minute)" % (VENV, REQUIREMENTS), file=sys.stderr)
    subprocess.run([base, "-m", "venv", VENV], check=True)
    subprocess.run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps",
                    "-r", REQUIREMENTS], check=True, timeout=900)
    with open(stamp, "w") as f:
        f.write(want)
    return py


def inspect(folder, out, tmp_path, extra_env=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(tmp_path / "airflow-home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "TICKPIPE_ALERT_EMAIL": "ops@example.org,oncall@example.org",
        "TICKPIPE_SECRETS_DIR": "/srv/tickpipe/secrets",
    })
    env.update(extra_env or {})
    r = subprocess.run([venv_python(), os.path.join(AIRFLOW_DIR, "inspect_dags.py"), folder, str(out), RUN_AT],
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    with open(out) as f:
        return json.load(f)


@pytest.fixture(scope="module")
def dags(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("airflow")
    return inspect(AIRFLOW_DIR, tmp / "dags.json", tmp)


def test_dagbag_has_no_import_errors(dags):
    assert dags["import_errors"] == {}
    assert set(dags["dags"]) == {"tickpipe_pipeline", "tickpipe_watchdog"}


def test_a_broken_dag_file_is_reported(tmp_path):
    # The check above can fail: a DAG file that does not import shows up as an import error.
    folder = tmp_path / "dags"
    folder.mkdir()
    with open(os.path.join(AIRFLOW_DIR, "tickpipe_dag.py")) as f:
        text = f.read()
    (folder / "tickpipe_dag.py").write_text(text.replace("from docker.types import Mount",
                                                         "from docker.types import NoSuchThing"))
    result = inspect(str(folder), tmp_path / "out.json", tmp_path)
    assert list(result["import_errors"]) and "NoSuchThing" in list(result["import_errors"].values())[0]


def test_pipeline_schedule_weekdays_0850_seoul(dags):
    p = dags["dags"]["tickpipe_pipeline"]
    assert p["schedule"] == "50 8 * * 1-5"
    assert p["timezone"] == "Asia/Seoul"
    assert p["catchup"] is False
    assert p["max_active_runs"] == 1
    # After Friday's close the next runs are Monday, Tuesday, Wednesday at 08:50 KST.
    assert p[PROBE] == ["2026-11-30T08:50:00+09:00", "2026-12-01T08:50:00+09:00", "2026-12-02T08:50:00+09:00"]


def test_one_docker_task_per_stage(dags):
    tasks = dags["dags"]["tickpipe_pipeline"]["tasks"]
    docker = {t: v for t, v in tasks.items() if v["operator"] == "DockerOperator"}
    assert set(docker) == set(STAGES)
    for task, prog in STAGES.items():
        t = docker[task]
        assert t["image"] == "tickpipe/%s:latest" % prog
        assert t["container_name"] == "tickpipe-%s-20261123-0850" % prog
        assert t["auto_remove"] == "force"
        assert t["do_xcom_push"] is False and t["xcom_all"] is False and t["retrieve_output"] is False
        assert t["mount_tmp_dir"] is False
        assert t["network_mode"] == "tickpipe_default"
        assert t["email_on_failure"] is True and t["email"] == ["ops@example.org", "oncall@example.org"]
        assert t["upstream"] == []
        assert t["environment"]["KAFKA_BROKERS"] == "kafka:9092"
    assert docker["collector"]["command"] == ["--outside-hours", "exit"]
    assert docker["collector"]["skip_on_exit_code"] == [3]
    for task in ("vwap_stream", "es_sink", "anomaly_router"):
        assert docker[task]["command"] is None  # the image's entrypoint with its defaults
        assert docker[task]["skip_on_exit_code"] is None  # any non-zero exit fails


def test_stages_stop_at_1600_in_pipeline_order(dags):
    tasks = dags["dags"]["tickpipe_pipeline"]["tasks"]
    close = tasks["wait_for_close"]
    assert close["operator"] == "DateTimeSensor"
    assert close["target_time"] == "2026-11-23T16:00:00+09:00"
    assert close["mode"] == "reschedule"
    chain = ["stop_collector", "stop_vwap_stream_anomaly_router", "stop_es_sink"]
    assert tasks[chain[0]]["upstream"] == ["wait_for_close"]
    assert tasks[chain[1]]["upstream"] == [chain[0]]
    assert tasks[chain[2]]["upstream"] == [chain[1]]
    assert tasks[chain[0]]["op_kwargs"]["names"] == ["tickpipe-collector-20261123-0850"]
    assert tasks[chain[1]]["op_kwargs"]["names"] == ["tickpipe-vwap-stream-20261123-0850",
                                                     "tickpipe-anomaly-router-20261123-0850"]
    assert tasks[chain[1]]["op_kwargs"]["delay"] > 0  # the processors drain what the collector sent
    assert tasks[chain[2]]["op_kwargs"]["names"] == ["tickpipe-es-sink-20261123-0850"]
    # The names stopped are exactly the names the stage tasks give their containers.
    stopped = sum((tasks[c]["op_kwargs"]["names"] for c in chain), [])
    started = [tasks[t]["container_name"] for t in STAGES]
    assert sorted(stopped) == sorted(started)
    for t in chain + ["wait_for_close"]:
        assert tasks[t]["do_xcom_push"] is False, t


def test_watchdog_every_five_minutes_fails_and_mails_on_its_exit_code(dags):
    w = dags["dags"]["tickpipe_watchdog"]
    assert w["schedule"] == "*/5 * * * *"
    assert w["timezone"] == "Asia/Seoul"
    assert w["catchup"] is False
    assert w[PROBE] == ["2026-11-27T17:00:00+09:00", "2026-11-27T17:05:00+09:00", "2026-11-27T17:10:00+09:00"]
    (name, t), = w["tasks"].items()
    assert t["operator"] == "DockerOperator"
    assert t["image"] == "tickpipe/watchdog:latest"
    assert t["command"] == ["--once"]
    assert t["skip_on_exit_code"] == [3]  # outside the window: skipped; 1 and 2 fail and mail
    assert t["email_on_failure"] is True and t["retries"] == 0
    assert t["auto_remove"] == "force" and t["do_xcom_push"] is False
    assert t["execution_timeout"] <= 300


def test_secrets_only_as_mounted_files(dags):
    for dag in dags["dags"].values():
        for name, t in dag["tasks"].items():
            if t["operator"] != "DockerOperator":
                continue
            assert t["mounts"] == [{"ReadOnly": True, "Source": "/srv/tickpipe/secrets",
                                    "Target": "/run/secrets", "Type": "bind"}], name
            for key, value in t["environment"].items():
                if any(w in key for w in ("PASSWORD", "SECRET", "TOKEN", "APPKEY", "DSN", "MONGO_URI",
                                          "WEBHOOK_URL", "API_KEY")):
                    assert key.endswith("_FILE") and value.startswith("/run/secrets/"), (name, key)
