"""deploy/kibana: the saved objects es-sink's data is viewed with. No Kibana runs
here, so the NDJSON is validated structurally against what es-sink really
installs (`es-sink templates`): lines parse, references resolve, every field a
panel uses exists in the index template with a fitting type, each data view's
time field is a date. load.sh is run against a recording HTTP endpoint to check
the request it makes (path, multipart file, kbn-xsrf, credentials kept off argv)."""
import http.server
import json
import os
import re
import subprocess
import threading

from conftest import ROOT, run_once

KIBANA = os.path.join(ROOT, "deploy", "kibana")
NUMERIC = {"double", "long", "short", "integer", "float"}


def objects():
    with open(os.path.join(KIBANA, "tickpipe.ndjson")) as f:
        lines = [l for l in f.read().split("\n") if l]
    return [json.loads(l) for l in lines]


def templates():
    r = run_once("es-sink", "templates")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().split("\n")
    out = {}
    for head, body in zip(lines[0::2], lines[1::2]):
        t = json.loads(body)
        out[t["index_patterns"][0]] = t["template"]["mappings"]
    return out


def field_type(mappings, field):
    p = mappings["properties"].get(field)
    if p:
        return p["type"]
    for dt in mappings["dynamic_templates"]:
        (rule,) = dt.values()
        if rule.get("match_pattern") == "regex" and re.match(rule["match"], field):
            return rule["mapping"]["type"]
    return None


def test_lines_parse_and_references_resolve():
    objs = objects()
    ids = {(o["type"], o["id"]) for o in objs}
    assert len(ids) == len(objs), "duplicate ids"
    for o in objs:
        assert o["attributes"].get("title"), o["id"]
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in ids, "%s references missing %s" % (o["id"], ref)
    dash = [o for o in objs if o["type"] == "dashboard"]
    assert len(dash) == 1
    names = {r["name"] for r in dash[0]["references"]}
    panels = json.loads(dash[0]["attributes"]["panelsJSON"])
    assert {p["panelRefName"] for p in panels} == names
    kinds = {r["type"] for r in dash[0]["references"]}
    assert kinds == {"visualization", "search"}


def test_fields_exist_in_index_templates():
    tpl = templates()
    objs = objects()
    patterns = {o["id"]: o["attributes"] for o in objs if o["type"] == "index-pattern"}
    assert set(a["title"] for a in patterns.values()) == {"tickpipe-bars-*", "tickpipe-anomalies-*"}
    for a in patterns.values():
        assert field_type(tpl[a["title"]], a["timeFieldName"]) == "date", a
    used = set()
    for o in objs:
        if o["type"] not in ("visualization", "search"):
            continue
        src = json.loads(o["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert src["indexRefName"] == o["references"][0]["name"]
        mappings = tpl[patterns[o["references"][0]["id"]]["title"]]
        if o["type"] == "search":
            for col in o["attributes"]["columns"]:
                assert field_type(mappings, col), col
            continue
        for agg in json.loads(o["attributes"]["visState"])["aggs"]:
            f = agg["params"].get("field")
            if not f:
                continue
            t = field_type(mappings, f)
            want = {"date_histogram": {"date"}, "terms": {"keyword"}}.get(agg["type"], NUMERIC)
            assert t in want, "%s: %s %s is %s" % (o["id"], agg["type"], f, t)
            used.add(f)
    # The panels: price vs VWAP, volume, moving averages, anomalies.
    assert {"close", "vwap", "volume", "sma_5", "ema_20", "symbol", "kind"} <= used


class Recorder(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.seen.append((self.path, dict(self.headers), body))
        ok = b'{"success":true,"successCount":8}' if "_import" in self.path else b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(ok)

    def log_message(self, *a):
        pass


def test_load_script_posts_the_import(tmp_path):
    srv = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    key = tmp_path / "key"
    key.write_text("c2VjcmV0OmtleQ==\n")
    env = dict(os.environ, KIBANA_URL="http://127.0.0.1:%d/kb" % srv.server_port,
               KIBANA_SPACE="ops", KIBANA_API_KEY_FILE=str(key), ES_INDEX_PREFIX="prod")
    r = subprocess.run(["bash", os.path.join(KIBANA, "load.sh")], env=env, capture_output=True,
                       text=True, timeout=30)
    srv.shutdown()
    assert r.returncode == 0, r.stderr
    (ipath, ih, ibody), (spath, sh, sbody) = Recorder.seen
    assert ipath == "/kb/s/ops/api/saved_objects/_import?overwrite=true"
    assert ih["kbn-xsrf"] and ih["Authorization"] == "ApiKey c2VjcmV0OmtleQ=="
    assert ih["Content-Type"].startswith("multipart/form-data")
    assert b'"title":"prod-bars-*"' in ibody and b'"title":"tickpipe-bars-*"' not in ibody
    assert ibody.count(b'"type":"dashboard"') == 1
    assert spath == "/kb/s/ops/api/kibana/settings"
    assert json.loads(sbody) == {"changes": {"dateFormat:tz": "Asia/Seoul"}}
    assert "c2VjcmV0" not in r.stdout + r.stderr


def test_deploy_copies_match_the_program():
    """deploy/elasticsearch/*.json are what es-sink installs with its defaults."""
    r = run_once("es-sink", "templates", "--index-replicas", "1")
    lines = r.stdout.strip().split("\n")
    for head, body in zip(lines[0::2], lines[1::2]):
        name = head.split("/")[-1]
        with open(os.path.join(ROOT, "deploy", "elasticsearch", name + ".json")) as f:
            assert json.load(f) == json.loads(body), name
