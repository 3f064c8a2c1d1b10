package dev.vertxchat.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Labels stay in their sets whatever a caller passes; a stopped service's meters leave the registry. */
class ChatMetricsTest {
  @Test
  void aValueOutsideALabelsSetIsCountedAsOther() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ChatMetrics metrics = ChatMetrics.create(registry);
    int before = registry.getMeters().size();
    for (int i = 0; i < 100; i++) {
      metrics.connectionOpened("transport-" + i);
      metrics.signedIn("kind-" + i);
      metrics.authRefused("reason-" + i);
      metrics.rateLimited("limit-" + i);
    }
    assertEquals(before, registry.getMeters().size());
    assertEquals(100, registry.get("chat.bridge.connections").tag("transport", "other").gauge().value());
    assertEquals(100, registry.get("chat.auth.sign.ins").tag("kind", "other").counter().count());
    assertEquals(100, registry.get("chat.rate.limited").tag("limit", "other").counter().count());

    metrics.connectionOpened("xhr-polling");
    metrics.connectionClosed("xhr-polling", 4101);
    metrics.delivered(250);
    metrics.delivered(0);
    assertEquals(0, registry.get("chat.bridge.connections").tag("transport", "xhr-polling").gauge().value());
    assertEquals(1, registry.get("chat.bridge.closes").tag("transport", "xhr-polling").tag("code", "4101").counter().count());
    assertEquals(250, registry.get("chat.fanout.deliveries").counter().count());
  }

  @Test
  void closeTakesTheMetersOut() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ChatMetrics metrics = ChatMetrics.create(registry);
    metrics.roomsWithMembers(() -> 3);
    metrics.refused(4001);
    assertEquals(3, registry.get("chat.rooms.with.members").gauge().value());
    metrics.close();
    assertTrue(registry.getMeters().isEmpty(), registry.getMeters().toString());
    // the next service in the same registry reads its own state
    ChatMetrics next = ChatMetrics.create(registry);
    next.roomsWithMembers(() -> 7);
    assertEquals(7, registry.get("chat.rooms.with.members").gauge().value());
  }
}
