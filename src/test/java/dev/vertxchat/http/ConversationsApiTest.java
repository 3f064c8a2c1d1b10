package dev.vertxchat.http;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import dev.vertxchat.support.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conversation routes as a bot uses them (docs/PROTOCOL.md, "REST API" and "Conversations"), against the real
 * service with three users (ann, bob, carol) and an operator: private rooms, roles and moderation, edit, delete,
 * reactions, replies, read markers, search, direct messages and preferences, and all of it after a restart. Every
 * refusal is checked to change nothing.
 *
 * <p>Longer than 300 lines because each permission rule of the design has its case here, next to the route it
 * guards.
 */
class ConversationsApiTest {
  private static final String OPERATOR = "u-op";
  private static final String THUMBS_UP = "\uD83D\uDC4D";
  private static final String ROCKET = "\uD83D\uDE80";

  @RegisterExtension
  final ChatService service = new ChatService(new JsonObject()
      .put("limits", new JsonObject().put("messagesPerSecond", 1000).put("messageBurst", 1000).put("roomsPerUser", 20))
      .put("admin", new JsonObject().put("users", new JsonArray().add(OPERATOR))));

  /** A signed-in user: id, name and token. */
  private record User(String id, String name, String token) {}

  private User user(String id, String name) {
    User user = new User(id, name, Tokens.expiringIn(service.vertx(), id, name, 3600));
    ok(200, "GET", "/api/rooms", user, null); // a request: the service knows the user from now on (DMs by id and name)
    return user;
  }

  private HttpResponse<Buffer> call(String method, String path, User user, Object body) {
    return service.http().send(HttpMethod.valueOf(method), path, user == null ? null : user.token(), body);
  }

