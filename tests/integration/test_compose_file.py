"""compose.yml, compose.local.yml, .env.example and the Dockerfiles keep their rules.

No engine is needed: docker-compose (v1, Debian's package) validates the files with
`config -q`, and the rules users rely on are checked on the parsed YAML:
  - no container_name, and no host ports on the programs, so `--scale` works;
  - every service has a healthcheck, every depends_on names a condition, and a
    service_healthy dependency points at a service whose check really checks something;
  - every ${VAR} is documented in .env.example and every documented one is used;
  - secrets reach containers only as files (/run/secrets, NAME_FILE variables);
  - the five program Dockerfiles share one byte-identical build stage (one compile for all),
    run as a non-root user, take the base image as a build argument and have a HEALTHCHECK.
"""
import os
import re
import shutil
import subprocess

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGRAMS = ["collector", "vwap-stream", "es-sink", "anomaly-router", "watchdog"]
SCALABLE = PROGRAMS + ["feed-sim", "collector-sim"]
ONE_SHOT = {"topic-init", "kibana-setup"}
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|TOKEN|APPKEY|API_KEY|DSN|MONGO_URI|WEBHOOK_URL")
SECRET_NAMES = ["es_password", "kibana_password", "mongo_root_password", "mongo_uri", "pg_password",
                "pg_dsn", "smtp_password", "webhook_url", "kis_appkey", "kis_secret", "finnhub_token", "sim_credentials"]


def path(name):
    return os.path.join(ROOT, name)


def load(name):
    with open(path(name)) as f:
        return yaml.safe_load(f)


def variables(text):
    """${VAR...} references outside comments."""
    names = set()
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        names.update(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", line))
    return names


@pytest.fixture(scope="module")
def compose_bin():
    exe = shutil.which("docker-compose")
    if exe is None and os.geteuid() == 0:
        # scripts/setup should install it; until then install it the way containers.md says.
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "docker-compose"],
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), check=True,
                       stdout=subprocess.DEVNULL)
        exe = shutil.which("docker-compose")
    if exe is None:
        pytest.skip("docker-compose is not installed (apt-get install --no-install-recommends docker-compose)")
    return exe


@pytest.fixture(scope="module")
def secrets_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("secrets")
    for s in SECRET_NAMES:
        (d / s).write_text("x")
    return str(d)


@pytest.fixture(scope="module")
def compose():
    return load("compose.yml")


@pytest.fixture(scope="module")
def local():
    return load("compose.local.yml")


