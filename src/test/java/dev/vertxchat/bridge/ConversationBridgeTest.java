package dev.vertxchat.bridge;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.function.Predicate;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conversations over the bridge, on every transport (raw WebSocket, SockJS websocket, xhr-streaming, xhr-polling):
 * the room rules refuse with their codes and change nothing; edits, deletes, reactions and replies reach every
 * connection of the room in order; read markers move on every connection of the user; mentions and DMs notify;
 * search sees only readable rooms; and what was changed survives a restart. Mutes, bans and private rooms are set up
 * in the store directly ({@link StoreFixture}), as the members services would.
 *
 * <p>Longer than 300 lines because each permission rule and each live path is one scenario here, run on each transport.
 */
class ConversationBridgeTest {
  private static final String THUMBS_UP = "\uD83D\uDC4D";

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject().put("limits", new JsonObject()
      .put("messagesPerSecond", 1000).put("messageBurst", 1000).put("typingPerSecond", 1000)));
  private Http http;

  private record User(String id, String name, String token) {
    UserRef ref() {
      return new UserRef(id, name);
    }
  }

  private User guest(String name) {
    JsonObject session = http.guest(name);
    return new User(session.getJsonObject("user").getString("id"), session.getJsonObject("user").getString("name"),
        session.getString("token"));
  }

  private BridgeClient connect(User user, Transport transport) {
    return service.closeAfter(service.connect(user.token(), transport));
  }

  private static JsonObject ok(JsonObject reply) {
    assertEquals("message", reply.getString("type"), reply::encode);
    return body(reply);
  }

  private static void refused(int code, JsonObject reply) {
    assertEquals("err", reply.getString("type"), reply::encode);
    assertEquals(code, reply.getInteger("failureCode"), reply::encode);
  }

  /** Repeats a request that changes nothing until it is refused with {@code code} (at most 200 round trips). */
  private static void awaitRefusal(int code, BridgeClient client, String address, JsonObject body) {
    JsonObject reply = client.request(address, body);
    for (int i = 0; i < 200 && !"err".equals(reply.getString("type")); i++) {
      reply = client.request(address, body);
    }
    refused(code, reply);
  }

  private static long send(BridgeClient client, String room, String text) {
    return ok(client.request(Addresses.SEND, new JsonObject().put("room", room).put("text", text))).getLong("id");
  }

  private static JsonArray history(BridgeClient client, String room) {
    return ok(client.request(Addresses.HISTORY, new JsonObject().put("room", room))).getJsonArray("messages");
  }

  private static Predicate<JsonObject> on(String address, String type) {
    return f -> address.equals(f.getString("address")) && type.equals(bodyType(f));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void eachRoomRuleRefusesWithItsCodeAndChangesNothing(Transport transport) {
    http = service.start(new JsonObject().put("admin", new JsonObject().put("users", new JsonArray().add("u-operator"))))
        .http();
    User alice = guest("alice");
    User bob = guest("bob");
    User carol = guest("carol");
    BridgeClient a = connect(alice, transport);
    BridgeClient b = connect(bob, transport);
    BridgeClient c = connect(carol, transport);
    a.join("general", alice.id());
    b.join("general", bob.id());
    long id = send(a, "general", "mine");

    // a member editing or deleting another's message: 2015, the message as it was
    refused(ErrorCodes.NOT_AUTHOR, b.request(Addresses.EDIT, new JsonObject().put("room", "general").put("id", id).put("text", "yours")));
    refused(ErrorCodes.NOT_AUTHOR, b.request(Addresses.DELETE, new JsonObject().put("room", "general").put("id", id)));
    JsonObject kept = history(b, "general").getJsonObject(0);
    assertEquals("mine", kept.getString("text"));
    assertNull(kept.getValue("edited"));
    refused(ErrorCodes.MESSAGE_NOT_FOUND, a.request(Addresses.EDIT, new JsonObject().put("room", "general").put("id", id + 100).put("text", "x")));
    refused(ErrorCodes.INVALID_REACTION, b.request(Addresses.REACT, new JsonObject().put("room", "general").put("id", id).put("emoji", "x")));

    try (StoreFixture store = StoreFixture.open(service)) {
      // a non-member of a private room: 3001 for its history, presence and search, as for a room that does not exist
      store.privateRoom("secret", alice.ref());
      ok(a.request(Addresses.HISTORY, new JsonObject().put("room", "secret")));
      refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.HISTORY, new JsonObject().put("room", "secret")));
      refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.PRESENCE, new JsonObject().put("room", "secret")));
      refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.SEARCH, new JsonObject().put("q", "mine").put("room", "secret")));

      // a muted member sending or reacting: 2012 (until when), nothing stored
      store.mute("general", bob.ref(), alice.id(), 60_000);
      // the service's access cache forgets the room when the change's publication arrives: a typing notice (nothing
      // stored) shows when it did
      awaitRefusal(ErrorCodes.MUTED, b, Addresses.TYPING, new JsonObject().put("room", "general"));
      JsonObject muted = b.request(Addresses.SEND, new JsonObject().put("room", "general").put("text", "shh"));
      refused(ErrorCodes.MUTED, muted);
      assertTrue(muted.getString("message").contains("until"), muted::encode);
      refused(ErrorCodes.MUTED, b.request(Addresses.REACT, new JsonObject().put("room", "general").put("id", id).put("emoji", THUMBS_UP)));
      assertEquals(1, history(a, "general").size());
      assertNull(history(a, "general").getJsonObject(0).getValue("reactions"));

      // a banned user: 2013 for reading and sending in the room
      store.ban("general", carol.ref(), alice.id());
      awaitRefusal(ErrorCodes.BANNED_FROM_ROOM, c, Addresses.HISTORY, new JsonObject().put("room", "general"));
      refused(ErrorCodes.BANNED_FROM_ROOM, c.request(Addresses.HISTORY, new JsonObject().put("room", "general")));
      refused(ErrorCodes.BANNED_FROM_ROOM, c.request(Addresses.PRESENCE, new JsonObject().put("room", "general")));
      c.register("chat.room.general"); // re-joining: refused with 2013
      assertEquals(ErrorCodes.BANNED_FROM_ROOM, c.awaitFrame(f -> "err".equals(f.getString("type"))
          && "chat.room.general".equals(f.getString("address"))).getInteger("failureCode"));
      // a non-member of the private room cannot join it either: 3001
      c.register("chat.room.secret");
      assertEquals(ErrorCodes.ROOM_NOT_FOUND, c.awaitFrame(f -> "err".equals(f.getString("type"))
          && "chat.room.secret".equals(f.getString("address"))).getInteger("failureCode"));
      assertEquals(1, history(a, "general").size());
    }

    // an operator moderates every room: deletes another's message (the same tombstone event as its author's delete)
    BridgeClient operator = service.closeAfter(service.connect(Tokens.expiringIn(service.vertx(), "u-operator", "op", 600),
        transport));
    assertEquals(id, ok(operator.request(Addresses.DELETE, new JsonObject().put("room", "general").put("id", id))).getLong("id"));
    JsonObject tombstone = body(a.awaitFrame(on("chat.room.general", "deleted")));
    assertEquals(id, tombstone.getLong("id"));
    assertEquals("u-operator", tombstone.getJsonObject("user").getString("id"));
    assertEquals("deleted", history(a, "general").getJsonObject(0).getString("type"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void editDeleteReactionAndReplyReachEveryConnectionInOrder(Transport transport) {
    http = service.start().http();
    User alice = guest("alice");
    User bob = guest("bob");
    BridgeClient a1 = connect(alice, transport);
    BridgeClient a2 = connect(alice, Transport.RAW);
    BridgeClient b = connect(bob, transport);
    a1.join("general", alice.id());
    a2.register("chat.room.general");
    b.join("general", bob.id());
    ok(a2.request(Addresses.PRESENCE, new JsonObject().put("room", "general"))); // a2's register is in effect

    long original = send(a1, "general", "first version");
    long reply = ok(b.request(Addresses.SEND, new JsonObject().put("room", "general").put("text", "a reply")
        .put("replyTo", original))).getLong("id");
    long edited = ok(a2.request(Addresses.EDIT, new JsonObject().put("room", "general").put("id", original)
        .put("text", "second version"))).getLong("edited");
    JsonObject reacted = ok(b.request(Addresses.REACT, new JsonObject().put("room", "general").put("id", original)
        .put("emoji", THUMBS_UP)));
    assertEquals(1, reacted.getInteger("count"));
    assertEquals(true, reacted.getBoolean("on"));
    refused(ErrorCodes.NOT_AUTHOR, a1.request(Addresses.DELETE, new JsonObject().put("room", "general").put("id", reply)));
    ok(b.request(Addresses.DELETE, new JsonObject().put("room", "general").put("id", reply)));

    for (BridgeClient client : List.of(a1, a2, b)) {
      client.awaitFrame(on("chat.room.general", "deleted"));
      List<JsonObject> events = client.received(f -> "chat.room.general".equals(f.getString("address"))
          && List.of("chat", "edit", "reaction", "deleted").contains(bodyType(f))).stream().map(BridgeClient::body).toList();
      assertEquals(List.of("chat", "chat", "edit", "reaction", "deleted"), events.stream().map(e -> e.getString("type")).toList());
      assertEquals(original, events.get(1).getJsonObject("replyTo").getLong("id"));
      assertEquals("first version", events.get(1).getJsonObject("replyTo").getString("text"));
      assertEquals("second version", events.get(2).getString("text"));
      assertEquals(edited, events.get(2).getLong("edited"));
      assertEquals(alice.id(), events.get(2).getJsonObject("user").getString("id"));
      assertEquals(THUMBS_UP, events.get(3).getString("emoji"));
      assertEquals(1, events.get(3).getInteger("count"));
      assertEquals(bob.id(), events.get(3).getJsonObject("user").getString("id"));
      assertEquals(reply, events.get(4).getLong("id"));
      assertEquals(bob.id(), events.get(4).getJsonObject("user").getString("id"));
    }
    JsonArray page = history(b, "general");
    assertEquals("second version", page.getJsonObject(0).getString("text"));
    assertEquals(edited, page.getJsonObject(0).getLong("edited"));
    assertEquals(THUMBS_UP, page.getJsonObject(0).getJsonArray("reactions").getJsonObject(0).getString("emoji"));
    assertEquals("deleted", page.getJsonObject(1).getString("type"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aReadMarkerMovedOnOneConnectionIsAnnouncedOnTheOthers(Transport transport) {
    http = service.start().http();
    User alice = guest("alice");
    User bob = guest("bob");
    BridgeClient b = connect(bob, Transport.RAW);
    b.join("general", bob.id());
    long first = send(b, "general", "one");
    long second = send(b, "general", "two @alice");
    send(b, "general", "three");
    BridgeClient a1 = connect(alice, transport);
    BridgeClient a2 = connect(alice, transport);
    String own = Addresses.user(alice.id());
    a2.register(own);
    ok(a2.request(Addresses.UNREAD, new JsonObject())); // a2's register is in effect

    JsonObject marked = ok(a1.request(Addresses.READ, new JsonObject().put("room", "general").put("id", first)));
    assertEquals(first, marked.getLong("lastRead"));
    assertEquals(2, marked.getInteger("unread"));
    JsonObject notice = body(a2.awaitFrame(on(own, "read")));
    assertEquals("general", notice.getString("room"));
    assertEquals(first, notice.getLong("lastRead"));
    assertEquals(2, notice.getInteger("unread"));

    ok(a2.request(Addresses.READ, new JsonObject().put("room", "general").put("id", second)));
    JsonObject unread = ok(a1.request(Addresses.UNREAD, new JsonObject())).getJsonArray("rooms").stream()
        .map(JsonObject.class::cast).filter(r -> "general".equals(r.getString("room"))).findFirst().orElseThrow();
    assertEquals(second, unread.getLong("lastRead"));
    assertEquals(1, unread.getInteger("unread"));
    assertEquals(0, unread.getInteger("mentions"));
    // a marker never moves back
    assertEquals(second, ok(a1.request(Addresses.READ, new JsonObject().put("room", "general").put("id", first))).getLong("lastRead"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aMentionReachesTheMentionedUserOutsideTheRoom(Transport transport) {
    http = service.start().http();
    User alice = guest("alice");
    User carol = guest("Carol Ann");
    BridgeClient c = connect(carol, transport);
    String own = Addresses.user(carol.id());
    c.register(own);
    ok(c.request(Addresses.UNREAD, new JsonObject())); // carol is known to the service now, and registered
    BridgeClient a = connect(alice, transport);
    a.join("general", alice.id());
    long id = send(a, "general", "hello @carol ann, and @alice and @nobody");

    JsonObject mention = body(c.awaitFrame(on(own, "mention")));
    assertEquals(id, mention.getLong("id"));
    assertEquals("general", mention.getString("room"));
    assertEquals(alice.id(), mention.getJsonObject("user").getString("id"));
    assertTrue(mention.getString("text").startsWith("hello @carol ann"));
    JsonObject stored = history(a, "general").getJsonObject(0);
    assertEquals(new JsonArray().add(carol.id()), stored.getJsonArray("mentions"), stored::encode); // not the author
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aDmIsBetweenItsTwoUsersOnlyAndSearchSeesOnlyReadableRooms(Transport transport) {
    http = service.start().http();
    User alice = guest("alice");
    User bob = guest("bob");
    User carol = guest("carol");
    BridgeClient a = connect(alice, transport);
    BridgeClient b = connect(bob, transport);
    BridgeClient c = connect(carol, transport);
    b.register(Addresses.user(bob.id()));
    ok(b.request(Addresses.DM_LIST, new JsonObject())); // bob is known, and registered

    JsonObject opened = ok(a.request(Addresses.DM_OPEN, new JsonObject().put("name", "BOB")));
    assertTrue(opened.getBoolean("created"));
    String dm = opened.getJsonObject("room").getString("id");
    assertTrue(dm.startsWith("dm-"), dm);
    assertEquals(bob.id(), opened.getJsonObject("room").getJsonObject("with").getString("id"));
    JsonObject again = ok(b.request(Addresses.DM_OPEN, new JsonObject().put("user", alice.id())));
    assertFalse(again.getBoolean("created"));
    assertEquals(dm, again.getJsonObject("room").getString("id"));
    refused(ErrorCodes.USER_NOT_FOUND, a.request(Addresses.DM_OPEN, new JsonObject().put("user", "u-nobody")));
    refused(ErrorCodes.INVALID_MEMBER, a.request(Addresses.DM_OPEN, new JsonObject().put("user", alice.id())));

    a.join(dm, alice.id());
    long id = send(a, dm, "zebra secret");
    JsonObject notice = body(b.awaitFrame(on(Addresses.user(bob.id()), "dm")));
    assertEquals(id, notice.getLong("id"));
    assertEquals(dm, notice.getString("room"));
    assertEquals(dm, ok(b.request(Addresses.DM_LIST, new JsonObject())).getJsonArray("dms").getJsonObject(0).getString("room"));

    // a third user cannot read, post to or react in it: 3001, as for a room that does not exist
    refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.HISTORY, new JsonObject().put("room", dm)));
    c.register("chat.room." + dm);
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, c.awaitFrame(f -> "err".equals(f.getString("type"))
        && ("chat.room." + dm).equals(f.getString("address"))).getInteger("failureCode"));
    refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.REACT, new JsonObject().put("room", dm).put("id", id).put("emoji", THUMBS_UP)));
    refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.READ, new JsonObject().put("room", dm).put("id", id)));
    refused(ErrorCodes.ROOM_NOT_FOUND, c.request(Addresses.SEARCH, new JsonObject().put("q", "zebra").put("room", dm)));

    c.join("general", carol.id());
    long open = send(c, "general", "a Zebra in public");
    refused(ErrorCodes.INVALID_SEARCH, c.request(Addresses.SEARCH, new JsonObject().put("q", "z")));
    List<Long> carolFinds = ids(ok(c.request(Addresses.SEARCH, new JsonObject().put("q", "zebra"))));
    assertEquals(List.of(open), carolFinds);
    List<Long> bobFinds = ids(ok(b.request(Addresses.SEARCH, new JsonObject().put("q", "ZEBRA"))));
    assertEquals(List.of(open, id), bobFinds);
    assertEquals(List.of(id), ids(ok(b.request(Addresses.SEARCH, new JsonObject().put("q", "zebra secret")))));

    // DMs off: nobody may open one with bob any more; a block works the same
    assertEquals(false, ok(b.request(Addresses.PREFS, new JsonObject().put("dms", false))).getBoolean("dms"));
    refused(ErrorCodes.DMS_REFUSED, c.request(Addresses.DM_OPEN, new JsonObject().put("user", bob.id())));
    JsonObject blocked = ok(a.request(Addresses.PREFS, new JsonObject().put("block", carol.id())));
    assertEquals(carol.id(), blocked.getJsonArray("blocked").getJsonObject(0).getString("id"));
    refused(ErrorCodes.DMS_REFUSED, c.request(Addresses.DM_OPEN, new JsonObject().put("user", alice.id())));
  }

  private static List<Long> ids(JsonObject searchPage) {
    return searchPage.getJsonArray("messages").stream().map(JsonObject.class::cast).map(m -> m.getLong("id")).toList();
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void editsReactionsAndMarkersSurviveARestart(Transport transport) {
    http = service.start().http();
    User alice = guest("alice");
    BridgeClient a = connect(alice, transport);
    a.join("general", alice.id());
    long id = send(a, "general", "before");
    long later = send(a, "general", "later");
    long edited = ok(a.request(Addresses.EDIT, new JsonObject().put("room", "general").put("id", id).put("text", "after")))
        .getLong("edited");
    ok(a.request(Addresses.REACT, new JsonObject().put("room", "general").put("id", id).put("emoji", THUMBS_UP)));
    ok(a.request(Addresses.READ, new JsonObject().put("room", "general").put("id", later)));

    http = service.restart().http();
    BridgeClient again = connect(alice, transport);
    JsonObject message = history(again, "general").getJsonObject(0);
    assertEquals("after", message.getString("text"));
    assertEquals(edited, message.getLong("edited"));
    JsonObject reaction = message.getJsonArray("reactions").getJsonObject(0);
    assertEquals(THUMBS_UP, reaction.getString("emoji"));
    assertEquals(1, reaction.getInteger("count"));
    assertEquals(alice.id(), reaction.getJsonArray("users").getJsonObject(0).getString("id"));
    JsonObject marker = ok(again.request(Addresses.UNREAD, new JsonObject())).getJsonArray("rooms").getJsonObject(0);
    assertEquals(later, marker.getLong("lastRead"));
    assertEquals(0, marker.getInteger("unread"));
  }
}