  /** The request answers {@code status}; its JSON body. */
  private JsonObject ok(int status, String method, String path, User user, Object body) {
    HttpResponse<Buffer> res = call(method, path, user, body);
    assertEquals(status, res.statusCode(), method + " " + path + " -> " + res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  /** The request is refused with {@code status} and error {@code code}. */
  private void refused(int status, int code, String method, String path, User user, Object body) {
    HttpResponse<Buffer> res = call(method, path, user, body);
    assertEquals(status, res.statusCode(), method + " " + path + " -> " + res.bodyAsString());
    assertEquals(code, Http.errorCode(res), method + " " + path + " -> " + res.bodyAsString());
  }

  private static JsonObject json(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  private long post(String room, User user, String text) {
    return ok(201, "POST", "/api/rooms/" + room + "/messages", user, json("text", text)).getLong("id");
  }

  private JsonArray history(String room, User user) {
    return ok(200, "GET", "/api/rooms/" + room + "/messages", user, null).getJsonArray("messages");
  }

  private static JsonObject byId(JsonArray messages, long id) {
    return messages.stream().map(JsonObject.class::cast).filter(m -> Objects.equals(m.getLong("id"), id)).findFirst()
        .orElseThrow(() -> new AssertionError("no message " + id + " in " + messages.encode()));
  }

  private List<String> roomIds(User user) {
    return ok(200, "GET", "/api/rooms", user, null).getJsonArray("rooms").stream()
        .map(r -> ((JsonObject) r).getString("id")).toList();
  }

  private static String enc(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void aPrivateRoomIsHiddenFromEveryoneButItsMembers() {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    User carol = user("u-carol", "carol");
    User op = user(OPERATOR, "op");

    JsonObject created = ok(201, "POST", "/api/rooms", ann, json("id", "secret").put("name", "Secret").put("private", true));
    assertEquals("owner", created.getString("role"));
    assertEquals(true, created.getBoolean("private"));
    long first = post("secret", ann, "only for members");

    // bob is no member: the room does not exist for him, whatever he asks
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/secret/messages", bob, null);
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "POST", "/api/rooms/secret/messages", bob, json("text", "let me in"));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/secret/members", bob, null);
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "PUT", "/api/rooms/secret/messages/" + first + "/reactions/" + enc(THUMBS_UP), bob, null);
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "POST", "/api/rooms/secret/members", bob, json("user", bob.id()));
    assertFalse(roomIds(bob).contains("secret"), "not listed for a non-member");
    assertTrue(roomIds(ann).contains("secret"));
    JsonObject listed = ok(200, "GET", "/api/rooms?q=secret", ann, null).getJsonArray("rooms").getJsonObject(0);
    assertEquals(true, listed.getBoolean("private"));
    assertEquals(1, history("secret", ann).size(), "nothing of bob's reached the room");

    // the owner invites bob: he reads and posts; he may not invite others (a member)
    JsonObject invited = ok(201, "POST", "/api/rooms/secret/members", ann, json("user", bob.id()));
    assertEquals("member", invited.getString("role"));
    assertEquals(1, history("secret", bob).size());
    post("secret", bob, "thanks");
    assertTrue(roomIds(bob).contains("secret"));
    refused(403, ErrorCodes.ROLE_REQUIRED, "POST", "/api/rooms/secret/members", bob, json("user", carol.id()));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/secret/messages", carol, null);
    refused(404, ErrorCodes.USER_NOT_FOUND, "POST", "/api/rooms/secret/members", ann, json("user", "u-nobody-at-all"));
    JsonArray members = ok(200, "GET", "/api/rooms/secret/members", bob, null).getJsonArray("members");
    assertEquals(2, members.size(), members.encode());

    // an operator sees and may read private rooms
    assertEquals(2, history("secret", op).size());

    // public rooms have no invitations
    ok(201, "POST", "/api/rooms", ann, json("id", "open"));
    refused(400, ErrorCodes.INVALID_MEMBER, "POST", "/api/rooms/open/members", ann, json("user", bob.id()));

    // removed: hidden again; nobody removes the owner
    refused(403, ErrorCodes.ROLE_REQUIRED, "DELETE", "/api/rooms/secret/members/" + ann.id(), bob, null);
    assertEquals(true, ok(200, "DELETE", "/api/rooms/secret/members/" + bob.id(), ann, null).getBoolean("removed"));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/secret/messages", bob, null);
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "POST", "/api/rooms/secret/messages", bob, json("text", "still here?"));
    assertEquals(2, history("secret", ann).size());

    // nobody creates a room with the DM prefix
    refused(400, ErrorCodes.INVALID_ROOM, "POST", "/api/rooms", ann, json("id", "dm-0123456789abcdef0123456789abcdef"));

    // a member leaves by removing themselves; the owner cannot leave that way
    ok(201, "POST", "/api/rooms/secret/members", ann, json("user", carol.id()));
    assertEquals(true, ok(200, "DELETE", "/api/rooms/secret/members/" + carol.id(), carol, null).getBoolean("removed"));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/secret/messages", carol, null);
    refused(403, ErrorCodes.ROLE_REQUIRED, "DELETE", "/api/rooms/secret/members/" + ann.id(), ann, null);

    // a user who blocked someone is not invited by them, nor mentioned by them
    ok(200, "PUT", "/api/me/blocks/" + ann.id(), carol, null);
    refused(403, ErrorCodes.DMS_REFUSED, "POST", "/api/rooms/secret/members", ann, json("user", carol.id()));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/secret/messages", carol, null);
    ok(200, "PUT", "/api/rooms/general/read", carol, json("id", post("general", bob, "before the mention")));
    long mention = post("general", ann, "hello @carol and @bob");
    JsonArray mentioned = byId(history("general", carol), mention).getJsonArray("mentions");
    assertEquals(new JsonArray().add(bob.id()), mentioned, "carol blocked ann: only bob is mentioned");
    JsonObject general = ok(200, "GET", "/api/unread", carol, null).getJsonArray("rooms").stream()
        .map(JsonObject.class::cast).filter(r -> r.getString("room").equals("general")).findFirst().orElseThrow();
    assertEquals(1, general.getInteger("unread"));
    assertEquals(0, general.getInteger("mentions"));

    // preferences over REST take only dms: a bot sending a block there is told, not ignored
    refused(400, ErrorCodes.INVALID_MEMBER, "PATCH", "/api/me/prefs", bob, json("block", ann.id()));
    assertTrue(ok(200, "GET", "/api/me/prefs", bob, null).getJsonArray("blocked").isEmpty());
  }

