#!/usr/bin/env python3
"""Helpers for bench/bench_vwap.sh (tickpipe and the baselines get the same data).

  vwap_tools.py topics SUFFIX PARTS            create bench topics (bars with LogAppendTime)
  vwap_tools.py produce TOPIC N SYMBOLS        N ticks in tick_encode's layout, as fast as possible
  vwap_tools.py rate PORT N PID                ticks/s from vwap-stream's ticks_total, CPU s used
  vwap_tools.py groupdone GROUP TOPIC PID      ticks/s from a group's committed offsets (baselines)
  vwap_tools.py sparkdone CKPT TICKS PID       the same from Spark's checkpoints (no group)
  vwap_tools.py sparkready CKPT N              waits until N Spark queries have started
  vwap_tools.py latency TICKS BARS RATE SECS SYMBOLS [PID]   produce at RATE/s, then
                                               p50/p99 ms (+ p50/p99 from the tick's append)
                                               and the CPU shares while producing (see Load)
  vwap_tools.py warmup TICKS RATE SECS SYMBOLS         ticks the latency result leaves out
  vwap_tools.py sparkwait CKPT TICKS                   until Spark has committed all ticks
  vwap_tools.py sparklatency CKPT TICKS BARS RATE SECS SYMBOLS [PID]   latency, Spark
  vwap_tools.py floor TICKS RATE SECS SYMBOLS          the same producer's own produce->append
  vwap_tools.py restartbar TICKS BARS N SYMBOLS T0_NS PID   one new tick after produce's N ticks;
                                               ms from T0_NS (a restart's start) to its bar

Latency: each tick's event time is its produce time and its price encodes the
produce time in microseconds (mod 1e9), so a bar update's close tells which
tick it reflects; the bars topic uses LogAppendTime, so the message timestamp is
when the update landed in `bars`. latency = append time - tick produce time.
The ticks topic is switched to LogAppendTime too, so the same run also gives
bar append - tick append: the processor and the broker without the harness's
own producer queueing (1 ms resolution: Kafka timestamps are milliseconds).
"""
import glob
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

B = "127.0.0.1:9092"
KST = 9 * 3600 * 1000
FMT = ('{"v":1,"id":"sim|%s|%d","source":"sim","symbol":"%s","exchange":"KRX","ts":%d,'
       '"day":"%s","price":%d,"qty":%d,"cum_volume":%d,"cum_turnover":%d}')


def kst_day(ms):
    return time.strftime("%Y-%m-%d", time.gmtime((ms + KST) / 1000))


def topics(suffix, parts):
    a = AdminClient({"bootstrap.servers": B})
    # The throughput data is dated 2026-11-20: keep it past the broker's
    # 7-day time-based retention.
    new = [NewTopic("bench_vs_ticks_" + suffix, int(parts), 1, config={"retention.ms": "-1"}),
           NewTopic("bench_vs_bars_" + suffix, int(parts), 1,
                    config={"message.timestamp.type": "LogAppendTime"}),
           NewTopic("bench_vs_ksbars_" + suffix, int(parts), 1,
                    config={"message.timestamp.type": "LogAppendTime"}),
           NewTopic("bench_vs_sparkbars_" + suffix, int(parts), 1,
                    config={"message.timestamp.type": "LogAppendTime"}),
           NewTopic("bench_vs_dlq_" + suffix, 1, 1)]
    for f in a.create_topics(new).values():
        f.result(30)


def producer(linger=50):
    return Producer({"bootstrap.servers": B, "linger.ms": linger, "compression.type": "lz4",
                     "batch.size": 1000000, "queue.buffering.max.messages": 2000000,
                     "enable.idempotence": True})


