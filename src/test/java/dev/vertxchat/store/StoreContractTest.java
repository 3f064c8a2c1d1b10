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
import java.util.Set;
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

  /** The rooms messages are appended to exist (a store shared by nodes stores nothing for a room that does not). */
  void rooms(String... ids) {
    for (String id : ids) {
      await(stores.rooms().create(new Room(id, id, "", 0), null));
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
    rooms("general", "other", "doomed", "random");
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
    rooms("general", "other", "doomed", "random");
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
    rooms("general", "other", "doomed", "random");
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
    rooms("general", "other", "doomed", "random");
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
    rooms("general", "other", "doomed", "random");
    await(messages.append(List.of(new NewMessage("general", ANN, "a")), 1));
    long top = await(messages.append(List.of(new NewMessage("doomed", ANN, "b"), new NewMessage("doomed", ANN, "c")), 2))
        .get(1).envelope().id();
    // as the service deletes a room: its row, then its messages
    assertTrue(await(stores.rooms().delete("doomed")));
    await(messages.deleteRoom("doomed"));
    assertEquals(List.of(), await(messages.page("doomed", null, null, 10)));
    assertEquals(1, await(messages.page("general", null, null, 10)).size());

    close();
    reopen();
    rooms("doomed"); // created again
    Stored next = await(messages.append(List.of(new NewMessage("doomed", ANN, "d")), 3)).get(0);
    assertTrue(next.envelope().id() > top, next + " after " + top);
    assertTrue(next.previous() == Stored.UNTRACKED || next.previous() == 0, next.toString());
    assertEquals(List.of(next.envelope()), await(messages.page("doomed", null, null, 10)));
  }

  // conversations (issue 13)

  static final UserRef CAROL = new UserRef("u-3", "carol");
  static final String THUMBS = MessageStore.REACTION_ORDER.get(0);
  static final String ROCKET = MessageStore.REACTION_ORDER.get(6);

  ConversationStore conv() {
    return stores.conversations(messages);
  }

  long send(String room, UserRef user, String text) {
    return send(room, user, text, null);
  }

  long send(String room, UserRef user, String text, JsonObject more) {
    return await(messages.append(List.of(new NewMessage(room, user, text, more)), 1000)).get(0).envelope().id();
  }

  /** Rows of a table for one room (a count without parameters, the same on both databases). */
  long rows(String table, String room) {
    return await(stores.pool().withTransaction(conn -> conn.query("SELECT COUNT(*) FROM " + table + " WHERE room_id = '" + room + "'")
        .execute())).iterator().next().getLong(0);
  }

  @Test
  void roomsKeepTheirKindTheCreatorIsTheirOwnerAndTheyCanBeUpdated() {
    RoomStore rooms = stores.rooms();
    await(conv().seen(ANN, Names.key("ann"), 1));
    assertTrue(await(rooms.create(new Room("lobby", "Lobby", "", 0), null)));
    assertEquals(Created.CREATED, await(rooms.create(new Room("club", "Club", "t", 0, Room.PRIVATE, false), "u-1", new Quota(5, 5))));
    assertEquals(new Room("club", "Club", "t", 0, Room.PRIVATE, false), await(rooms.get("club")));
    assertEquals(new Room("lobby", "Lobby", "", 0), await(rooms.get("lobby")));
    assertNull(await(rooms.get("nope")));

    ConversationStore.RoomAccess club = await(conv().access("club", 0));
    assertEquals("u-1", club.owner());
    assertEquals(Map.of("u-1", ConversationStore.OWNER), roles(club));
    assertEquals(ANN, club.members().get("u-1").user());
    assertEquals(Map.of(), await(conv().access("lobby", 0)).members(), "a room without a creator has no owner row");
    assertNull(await(conv().access("nope", 0)));

    assertTrue(await(rooms.update("club", "Club 2", null, true)));
    assertEquals(new Room("club", "Club 2", "t", 0, Room.PRIVATE, true), await(rooms.get("club")));
    assertTrue(await(rooms.update("club", null, "topic", false)));
    assertEquals(new Room("club", "Club 2", "topic", 0, Room.PRIVATE, false), await(rooms.get("club")));
    assertTrue(await(rooms.update("club", null, null, null)));
    assertFalse(await(rooms.update("nope", "x", null, null)));
    assertFalse(await(rooms.update("nope", null, null, null)));
  }

  private static Map<String, String> roles(ConversationStore.RoomAccess access) {
    Map<String, String> out = new java.util.TreeMap<>();
    access.members().forEach((id, m) -> out.put(id, m.role()));
    return out;
  }

  @Test
  void aViewerSeesPublicRoomsAndTheirPrivateRoomsNeverDms() {
    RoomStore rooms = stores.rooms();
    Quota quota = new Quota(10, 10);
    await(rooms.create(new Room("a-pub", "A", "", 0), "u-2", quota));
    await(rooms.create(new Room("b-ann", "B", "", 0, Room.PRIVATE, false), "u-1", quota));
    await(rooms.create(new Room("c-bob", "C", "", 0, Room.PRIVATE, false), "u-2", quota));
    await(conv().openDm("dm-1", ANN, BOB, 10, 10, 1));
    await(conv().putMember("c-bob", CAROL, ConversationStore.MEMBER, "u-2", 2));

    assertEquals(List.of("a-pub", "b-ann"), ids(await(rooms.page(null, null, 10, "u-1"))));
    assertEquals(List.of("a-pub", "c-bob"), ids(await(rooms.page(null, null, 10, "u-2"))));
    assertEquals(List.of("a-pub", "c-bob"), ids(await(rooms.page(null, null, 10, "u-3"))));
    assertEquals(List.of("a-pub"), ids(await(rooms.page(null, null, 10, "u-9"))));
    assertEquals(List.of("a-pub"), ids(await(rooms.page(null, null, 10, null))));
    RoomStore.Page first = await(rooms.page(null, null, 1, "u-1"));
    assertEquals("a-pub", first.next());
    assertEquals(List.of("b-ann"), ids(await(rooms.page(first.next(), null, 1, "u-1"))));
    assertEquals(List.of("b-ann"), ids(await(rooms.page(null, "ANN", 10, "u-1"))));
    assertEquals(Room.PRIVATE, await(rooms.page(null, "ann", 10, "u-1")).rooms().get(0).kind());
    // the old page (admin, internal): every room
    assertEquals(List.of("a-pub", "b-ann", "c-bob", "dm-1"), ids(await(rooms.page(null, null, 10))));
    assertEquals(Room.DM, await(rooms.get("dm-1")).kind());
  }

  @Test
  void quotasCountRoomsThatAreNotDms() {
    assertEquals(RoomStore.Created.CREATED, await(conv().openDm("dm-1", ANN, BOB, 10, 10, 1)));
    assertEquals(RoomStore.Created.CREATED, await(conv().openDm("dm-2", ANN, CAROL, 10, 10, 1)));
    Quota quota = new Quota(1, 1);
    assertEquals(Created.CREATED, await(stores.rooms().create(room("mine"), "u-1", quota)));
    assertEquals(Created.USER_QUOTA, await(stores.rooms().create(room("more"), "u-1", quota)));
    assertEquals(Created.SERVER_FULL, await(stores.rooms().create(room("bobs"), "u-2", quota)));
  }

  @Test
  void membersAreAddedChangedAndRemovedAndSanctionsExpire() {
    rooms("club");
    ConversationStore c = conv();
    await(c.putMember("club", BOB, ConversationStore.MEMBER, "u-1", 100));
    await(c.putMember("club", new UserRef("u-2", "bobby"), ConversationStore.MODERATOR, "u-9", 200));
    ConversationStore.Member bob = await(c.access("club", 0)).members().get("u-2");
    assertEquals(new ConversationStore.Member(new UserRef("u-2", "bobby"), ConversationStore.MODERATOR, "u-1", 100), bob,
        "a role change keeps who added them and when");
    assertTrue(await(c.removeMember("club", "u-2")));
    assertFalse(await(c.removeMember("club", "u-2")));
    assertEquals(Map.of(), await(c.access("club", 0)).members());

    await(c.sanction("club", BOB, ConversationStore.Sanction.MUTE, 5000, "u-1", 1000));
    await(c.sanction("club", BOB, ConversationStore.Sanction.BAN, 0, "u-1", 1000));
    await(c.sanction("club", CAROL, ConversationStore.Sanction.MUTE, 3000, "u-1", 1000));
    await(c.sanction("club", CAROL, ConversationStore.Sanction.MUTE, 9000, "u-2", 1500)); // replaces the first
    Map<String, Map<String, ConversationStore.Sanction>> now = await(c.access("club", 4000)).sanctions();
    assertEquals(new ConversationStore.Sanction(BOB, "mute", 5000, "u-1", 1000), now.get("u-2").get("mute"));
    assertEquals(new ConversationStore.Sanction(BOB, "ban", 0, "u-1", 1000), now.get("u-2").get("ban"));
    assertEquals(new ConversationStore.Sanction(CAROL, "mute", 9000, "u-2", 1500), now.get("u-3").get("mute"));
    Map<String, Map<String, ConversationStore.Sanction>> later = await(c.access("club", 6000)).sanctions();
    assertEquals(Set.of("ban"), later.get("u-2").keySet(), "an expired mute is left out; a ban has no end");
    assertTrue(await(c.lift("club", "u-2", "ban")));
    assertFalse(await(c.lift("club", "u-2", "ban")));
    assertNull(await(c.access("club", 6000)).sanctions().get("u-2"));
  }

  @Test
  void aDmIsOpenedOnceWithinQuotasAndListedForBothUsers() {
    ConversationStore c = conv();
    assertEquals(Created.CREATED, await(c.openDm("dm-ab", ANN, BOB, 2, 3, 10)));
    assertEquals(Created.EXISTS, await(c.openDm("dm-ab", ANN, BOB, 2, 3, 11)));
    assertEquals(Created.EXISTS, await(c.openDm("dm-ab", BOB, ANN, 2, 3, 11)));
    ConversationStore.RoomAccess dm = await(c.access("dm-ab", 0));
    assertEquals(Room.DM, dm.room().kind());
    assertEquals(Map.of("u-1", "member", "u-2", "member"), roles(dm));
    assertEquals(Created.CREATED, await(c.openDm("dm-ac", ANN, CAROL, 2, 3, 12)));
    assertEquals(Created.USER_QUOTA, await(c.openDm("dm-ad", ANN, new UserRef("u-4", "dan"), 2, 3, 13)));
    assertEquals(Created.CREATED, await(c.openDm("dm-bc", BOB, CAROL, 2, 3, 14)));
    assertEquals(Created.SERVER_FULL, await(c.openDm("dm-bd", BOB, new UserRef("u-4", "dan"), 2, 3, 15)));

    long last = send("dm-ab", BOB, "hi ann");
    assertEquals(List.of(new ConversationStore.Dm("dm-ab", BOB, last), new ConversationStore.Dm("dm-ac", CAROL, 0)), await(c.dms("u-1", 10)));
    assertEquals(List.of(new ConversationStore.Dm("dm-ab", ANN, last)), await(c.dms("u-2", 1)));
    await(c.seen(new UserRef("u-3", "caroline"), Names.key("caroline"), 20));
    assertEquals(new UserRef("u-3", "caroline"), await(c.dms("u-1", 10)).get(1).with(), "named as last seen");
  }

  @Test
  void usersAreFoundByIdAndByNameKeyAccountsFirst() {
    ConversationStore c = conv();
    await(c.seen(new UserRef("g-1", "Ann"), Names.key("Ann"), 300));
    await(stores.accounts().create(new Account("u-1", "ann", "hash")));
    await(c.seen(ANN, Names.key("ann"), 100));
    await(stores.accounts().create(new Account("u-7", "zed", "hash")));
    assertEquals(List.of(ANN, new UserRef("g-1", "Ann")), await(c.usersByNameKey(Names.key("ANN"), 10)));
    assertEquals(List.of(ANN), await(c.usersByNameKey(Names.key("ann"), 1)));
    assertEquals(List.of(new UserRef("u-7", "zed")), await(c.usersByNameKey(Names.key("Zed"), 10)), "an account never seen");
    assertEquals(List.of(), await(c.usersByNameKey(Names.key("nobody"), 10)));
    assertEquals(new UserRef("u-7", "zed"), await(c.user("u-7")));
    assertEquals(new UserRef("g-1", "Ann"), await(c.user("g-1")));
    assertNull(await(c.user("u-404")));
    await(c.seen(new UserRef("u-1", "annie"), Names.key("annie"), 400));
    assertEquals(new UserRef("u-1", "annie"), await(c.user("u-1")));
    assertEquals(List.of(new UserRef("g-1", "Ann")), await(c.usersByNameKey(Names.key("ann"), 10)));
  }

  @Test
  void prefsAndBlocksAreKept() {
    ConversationStore c = conv();
    assertEquals(new ConversationStore.Prefs(true, List.of()), await(c.prefs("u-1")));
    await(c.setDms("u-1", false));
    assertEquals(new ConversationStore.Prefs(false, List.of()), await(c.prefs("u-1")));
    await(c.seen(ANN, Names.key("ann"), 1));
    assertFalse(await(c.prefs("u-1")).dms(), "seeing the user again keeps the setting");
    assertEquals(ANN, await(c.user("u-1")));
    await(c.setDms("u-1", true));
    assertTrue(await(c.block("u-1", BOB)));
    assertFalse(await(c.block("u-1", BOB)));
    assertTrue(await(c.block("u-1", CAROL)));
    assertTrue(await(c.blocks("u-1", "u-2")));
    assertFalse(await(c.blocks("u-2", "u-1")));
    assertEquals(new ConversationStore.Prefs(true, List.of(BOB, CAROL)), await(c.prefs("u-1")));
    assertTrue(await(c.unblock("u-1", "u-2")));
    assertFalse(await(c.unblock("u-1", "u-2")));
    assertFalse(await(c.blocks("u-1", "u-2")));
  }

  static JsonObject mentioning(String... ids) {
    return new JsonObject().put("mentions", new io.vertx.core.json.JsonArray(List.of((Object[]) ids)));
  }

  @Test
  void markersNeverMoveBackAndUnreadCountsLeaveOutOwnAndDeletedMessages() {
    rooms("general", "quiet");
    ConversationStore c = conv();
    long m1 = send("general", BOB, "one");
    send("general", BOB, "hey @ann", mentioning("u-1"));
    send("general", ANN, "my own");
    long gone = send("general", BOB, "deleted @ann", mentioning("u-1"));
    send("general", BOB, "for u-10", mentioning("u-10", "u_1"));
    assertTrue(await(messages.delete("general", gone)));
    assertEquals(new ConversationStore.Unread("general", 0, 3, 1), await(c.unread("u-1", "general")));
    assertEquals(m1, await(c.markRead("u-1", "general", m1)));
    assertEquals(new ConversationStore.Unread("general", m1, 2, 1), await(c.unread("u-1", "general")));
    assertEquals(m1, await(c.markRead("u-1", "general", m1 - 1)), "never back");
    long last = send("general", CAROL, "last");
    assertEquals(last, await(c.markRead("u-1", "general", last)));
    assertEquals(new ConversationStore.Unread("general", last, 0, 0), await(c.unread("u-1", "general")));
    assertEquals(List.of(new ConversationStore.Unread("general", last, 0, 0)), await(c.unread("u-1", 10)));

    // private rooms and DMs with a member row are listed without a marker; a marker of a room no longer readable is not
    await(stores.rooms().create(new Room("club", "Club", "", 0, Room.PRIVATE, false), "u-2", new Quota(9, 9)));
    await(c.putMember("club", ANN, ConversationStore.MEMBER, "u-2", 1));
    await(c.openDm("dm-ab", ANN, BOB, 9, 9, 1));
    long inDm = send("dm-ab", BOB, "psst @ann", mentioning("u-1"));
    send("club", BOB, "club news");
    await(stores.rooms().create(new Room("secret", "S", "", 0, Room.PRIVATE, false), "u-2", new Quota(9, 9)));
    await(c.markRead("u-1", "secret", 5));
    assertEquals(List.of(new ConversationStore.Unread("club", 0, 1, 0), new ConversationStore.Unread("dm-ab", 0, 1, 1),
        new ConversationStore.Unread("general", last, 0, 0)), await(c.unread("u-1", 10)));
    assertEquals(2, await(c.unread("u-1", 2)).size());
    await(c.markRead("u-1", "dm-ab", inDm));
    await(c.sanction("general", ANN, ConversationStore.Sanction.BAN, 0, "u-2", 1));
    assertEquals(List.of("club", "dm-ab"), await(c.unread("u-1", 10)).stream().map(ConversationStore.Unread::room).toList(),
        "banned from general");
  }

  @Test
  void unreadCountsStopAtTheCap() {
    rooms("busy");
    List<NewMessage> batch = new ArrayList<>();
    for (int i = 0; i < 1005; i++) {
      batch.add(new NewMessage("busy", BOB, "m" + i, mentioning("u-1")));
    }
    await(messages.append(batch, 1));
    assertEquals(new ConversationStore.Unread("busy", 0, ConversationStore.COUNT_CAP, ConversationStore.COUNT_CAP),
        await(conv().unread("u-1", "busy")));
  }

  @Test
  void anEditKeepsTheIdAndPlaceAndSetsEdited() {
    rooms("general", "other");
    long a = send("general", ANN, "first");
    long b = send("general", ANN, "tpyo");
    long c = send("general", BOB, "third");
    assertTrue(await(messages.edit("general", b, "typo fixed", 5000)));
    assertFalse(await(messages.edit("other", b, "wrong room", 5000)));
    assertFalse(await(messages.edit("general", c + 100, "no such", 5000)));
    List<Envelope> page = await(messages.page("general", null, null, 10));
    assertEquals(List.of(a, b, c), page.stream().map(Envelope::id).toList());
    assertEquals("typo fixed", page.get(1).text());
    assertEquals(5000L, page.get(1).more().getLong("edited"));
    assertEquals(1000, page.get(1).ts());
    assertNull(page.get(0).more());
    assertEquals(page.get(1), await(messages.get("general", b)));
    assertTrue(await(messages.delete("general", b)));
    assertFalse(await(messages.edit("general", b, "back", 6000)), "a deleted message is not edited");
    assertEquals(Envelope.DELETED, await(messages.get("general", b)).type());
    assertNull(await(messages.get("other", a)));
  }

  @Test
  void reactionsAreIdempotentCountedAndListedInPaletteOrder() {
    rooms("general");
    long id = send("general", ANN, "react to me");
    assertEquals(1, await(messages.react("general", id, ROCKET, BOB, true, 10)));
    assertEquals(1, await(messages.react("general", id, ROCKET, BOB, true, 11)));
    assertEquals(2, await(messages.react("general", id, ROCKET, ANN, true, 12)));
    assertEquals(1, await(messages.react("general", id, THUMBS, CAROL, true, 13)));
    assertEquals(0, await(messages.react("general", id, "\uD83D\uDC4E", CAROL, false, 14)));
    assertEquals(-1, await(messages.react("general", id + 1, THUMBS, CAROL, true, 15)));
    assertEquals(-1, await(messages.react("other", id, THUMBS, CAROL, true, 15)));
    JsonObject rocket = new JsonObject().put("emoji", ROCKET).put("count", 2)
        .put("users", new io.vertx.core.json.JsonArray().add(BOB.toJson()).add(ANN.toJson()));
    JsonObject thumbs = new JsonObject().put("emoji", THUMBS).put("count", 1).put("users", new io.vertx.core.json.JsonArray().add(CAROL.toJson()));
    assertEquals(new io.vertx.core.json.JsonArray().add(thumbs).add(rocket), await(messages.get("general", id)).more().getJsonArray("reactions"));
    assertEquals(1, await(messages.react("general", id, ROCKET, BOB, false, 16)));
    assertEquals(1, await(messages.react("general", id, ROCKET, BOB, false, 17)));

    long many = send("general", ANN, "popular");
    for (int i = 0; i < 25; i++) {
      await(messages.react("general", many, THUMBS, new UserRef("u-x" + (100 + i), "x" + i), true, 100 + i));
    }
    JsonObject popular = await(messages.page("general", null, null, 10)).get(1).more().getJsonArray("reactions").getJsonObject(0);
    assertEquals(25, popular.getInteger("count"));
    assertEquals(20, popular.getJsonArray("users").size());
    assertEquals("u-x100", popular.getJsonArray("users").getJsonObject(0).getString("id"), "the first by time");

    assertTrue(await(messages.delete("general", id)));
    assertEquals(-1, await(messages.react("general", id, ROCKET, BOB, true, 18)));
    assertEquals(25, rows("reactions", "general"), "a deleted message's reactions go");
  }

  @Test
  void pagesCarryRepliesQuotesMentionsAndEdits() {
    rooms("general", "other");
    long original = send("general", ANN, "x".repeat(150) + "\uD83D\uDE00".repeat(100));
    long doomed = send("general", BOB, "soon gone");
    long elsewhere = send("other", BOB, "in another room");
    long reply = send("general", BOB, "a reply @ann", new JsonObject().put("replyTo", new JsonObject().put("id", original))
        .put("mentions", new io.vertx.core.json.JsonArray().add("u-1")));
    long toDoomed = send("general", ANN, "re doomed", new JsonObject().put("replyTo", new JsonObject().put("id", doomed)));
    long toElsewhere = send("general", ANN, "re elsewhere", new JsonObject().put("replyTo", new JsonObject().put("id", elsewhere)));
    send("general", CAROL, "another reply", new JsonObject().put("replyTo", new JsonObject().put("id", original)));
    long deletedReply = send("general", CAROL, "a deleted reply", new JsonObject().put("replyTo", new JsonObject().put("id", original)));
    assertTrue(await(messages.delete("general", doomed)));
    assertTrue(await(messages.delete("general", deletedReply)));

    Map<Long, Envelope> page = new java.util.HashMap<>();
    await(messages.page("general", null, null, 20)).forEach(e -> page.put(e.id(), e));
    assertEquals(2L, page.get(original).more().getLong("replies"), "deleted replies are not counted");
    JsonObject quote = page.get(reply).more().getJsonObject("replyTo");
    assertEquals(new JsonObject().put("id", original).put("user", ANN.toJson()).put("text", "x".repeat(150) + "\uD83D\uDE00".repeat(50)), quote);
    assertEquals(List.of("u-1"), page.get(reply).mentions());
    assertEquals(new JsonObject().put("id", doomed).put("deleted", true), page.get(toDoomed).more().getJsonObject("replyTo"));
    assertEquals(new JsonObject().put("id", elsewhere), page.get(toElsewhere).more().getJsonObject("replyTo"));
    assertEquals(page.get(reply), await(messages.get("general", reply)));
    assertEquals("{\"id\":" + doomed + ",\"room\":\"general\",\"type\":\"deleted\",\"ts\":1000}", page.get(doomed).toJson().encode());
  }

  private List<Long> search(String user, String room, String query, Long before, int limit) {
    List<String> terms = List.of(SearchText.normalize(query).split("\\s+"));
    return await(messages.search(user, room, terms, before, limit)).messages().stream().map(Envelope::id).toList();
  }

  @Test
  void searchMatchesEveryTermIgnoringCaseWithWildcardsTakenLiterally() {
    rooms("general", "other");
    long a = send("general", ANN, "The Quick brown FOX");
    long b = send("general", BOB, "quick thinking, slow fox");
    long c = send("other", BOB, "100% sure_thing");
    long d = send("general", BOB, "1000 surely things");
    long e = send("general", ANN, "ｆｕｌｌｗｉｄｔｈ quick");
    long gone = send("general", ANN, "quick fox deleted");
    assertTrue(await(messages.delete("general", gone)));
    assertEquals(List.of(b, a), search("u-1", null, "FOX quick", null, 10));
    assertEquals(List.of(c), search("u-1", null, "0% e_t", null, 10));
    assertEquals(List.of(), search("u-1", "general", "0% e_t", null, 10));
    assertEquals(List.of(e), search("u-1", null, "FULLwidth", null, 10));
    assertEquals(List.of(d, c), search("u-1", null, "sure", null, 10));

    MessageStore.SearchPage first = await(messages.search("u-1", null, List.of("quick"), null, 2));
    assertEquals(List.of(e, b), first.messages().stream().map(Envelope::id).toList());
    assertEquals(b, first.next());
    MessageStore.SearchPage second = await(messages.search("u-1", null, List.of("quick"), first.next(), 2));
    assertEquals(List.of(a), second.messages().stream().map(Envelope::id).toList());
    assertNull(second.next());
    assertEquals("The Quick brown FOX", second.messages().get(0).text());
  }

  @Test
  void searchLooksOnlyInRoomsTheUserMayRead() {
    Quota quota = new Quota(9, 9);
    rooms("open", "banned");
    await(stores.rooms().create(new Room("club", "C", "", 0, Room.PRIVATE, false), "u-2", quota));
    await(conv().openDm("dm-bc", BOB, CAROL, 9, 9, 1));
    await(conv().openDm("dm-ab", ANN, BOB, 9, 9, 1));
    long open = send("open", BOB, "needle open");
    long banned = send("banned", BOB, "needle banned");
    long club = send("club", BOB, "needle club");
    send("dm-bc", BOB, "needle theirs");
    long mine = send("dm-ab", BOB, "needle mine");
    await(conv().sanction("banned", ANN, ConversationStore.Sanction.BAN, 0, "u-2", 1));
    await(conv().sanction("open", ANN, ConversationStore.Sanction.MUTE, Long.MAX_VALUE, "u-2", 1));
    assertEquals(List.of(mine, open), search("u-1", null, "needle", null, 10));
    await(conv().putMember("club", ANN, ConversationStore.MEMBER, "u-2", 1));
    assertEquals(List.of(mine, club, open), search("u-1", null, "needle", null, 10));
    assertEquals(List.of(banned), search("u-1", "banned", "needle", null, 10), "a given room: the caller checked");
    assertEquals(5, search("u-2", null, "needle", null, 10).size());
  }

  @Test
  void deletingARoomDeletesItsMembersSanctionsReactionsAndMarkers() {
    await(stores.rooms().create(new Room("club", "C", "", 0, Room.PRIVATE, false), "u-1", new Quota(9, 9)));
    rooms("keep");
    ConversationStore c = conv();
    await(c.putMember("club", BOB, ConversationStore.MEMBER, "u-1", 1));
    await(c.sanction("club", CAROL, ConversationStore.Sanction.BAN, 0, "u-1", 1));
    long id = send("club", BOB, "hello");
    long kept = send("keep", BOB, "hello");
    await(messages.react("club", id, THUMBS, ANN, true, 1));
    await(messages.react("keep", kept, THUMBS, ANN, true, 1));
    await(c.markRead("u-1", "club", id));
    await(c.markRead("u-1", "keep", kept));
    assertTrue(await(stores.rooms().delete("club")));
    await(messages.deleteRoom("club"));
    for (String table : List.of("room_members", "room_sanctions", "reactions", "read_markers", "messages")) {
      assertEquals(0, rows(table, "club"), table);
    }
    assertEquals(1, rows("reactions", "keep"));
    assertEquals(1, rows("read_markers", "keep"));
    assertNull(await(c.access("club", 0)));
  }

  @Test
  void writesRacingForTheSameNewRowAllSucceed() {
    rooms("general");
    ConversationStore c = conv();
    List<Future<?>> racing = new ArrayList<>();
    for (int i = 1; i <= 8; i++) {
      racing.add(c.markRead("u-1", "general", i));
      racing.add(c.seen(new UserRef("u-1", "ann" + i), Names.key("ann"), i));
      racing.add(c.putMember("general", BOB, i % 2 == 0 ? ConversationStore.MODERATOR : ConversationStore.MEMBER, "u-1", i));
      racing.add(c.block("u-1", CAROL));
      racing.add(c.sanction("general", CAROL, ConversationStore.Sanction.MUTE, 100 + i, "u-1", i));
    }
    for (int user = 0; user < 30; user++) {
      for (int i = 1; i <= 4; i++) {
        racing.add(c.markRead("u-r" + user, "general", i));
      }
    }
    await(Future.join(racing));
    assertTrue(racing.stream().allMatch(Future::succeeded), racing.stream().filter(Future::failed).map(Future::cause).toList().toString());
    assertEquals(8, await(c.unread("u-1", "general")).lastRead());
    assertEquals(4, await(c.unread("u-r29", "general")).lastRead());
    assertEquals(1, racing.stream().filter(f -> Boolean.TRUE.equals(f.result())).count(), "one block was new");
    assertEquals(1, await(c.access("general", 0)).members().size());
  }
}