  @Test
  void moderatorsMuteKickAndBan() {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    User carol = user("u-carol", "carol");
    ok(201, "POST", "/api/rooms", ann, json("id", "town").put("topic", "for all"));

    // only the owner names moderators
    refused(403, ErrorCodes.ROLE_REQUIRED, "PUT", "/api/rooms/town/members/" + carol.id() + "/role", bob, json("role", "moderator"));
    refused(400, ErrorCodes.INVALID_MEMBER, "PUT", "/api/rooms/town/members/" + bob.id() + "/role", ann, json("role", "king"));
    assertEquals("moderator", ok(200, "PUT", "/api/rooms/town/members/" + bob.id() + "/role", ann, json("role", "moderator"))
        .getString("role"));

    // a member may not moderate; a moderator may not mute the owner, nor themselves
    refused(403, ErrorCodes.ROLE_REQUIRED, "POST", "/api/rooms/town/mutes", carol, json("user", bob.id()).put("seconds", 60));
    refused(403, ErrorCodes.ROLE_REQUIRED, "POST", "/api/rooms/town/mutes", bob, json("user", ann.id()).put("seconds", 60));
    refused(403, ErrorCodes.ROLE_REQUIRED, "POST", "/api/rooms/town/kicks", carol, json("user", bob.id()));
    refused(400, ErrorCodes.INVALID_MEMBER, "POST", "/api/rooms/town/mutes", bob, json("user", carol.id()).put("seconds", 0));
    refused(400, ErrorCodes.INVALID_MEMBER, "POST", "/api/rooms/town/mutes", bob, json("user", carol.id()).put("seconds", 604_801));

    // muted: carol reads but cannot post or react until unmuted
    long said = post("town", ann, "hello town");
    JsonObject muted = ok(200, "POST", "/api/rooms/town/mutes", bob, json("user", carol.id()).put("seconds", 600));
    assertTrue(muted.getLong("until") > System.currentTimeMillis(), muted.encode());
    refused(403, ErrorCodes.MUTED, "POST", "/api/rooms/town/messages", carol, json("text", "can you hear me"));
    refused(403, ErrorCodes.MUTED, "PUT", "/api/rooms/town/messages/" + said + "/reactions/" + enc(THUMBS_UP), carol, null);
    assertEquals(1, history("town", carol).size(), "nothing stored");
    JsonObject list = ok(200, "GET", "/api/rooms/town/members", bob, null);
    assertEquals(1, list.getJsonArray("muted").size(), list.encode());
    assertNull(ok(200, "GET", "/api/rooms/town/members", carol, null).getJsonArray("muted"), "mod+ only");
    ok(200, "DELETE", "/api/rooms/town/mutes/" + carol.id(), bob, null);
    post("town", carol, "back");

    // kicked: carol's connection in the room is told and loses it; she may come back (public room)
    BridgeClient carolOnline = service.connect(carol.token());
    carolOnline.join("town", carol.id());
    assertEquals(true, ok(200, "POST", "/api/rooms/town/kicks", bob, json("user", carol.id())).getBoolean("kicked"));
    JsonObject removed = body(carolOnline.awaitFrame(f -> "removed".equals(bodyType(f))));
    assertEquals("kicked", removed.getString("reason"));
    assertEquals("town", removed.getString("room"));
    post("town", carol, "kicked but not banned");

    // banned: nothing of the room until unbanned
    assertEquals(true, ok(200, "POST", "/api/rooms/town/bans", bob, json("user", carol.id()).put("reason", "spam")).getBoolean("banned"));
    refused(403, ErrorCodes.BANNED_FROM_ROOM, "GET", "/api/rooms/town/messages", carol, null);
    refused(403, ErrorCodes.BANNED_FROM_ROOM, "POST", "/api/rooms/town/messages", carol, json("text", "again"));
    JsonArray banned = ok(200, "GET", "/api/rooms/town/members", ann, null).getJsonArray("banned");
    assertEquals(1, banned.size());
    int before = history("town", ann).size();
    refused(403, ErrorCodes.BANNED_FROM_ROOM, "DELETE", "/api/rooms/town/bans/" + carol.id(), carol, null);
    ok(200, "DELETE", "/api/rooms/town/bans/" + carol.id(), bob, null);
    assertEquals(before, history("town", carol).size());

    // a moderator demoted by the owner moderates no more
    assertEquals("member", ok(200, "PUT", "/api/rooms/town/members/" + bob.id() + "/role", ann, json("role", "member"))
        .getString("role"));
    refused(403, ErrorCodes.ROLE_REQUIRED, "POST", "/api/rooms/town/kicks", bob, json("user", carol.id()));
  }

