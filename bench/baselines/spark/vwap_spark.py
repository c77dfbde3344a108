#!/usr/bin/env python3
"""The vwap-stream computation in Spark Structured Streaming (pyspark 3.5), as
the Spark docs advise for it, for bench/bench_vwap.sh; the same job as
bench/baselines/kstreams (VwapStreams.java):

  updates  ticks -> groupBy(symbol, window(1 min)) with a 2 s watermark,
           outputMode "update": the in-progress 1m bars changed in each
           micro-batch (Kafka Streams: the record cache flushed at each commit)
  daily    ticks -> groupBy(symbol, day, window(1 day from 00:00 KST)),
           "update": the daily bar and the cumulative VWAP of the day
  final    ticks -> the same 1m aggregation, outputMode "append": a bar once
           the watermark passes its end (Kafka Streams: suppress
           untilWindowCloses) -> a parquet file sink, CHECKPOINT_DIR/final-bars
  ind      that file source -> applyInPandasWithState per symbol: SMA/EMA 5/20/60
           (TA-Lib seed), volatility of 20 log returns, golden/dead crosses,
           reset per trading day -> the bars topic with the final bar

Why four queries: a streaming query has one output mode, Spark 3.5 allows
several stateful operators in one query only in append mode, and it refuses
(flatMap|applyInPandas)GroupsWithState after a streaming aggregation; so the
final bars reach the indicator state through a file sink and source (exactly
once and whole batches at a time), where Kafka Streams uses its own internal
topics. Each query reads the ticks itself (three reads of
the ticks topic) and keeps its offsets and state in its checkpoint directory
(exactly-once source offsets and state); the Kafka sink is at-least-once.

usage: vwap_spark.py BROKERS TICKS BARS CHECKPOINT_DIR
           [--trigger-ms 0] [--max-offsets N] [--partitions 6] [--linger-ms 5]
"""
import argparse
import glob
import json
import math
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PERIODS = (5, 20, 60)
VOL = 20


def indicators(key, pdfs, state):
    """One symbol's final bars (JSON) in event-time order -> the same bars
    with the indicators of VwapStreams.IndProc."""
    import pandas as pd
    sym = key[0]
    s = json.loads(state.get[0]) if state.exists else None
    bars = [json.loads(v) for pdf in pdfs for v in pdf["value"]]
    bars.sort(key=lambda b: b["start"])
    out = []
    for b in bars:
        if s is None or s["day"] != b["day"]:
            s = {"day": b["day"], "closes": [], "ema": [0.0] * len(PERIODS), "count": 0,
                 "pf": None, "ps": None}
        c = s["closes"]
        c.append(b["close"])
        if len(c) > 128:
            del c[0]
        s["count"] += 1
        n_all, fast, slow = len(c), None, None
        for k, n in enumerate(PERIODS):
            if s["count"] < n:
                continue
            sma = sum(c[n_all - n:]) / n
            al = 2.0 / (n + 1)
            s["ema"][k] = sma if s["count"] == n else al * b["close"] + (1 - al) * s["ema"][k]
            b["sma_%d" % n] = sma
            b["ema_%d" % n] = s["ema"][k]
            if n == 5:
                fast = sma
            if n == 20:
                slow = sma
        if s["count"] > VOL:
            ret = [math.log(c[n_all - 1 - i] / c[n_all - 2 - i]) for i in range(VOL)]
            mean = sum(ret) / VOL
            b["volatility"] = math.sqrt(sum((x - mean) ** 2 for x in ret) / (VOL - 1))
        # Java compares with NaN (false) while a previous SMA is missing.
        if None not in (fast, slow, s["pf"], s["ps"]):
            if s["pf"] <= s["ps"] and fast > slow:
                b["cross"] = "golden"
            elif s["pf"] >= s["ps"] and fast < slow:
                b["cross"] = "dead"
        s["pf"], s["ps"] = fast, slow
        out.append(json.dumps(b, separators=(",", ":")))
    state.update((json.dumps(s, separators=(",", ":")),))
    yield pd.DataFrame({"key": [sym] * len(out), "value": out})