def config(compose_bin, secrets_dir, files, extra_env=None):
    args = [compose_bin]
    for f in files:
        args += ["-f", path(f)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    env.update({"SECRETS_DIR": secrets_dir, "COMPOSE_PROFILES": "live,sim,kibana"}, **(extra_env or {}))
    return subprocess.run(args + ["config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture(scope="module")
def local_contexts(tmp_path_factory):
    """Build contexts for compose.local.yml as scripts/podman-env images stages them (the
    deploy/images files; the jars are not needed to validate), so the check runs on a
    fresh checkout too."""
    d = tmp_path_factory.mktemp("images")
    for name in ("kafka", "elasticsearch", "mongo", "postgres"):
        shutil.copytree(os.path.join(ROOT, "deploy", "images", name), str(d / name))
    return str(d)


@pytest.mark.parametrize("files", [["compose.yml"], ["compose.yml", "compose.local.yml"]])
def test_docker_compose_validates(compose_bin, secrets_dir, local_contexts, files):
    r = config(compose_bin, secrets_dir, files, {"LOCAL_IMAGES_DIR": local_contexts})
    assert r.returncode == 0, r.stderr


def test_validation_really_rejects_a_broken_file(compose_bin, secrets_dir, tmp_path):
    # The check above must be able to fail: a depends_on on a missing service is refused.
    broken = load("compose.yml")
    broken["services"]["vwap-stream"]["depends_on"]["no-such-service"] = {"condition": "service_healthy"}
    f = tmp_path / "broken.yml"
    f.write_text(yaml.safe_dump(broken))
    r = config(compose_bin, secrets_dir, [str(f)])
    assert r.returncode != 0
    assert "no-such-service" in r.stderr


def test_every_program_and_the_infrastructure_are_there(compose):
    services = set(compose["services"])
    for s in PROGRAMS + ["feed-sim", "kafka", "topic-init", "elasticsearch", "kibana", "mongo", "postgres"]:
        assert s in services, s
    assert compose["services"]["feed-sim"]["profiles"] == ["sim"]
    assert compose["services"]["collector-sim"]["profiles"] == ["sim"]
    assert compose["services"]["collector"]["profiles"] == ["live"]
    assert "kibana" in compose["services"]["kibana"]["profiles"]
    assert "profiles" not in compose["services"]["vwap-stream"]


def test_no_container_names_and_no_host_ports_on_scalable_services(compose, local):
    for doc in (compose, local):
        for name, svc in doc["services"].items():
            assert "container_name" not in svc, name
            if name in SCALABLE:
                assert "ports" not in svc, name


def test_every_service_has_a_healthcheck(compose):
    for name, svc in compose["services"].items():
        hc = svc.get("healthcheck")
        assert hc and hc.get("test"), name
        assert not hc.get("disable"), name
        if name not in ONE_SHOT:
            # A long-running service's check must test something, not just succeed.
            assert hc["test"] != ["CMD", "true"], name


def test_depends_on_names_conditions_that_fit(compose):
    services = compose["services"]
    seen = 0
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), "%s: depends_on must use the long form with a condition" % name
        for dep, spec in deps.items():
            seen += 1
            assert dep in services, (name, dep)
            cond = spec.get("condition")
            if dep in ONE_SHOT:
                assert cond == "service_completed_successfully", (name, dep)
            else:
                assert cond == "service_healthy", (name, dep)
    assert seen >= 10
    for p in PROGRAMS + ["collector-sim"]:
        assert "topic-init" in services[p]["depends_on"], p
    assert services["collector-sim"]["depends_on"]["feed-sim"]["condition"] == "service_healthy"
    assert "elasticsearch" in services["es-sink"]["depends_on"]
    assert "postgres" in services["anomaly-router"]["depends_on"]


def test_topics_get_enough_partitions_to_scale(compose):
    init = compose["services"]["topic-init"]
    assert init["environment"]["TOPIC_PARTITIONS"] == "${TOPIC_PARTITIONS:-12}"
    assert "--partitions" in init["command"][0]


def test_every_variable_is_documented_and_every_documented_one_used():
    used = set()
    for f in ("compose.yml", "compose.local.yml"):
        with open(path(f)) as fh:
            used |= variables(fh.read())
    with open(path(".env.example")) as fh:
        documented = set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", fh.read(), re.M))
    assert used, "no variables found"
    assert used - documented == set(), "undocumented in .env.example"
    assert documented - used == set(), "documented but unused"


def test_secrets_only_as_files(compose):
    declared = compose["secrets"]
    assert set(declared) == set(SECRET_NAMES)
    for name, spec in declared.items():
        assert spec["file"].endswith("/" + name), name
    for name, svc in compose["services"].items():
        env = svc.get("environment", {})
        assert isinstance(env, dict), name
        mounted = set(svc.get("secrets", []))
        for key, value in env.items():
            if key.endswith("_FILE"):
                m = re.fullmatch(r"/run/secrets/([a-z_]+)", str(value))
                assert m, (name, key, value)
                assert m.group(1) in mounted, "%s: %s points at a secret it does not mount" % (name, key)
            elif SECRET_WORDS.search(key):
                pytest.fail("%s: %s is a secret passed as a plain variable" % (name, key))
        # Nothing leaks through a command line either.
        cmd = " ".join(svc.get("command", []) if isinstance(svc.get("command"), list) else [])
        assert not re.search(r"password=[^$\"]", cmd, re.I), name


def test_programs_are_locked_down(compose):
    for p in PROGRAMS + ["feed-sim", "collector-sim"]:
        svc = compose["services"][p]
        assert svc["read_only"] is True, p
        assert svc["cap_drop"] == ["ALL"], p
        assert "/tmp" in svc["tmpfs"], p
        assert svc["environment"]["KAFKA_BROKERS"] == "kafka:9092", p


def test_local_override_builds_everything_from_the_local_base(local, compose):
    for p in PROGRAMS:
        assert local["services"][p]["build"]["args"]["BASE_IMAGE"].endswith("localhost/debian-base:bookworm}")
        assert compose["services"][p]["build"]["dockerfile"] == p + "/Dockerfile"
    for infra in ("kafka", "elasticsearch", "mongo", "postgres"):
        svc = local["services"][infra]
        assert svc["image"].startswith("localhost/"), infra
        assert os.path.isfile(path("deploy/images/%s/Dockerfile" % infra)), infra
    assert "kibana" not in local["services"]


def dockerfile_stage(text, name):
    m = re.search(r"^FROM \S+ AS %s\n(.*?)(?=^FROM )" % name, text, re.M | re.S)
    assert m, "no %s stage" % name
    return m.group(1)


def test_program_dockerfiles_share_one_build_stage():
    texts = {}
    for p in PROGRAMS:
        with open(path(p + "/Dockerfile")) as f:
            texts[p] = f.read()
    builds = {p: dockerfile_stage(t, "build") + dockerfile_stage(t, "runtime") for p, t in texts.items()}
    first = builds[PROGRAMS[0]]
    for p in PROGRAMS[1:]:
        assert builds[p] == first, "%s/Dockerfile's build/runtime stages differ from collector's" % p
    for p, t in texts.items():
        assert re.search(r"^ARG BASE_IMAGE=debian:bookworm-slim$", t, re.M), p
        assert re.search(r"^USER 10001", t, re.M), p
        assert "HEALTHCHECK" in t, p
        assert 'ENTRYPOINT ["/usr/local/bin/%s"]' % p in t, p
        assert "TICKPIPE_CALENDAR_DIR=/usr/share/tickpipe/calendars" in t, p
    assert "/src/bin/feed-sim" in texts["collector"]
