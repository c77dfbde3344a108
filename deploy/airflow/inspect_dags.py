"""Loads the DAGs in a folder with Airflow's DagBag and prints what they would run, as JSON.

    .cache/airflow-venv/bin/python deploy/airflow/inspect_dags.py deploy/airflow OUT.json [RUN_AT]

RUN_AT (ISO-8601, default a Monday 08:50 KST) is the scheduled time templates are rendered for.

Used by tests/integration/test_airflow_dag.py, which runs it inside the Airflow virtualenv
(Airflow is not in the test environment). Needs no metadata database and no Docker: the
DAG files are parsed, templates rendered against a hand-made context, and the timetables
asked for their next runs.
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")

import pendulum  # noqa: E402
from airflow.models.dagbag import DagBag  # noqa: E402
from airflow.timetables.base import DataInterval, TimeRestriction  # noqa: E402

KST = "Asia/Seoul"


def render(task, value, context):
    return task.render_template(value, context) if isinstance(value, str) else value


def describe_task(task, context):
    info = {
        "operator": type(task).__name__,
        "upstream": sorted(task.upstream_task_ids),
        "do_xcom_push": task.do_xcom_push,
        "email_on_failure": task.email_on_failure,
        "email": task.email,
        "retries": task.retries,
        "execution_timeout": task.execution_timeout.total_seconds() if task.execution_timeout else None,
    }
    if info["operator"] == "DockerOperator":
        info.update({
            "image": task.image,
            "command": task.command,
            "environment": task.environment,
            "private_environment_keys": sorted((task._private_environment or {}).keys()),
            "container_name": render(task, task.container_name, context),
            "auto_remove": task.auto_remove,
            "skip_on_exit_code": sorted(task.skip_on_exit_code) if task.skip_on_exit_code else None,
            "mounts": [dict(m) for m in task.mounts],
            "mount_tmp_dir": task.mount_tmp_dir,
            "network_mode": task.network_mode,
            "xcom_all": task.xcom_all,
            "retrieve_output": task.retrieve_output,
        })
    elif info["operator"] == "DateTimeSensor":
        info.update({"target_time": render(task, task.target_time, context), "mode": task.mode})
    elif info["operator"] == "PythonOperator":
        info.update({"callable": task.python_callable.__name__,
                     "op_kwargs": task.render_template(task.op_kwargs, context)})
    return info


# Friday after the close: the next pipeline run must be Monday 08:50 KST.
PROBE = "2026-11-27T17:00:00+09:00"


def next_runs(dag, after, count=3):
    """run_after of the next `count` scheduled runs once `after` has passed."""
    out, last = [], None
    after = pendulum.parse(after)
    restriction = TimeRestriction(earliest=after, latest=None, catchup=True)
    for _ in range(count):
        info = dag.timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        out.append(info.run_after.in_timezone(KST).isoformat())
        last = info.data_interval
    return out


def main(folder, out_path, run_at):
    bag = DagBag(dag_folder=folder, include_examples=False, read_dags_from_db=False)
    run_at = pendulum.parse(run_at)
    context = {
        "data_interval_end": run_at,
        "ts_nodash": run_at.in_timezone("UTC").strftime("%Y%m%dT%H%M%S"),
    }
    result = {"import_errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
    for dag_id, dag in sorted(bag.dags.items()):
        result["dags"][dag_id] = {
            "schedule": dag.timetable.summary,
            "timezone": dag.timezone.name,
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "next_runs_after_" + PROBE: next_runs(dag, PROBE),
            "tasks": {t.task_id: describe_task(t, context) for t in dag.tasks},
        }
    # A file, not stdout: Airflow logs to stdout while it loads.
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "2026-11-23T08:50:00+09:00")