  @Test
  void editDeleteReactAndReply() {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    ok(201, "POST", "/api/rooms", ann, json("id", "club"));
    long original = post("club", ann, "first draft");
    String message = "/api/rooms/club/messages/" + original;

    // only the author edits
    refused(403, ErrorCodes.NOT_AUTHOR, "PATCH", message, bob, json("text", "vandalised"));
    JsonObject edited = ok(200, "PATCH", message, ann, json("text", "final text"));
    assertEquals(original, edited.getLong("id"));
    assertNotNull(edited.getLong("edited"));
    refused(400, ErrorCodes.INVALID_TEXT, "PATCH", message, ann, json("text", "  "));
    refused(400, ErrorCodes.INVALID_PAGING, "PATCH", "/api/rooms/club/messages/abc", ann, json("text", "x"));
    refused(404, ErrorCodes.MESSAGE_NOT_FOUND, "PATCH", "/api/rooms/club/messages/999999", ann, json("text", "x"));
    JsonObject shown = byId(history("club", bob), original);
    assertEquals("final text", shown.getString("text"));
    assertEquals(edited.getLong("edited"), shown.getLong("edited"));

    // a reply carries a quote; the original counts its replies
    long reply = ok(201, "POST", "/api/rooms/club/messages", bob, json("text", "agreed").put("replyTo", original)).getLong("id");
    refused(404, ErrorCodes.MESSAGE_NOT_FOUND, "POST", "/api/rooms/club/messages", bob, json("text", "to nothing").put("replyTo", 999_999));
    JsonArray page = history("club", ann);
    JsonObject quote = byId(page, reply).getJsonObject("replyTo");
    assertEquals(original, quote.getLong("id"));
    assertEquals("final text", quote.getString("text"));
    assertEquals(ann.id(), quote.getJsonObject("user").getString("id"));
    assertEquals(1, byId(page, original).getInteger("replies"));

    // reactions: the palette only, counted per emoji, idempotent
    String thumbs = message + "/reactions/" + enc(THUMBS_UP);
    assertEquals(json("id", original).put("emoji", THUMBS_UP).put("on", true).put("count", 1), ok(200, "PUT", thumbs, bob, null));
    assertEquals(1, ok(200, "PUT", thumbs, bob, null).getInteger("count"), "the same reaction again counts once");
    assertEquals(2, ok(200, "PUT", thumbs, ann, null).getInteger("count"));
    ok(200, "PUT", message + "/reactions/" + enc(ROCKET), ann, null);
    refused(400, ErrorCodes.INVALID_REACTION, "PUT", message + "/reactions/x", bob, null);
    refused(400, ErrorCodes.INVALID_REACTION, "PUT", message + "/reactions/" + enc("\uD83E\uDD21"), bob, null);
    JsonObject off = ok(200, "DELETE", thumbs, ann, null);
    assertEquals(false, off.getBoolean("on"));
    assertEquals(1, off.getInteger("count"));
    JsonArray reactions = byId(history("club", bob), original).getJsonArray("reactions");
    assertEquals(2, reactions.size(), reactions.encode());
    JsonObject thumbsUp = reactions.getJsonObject(0);
    assertEquals(THUMBS_UP, thumbsUp.getString("emoji"), "palette order");
    assertEquals(1, thumbsUp.getInteger("count"));
    assertEquals(bob.id(), thumbsUp.getJsonArray("users").getJsonObject(0).getString("id"));

    // delete: the author, or a moderator (the owner here); not anyone else
    refused(403, ErrorCodes.NOT_AUTHOR, "DELETE", message, bob, null);
    assertEquals(original, ok(200, "DELETE", message, ann, null).getLong("id"));
    assertEquals(reply, ok(200, "DELETE", "/api/rooms/club/messages/" + reply, ann, null).getLong("id"));
    JsonArray after = history("club", bob);
    assertEquals("deleted", byId(after, original).getString("type"));
    assertNull(byId(after, original).getString("text"));
    assertEquals("deleted", byId(after, reply).getString("type"));
    refused(404, ErrorCodes.MESSAGE_NOT_FOUND, "PATCH", message, ann, json("text", "undo"));
    refused(404, ErrorCodes.MESSAGE_NOT_FOUND, "PUT", thumbs, bob, null);
  }