def session(n, nsym):
    """The simulated KRX session `produce` writes: from 2026-11-20 09:00 KST,
    about ten trades per symbol and minute (the full size fills 09:00-15:30),
    so the mix of updates and final bars per tick is the same at every
    BENCH_SCALE. Returns (first event time, trading day, span in ms)."""
    return 1795132800000, "2026-11-20", min(23400000, n * 60000 // (nsym * 10))


def produce(topic, n, nsym):
    n, nsym = int(n), int(nsym)
    p = producer()
    base, day, span = session(n, nsym)
    cum = [[0, 0] for _ in range(nsym)]
    for i in range(n):
        k = i % nsym
        s = "%06d" % (100000 + k)
        price, qty = 10000 + (i * 7919 % 50) * 10, 1 + i % 97
        c = cum[k]
        c[0] += qty
        c[1] += price * qty
        v = FMT % (s, i, s, base + i * span // n, day, price, qty, c[0], c[1])
        while True:
            try:
                p.produce(topic, v.encode(), key=s.encode())
                break
            except BufferError:
                p.poll(0.05)
        if i % 20000 == 0:
            p.poll(0)
    assert p.flush(300) == 0


def cpu_seconds(pid):
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def hwm_kb(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmHWM"):
            return int(line.split()[1])
    return 0


def rss_kb(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    return 0


def rate(port, n, pid):
    """Polls tickpipe_vwap_stream_ticks_total; prints rate, CPU s/tick, peak RSS KB."""
    n = int(n)

    def count():
        try:
            text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=2).read()
        except OSError:
            return -1
        for line in text.decode().splitlines():
            if line.startswith("tickpipe_vwap_stream_ticks_total"):
                return float(line.split()[-1])
        return -1
    first, deadline = None, time.time() + 900
    while time.time() < deadline and os.path.exists("/proc/%s" % pid):  # gone: it failed
        c = count()
        if c > 0 and first is None:
            first = (time.time(), c, cpu_seconds(pid))
        if c >= n:
            dt, dn = time.time() - first[0], c - first[1]
            print("%.0f %.4f %d" % (dn / dt, (cpu_seconds(pid) - first[2]) * 1e6 / dn,
                                    hwm_kb(pid)))
            return
        time.sleep(0.01)
    print("0 0 0")


def groupdone(group, topic, pid):
    """For the baselines: rate from committed offsets of their group."""
    c = Consumer({"bootstrap.servers": B, "group.id": group})
    md = c.list_topics(topic, timeout=10).topics[topic].partitions
    tps = [TopicPartition(topic, p) for p in md]
    end = sum(c.get_watermark_offsets(tp, timeout=10)[1] for tp in tps)
    first, deadline = None, time.time() + 900
    while time.time() < deadline:
        got = sum(max(0, tp.offset) for tp in c.committed(tps, timeout=10))
        if got > 0 and first is None:
            first = (time.time(), got, cpu_seconds(pid))
        if got >= end:
            dt = max(1e-3, time.time() - first[0])
            dn = max(1, got - first[1])
            print("%.0f %.4f %d" % (dn / dt, (cpu_seconds(pid) - first[2]) * 1e6 / dn,
                                    hwm_kb(pid)))
            c.close()
            return
        time.sleep(0.05)
    c.close()
    print("0 0 0")


def proc_tree(pid):
    """pid and its descendants (Spark: python driver -> JVM -> python workers)."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [int(pid)]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def tree_cpu(pids):
    """CPU s of live processes, with their reaped children's (exited workers)."""
    t = 0.0
    for p in pids:
        try:
            f = open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()
            t += sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return t


def spark_committed(qdir, topic):
    """Sum of the end offsets of `topic` in the last committed micro-batch."""
    try:
        done = [int(f) for f in os.listdir(os.path.join(qdir, "commits")) if f.isdigit()]
        if not done:
            return 0
        lines = open(os.path.join(qdir, "offsets", str(max(done)))).read().splitlines()
    except OSError:
        return 0
    n = 0
    for line in lines[2:]:
        src = json.loads(line) if line.startswith("{") else {}
        n += sum(src.get(topic, {}).values())
    return n


def spark_files(ckpt, read):
    """Names of the final-bar files the file sink committed (read False), or
    that the indicator query's file source took in committed batches."""
    def entries(d):
        for f in os.listdir(d) if os.path.isdir(d) else []:
            if f.split(".")[0].isdigit():
                for line in open(os.path.join(d, f)).read().splitlines():
                    if line.startswith("{"):
                        yield json.loads(line)
    if not read:
        return {os.path.basename(e["path"]) for e in
                entries(os.path.join(ckpt, "final-bars", "_spark_metadata"))}
    try:
        last = max(int(f) for f in os.listdir(os.path.join(ckpt, "ind", "commits")) if f.isdigit())
    except (OSError, ValueError):
        return set()
    return {os.path.basename(e["path"]) for e in
            entries(os.path.join(ckpt, "ind", "sources", "0")) if e.get("batchId", 0) <= last}


def sparkready(ckpt, n):
    deadline = time.time() + 300
    while time.time() < deadline:
        if len(glob.glob(os.path.join(ckpt, "*", "metadata"))) >= int(n):
            return
        time.sleep(0.2)
    sys.exit("spark queries did not start")


def sparkdone(ckpt, topic, pid):
    """For the Spark baseline: the groupdone measure on the progress its
    checkpoints record (Spark commits no group offsets): processed = the least
    of what the queries reading the ticks committed; from the first poll where
    all have committed a batch until all ticks are committed and the indicator
    query has read every batch of final bars written by then. Prints rate, CPU
    us/tick (process tree), peak RSS KB (the JVM's VmHWM plus the peak of the
    summed VmRSS of the python driver and workers, sampled every 50 ms), then the rate over all ticks from the start
    of the first micro-batch (offsets/0 written) and the JVM's own VmHWM."""
    c = Consumer({"bootstrap.servers": B, "group.id": "sparkdone-%d" % os.getpid()})

    def end_of(t):
        md = c.list_topics(t, timeout=10).topics[t].partitions
        return sum(c.get_watermark_offsets(TopicPartition(t, p), timeout=10)[1] for p in md)
    end = end_of(topic)
    java, others = [0], [0]  # the JVM's VmHWM; the peak sum of the others' VmRSS
    first, ticks_done, int_end, deadline = None, None, None, time.time() + 1800

    def sample():
        pids, rest = proc_tree(pid), 0
        for p in pids:
            try:
                if open("/proc/%s/comm" % p).read().strip() == "java":
                    java[0] = max(java[0], hwm_kb(p))
                else:
                    rest += rss_kb(p)
            except OSError:
                pass
        others[0] = max(others[0], rest)
        return pids
    while time.time() < deadline:
        pids = sample()
        qdirs = [os.path.join(ckpt, q) for q in ("updates", "daily", "final")]
        got = min(spark_committed(q, topic) for q in qdirs)
        if got > 0 and first is None:
            first = (time.time(), got, tree_cpu(pids))
        if got >= end and ticks_done is None:
            ticks_done, int_end = time.time(), spark_files(ckpt, False)
        if ticks_done is not None and int_end <= spark_files(ckpt, True):
            now = time.time()
            dt, dn = max(1e-3, now - first[0]), max(1, got - first[1])
            try:
                t_start = min(os.path.getmtime(os.path.join(q, "offsets", "0")) for q in qdirs)
            except OSError:
                t_start = first[0]
            print("%.0f %.4f %d %.0f %d" % (dn / dt, (tree_cpu(pids) - first[2]) * 1e6 / dn,
                                           java[0] + others[0], end / (now - t_start), java[0]))
            c.close()
            return
        time.sleep(0.05)
    c.close()
    print("0 0 0 0 0")


def broker_pid():
    """The local stack's Kafka (scripts/stack's pid file), or None."""
    run = os.environ.get("TICKPIPE_STACK_DIR",
                         os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.cache/run"))
    try:
        pid = int(open(os.path.join(run, "pids", "kafka.pid")).read())
        return pid if "kafka" in open("/proc/%d/cmdline" % pid).read() else None
    except (OSError, ValueError):
        return None


def machine_ticks():
    """(busy, steal) clock ticks of all CPUs from /proc/stat."""
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[0] + f[1] + f[2] + f[5] + f[6], f[7]


class Load:
    """CPU shares (% of one core) over the paced window: the process under
    test (with its children), the broker, the tick producer (our child, by
    rusage), the whole machine busy, and what the hypervisor stole. On a
    2-core machine busy + steal near 200% means the latency measures a
    saturated machine, not the processor alone."""

    def __init__(self, pid):
        self.pids = proc_tree(pid) if pid and int(pid) > 0 else []
        self.broker = broker_pid()

    def __enter__(self):
        self.t = time.time()
        self.proc = tree_cpu(self.pids)
        self.brk = tree_cpu([self.broker]) if self.broker else 0.0
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.kids = ru.ru_utime + ru.ru_stime
        self.mach = machine_ticks()
        return self

    def __exit__(self, *exc):
        dt = max(1e-3, time.time() - self.t)
        hz = os.sysconf("SC_CLK_TCK")
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy, steal = machine_ticks()
        pct = lambda v: round(100.0 * v / dt, 1)
        self.shares = (pct(tree_cpu(self.pids) - self.proc) if self.pids else -1,
                       pct(tree_cpu([self.broker]) - self.brk) if self.broker else -1,
                       pct(ru.ru_utime + ru.ru_stime - self.kids),
                       pct((busy - self.mach[0]) / hz), pct((steal - self.mach[1]) / hz))
        return False

    def line(self):
        return " ".join("%g" % v for v in self.shares)


def paced_ticks(ticks, rate_s, secs, nsym, first_sym=100000):
    """Produces ticks at rate_s/s; each price encodes its produce time (µs).
    bench/tickpace.c does it ($TICKPACE, built by make bench): a Python
    producer at 50,000/s took most of a core from the broker and the
    processor on the 2-core machine, and its own queueing set the p99."""
    pace = os.environ.get("TICKPACE", "build/release/bench/tickpace")
    out = subprocess.run([pace, B, ticks, str(rate_s), str(secs), str(nsym), str(first_sym)],
                         check=True, stdout=subprocess.PIPE, text=True)
    return int(out.stdout)


def records(topic, group_prefix, idle_s=5.0, poll_s=0.2):
    """Every record of topic from the start, in a fresh group, until none came
    for idle_s seconds (the bench's writers have stopped by then)."""
    c = Consumer({"bootstrap.servers": B, "group.id": "%s-%d-%s" % (group_prefix, os.getpid(), topic),
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    idle = time.time()
    try:
        while time.time() - idle < idle_s:
            m = c.poll(poll_s)
            if m is None or m.error():
                continue
            idle = time.time()
            yield m
    finally:
        c.close()


def append_latencies(topic, field, skip_final, tick_appends=None):
    """ms from the encoded produce time to each record's LogAppendTime; with
    tick_appends (price -> the tick's append time) also ms from the tick's
    append, returned as a second list."""
    lat, from_append = [], []
    for m in records(topic, "lat"):
        b = json.loads(m.value())
        if skip_final and b.get("final"):
            continue  # a final bar's close may be a minute old: updates measure latency
        if b.get("symbol", "").startswith("9"):
            continue  # a warm-up tick's
        enc = int(b[field]) - 1
        d = (m.timestamp()[1] * 1000 - enc + 500000000) % 1000000000 - 500000000
        lat.append(d / 1000.0)
        if tick_appends is not None and b[field] in tick_appends:
            from_append.append(m.timestamp()[1] - tick_appends[b[field]])
    lat.sort()
    from_append.sort()
    return (lat, from_append) if tick_appends is not None else lat


def report_line(lat, n):
    if not lat:
        return "0 0 0 %d" % n
    return "%.3f %.3f %d %d" % (lat[len(lat) // 2], lat[int(len(lat) * 0.99)], len(lat), n)


def log_append_time(topic):
    """Switches topic to LogAppendTime: its timestamps become the broker's."""
    from confluent_kafka.admin import AlterConfigOpType, ConfigEntry, ConfigResource
    a = AdminClient({"bootstrap.servers": B})
    e = ConfigEntry("message.timestamp.type", "LogAppendTime",
                    incremental_operation=AlterConfigOpType.SET)
    for f in a.incremental_alter_configs([ConfigResource("topic", topic,
                                                         incremental_configs=[e])]).values():
        f.result(30)
    time.sleep(1)


def append_times(topic):
    """price -> the tick's LogAppendTime (ms) for every tick in topic."""
    return {json.loads(m.value())["price"]: m.timestamp()[1] for m in records(topic, "lat-t")}


def cleanup(suffix):
    """Deletes every topic of one bench run (its suffix), Kafka Streams'
    changelog and repartition topics included: a broker that keeps the
    millions of ticks of every earlier run gets slower for the next one."""
    a = AdminClient({"bootstrap.servers": B})
    names = [t for t in a.list_topics(timeout=10).topics if suffix in t]
    for f in (a.delete_topics(names).values() if names else []):
        try:
            f.result(30)
        except Exception as e:  # noqa: BLE001 — best effort, the run is over
            print("cleanup: %s" % e, file=sys.stderr)
    print("bench cleanup: deleted %d topics" % len(names), file=sys.stderr)


def latency(ticks, bars, rate_s, secs, nsym, pid=0):
    """Two measures over the same run: from the tick's produce call (what a
    client sees, the harness's own queueing included) and from the tick's
    append to `ticks` (the stream processor and the broker alone). Then the
    Load shares while the ticks were produced (-1: not measured)."""
    log_append_time(ticks)
    with Load(pid) as load:
        n = paced_ticks(ticks, float(rate_s), float(secs), int(nsym))
    time.sleep(3)
    lat, from_append = append_latencies(bars, "close", True, append_times(ticks))
    fa = from_append or [0]
    print("%s %d %d %s" % (report_line(lat, n), fa[len(fa) // 2], fa[int(len(fa) * 0.99)],
                           load.line()))


def warmup(ticks, rate_s, secs, nsym):
    """Ticks of symbols 9xxxxx, which the latency result leaves out: for an
    engine whose first micro-batches plan, generate code and JIT-compile."""
    paced_ticks(ticks, float(rate_s), float(secs), int(nsym), 900000)


def sparkwait(ckpt, ticks, timeout=900):
    """Until the Spark queries reading `ticks` have committed all of it."""
    c = Consumer({"bootstrap.servers": B, "group.id": "sparkwait-%d" % os.getpid()})
    md = c.list_topics(ticks, timeout=10).topics[ticks].partitions
    end = sum(c.get_watermark_offsets(TopicPartition(ticks, p), timeout=10)[1] for p in md)
    c.close()
    deadline = time.time() + float(timeout)
    while time.time() < deadline:
        if min(spark_committed(os.path.join(ckpt, q), ticks)
               for q in ("updates", "daily", "final")) >= end:
            return True
        time.sleep(0.1)
    return False


def sparklatency(ckpt, ticks, bars, rate_s, secs, nsym, pid=0):
    """latency for Spark: a micro-batch may run longer than the 5 s without
    output after which the bars are taken as complete, so first wait until
    its checkpoints have committed every tick. The same measures."""
    log_append_time(ticks)
    with Load(pid) as load:
        n = paced_ticks(ticks, float(rate_s), float(secs), int(nsym))
    sparkwait(ckpt, ticks)
    time.sleep(1)
    lat, from_append = append_latencies(bars, "close", True, append_times(ticks))
    fa = from_append or [0]
    print("%s %d %d %s" % (report_line(lat, n), fa[len(fa) // 2], fa[int(len(fa) * 0.99)],
                           load.line()))


def floor(ticks, rate_s, secs, nsym):
    """The harness alone: tick produce -> its append in the ticks topic (set to
    LogAppendTime here), same producer, rate and machine. No consumer of the
    ticks can see them sooner."""
    log_append_time(ticks)
    with Load(0) as load:
        n = paced_ticks(ticks, float(rate_s), float(secs), int(nsym))
    print("%s %s" % (report_line(append_latencies(ticks, "price", False), n), load.line()))


def restartbar(ticks, bars, n, nsym, t0_ns, pid, timeout=900):
    """A restarted processor's time to work again: one tick of a new symbol,
    just after the data `produce` wrote, goes to TICKS; the answer is the time
    from T0_NS until a bar of that symbol is in BARS (every tick before it is
    rebuilt or restored first, and the update cadence applies as usual)."""
    base, day, span = session(int(n), int(nsym))
    c = Consumer({"bootstrap.servers": B, "group.id": "restartbar", "enable.auto.commit": False})
    md = c.list_topics(bars, timeout=10).topics[bars].partitions
    ends = [TopicPartition(bars, q, c.get_watermark_offsets(TopicPartition(bars, q))[1])
            for q in md]
    c.assign(ends)
    sym = "999999"
    p = producer(0)
    p.produce(ticks, (FMT % (sym, int(n), sym, base + span + 1000, day, 10000, 1, 1, 10000)).encode(),
              key=sym.encode())
    assert p.flush(30) == 0
    said = time.time()
    while time.time_ns() - int(t0_ns) < float(timeout) * 1e9:
        if time.time() - said >= 15:
            said = time.time()
            print("  waiting for the restarted processor's first bar (%d s)"
                  % ((time.time_ns() - int(t0_ns)) // 10**9), file=sys.stderr)
        m = c.poll(0.05)
        if m is not None and not m.error() and m.key() == sym.encode():
            print(round((time.time_ns() - int(t0_ns)) / 1e6), hwm_kb(pid))
            return
        if not os.path.exists("/proc/%s" % pid):
            break
    print(-1, hwm_kb(pid) if os.path.exists("/proc/%s" % pid) else -1)


if __name__ == "__main__":
    {"topics": topics, "produce": produce, "rate": rate, "groupdone": groupdone,
     "sparkdone": sparkdone, "sparkready": sparkready, "sparkwait": sparkwait,
     "sparklatency": sparklatency, "warmup": warmup, "latency": latency, "floor": floor,
     "restartbar": restartbar, "cleanup": cleanup}[sys.argv[1]](*sys.argv[2:])
