package dev.vertxchat.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets shared by the cluster: the Hazelcast map {@code vertxchat.rate}, one entry per key (a user id).
 * A bucket holds at most {@code burst} tokens and refills at {@code perSecond}; each take is an entry processor on
 * the key's partition owner, atomic, timed by that member's clock ({@code currentTimeMillis}: members on several
 * machines differ by their clocks' skew, and a step back counts as no time). An entry expires a second or two
 * after its bucket would be full again (Hazelcast counts an entry's times in seconds); a full bucket is the same
 * as no entry.
 */
public final class RateBuckets {
  /** The map's name (conf/cluster.xml configures it: OBJECT in-memory format, no backup). */
  public static final String NAME = "vertxchat.rate";
  private final IMap<String, Bucket> map;
  private final double perSecond;
  private final double burst;

  public RateBuckets(HazelcastInstance hazelcast, double perSecond, double burst) {
    this.map = hazelcast.getMap(NAME);
    this.perSecond = perSecond;
    this.burst = burst;
  }

  /** Takes a token of {@code key}'s bucket: completes with true when there was one, false when refused. */
  public CompletionStage<Boolean> take(String key) {
    return map.submitToKey(key, new Take(perSecond, burst));
  }

  /** A bucket: its tokens at {@code atMillis} (the partition owner's clock). */
  record Bucket(double tokens, long atMillis) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
  }

  /** Refills the bucket for the time passed, then takes a token when there is a whole one. */
  record Take(double perSecond, double burst) implements EntryProcessor<String, Bucket, Boolean> {
    @Override
    public Boolean process(Map.Entry<String, Bucket> entry) {
      long now = System.currentTimeMillis();
      Bucket b = entry.getValue();
      double tokens = b == null ? burst
          : Math.min(burst, b.tokens() + Math.max(0, now - b.atMillis()) / 1000.0 * perSecond);
      boolean taken = tokens >= 1;
      if (taken) {
        tokens -= 1;
      }
      Bucket after = new Bucket(tokens, now);
      // Hazelcast keeps an entry's times in whole seconds: a shorter time to live could end it early (a full bucket
      // too soon); expiring later than full is the same as expiring when full
      long untilFull = (long) Math.ceil((burst - tokens) / perSecond) + 2;
      if (entry instanceof ExtendedMapEntry<String, Bucket> extended) {
        extended.setValue(after, untilFull, TimeUnit.SECONDS);
      } else {
        entry.setValue(after);
      }
      return taken;
    }

    @Override
    public EntryProcessor<String, Bucket, Boolean> getBackupProcessor() {
      return null; // the map keeps no backup
    }
  }
}