  @Test
  void readMarkersUnreadCountsAndSearch() {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    ok(201, "POST", "/api/rooms", ann, json("id", "hidden").put("private", true));
    post("hidden", ann, "the purple secret");

    long first = post("general", ann, "good morning");
    JsonObject marker = ok(200, "PUT", "/api/rooms/general/read", bob, json("id", first));
    assertEquals(json("room", "general").put("lastRead", first).put("unread", 0).put("mentions", 0), marker);
    post("general", ann, "hey @bob, look at the purple elephant");
    long last = post("general", ann, "and another thing");
    post("general", bob, "my own message is never unread");

    JsonObject general = unread(bob, "general");
    assertEquals(first, general.getLong("lastRead"));
    assertEquals(2, general.getInteger("unread"));
    assertEquals(1, general.getInteger("mentions"));
    assertEquals(0, ok(200, "PUT", "/api/rooms/general/read", bob, json("id", last)).getInteger("unread"));
    assertEquals(0, unread(bob, "general").getInteger("mentions"));
    refused(400, ErrorCodes.INVALID_PAGING, "PUT", "/api/rooms/general/read", bob, json("id", "latest"));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "PUT", "/api/rooms/hidden/read", bob, json("id", last));

    // search: only rooms the caller may read, newest first
    JsonArray bobs = ok(200, "GET", "/api/search?q=PURPLE", bob, null).getJsonArray("messages");
    assertEquals(List.of("general"), bobs.stream().map(m -> ((JsonObject) m).getString("room")).toList(), bobs.encode());
    JsonArray anns = ok(200, "GET", "/api/search?q=purple", ann, null).getJsonArray("messages");
    assertEquals(2, anns.size(), anns.encode());
    assertEquals("hidden", anns.getJsonObject(1).getString("room"), "newest first: the private room's message is older");
    assertEquals(1, ok(200, "GET", "/api/search?q=purple&room=general", ann, null).getJsonArray("messages").size());
    assertEquals(1, ok(200, "GET", "/api/search?q=purple%20elephant", bob, null).getJsonArray("messages").size());
    JsonObject paged = ok(200, "GET", "/api/search?q=purple&limit=1", ann, null);
    assertEquals(1, paged.getJsonArray("messages").size());
    assertNotNull(paged.getValue("next"));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/search?q=purple&room=hidden", bob, null);
    refused(400, ErrorCodes.INVALID_SEARCH, "GET", "/api/search?q=x", bob, null);
    refused(400, ErrorCodes.INVALID_SEARCH, "GET", "/api/search?q=a%20b%20c%20d%20e%20f%20gg", bob, null);
    refused(400, ErrorCodes.INVALID_PAGING, "GET", "/api/search?q=purple&limit=abc", bob, null);