def main():
    ap = argparse.ArgumentParser()
    for a in ("brokers", "ticks", "bars", "checkpoint"):
        ap.add_argument(a)
    ap.add_argument("--trigger-ms", type=int, default=0)
    ap.add_argument("--max-offsets", type=int, default=0, help="maxOffsetsPerTrigger (0: none)")
    ap.add_argument("--partitions", type=int, default=6, help="spark.sql.shuffle.partitions")
    ap.add_argument("--linger-ms", type=int, default=5)
    ap.add_argument("--driver-memory", default="512m")
    ap.add_argument("--progress", action="store_true", help="a line per micro-batch on stderr")
    ap.add_argument("--queries", default="updates,daily,final,ind", help="a subset, to profile")
    o = ap.parse_args()

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers use this venv too
    jars = sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(sys.executable)),
                                         "kafka-jars", "*.jar")))
    if not jars:
        sys.exit("no connector jars next to %s: run bench/baselines/spark/setup.sh" % sys.executable)
    from pyspark.sql import SparkSession, functions as F
    from pyspark.sql.streaming.state import GroupStateTimeout
    from pyspark.sql.types import (DoubleType, LongType, StringType, StructField, StructType)

    spark = (SparkSession.builder.appName("vwap-spark").master("local[1]")
             .config("spark.jars", ",".join(jars))
             .config("spark.driver.memory", o.driver_memory)
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", str(o.partitions))
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.streaming.noDataMicroBatches.enabled", "true")
             .getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    if o.progress:
        from pyspark.sql.streaming import StreamingQueryListener

        class Progress(StreamingQueryListener):
            def onQueryStarted(self, e):
                pass

            def onQueryProgress(self, e):
                p = e.progress
                print("progress %s batch %d rows %d ms %s" % (
                    p.name, p.batchId, p.numInputRows, json.dumps(p.durationMs)),
                    file=sys.stderr, flush=True)

            def onQueryIdle(self, e):
                pass

            def onQueryTerminated(self, e):
                pass
        spark.streams.addListener(Progress())

    def source(topic):
        r = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", o.brokers)
             .option("subscribe", topic).option("startingOffsets", "earliest")
             .option("failOnDataLoss", "false"))
        if o.max_offsets > 0:
            r = r.option("maxOffsetsPerTrigger", str(o.max_offsets))
        return r.load()

    def sink(df, name, topic, mode):
        return (df.writeStream.queryName(name).format("kafka")
                .option("kafka.bootstrap.servers", o.brokers).option("topic", topic)
                .option("kafka.linger.ms", str(o.linger_ms))
                .option("kafka.compression.type", "lz4")
                .option("checkpointLocation", os.path.join(o.checkpoint, name))
                .outputMode(mode).trigger(processingTime="%d milliseconds" % o.trigger_ms)
                .start())

    tick = StructType([StructField("symbol", StringType()), StructField("day", StringType()),
                       StructField("ts", LongType()), StructField("price", DoubleType()),
                       StructField("qty", DoubleType())])

    def ticks():
        return (source(o.ticks)
                .select(F.from_json(F.col("value").cast("string"), tick).alias("t")).select("t.*")
                .where("symbol IS NOT NULL AND day IS NOT NULL AND ts IS NOT NULL"
                       " AND price IS NOT NULL AND qty IS NOT NULL")
                .withColumn("et", F.timestamp_millis("ts"))
                .withWatermark("et", "2 seconds"))

    def agg(df, *keys):
        day = [] if any(isinstance(k, str) and k == "day" for k in keys) else [F.max_by("day", "ts").alias("day")]
        return df.groupBy(*keys).agg(
            F.min_by("price", "ts").alias("open"), F.max("price").alias("high"),
            F.min("price").alias("low"), F.max_by("price", "ts").alias("close"),
            F.sum("qty").alias("volume"), F.sum(F.col("price") * F.col("qty")).alias("turnover"),
            F.count(F.lit(1)).alias("trades"), *day)

    def bar_json(df, win, final, cum):
        start = F.unix_millis(F.col("window.start"))
        cols = [F.lit(1).alias("v"),
                F.concat_ws("|", "symbol", F.lit(win), start.cast("string")).alias("id"),
                F.col("symbol"), F.lit("KRX").alias("exchange"), F.lit(win).alias("window"),
                start.alias("start"), F.unix_millis(F.col("window.end")).alias("end"),
                F.col("day"), "open", "high", "low", "close", "volume", "turnover",
                F.when(F.col("volume") > 0, F.col("turnover") / F.col("volume"))
                 .otherwise(F.col("close")).alias("vwap"),
                "trades", F.lit(final).alias("final"),
                F.unix_millis(F.current_timestamp()).alias("updated_ts")]
        if cum:  # the daily bar is the day's sums: cumulative VWAP = its VWAP
            cols.append(F.when(F.col("volume") > 0, F.col("turnover") / F.col("volume"))
                        .alias("cum_vwap"))
        return df.select(F.col("symbol").alias("key"), F.to_json(F.struct(*cols)).alias("value"))

    minute = F.window("et", "1 minute")
    kst_day = F.window("et", "1 day", "1 day", "15 hours")  # 15:00 UTC = 00:00 KST
    finals = os.path.join(o.checkpoint, "final-bars")
    os.makedirs(finals, exist_ok=True)
    make = {
        "updates": lambda: sink(bar_json(agg(ticks(), "symbol", minute), "1m", False, False),
                                "updates", o.bars, "update"),
        "daily": lambda: sink(bar_json(agg(ticks(), "symbol", "day", kst_day), "1d", False, True),
                              "daily", o.bars, "update"),
        # A file sink commits each micro-batch whole, and a file source reads
        # only committed ones: the indicators see every final bar of a batch
        # at once and in event-time order per symbol (through Kafka they
        # would see a batch's bars as its tasks write them, in any order).
        "final": lambda: (bar_json(agg(ticks(), "symbol", minute), "1m", True, False)
                          .writeStream.queryName("final").format("parquet")
                          .option("path", finals)
                          .option("checkpointLocation", os.path.join(o.checkpoint, "final"))
                          .outputMode("append")
                          .trigger(processingTime="%d milliseconds" % o.trigger_ms).start()),
        "ind": lambda: sink(spark.readStream.schema("key string, value string").parquet(finals)
                            .withColumnRenamed("key", "symbol").groupBy("symbol")
                            .applyInPandasWithState(indicators, "key string, value string",
                                                    "s string", "append",
                                                    GroupStateTimeout.NoTimeout),
                            "ind", o.bars, "append"),
    }
    queries = [make[q]() for q in o.queries.split(",")]

    # SIGTERM/SIGINT only set a flag: a py4j call interrupted by a handler
    # breaks the gateway connection.
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    print("started %d queries" % len(queries), file=sys.stderr, flush=True)
    failed = None
    while not stopping and failed is None:
        time.sleep(0.5)
        failed = next((q for q in queries if not q.isActive), None)
    rc = 0
    if failed is not None and failed.exception():
        print("query %s failed: %s" % (failed.name, failed.exception()), file=sys.stderr)
        rc = 1
    for q in queries:
        try:
            q.stop()
        except Exception:
            pass
    spark.stop()
    sys.exit(rc)


if __name__ == "__main__":
    main()
