package dev.vertxchat.loadgen;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator's command line: several URLs and service processes (the nodes of a cluster). */
class OptionsTest {

  private static Options parse(String... argv) {
    return Options.parse(argv);
  }

  @Test
  void oneUrlIsTheOnlyTarget() {
    Options o = parse("--scenario", "fanout", "--url", "http://127.0.0.1:18090");
    assertEquals(1, o.targets.size());
    assertEquals("127.0.0.1", o.host);
    assertEquals(18090, o.port);
    assertEquals(18090, o.targetOf(7).port());
    assertTrue(o.serverPids.isEmpty());
  }

  @Test
  void connectionsGoRoundRobinOverSeveralUrls() {
    Options o = parse("--scenario", "idle", "--url", "http://127.0.0.1:8081,http://127.0.0.2:8082, http://localhost:8083",
        "--server-pid", "11,12,13", "--processes", "4", "--source-addresses", "127.0.0.2,127.0.0.3");
    assertEquals(List.of(8081, 8082, 8083), o.targets.stream().map(Options.Target::port).toList());
    assertEquals("127.0.0.2", o.targetOf(1).host());
    assertEquals(8081, o.targetOf(3).port());
    assertEquals(8083, o.targetOf(5).port());
    assertEquals(List.of(11L, 12L, 13L), o.serverPids);
    assertEquals(8081, o.port);
  }

  @Test
  void everyUrlMustBeLoopback() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> parse("--scenario", "fanout", "--url", "http://127.0.0.1:8081,http://10.0.0.1:8082"));
    assertTrue(e.getMessage().contains("10.0.0.1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> parse("--scenario", "fanout", "--url", "http://127.0.0.1:8081,ftp://x"));
    assertThrows(IllegalArgumentException.class, () -> parse("--scenario", "fanout", "--server-pid", "1,x"));
  }

  @Test
  void failoverNeedsANodeToKillAndPresenceTwoUrls() {
    assertThrows(IllegalArgumentException.class, () -> parse("--scenario", "failover"));
    Options f = parse("--scenario", "failover", "--kill-pid", "4242", "--clients", "30");
    assertEquals(4242, f.killPid);
    assertEquals(30, f.sample, "every failover connection checks ids");
    assertEquals(List.of(100), f.rates);
    assertThrows(IllegalArgumentException.class, () -> parse("--scenario", "presence"));
    Options p = parse("--scenario", "presence", "--url", "http://127.0.0.1:1,http://127.0.0.1:2", "--joins", "5", "--poll-ms", "2");
    assertEquals(5, p.joins);
    assertEquals(2, p.pollMs);
  }
}
