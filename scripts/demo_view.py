#!/usr/bin/env python3
"""The demo's live view: reads `bars` and `anomalies` from Kafka and shows, once a
second, per symbol the last price, cumulative VWAP, moving averages, volume and the
last anomaly, plus the pipeline's health as the watchdog reports it. At the end it
writes a PNG chart (price, VWAP, moving averages) for the busiest symbol and a
summary, and exits 0 only if data flowed end to end (ticks -> bars -> Elasticsearch).

    demo_view.py --brokers B --es-url U --watchdog-url U --duration S --out DIR
"""
import argparse
import json
import os
import sys
import time
import urllib.request
import uuid

from confluent_kafka import Consumer, TopicPartition

CLEAR = "\033[H\033[2J"


def http_get(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except Exception as e:  # unreachable: report, do not crash the view
        return 0, str(e)


def es_count(es_url, pattern):
    st, body = http_get("%s/%s/_count" % (es_url, pattern))
    try:
        return json.loads(body).get("count", 0) if st == 200 else 0
    except ValueError:
        return 0


def topic_total(consumer, topic):
    md = consumer.list_topics(topic, timeout=5).topics.get(topic)
    if not md or md.error:
        return 0
    total = 0
    for p in md.partitions:
        lo, hi = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=5)
        total += hi - lo
    return total


class View:
    def __init__(self, args):
        self.args = args
        self.latest = {}      # symbol -> latest 1m bar
        self.history = {}     # symbol -> [(start, close, cum_vwap, sma, ema)] of final 1m bars
        self.anomaly = {}     # symbol -> last anomaly
        self.n_anomalies = 0
        self.n_bars = 0
        self.c = Consumer({"bootstrap.servers": args.brokers, "group.id": "demo-view-" + uuid.uuid4().hex[:6],
                           "auto.offset.reset": "earliest", "enable.auto.commit": False})
        self.c.subscribe([args.bars_topic, args.anomalies_topic])

    def take(self, msg):
        try:
            v = json.loads(msg.value())
        except ValueError:
            return
        if msg.topic() == self.args.anomalies_topic:
            self.n_anomalies += 1
            self.anomaly[v.get("symbol")] = v
            return
        self.n_bars += 1
        if v.get("window") != "1m":
            return
        sym = v["symbol"]
        self.latest[sym] = v
        if v.get("final"):
            h = self.history.setdefault(sym, {})
            h[v["start"]] = (v["start"], v["close"], v.get("cum_vwap"), v.get("sma_5"), v.get("ema_5"))

    def poll(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            for m in self.c.consume(500, 0.1):
                if not m.error():
                    self.take(m)

    def render(self, elapsed):
        rows = sorted(self.latest.values(), key=lambda b: -b.get("volume", 0))[: self.args.rows]
        st, health = http_get(self.args.watchdog_url + "/health") if self.args.watchdog_url else (0, "")
        ticks = topic_total(self.c, self.args.ticks_topic)
        docs = es_count(self.args.es_url, self.args.es_index)
        out = ["tickpipe demo  %3ds  ticks=%d  bar updates=%d  ES docs=%d  anomalies=%d  e-mails=%d" %
               (elapsed, ticks, self.n_bars, docs, self.n_anomalies, self.mails()),
               "pipeline health (watchdog): %s" % (health.strip().splitlines()[0] if health.strip() else "starting"),
               "",
               "%-8s %10s %12s %12s %12s %10s  %s" % ("symbol", "last", "VWAP", "SMA5", "EMA5", "volume",
                                                   "last anomaly")]
        for b in rows:
            a = self.anomaly.get(b["symbol"])
            out.append("%-8s %10.0f %12.2f %12s %12s %10.0f  %s" % (
                b["symbol"], b["close"], b.get("cum_vwap") or 0,
                "%.2f" % b["sma_5"] if "sma_5" in b else "-", "%.2f" % b["ema_5"] if "ema_5" in b else "-",
                b["volume"], "%s %s" % (a["kind"], a.get("message", ""))[:50] if a else ""))
        return "\n".join(out), ticks, docs

    def mails(self):
        try:
            with open(self.args.mail_log, errors="replace") as f:
                return f.read().count("---------- MESSAGE FOLLOWS ----------")
        except OSError:
            return 0

    def chart(self, path):
        if not self.history:
            return None
        sym = max(self.history, key=lambda s: len(self.history[s]))
        pts = sorted(self.history[sym].values())
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from datetime import datetime, timedelta, timezone
        kst = timezone(timedelta(hours=9))
        t = [datetime.fromtimestamp(p[0] / 1000, kst) for p in pts]
        fig, ax = plt.subplots(figsize=(10, 5))
        ax.plot(t, [p[1] for p in pts], label="close (1m)", color="black", linewidth=1)
        ax.plot(t, [p[2] for p in pts], label="cumulative VWAP", color="tab:blue")
        for i, name in ((3, "SMA 5"), (4, "EMA 5")):
            xs = [(tt, p[i]) for tt, p in zip(t, pts) if p[i] is not None]
            if xs:
                ax.plot([x[0] for x in xs], [x[1] for x in xs], label=name, linestyle="--")
        ax.set_title("%s — price, VWAP and moving averages (KST)" % sym)
        ax.legend()
        fig.autofmt_xdate()
        fig.savefig(path, dpi=100)
        return sym


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", default="127.0.0.1:9092")
    ap.add_argument("--es-url", default="http://127.0.0.1:9200")
    ap.add_argument("--es-index", default="tickpipe-bars-*")
    ap.add_argument("--watchdog-url", default="")
    ap.add_argument("--ticks-topic", default="ticks")
    ap.add_argument("--bars-topic", default="bars")
    ap.add_argument("--anomalies-topic", default="anomalies")
    ap.add_argument("--duration", type=int, default=0, help="seconds; 0 runs until Ctrl-C")
    ap.add_argument("--rows", type=int, default=15)
    ap.add_argument("--mail-log", default="", help="the SMTP sink's log: e-mails received are counted")
    ap.add_argument("--out", default=".cache/demo")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    view, start, tty = View(args), time.time(), sys.stdout.isatty()
    ticks = docs = 0
    try:
        while not args.duration or time.time() - start < args.duration:
            view.poll(1.0)
            elapsed = int(time.time() - start)
            if tty or elapsed % 10 == 0:
                text, ticks, docs = view.render(elapsed)
                print((CLEAR + text) if tty else text.splitlines()[0], flush=True)
    except KeyboardInterrupt:
        pass
    text, ticks, docs = view.render(int(time.time() - start))
    sym = view.chart(os.path.join(args.out, "chart.png"))
    ok = ticks > 0 and view.n_bars > 0 and docs > 0
    summary = text + "\n\nchart: %s\nresult: %s\n" % (
        os.path.join(args.out, "chart.png") + " (" + sym + ")" if sym else "none (no final bars yet)",
        "data flowed end to end" if ok else "FAILED: ticks=%d bars=%d es_docs=%d" % (ticks, view.n_bars, docs))
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(summary)
    print("\n" + summary)
    view.c.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
