package dev.vertxchat.store;

import dev.vertxchat.auth.Names;
import dev.vertxchat.bus.Envelope;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigDefaults;
import dev.vertxchat.store.AccountStore.Account;
import dev.vertxchat.store.AccountStore.NameKeys;
import dev.vertxchat.store.BanStore.Ban;
import dev.vertxchat.store.MessageStore.NewMessage;
import dev.vertxchat.store.MessageStore.Stored;
import dev.vertxchat.store.RoomStore.Created;
import dev.vertxchat.store.RoomStore.Quota;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contracts of the stores (rooms, accounts, bans, settings, messages), one set of tests run against
 * each implementation: {@link H2StoreContractTest} (embedded H2, messages through the journal) and
 * {@link PgStoreContractTest} (PostgreSQL). Each test opens the stores as the service does,
 * through {@link Stores#open}, on a database of its own.
 */
@ExtendWith(VertxExtension.class)
abstract class StoreContractTest {
  static final UserRef ANN = new UserRef("u-1", "ann");
  static final UserRef BOB = new UserRef("u-2", "bob");

  @TempDir
  Path dataDir;
  Vertx vertx;
  Stores stores;
  MessageStore messages;
  private MessageJournal journal;

  /** The {@code store} section of the configuration: which implementation, on which database. */
  abstract JsonObject storeConfig();

  ChatConfig config() {
    JsonObject json = ConfigDefaults.json();
    json.getJsonObject("data").put("dir", dataDir.toString());
    json.getJsonObject("store").mergeIn(storeConfig(), true);
    return new ChatConfig(json);
  }

  @BeforeEach
  void open(Vertx vertx) {
    this.vertx = vertx;
    reopen();
  }

  /** Opens the stores (again, after {@link #close()}): the journal over H2, the store's own otherwise. */
  void reopen() {
    stores = await(Stores.open(vertx, config(), Names.KEYS_VERSION, Names::keys));
    if (stores.messages() != null) {
      messages = stores.messages();
    } else {
      journal = await(MessageJournal.open(vertx, dataDir.toString(), new MessageJournal.Options(false, 50, 1000, 1_000_000)));
      messages = new JournaledMessageStore(journal, new H2MessageStore(stores.pool()));
    }
  }

  @AfterEach
  void close() {
    if (journal != null) {
      await(journal.close());
      journal = null;
    }
    await(stores.close());
  }

  // rooms

  @Test
  void aRoomIsCreatedOnceFoundAndDeleted() {
    RoomStore rooms = stores.rooms();
    assertTrue(await(rooms.create(new Room("general", "General", "hello", 0), null)));
    assertFalse(await(rooms.create(new Room("general", "Other", "", 0), "u-1")));
    assertTrue(await(rooms.exists("general")));
    assertFalse(await(rooms.exists("nope")));
    assertEquals(List.of(new Room("general", "General", "hello", 0)), await(rooms.page(null, null, 10)).rooms());
    assertTrue(await(rooms.delete("general")));
    assertFalse(await(rooms.delete("general")));
    assertFalse(await(rooms.exists("general")));
  }

  @Test
  void theQuotaCountsTheUsersRoomsAndTheServersRooms() {
    RoomStore rooms = stores.rooms();
    Quota quota = new Quota(2, 3);
    assertEquals(Created.CREATED, await(rooms.create(room("a1"), "u-1", quota)));
    assertEquals(Created.EXISTS, await(rooms.create(room("a1"), "u-2", quota)));
    assertEquals(Created.CREATED, await(rooms.create(room("a2"), "u-1", quota)));
    assertEquals(Created.USER_QUOTA, await(rooms.create(room("a3"), "u-1", quota)));
    assertEquals(Created.CREATED, await(rooms.create(room("b1"), "u-2", quota)));
    assertEquals(Created.SERVER_FULL, await(rooms.create(room("b2"), "u-2", quota)));
    assertTrue(await(rooms.delete("a1")));
    assertEquals(Created.CREATED, await(rooms.create(room("a3"), "u-1", quota)));
  }

  @Test
  void roomPagesGoByIdAndFilterByIdOrNameIgnoringCaseWithWildcardsTakenLiterally() {
    RoomStore rooms = stores.rooms();
    for (String id : List.of("delta", "alpha", "charlie", "bravo", "echo")) {
      await(rooms.create(new Room(id, id.toUpperCase(Locale.ROOT), "", 0), null));
    }
    await(rooms.create(new Room("p100", "100% Sure", "", 0), null));
    await(rooms.create(new Room("under_score", "Under", "", 0), null));
    await(rooms.create(new Room("underxscore", "Ünder", "", 0), null));

    RoomStore.Page first = await(rooms.page(null, null, 3));
    assertEquals(List.of("alpha", "bravo", "charlie"), ids(first));
    assertEquals("charlie", first.next());
    RoomStore.Page rest = await(rooms.page(first.next(), null, 10));
    assertEquals(List.of("delta", "echo", "p100", "under_score", "underxscore"), ids(rest));
    assertNull(rest.next());
    assertEquals(List.of("bravo"), ids(await(rooms.page(null, "RaV", 10))));
    assertEquals(List.of("p100"), ids(await(rooms.page(null, "0%", 10))));
    assertEquals(List.of("under_score"), ids(await(rooms.page(null, "r_s", 10))));
    assertEquals(List.of("delta", "echo"), ids(await(rooms.page("charlie", "e", 2))));
  }

  private static Room room(String id) {
    return new Room(id, id, "", 0);
  }

  private static List<String> ids(RoomStore.Page page) {
    return page.rooms().stream().map(Room::id).toList();
  }

  // accounts

  @Test
  void anAccountNameIsTakenOnceUnderTheLookAlikeComparison() {
    AccountStore accounts = stores.accounts();
    assertTrue(await(accounts.create(new Account("u-1", "Ann", "hash-1"))));
    assertFalse(await(accounts.create(new Account("u-2", "ann", "hash-2"))));
    assertFalse(await(accounts.create(new Account("u-3", "ANN", "hash-3"))));
    assertEquals(new Account("u-1", "Ann", "hash-1"), await(accounts.findByName("aNN")));
    assertNull(await(accounts.findByName("bob")));
    assertTrue(await(accounts.create(new Account("u-4", "bob", "hash-4"))));
    assertEquals("u-4", await(accounts.findByName("Bob")).id());
  }

  @Test
  void ofTwoRegistrationsRacingForOneNameExactlyOneWins() {
    AccountStore accounts = stores.accounts();
    List<Future<Boolean>> racing = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      racing.add(accounts.create(new Account("u-" + i, i % 2 == 0 ? "carol" : "Carol", "hash")));
    }
    await(Future.join(racing));
    assertEquals(1, racing.stream().filter(f -> f.succeeded() && f.result()).count(), racing.toString());
    assertTrue(racing.stream().allMatch(Future::succeeded), racing.toString());
    assertNotNull(await(accounts.findByName("CAROL")));
  }

  @Test
  void keysMadeByAnotherComparisonAreRecomputedAtStart() {
    Function<String, NameKeys> old = name -> new NameKeys("old:" + name.toLowerCase(Locale.ROOT), "OLD:" + name.toUpperCase(Locale.ROOT));
    await(rekey("old-1", old));
    AccountStore before = stores.postgres() ? new PgAccountStore(stores.pool(), old) : new H2AccountStore(stores.pool(), old);
    assertTrue(await(before.create(new Account("u-1", "Dave", "hash"))));
    assertNull(await(stores.accounts().findByName("Dave")), "the current comparison's keys differ from the old ones");

    await(rekey(Names.KEYS_VERSION, Names::keys));
    assertEquals("u-1", await(stores.accounts().findByName("dave")).id());
    assertFalse(await(stores.accounts().create(new Account("u-2", "DAVE", "hash"))));
  }

  private Future<Void> rekey(String version, Function<String, NameKeys> keys) {
    return stores.postgres() ? PgAccountStore.rekeyIfStale(vertx, stores.pool(), version, keys)
        : H2AccountStore.rekeyIfStale(vertx, stores.pool(), version, keys);
  }

  // bans and settings

  @Test
  void bansAreStoredReplacedAndRemoved() {
    BanStore bans = stores.bans();
    await(bans.put(new Ban("u-b", "spam", "u-admin", 2000)));
    await(bans.put(new Ban("u-a", null, "u-admin", 1000)));
    await(bans.put(new Ban("u-b", "flood", "u-admin", 2000)));
    assertEquals(List.of(new Ban("u-a", null, "u-admin", 1000), new Ban("u-b", "flood", "u-admin", 2000)), await(bans.all()));
    assertTrue(await(bans.remove("u-a")));
    assertFalse(await(bans.remove("u-a")));
    assertEquals(List.of(new Ban("u-b", "flood", "u-admin", 2000)), await(bans.all()));
    String longest = "\uD83D\uDE00".repeat(200); // 200 code points, 400 UTF-16 units
    await(bans.put(new Ban("u-c", longest, "u-admin", 3000)));
    assertEquals(longest, await(bans.all()).get(1).reason());
  }

  @Test
  void settingsAreStoredAndReplaced() {
    SettingsStore settings = stores.settings();
    assertEquals(Map.of(), await(settings.all()));
    await(settings.put(Map.of("auth.guests", "false", "auth.registration", "true")));
    await(settings.put(Map.of("auth.registration", "false")));
    assertEquals(Map.of("auth.guests", "false", "auth.registration", "false"), await(settings.all()));
  }

  // messages

  @Test
  void anAppendedBatchGetsIncreasingIdsTheTimestampAndTheEnvelopesJson() {
    List<Stored> first = await(messages.append(List.of(new NewMessage("general", ANN, "one"),
        new NewMessage("random", BOB, "two"), new NewMessage("general", BOB, "three")), 100));
    List<Stored> second = await(messages.append(List.of(new NewMessage("general", ANN, "four")), 200));
    List<Stored> all = new ArrayList<>(first);
    all.addAll(second);
    long last = 0;
    for (Stored s : all) {
      assertTrue(s.envelope().id() > last, all.toString());
      last = s.envelope().id();
      assertEquals(s.envelope().toJson().encode(), s.json());
    }
    assertEquals(Envelope.chat(first.get(1).envelope().id(), "random", BOB, "two", 100), first.get(1).envelope());
    assertEquals(200, second.get(0).envelope().ts());
    // previous: the room's message before (0: none), where the store tracks it
    long[] expected = {0, 0, first.get(0).envelope().id(), first.get(2).envelope().id()};
    for (int i = 0; i < all.size(); i++) {
      long previous = all.get(i).previous();
      assertTrue(previous == Stored.UNTRACKED || previous == expected[i], i + ": " + previous + " in " + all);
    }
    assertEquals(stores.postgres(), all.get(3).previous() != Stored.UNTRACKED);
  }

  @Test
  void pagesAreOldestFirstLatestOrBeforeOrAfter() {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ids.add(await(messages.append(List.of(new NewMessage("general", ANN, "m" + i), new NewMessage("other", BOB, "x" + i)), i))
          .get(0).envelope().id());
    }
    assertEquals(ids.subList(7, 10), pageIds(null, null, 3));
    assertEquals(ids.subList(2, 5), pageIds(ids.get(5), null, 3));
    assertEquals(ids.subList(6, 9), pageIds(null, ids.get(5), 3));
    assertEquals(ids.subList(6, 8), pageIds(ids.get(8), ids.get(5), 10));
    assertEquals(List.of(), pageIds(null, ids.get(9), 10));
    assertEquals(ids, pageIds(null, 0L, 100));
    Envelope fifth = await(messages.page("general", ids.get(5), ids.get(3), 1)).get(0);
    assertEquals(Envelope.chat(ids.get(4), "general", ANN, "m4", 4), fifth);
  }

  private List<Long> pageIds(Long before, Long after, int limit) {
    return await(messages.page("general", before, after, limit)).stream().map(Envelope::id).toList();
  }

  @Test
  void anyTextComesBackAsItWasSent() {
    List<String> texts = List.of("plain", "ünïcödé \uD83D\uDE00 \u4E2D\u6587", "nul \u0000 inside", "quote \" back\\slash",
        "a".repeat(4000), "'; DROP TABLE messages; --");
    List<NewMessage> batch = texts.stream().map(t -> new NewMessage("general", ANN, t)).toList();
    List<Stored> stored = await(messages.append(batch, 7));
    List<Envelope> page = await(messages.page("general", null, null, 100));
    assertEquals(stored.stream().map(Stored::envelope).toList(), page);
    assertEquals(texts, page.stream().map(Envelope::text).toList());
  }

  @Test
  void aDeletedMessageIsATombstone() {
    List<Stored> stored = await(messages.append(List.of(new NewMessage("general", ANN, "keep"),
        new NewMessage("general", ANN, "secret text")), 100));
    long keep = stored.get(0).envelope().id();
    long gone = stored.get(1).envelope().id();
    assertFalse(await(messages.delete("other-room", gone)));
    assertTrue(await(messages.delete("general", gone)));
    assertTrue(await(messages.delete("general", gone)), "deleting again changes nothing");
    assertFalse(await(messages.delete("general", gone + 100)));
    List<Envelope> page = await(messages.page("general", null, null, 10));
    assertEquals(List.of(Envelope.chat(keep, "general", ANN, "keep", 100),
        new Envelope(gone, "general", Envelope.DELETED, null, null, 100)), page);
    assertEquals("{\"id\":" + gone + ",\"room\":\"general\",\"type\":\"deleted\",\"ts\":100}", page.get(1).toJson().encode());
  }

  @Test
  void aDeletedRoomsMessagesGoAndTheirIdsAreNotGivenOutAgain() {
    await(messages.append(List.of(new NewMessage("general", ANN, "a")), 1));
    long top = await(messages.append(List.of(new NewMessage("doomed", ANN, "b"), new NewMessage("doomed", ANN, "c")), 2))
        .get(1).envelope().id();
    await(messages.deleteRoom("doomed"));
    assertEquals(List.of(), await(messages.page("doomed", null, null, 10)));
    assertEquals(1, await(messages.page("general", null, null, 10)).size());

    close();
    reopen();
    Stored next = await(messages.append(List.of(new NewMessage("doomed", ANN, "d")), 3)).get(0);
    assertTrue(next.envelope().id() > top, next + " after " + top);
    assertTrue(next.previous() == Stored.UNTRACKED || next.previous() == 0, next.toString());
    assertEquals(List.of(next.envelope()), await(messages.page("doomed", null, null, 10)));
  }
}
