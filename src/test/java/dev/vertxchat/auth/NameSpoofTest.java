package dev.vertxchat.auth;

import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.store.Database;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.vertxchat.support.BridgeClient.body;
import static dev.vertxchat.support.BridgeClient.bodyType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Display-name impersonation (issue 8, case 7): look-alike names of accounts are refused, a guest cannot
 * keep a name an account took after it, and guests are shown as guests.
 */
class NameSpoofTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  /** Cyrillic В (U+0412) and о (U+043E), then Latin "bby". */
  static final String CYRILLIC_BOBBY = "\u0412\u043ebby";
  /** Full-width ｂｏｂｂｙ. */
  static final String FULL_WIDTH_BOBBY = "\uFF42\uFF4F\uFF42\uFF42\uFF59";

  private static JsonObject credentials(String name, String password) {
    return new JsonObject().put("name", name).put("password", password);
  }

  private HttpResponse<Buffer> guest(String name) {
    return service.http().post("/api/auth/guest", null, new JsonObject().put("name", name));
  }

  private HttpResponse<Buffer> register(String name, String password) {
    return service.http().post("/api/auth/register", null, credentials(name, password));
  }

  private HttpResponse<Buffer> login(String name, String password) {
    return service.http().post("/api/auth/login", null, credentials(name, password));
  }

  private static void assertTaken(HttpResponse<Buffer> res, String name) {
    assertEquals(409, res.statusCode(), name + ": " + res.bodyAsString());
    assertEquals(ErrorCodes.NAME_TAKEN, Http.errorCode(res), name + ": " + res.bodyAsString());
  }

  private static String userId(HttpResponse<Buffer> res) {
    return res.bodyAsJsonObject().getJsonObject("user").getString("id");
  }

  @Test
  void lookAlikesOfAnAccountNameAreRefusedToGuestsAndToRegistration() {
    assertEquals(201, register("Bobby", "bobbys password").statusCode());
    for (String name : List.of(CYRILLIC_BOBBY, FULL_WIDTH_BOBBY, "BOBBY", "B0bby", "\u0432\u043ebby")) {
      assertTaken(guest(name), name);
      assertTaken(register(name, "another password"), name);
    }
    // a different name is still fine
    assertEquals(200, guest("Bob").statusCode());
    assertEquals(201, register("Bob", "bobs password").statusCode());
    // look-alike spellings sign into the account itself (the password decides)
    HttpResponse<Buffer> reference = login("Bobby", "bobbys password");
    assertEquals(200, reference.statusCode(), reference.bodyAsString());
    for (String name : List.of("bobby", FULL_WIDTH_BOBBY)) {
      HttpResponse<Buffer> res = login(name, "bobbys password");
      assertEquals(200, res.statusCode(), name + ": " + res.bodyAsString());
      assertEquals(userId(reference), userId(res));
      assertEquals("Bobby", res.bodyAsJsonObject().getJsonObject("user").getString("name"));
    }
  }

  @Test
  void dottedAndDotlessIAreTheSameName() {
    assertEquals(201, register("\u0130nci", "incis password").statusCode()); // İnci
    for (String name : List.of("inci", "\u0131nci", "INCI", "Inci")) { // ınci: dotless i
      assertTaken(guest(name), name);
      assertTaken(register(name, "another password"), name);
    }
    assertEquals(201, register("Ince", "long enough pw").statusCode());
  }

  @Test
  void aGuestCannotRenewATokenForANameAnAccountTookAfterIt(Http http) {
    JsonObject carol = http.guest("carol");
    JsonObject dave = http.guest("dave");
    assertEquals(200, http.post("/api/auth/refresh", carol.getString("token"), new JsonObject()).statusCode(),
        "renewable while the name is free");

    HttpResponse<Buffer> account = register("Carol", "carols password");
    assertEquals(201, account.statusCode(), account.bodyAsString());

    assertTaken(http.post("/api/auth/refresh", carol.getString("token"), new JsonObject()), "guest carol");
    assertEquals(200, http.post("/api/auth/refresh", dave.getString("token"), new JsonObject()).statusCode(),
        "other guests are not affected");
    String accountToken = account.bodyAsJsonObject().getString("token");
    assertEquals(200, http.post("/api/auth/refresh", accountToken, new JsonObject()).statusCode(), "the account renews");
  }

  @Test
  void guestsAreMarkedInPresenceEnvelopesHistoryAndSessions(Http http) {
    JsonObject alice = http.guest("alice");
    HttpResponse<Buffer> reg = register("Bert", "berts password");
    JsonObject bert = reg.bodyAsJsonObject();
    assertEquals(true, alice.getJsonObject("user").getValue("guest"), alice.encode());
    assertFalse(bert.getJsonObject("user").containsKey("guest"), bert.encode());

    BridgeClient a = service.connect(alice.getString("token"));
    BridgeClient b = service.connect(bert.getString("token"));
    String aliceId = alice.getJsonObject("user").getString("id");
    String bertId = bert.getJsonObject("user").getString("id");
    b.join("general", bertId);
    a.join("general", aliceId);

    JsonArray users = body(b.request("chat.presence", new JsonObject().put("room", "general"))).getJsonArray("users");
    Map<String, JsonObject> byId = users.stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(u -> u.getString("id"), Function.identity()));
    assertEquals(new JsonObject().put("id", aliceId).put("name", "alice").put("guest", true), byId.get(aliceId));
    assertEquals(new JsonObject().put("id", bertId).put("name", "Bert"), byId.get(bertId));

    JsonObject joined = b.awaitFrame(f -> "join".equals(bodyType(f)) && aliceId.equals(body(f).getJsonObject("user").getString("id")));
    assertEquals(true, body(joined).getJsonObject("user").getValue("guest"));

    assertEquals("message", a.request("chat.send", new JsonObject().put("room", "general").put("text", "hi from a guest")).getString("type"));
    assertEquals("message", b.request("chat.send", new JsonObject().put("room", "general").put("text", "hi from an account")).getString("type"));
    JsonObject live = b.awaitFrame(f -> "chat".equals(bodyType(f)) && "hi from a guest".equals(body(f).getString("text")));
    assertEquals(true, body(live).getJsonObject("user").getValue("guest"));

    // the stored history says the same
    JsonArray messages = http.get("/api/rooms/general/messages", alice.getString("token")).bodyAsJsonObject().getJsonArray("messages");
    assertEquals(2, messages.size(), messages.encode());
    assertEquals(true, messages.getJsonObject(0).getJsonObject("user").getValue("guest"), messages.encode());
    assertFalse(messages.getJsonObject(1).getJsonObject("user").containsKey("guest"), messages.encode());
  }

  /**
   * A database of the previous version (names compared in lower case only) can hold accounts whose names
   * look alike; after the upgrade both still sign in by their exact names, and look-alikes are refused.
   */
  @Test
  void accountsOfAnOlderDatabaseAreRekeyedAndKeepSigningIn() throws SQLException {
    String bobby = userId(register("Bobby", "bobbys password"));
    String carol = userId(register("Carol", "carols password"));
    service.stop();

    // turn the database back into schema version 2 (before look-alike keys), then add what it allowed:
    // "Воbby" next to "Bobby"
    try (Connection conn = DriverManager.getConnection(Database.url(service.dataDir().toString()), "sa", "");
         Statement st = conn.createStatement()) {
      st.execute("DROP INDEX accounts_name_upper_key");
      st.execute("ALTER TABLE accounts DROP COLUMN name_upper_key");
      st.execute("DROP TABLE name_keys_version");
      st.execute("DELETE FROM schema_version WHERE version > 2");
      try (ResultSet rows = st.executeQuery("SELECT id, name FROM accounts");
           PreparedStatement update = conn.prepareStatement("UPDATE accounts SET name_key = ? WHERE id = ?")) {
        while (rows.next()) {
          update.setString(1, rows.getString(2).toLowerCase(Locale.ROOT));
          update.setString(2, rows.getString(1));
          update.executeUpdate();
        }
      }
      try (PreparedStatement insert = conn.prepareStatement("INSERT INTO accounts (id, name, name_key, password_hash, created_at)"
          + " SELECT 'u-cyrillicbobby', ?, ?, password_hash, created_at + 1000 FROM accounts WHERE id = ?")) {
        insert.setString(1, CYRILLIC_BOBBY);
        insert.setString(2, CYRILLIC_BOBBY.toLowerCase(Locale.ROOT));
        insert.setString(3, bobby);
        assertEquals(1, insert.executeUpdate());
      }
    }

    service.restart();
    assertEquals(bobby, userId(login("Bobby", "bobbys password")));
    assertEquals(bobby, userId(login("bobby", "bobbys password")));
    assertEquals("u-cyrillicbobby", userId(login(CYRILLIC_BOBBY, "bobbys password")), "the later look-alike still signs in");
    assertEquals(carol, userId(login("CAROL", "carols password")));
    for (String name : List.of(FULL_WIDTH_BOBBY, "B0bby", "carol")) {
      assertTaken(guest(name), name);
      assertTaken(register(name, "another password"), name);
    }
    assertEquals(200, guest("Bob").statusCode());
    assertEquals(201, register("Bob", "bobs password").statusCode());
  }
}
