package tickpipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The vwap-stream computation in the Kafka Streams DSL, as its docs advise:
 * an event-time TimestampExtractor; windowedBy(TimeWindows.ofSizeAndGrace) +
 * aggregate for 1m bars (the record cache emits updates at the commit
 * interval); suppress(untilWindowCloses) for final bars, feeding a processor
 * with a state store for SMA/EMA/volatility/crosses; a per-symbol aggregate
 * for the daily bar and the cumulative VWAP (reset per trading day).
 * processing.guarantee=exactly_once_v2, one stream thread.
 *
 * args: brokers ticks-topic bars-topic application-id commit-interval-ms [group-instance-id]
 * (static membership, as its docs advise for restarts: Kafka Streams does not
 * leave the group on close, so a restart without it waits out the old
 * member's session, 45 s by default)
 */
public final class VwapStreams {
  static final ObjectMapper M = new ObjectMapper();
  static final int[] PERIODS = {5, 20, 60};
  static final int VOL = 20;

  /** A tick as the topic carries it. */
  public static final class Tick {
    public String symbol, day;
    public long ts;
    public double price, qty;
  }

  /** An open bar (the daily one also carries the day's sums). */
  public static final class Agg {
    public long firstTs = Long.MAX_VALUE, lastTs = Long.MIN_VALUE, trades;
    public double open, high = -Double.MAX_VALUE, low = Double.MAX_VALUE, close, volume, turnover;
    public String day;
    public double cumVol, cumTurn;

    Agg add(Tick t) {
      if (t.ts < firstTs) { firstTs = t.ts; open = t.price; }
      if (t.ts >= lastTs) { lastTs = t.ts; close = t.price; }
      high = Math.max(high, t.price);
      low = Math.min(low, t.price);
      volume += t.qty;
      turnover += t.price * t.qty;
      trades++;
      day = t.day;
      return this;
    }
  }

  /** Indicator state per symbol: the final closes of the current day. */
  public static final class Ind {
    public String day = "";
    public ArrayList<Double> closes = new ArrayList<>();
    public double[] ema = new double[PERIODS.length];
    public long count;
    public double prevFast = Double.NaN, prevSlow = Double.NaN;
  }

  static <T> Serde<T> json(Class<T> c) {
    Serializer<T> s = (topic, v) -> {
      try { return v == null ? null : M.writeValueAsBytes(v); }
      catch (Exception e) { throw new RuntimeException(e); }
    };
    Deserializer<T> d = (topic, b) -> {
      try { return b == null ? null : M.readValue(b, c); }
      catch (Exception e) { return null; }
    };
    return Serdes.serdeFrom(s, d);
  }

  static Tick parse(String v) {
    try {
      JsonNode n = M.readTree(v);
      Tick t = new Tick();
      t.symbol = n.get("symbol").asText();
      t.day = n.get("day").asText();
      t.ts = n.get("ts").asLong();
      t.price = n.get("price").asDouble();
      t.qty = n.get("qty").asDouble();
      return t;
    } catch (Exception e) {
      return null;
    }
  }

  /** Event time from the JSON (the DSL needs it before mapValues runs). */
  public static final class TickTime implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> r, long prev) {
      Tick t = r.value() instanceof byte[] ? parse(new String((byte[]) r.value()))
          : parse(String.valueOf(r.value()));
      return t == null ? prev : t.ts;
    }
  }

  static ObjectNode bar(String sym, String win, long start, long end, Agg a, boolean fin) {
    ObjectNode o = M.createObjectNode();
    o.put("v", 1).put("id", sym + "|" + win + "|" + start).put("symbol", sym).put("exchange", "KRX")
        .put("window", win).put("start", start).put("end", end).put("day", a.day)
        .put("open", a.open).put("high", a.high).put("low", a.low).put("close", a.close)
        .put("volume", a.volume).put("turnover", a.turnover)
        .put("vwap", a.volume > 0 ? a.turnover / a.volume : a.close).put("trades", a.trades)
        .put("final", fin).put("updated_ts", System.currentTimeMillis());
    if (a.cumVol > 0) o.put("cum_vwap", a.cumTurn / a.cumVol);
    return o;
  }

  /** SMA/EMA (TA-Lib seed), volatility and crosses on final bars. */
  static final class IndProc implements Processor<Windowed<String>, Agg, String, String> {
    private KeyValueStore<String, Ind> store;
    private ProcessorContext<String, String> ctx;

    @Override
    public void init(ProcessorContext<String, String> c) {
      ctx = c;
      store = c.getStateStore("ind");
    }

    @Override
    public void process(Record<Windowed<String>, Agg> r) {
      String sym = r.key().key();
      Agg a = r.value();
      Ind s = store.get(sym);
      if (s == null || !s.day.equals(a.day)) { s = new Ind(); s.day = a.day; }
      s.closes.add(a.close);
      if (s.closes.size() > 128) s.closes.remove(0);
      s.count++;
      ObjectNode o = bar(sym, "1m", r.key().window().start(), r.key().window().end(), a, true);
      int len = s.closes.size();
      double fast = Double.NaN, slow = Double.NaN;
      for (int k = 0; k < PERIODS.length; k++) {
        int n = PERIODS[k];
        if (s.count < n) continue;
        double sum = 0;
        for (int i = len - n; i < len; i++) sum += s.closes.get(i);
        double sma = sum / n, al = 2.0 / (n + 1);
        s.ema[k] = s.count == n ? sma : al * a.close + (1 - al) * s.ema[k];
        o.put("sma_" + n, sma).put("ema_" + n, s.ema[k]);
        if (n == 5) fast = sma;
        if (n == 20) slow = sma;
      }
      if (s.count > VOL) {
        double[] ret = new double[VOL];
        double mean = 0, ss = 0;
        for (int i = 0; i < VOL; i++) {
          ret[i] = Math.log(s.closes.get(len - 1 - i) / s.closes.get(len - 2 - i));
          mean += ret[i];
        }
        mean /= VOL;
        for (double x : ret) ss += (x - mean) * (x - mean);
        o.put("volatility", Math.sqrt(ss / (VOL - 1)));
      }
      if (!Double.isNaN(fast) && !Double.isNaN(slow) && !Double.isNaN(s.prevFast)) {
        if (s.prevFast <= s.prevSlow && fast > slow) o.put("cross", "golden");
        else if (s.prevFast >= s.prevSlow && fast < slow) o.put("cross", "dead");
      }
      s.prevFast = fast;
      s.prevSlow = slow;
      store.put(sym, s);
      ctx.forward(new Record<>(sym, o.toString(), r.timestamp()));
    }
  }

  static long kstMidnight(String day) {
    return LocalDate.parse(day).atStartOfDay(ZoneOffset.ofHours(9)).toInstant().toEpochMilli();
  }

  public static void main(String[] args) {
    String brokers = args[0], in = args[1], out = args[2], app = args[3];
    long commitMs = Long.parseLong(args[4]);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, app);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs);
    p.put(StreamsConfig.STATE_DIR_CONFIG, "/tmp/kstreams-" + app);
    if (args.length > 5) p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, args[5]);
    p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, TickTime.class);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put(StreamsConfig.producerPrefix("linger.ms"), commitMs <= 5 ? 0 : 5);
    p.put(StreamsConfig.producerPrefix("compression.type"), "lz4");

    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("ind"),
        Serdes.String(), json(Ind.class)));
    KStream<String, Tick> ticks = b.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .mapValues(VwapStreams::parse).filter((k, t) -> t != null);
    Grouped<String, Tick> bySymbol = Grouped.with(Serdes.String(), json(Tick.class));

    KTable<Windowed<String>, Agg> bars = ticks.groupByKey(bySymbol)
        .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(1), Duration.ofSeconds(2)))
        .aggregate(Agg::new, (k, t, a) -> a.add(t),
            Materialized.with(Serdes.String(), json(Agg.class)));
    // In-progress updates: the record cache flushes at each commit interval.
    bars.toStream().map((wk, a) -> KeyValue.pair(wk.key(),
            bar(wk.key(), "1m", wk.window().start(), wk.window().end(), a, false).toString()))
        .to(out, Produced.with(Serdes.String(), Serdes.String()));
    // Final bars and their indicators.
    bars.suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream().process(IndProc::new, "ind")
        .to(out, Produced.with(Serdes.String(), Serdes.String()));
    // Daily bar and cumulative VWAP: per symbol, reset when the day changes.
    ticks.groupByKey(bySymbol)
        .aggregate(Agg::new, (k, t, a) -> {
          if (a.day != null && t.day.compareTo(a.day) < 0) return a; // another day: ignored
          if (a.day != null && !t.day.equals(a.day)) a = new Agg();
          a.cumVol += t.qty;
          a.cumTurn += t.price * t.qty;
          return a.add(t);
        }, Materialized.with(Serdes.String(), json(Agg.class)))
        .toStream().map((sym, a) -> {
          long s = kstMidnight(a.day);
          return KeyValue.pair(sym, bar(sym, "1d", s, s + 86400000L, a, false).toString());
        })
        .to(out, Produced.with(Serdes.String(), Serdes.String()));

    KafkaStreams ks = new KafkaStreams(b.build(), p);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> ks.close(Duration.ofSeconds(10))));
    ks.start();
    System.err.println("started " + Instant.now());
  }
}