    // a search reads through messages: a user gets 5 at once, then 1 a second
    int status = 200;
    for (int i = 0; i < 20 && status == 200; i++) {
      status = call("GET", "/api/search?q=purple", ann, null).statusCode();
    }
    assertEquals(429, status, "searches without pause are refused");
    refused(429, ErrorCodes.RATE_LIMITED, "GET", "/api/search?q=purple", ann, null);
  }

  private JsonObject unread(User user, String room) {
    JsonArray rooms = ok(200, "GET", "/api/unread", user, null).getJsonArray("rooms");
    return rooms.stream().map(JsonObject.class::cast).filter(r -> room.equals(r.getString("room"))).findFirst()
        .orElseThrow(() -> new AssertionError(room + " not in " + rooms.encode()));
  }

  /** The DM room id of two users: dm- and the first 32 hex digits of SHA-256 of the ids sorted, joined by a line feed. */
  private static String dmId(String a, String b) throws Exception {
    String joined = String.join("\n", Stream.of(a, b).sorted().toList());
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(joined.getBytes(StandardCharsets.UTF_8));
    return "dm-" + HexFormat.of().formatHex(hash).substring(0, 32);
  }

  @Test
  void directMessagesAreBetweenTwoPeople() throws Exception {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    User carol = user("u-carol", "carol");
    User op = user(OPERATOR, "op");

    JsonObject opened = ok(201, "POST", "/api/dms", ann, json("user", bob.id()));
    String dm = opened.getJsonObject("room").getString("id");
    assertEquals(dmId(ann.id(), bob.id()), dm);
    assertEquals(true, opened.getBoolean("created"));
    assertEquals(bob.id(), opened.getJsonObject("room").getJsonObject("with").getString("id"));
    JsonObject again = ok(200, "POST", "/api/dms", bob, json("name", "ann"));
    assertEquals(dm, again.getJsonObject("room").getString("id"), "the same conversation from either side");
    assertEquals(false, again.getBoolean("created"));

    long hello = post(dm, ann, "just between us");
    post(dm, bob, "indeed");
    assertEquals(2, history(dm, bob).size());
    JsonArray dms = ok(200, "GET", "/api/dms", ann, null).getJsonArray("dms");
    assertEquals(1, dms.size());
    assertEquals(bob.id(), dms.getJsonObject(0).getJsonObject("with").getString("id"));

    // nobody else reads or writes it, not even an operator; it is in nobody's room list
    for (User other : List.of(carol, op)) {
      refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/" + dm + "/messages", other, null);
      refused(404, ErrorCodes.ROOM_NOT_FOUND, "POST", "/api/rooms/" + dm + "/messages", other, json("text", "hi both"));
      refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/search?q=between&room=" + dm, other, null);
    }
    assertTrue(ok(200, "GET", "/api/search?q=between", carol, null).getJsonArray("messages").isEmpty());
    refused(400, ErrorCodes.INVALID_MEMBER, "POST", "/api/rooms/" + dm + "/members", ann, json("user", carol.id()));
    assertFalse(roomIds(ann).contains(dm));
    assertEquals(2, history(dm, ann).size(), "nothing of theirs was stored");
    assertEquals(hello, byId(history(dm, ann), hello).getLong("id"));

    // a block ends a conversation that exists: neither may post in it, both still read it
    ok(200, "PUT", "/api/me/blocks/" + ann.id(), bob, null);
    refused(403, ErrorCodes.DMS_REFUSED, "POST", "/api/rooms/" + dm + "/messages", ann, json("text", "are you there?"));
    refused(403, ErrorCodes.DMS_REFUSED, "POST", "/api/rooms/" + dm + "/messages", bob, json("text", "no"));
    assertEquals(2, history(dm, ann).size());
    ok(200, "DELETE", "/api/me/blocks/" + ann.id(), bob, null);
    post(dm, ann, "thanks for unblocking");

    // refusals: oneself, an unknown user, DMs off, blocked
    refused(400, ErrorCodes.INVALID_MEMBER, "POST", "/api/dms", ann, json("user", ann.id()));
    refused(404, ErrorCodes.USER_NOT_FOUND, "POST", "/api/dms", ann, json("user", "u-never-seen"));
    assertEquals(true, ok(200, "GET", "/api/me/prefs", bob, null).getBoolean("dms"));
    assertEquals(false, ok(200, "PATCH", "/api/me/prefs", bob, json("dms", false)).getBoolean("dms"));
    refused(403, ErrorCodes.DMS_REFUSED, "POST", "/api/dms", carol, json("user", bob.id()));
    ok(200, "PATCH", "/api/me/prefs", bob, json("dms", true));
    JsonObject prefs = ok(200, "PUT", "/api/me/blocks/" + carol.id(), bob, null);
    assertEquals(carol.id(), prefs.getJsonArray("blocked").getJsonObject(0).getString("id"));
    refused(403, ErrorCodes.DMS_REFUSED, "POST", "/api/dms", carol, json("user", bob.id()));
    refused(403, ErrorCodes.DMS_REFUSED, "POST", "/api/dms", bob, json("user", carol.id()));
    assertTrue(ok(200, "DELETE", "/api/me/blocks/" + carol.id(), bob, null).getJsonArray("blocked").isEmpty());
    assertEquals(true, ok(201, "POST", "/api/dms", carol, json("user", bob.id())).getBoolean("created"));
  }

  @Test
  void ownersUpdateArchiveAndDeleteTheirRooms() {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    ok(201, "POST", "/api/rooms", ann, json("id", "project").put("name", "Project"));
    post("project", bob, "before the archive");

    refused(403, ErrorCodes.ROLE_REQUIRED, "PATCH", "/api/rooms/project", bob, json("topic", "mine now"));
    JsonObject updated = ok(200, "PATCH", "/api/rooms/project", ann, json("name", "Project X").put("topic", "launch"));
    assertEquals("Project X", updated.getString("name"));
    assertEquals("launch", updated.getString("topic"));
    refused(400, ErrorCodes.INVALID_ROOM, "PATCH", "/api/rooms/project", ann, json("name", " "));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "PATCH", "/api/rooms/nowhere", ann, json("topic", "x"));

    // archived: readable, nothing posted
    assertEquals(true, ok(200, "PATCH", "/api/rooms/project", ann, json("archived", true)).getBoolean("archived"));
    refused(409, ErrorCodes.ROOM_ARCHIVED, "POST", "/api/rooms/project/messages", bob, json("text", "anyone?"));
    assertEquals(1, history("project", bob).size());
    ok(200, "PATCH", "/api/rooms/project", ann, json("archived", false));
    post("project", bob, "after the archive");

    // only the owner (or an operator) deletes it
    refused(403, ErrorCodes.ROLE_REQUIRED, "DELETE", "/api/rooms/project", bob, null);
    assertEquals(json("room", "project").put("deleted", true), ok(200, "DELETE", "/api/rooms/project", ann, null));
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/project/messages", bob, null);
    assertFalse(roomIds(ann).contains("project"));
  }

  @Test
  void conversationsSurviveARestart() {
    User ann = user("u-ann", "ann");
    User bob = user("u-bob", "bob");
    ok(201, "POST", "/api/rooms", ann, json("id", "vault").put("private", true));
    ok(201, "POST", "/api/rooms/vault/members", ann, json("user", bob.id()));
    ok(200, "PUT", "/api/rooms/vault/members/" + bob.id() + "/role", ann, json("role", "moderator"));
    long said = post("vault", ann, "draft");
    ok(200, "PATCH", "/api/rooms/vault/messages/" + said, ann, json("text", "kept after the restart"));
    ok(200, "PUT", "/api/rooms/vault/messages/" + said + "/reactions/" + enc(ROCKET), bob, null);
    long reply = ok(201, "POST", "/api/rooms/vault/messages", bob, json("text", "same here").put("replyTo", said)).getLong("id");
    ok(200, "PUT", "/api/rooms/vault/read", bob, json("id", said));
    ok(200, "PATCH", "/api/me/prefs", ann, json("dms", false));

    service.restart();

    JsonArray page = history("vault", bob);
    JsonObject message = byId(page, said);
    assertEquals("kept after the restart", message.getString("text"));
    assertNotNull(message.getLong("edited"));
    assertEquals(ROCKET, message.getJsonArray("reactions").getJsonObject(0).getString("emoji"));
    assertEquals(1, message.getInteger("replies"));
    assertEquals(said, byId(page, reply).getJsonObject("replyTo").getLong("id"));
    JsonObject marker = unread(bob, "vault");
    assertEquals(said, marker.getLong("lastRead"));
    assertEquals(0, marker.getInteger("unread"), "bob's own reply is not unread");
    JsonArray members = ok(200, "GET", "/api/rooms/vault/members", bob, null).getJsonArray("members");
    assertTrue(members.stream().map(JsonObject.class::cast).anyMatch(m -> "moderator".equals(m.getString("role"))
        && bob.id().equals(m.getJsonObject("user").getString("id"))), members.encode());
    assertEquals(false, ok(200, "GET", "/api/me/prefs", ann, null).getBoolean("dms"));
    User carol = user("u-carol", "carol");
    refused(404, ErrorCodes.ROOM_NOT_FOUND, "GET", "/api/rooms/vault/messages", carol, null);
  }
}
