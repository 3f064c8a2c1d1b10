package dev.vertxchat.bridge;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rooms, roles and moderation over the bridge, on every transport (the user acted on is connected over the transport
 * under test; the moderators over the raw WebSocket): a kicked member loses the room at once with a {@code removed}
 * envelope; a banned user cannot join (2013) or read; a private room does not exist for a non-member (3001) until
 * invited; who may mute, ban and archive; an archived room can be read, not posted to; the owner deletes the room;
 * a new public room reaches {@code chat.directory}.
 */
class RoomAdminBridgeTest {
  private static final String OPERATOR = "u-operator";

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("admin", new JsonObject().put("users", new JsonArray().add(OPERATOR)))
      .put("limits", new JsonObject().put("typingPerSecond", 1000)));

  /** A signed-in guest: its id and a connection over {@code transport}. */
  private record User(String id, String token, BridgeClient client) {}

  private User user(String name, Transport transport) {
    JsonObject session = service.http().guest(name);
    String token = session.getString("token");
    return new User(session.getJsonObject("user").getString("id"), token, service.connect(token, transport));
  }

  private User operator() {
    String token = Tokens.expiringIn(service.vertx(), OPERATOR, "Operator", 600);
    return new User(OPERATOR, token, service.connect(token, Transport.RAW));
  }

  private static JsonObject ok(User user, String address, JsonObject request) {
    JsonObject reply = user.client.request(address, request);
    assertEquals("message", reply.getString("type"), () -> address + " " + request.encode() + ": " + reply.encode());
    return body(reply);
  }

  private static int refused(User user, String address, JsonObject request) {
    JsonObject reply = user.client.request(address, request);
    assertEquals("err", reply.getString("type"), () -> address + " " + request.encode() + " was answered: " + reply.encode());
    return reply.getInteger("failureCode");
  }

  private static JsonObject target(String room, String user) {
    return new JsonObject().put("room", room).put("user", user);
  }

  /** The refusal of a register of the room's address (an err frame on that address). */
  private static int joinRefused(User user, String room) {
    user.client.register("chat.room." + room);
    JsonObject err = user.client.awaitFrame(f -> "err".equals(f.getString("type"))
        && ("chat.room." + room).equals(f.getString("address")));
    return err.getInteger("failureCode");
  }

  private static JsonObject room(String id, boolean restricted) {
    return new JsonObject().put("id", id).put("name", "Room " + id).put("topic", "about " + id).put("private", restricted);
  }

  private static boolean chatWithText(JsonObject frame, String text) {
    return "chat".equals(bodyType(frame)) && text.equals(body(frame).getString("text"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aKickedMemberStopsReceivingAtOnceAndGetsRemoved(Transport transport) {
    User owner = user("owner", Transport.RAW);
    assertEquals("owner", ok(owner, "chat.rooms.create", room("lounge", false)).getString("role"));
    owner.client.join("lounge", owner.id);
    User kid = user("kid", transport);
    kid.client.join("lounge", kid.id);

    JsonObject kicked = ok(owner, "chat.members.kick", target("lounge", kid.id));
    assertEquals(true, kicked.getBoolean("kicked"));
    JsonObject removed = kid.client.awaitFrame(f -> "removed".equals(bodyType(f)));
    assertEquals("chat.room.lounge", removed.getString("address"));
    assertEquals("kicked", body(removed).getString("reason"));
    assertEquals(owner.id, body(removed).getJsonObject("user").getString("id"));
    // the room hears it: the kid's last connection left, then the moderation's envelope
    owner.client.awaitFrame(f -> "left".equals(bodyType(f)) && kid.id.equals(body(f).getJsonObject("user").getString("id")));
    JsonObject member = owner.client.awaitFrame(f -> "member".equals(bodyType(f)));
    assertEquals("kicked", body(member).getString("action"));
    assertEquals(kid.id, body(member).getJsonObject("target").getString("id"));

    ok(owner, "chat.send", new JsonObject().put("room", "lounge").put("text", "after the kick"));
    owner.client.awaitFrame(f -> chatWithText(f, "after the kick"));
    assertEquals(ErrorCodes.NOT_JOINED, refused(kid, "chat.send", new JsonObject().put("room", "lounge").put("text", "still here?")));
    // a marker behind the chat message on the kid's own address: everything before it has arrived
    ok(kid, "chat.presence", new JsonObject().put("room", "lounge"));
    assertTrue(kid.client.received(f -> chatWithText(f, "after the kick")).isEmpty(), "the kicked member still received the room");
    assertTrue(kid.client.received(f -> "member".equals(bodyType(f))).isEmpty(), "the room's envelopes after the removal");
    // a kick is not a ban: the member may join again
    kid.client.join("lounge", kid.id);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aBannedUserCannotJoinAgainNorReadUntilUnbanned(Transport transport) {
    User owner = user("owner", Transport.RAW);
    ok(owner, "chat.rooms.create", room("court", false));
    User pest = user("pest", transport);
    pest.client.join("court", pest.id);

    assertEquals(true, ok(owner, "chat.members.ban", target("court", pest.id).put("reason", "spam")).getBoolean("banned"));
    assertEquals("banned", body(pest.client.awaitFrame(f -> "removed".equals(bodyType(f)))).getString("reason"));
    assertEquals(ErrorCodes.BANNED_FROM_ROOM, joinRefused(pest, "court"));
    assertEquals(ErrorCodes.BANNED_FROM_ROOM, refused(pest, "chat.history", new JsonObject().put("room", "court")));
    assertEquals(ErrorCodes.NOT_JOINED, refused(pest, "chat.send", new JsonObject().put("room", "court").put("text", "let me in")));
    assertFalse(pest.client.isClosed(), "a ban is no probe: the connection stays");
    JsonObject list = ok(owner, "chat.members.list", new JsonObject().put("room", "court"));
    assertEquals(pest.id, list.getJsonArray("banned").getJsonObject(0).getJsonObject("user").getString("id"));
    assertFalse(ok(pest, "chat.members.list", new JsonObject().put("room", "general")).containsKey("banned"),
        "only moderators see the bans");

    ok(owner, "chat.members.unban", target("court", pest.id));
    pest.client.join("court", pest.id);
    ok(pest, "chat.history", new JsonObject().put("room", "court"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aPrivateRoomDoesNotExistForANonMemberUntilInvited(Transport transport) {
    User owner = user("owner", Transport.RAW);
    JsonObject created = ok(owner, "chat.rooms.create", room("secret", true));
    assertEquals(true, created.getBoolean("private"));
    User outsider = user("outsider", transport);
    outsider.client.register("chat.user." + outsider.id);

    assertEquals(ErrorCodes.ROOM_NOT_FOUND, joinRefused(outsider, "secret"));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, refused(outsider, "chat.history", new JsonObject().put("room", "secret")));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, refused(outsider, "chat.presence", new JsonObject().put("room", "secret")));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, refused(outsider, "chat.members.list", new JsonObject().put("room", "secret")));
    assertFalse(roomIds(outsider).contains("secret"), "listed to a non-member");
    assertTrue(roomIds(owner).contains("secret"), "not listed to its owner");

    JsonObject invited = ok(owner, "chat.members.invite", target("secret", outsider.id));
    assertEquals("member", invited.getString("role"));
    JsonObject notice = outsider.client.awaitFrame(f -> "invited".equals(bodyType(f)));
    assertEquals("chat.user." + outsider.id, notice.getString("address"));
    assertEquals("secret", body(notice).getString("room"));
    assertEquals("Room secret", body(notice).getString("name"));
    outsider.client.join("secret", outsider.id);
    ok(outsider, "chat.history", new JsonObject().put("room", "secret"));
    assertTrue(roomIds(outsider).contains("secret"), "not listed to a member");
    // an invitation is for private rooms only
    assertEquals(ErrorCodes.INVALID_MEMBER, refused(owner, "chat.members.invite", target("general", outsider.id)));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(outsider, "chat.members.remove", target("secret", owner.id)));

    // removed: the member row goes and the room with it, at once
    assertEquals(true, ok(owner, "chat.members.remove", target("secret", outsider.id)).getBoolean("removed"));
    assertEquals("removed", body(outsider.client.awaitFrame(f -> "removed".equals(bodyType(f)))).getString("reason"));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, refused(outsider, "chat.history", new JsonObject().put("room", "secret")));
    assertFalse(roomIds(outsider).contains("secret"), "listed to a removed member");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void moderationNeedsTheRightRole(Transport transport) {
    User owner = user("owner", Transport.RAW);
    ok(owner, "chat.rooms.create", room("hall", false));
    owner.client.join("hall", owner.id);
    User mod = user("mod", Transport.RAW);
    mod.client.join("hall", mod.id);
    User member = user("member", transport);
    member.client.join("hall", member.id);

    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(member, "chat.members.role", target("hall", member.id).put("role", "moderator")));
    assertEquals("moderator", ok(owner, "chat.members.role", target("hall", mod.id).put("role", "moderator")).getString("role"));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(member, "chat.members.mute", target("hall", mod.id).put("seconds", 60)));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(member, "chat.members.kick", target("hall", owner.id)));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(mod, "chat.members.ban", target("hall", owner.id)));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(mod, "chat.members.mute", target("hall", mod.id).put("seconds", 60)));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(mod, "chat.rooms.update", new JsonObject().put("room", "hall").put("archived", true)));
    assertEquals(ErrorCodes.INVALID_MEMBER, refused(mod, "chat.members.mute", target("hall", member.id).put("seconds", 0)));
    assertEquals(ErrorCodes.INVALID_MEMBER, refused(mod, "chat.members.mute", target("hall", member.id).put("seconds", 604_801)));

    // a moderator mutes a member: the member may read, not post
    long until = ok(mod, "chat.members.mute", target("hall", member.id).put("seconds", 600)).getLong("until");
    assertTrue(until > System.currentTimeMillis(), "until " + until);
    assertEquals(ErrorCodes.MUTED, refused(member, "chat.send", new JsonObject().put("room", "hall").put("text", "hello?")));
    ok(member, "chat.history", new JsonObject().put("room", "hall"));
    JsonObject muted = ok(mod, "chat.members.list", new JsonObject().put("room", "hall")).getJsonArray("muted").getJsonObject(0);
    assertEquals(member.id, muted.getJsonObject("user").getString("id"));
    ok(mod, "chat.members.unmute", target("hall", member.id));
    ok(member, "chat.send", new JsonObject().put("room", "hall").put("text", "thanks"));

    // an operator may do everything a room's owner may, to moderators too
    User operator = operator();
    ok(operator, "chat.members.mute", target("hall", mod.id).put("seconds", 60));
    assertEquals(ErrorCodes.MUTED, refused(mod, "chat.send", new JsonObject().put("room", "hall").put("text", "hm")));
    ok(operator, "chat.members.kick", target("hall", mod.id));
    mod.client.awaitFrame(f -> "removed".equals(bodyType(f)));
    ok(operator, "chat.rooms.update", new JsonObject().put("room", "hall").put("topic", "set by an operator"));
    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(operator, "chat.members.ban", target("hall", owner.id)));
    assertEquals(true, ok(operator, "chat.rooms.delete", new JsonObject().put("room", "hall")).getBoolean("deleted"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void anArchivedRoomCanBeReadNotPostedTo(Transport transport) {
    User owner = user("owner", Transport.RAW);
    ok(owner, "chat.rooms.create", room("attic", false));
    User reader = user("reader", transport);
    reader.client.join("attic", reader.id);
    ok(reader, "chat.send", new JsonObject().put("room", "attic").put("text", "before"));

    JsonObject archived = ok(owner, "chat.rooms.update", new JsonObject().put("room", "attic").put("archived", true));
    assertEquals(true, archived.getBoolean("archived"));
    JsonObject updated = reader.client.awaitFrame(f -> "room.updated".equals(bodyType(f)));
    assertEquals(true, body(updated).getBoolean("archived"));
    assertEquals(ErrorCodes.ROOM_ARCHIVED, refused(reader, "chat.send", new JsonObject().put("room", "attic").put("text", "after")));
    List<String> texts = ok(reader, "chat.history", new JsonObject().put("room", "attic")).getJsonArray("messages")
        .stream().map(m -> ((JsonObject) m).getString("text")).toList();
    assertEquals(List.of("before"), texts);

    ok(owner, "chat.rooms.update", new JsonObject().put("room", "attic").put("archived", false));
    ok(reader, "chat.send", new JsonObject().put("room", "attic").put("text", "after"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void theOwnerDeletesTheRoom(Transport transport) {
    User owner = user("owner", Transport.RAW);
    ok(owner, "chat.rooms.create", room("shed", false));
    User member = user("member", transport);
    member.client.join("shed", member.id);
    member.client.register("chat.directory");

    assertEquals(ErrorCodes.ROLE_REQUIRED, refused(member, "chat.rooms.delete", new JsonObject().put("room", "shed")));
    assertEquals(true, ok(owner, "chat.rooms.delete", new JsonObject().put("room", "shed")).getBoolean("deleted"));
    member.client.awaitFrame(f -> "room.deleted".equals(bodyType(f)) && "chat.room.shed".equals(f.getString("address")));
    member.client.awaitFrame(f -> "room.deleted".equals(bodyType(f)) && "chat.directory".equals(f.getString("address")));
    assertEquals(ErrorCodes.NOT_JOINED, refused(member, "chat.send", new JsonObject().put("room", "shed").put("text", "gone?")));
    assertEquals(ErrorCodes.ROOM_NOT_FOUND, joinRefused(member, "shed"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aNewPublicRoomReachesTheDirectory(Transport transport) {
    User watcher = user("watcher", transport);
    watcher.client.register("chat.directory");
    // the registration is in place once a request behind it was answered (frames are handled in order)
    ok(watcher, "chat.presence", new JsonObject().put("room", "general"));
    User creator = user("creator", Transport.RAW);
    ok(creator, "chat.rooms.create", room("hidden-den", true));
    assertEquals(ErrorCodes.INVALID_ROOM, refused(creator, "chat.rooms.create", room("dm-0123", false)));
    ok(creator, "chat.rooms.create", room("town-square", false));

    JsonObject created = watcher.client.awaitFrame(f -> "chat.directory".equals(f.getString("address")));
    assertEquals("room.created", bodyType(created));
    assertEquals("town-square", body(created).getString("room"), "a private room was announced: " + created.encode());
    assertEquals("Room town-square", body(created).getString("name"));
    assertEquals(creator.id, body(created).getJsonObject("user").getString("id"));
    assertTrue(roomIds(watcher).contains("town-square"));
  }

  /** The ids of the rooms the user's REST room list shows. */
  private List<String> roomIds(User user) {
    var res = service.http().get("/api/rooms", user.token);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getJsonArray("rooms").stream().map(r -> ((JsonObject) r).getString("id")).toList();
  }
}
