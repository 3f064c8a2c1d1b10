package dev.vertxchat.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The merge of defaults, file, environment and system properties, without a server: conversion, precedence, warnings. */
class ConfigMergeTest {
  private static final String FILE = "test.json";

  private static JsonObject obj(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  private static ConfigMerge.Result merge(JsonObject file, Map<String, String> env, Map<String, String> props) {
    return ConfigMerge.merge(file, FILE, env, props);
  }

  private static ChatConfig fromEnv(String name, String value) {
    ConfigMerge.Result result = merge(new JsonObject(), Map.of(name, value), Map.of());
    assertEquals(List.of(), result.warnings());
    return result.config();
  }

  private static ConfigException failure(JsonObject file, Map<String, String> env, Map<String, String> props) {
    return assertThrows(ConfigException.class, () -> merge(file, env, props));
  }

  @Test
  void nothingGivenIsTheDefaults() {
    ConfigMerge.Result result = merge(new JsonObject(), Map.of(), Map.of());
    assertEquals(List.of(), result.warnings());
    assertEquals(ConfigDefaults.json(), result.config().json());
    assertEquals(8080, result.config().port());
    assertEquals(4000, result.config().maxTextLength());
  }

  @Test
  void operatorsComeFromAdminUsersAlsoAsACommaSeparatedEnvironmentVariable() {
    assertEquals(List.of(), merge(new JsonObject(), Map.of(), Map.of()).config().adminUsers());
    assertEquals(List.of("u-a", "x-b@idp"), merge(new JsonObject(), Map.of("CHAT_ADMIN_USERS", "u-a,x-b@idp"), Map.of())
        .config().adminUsers());
    assertEquals(true, merge(new JsonObject(), Map.of(), Map.of()).config().registration());
    assertEquals(false, merge(new JsonObject(), Map.of("CHAT_AUTH_REGISTRATION", "false"), Map.of()).config().registration());
    assertTrue(failure(obj("admin", obj("users", new JsonArray().add(7))), Map.of(), Map.of()).getMessage().contains("admin.users"));
    assertTrue(failure(obj("admin", obj("users", new JsonArray().add(" "))), Map.of(), Map.of()).getMessage().contains("admin.users"));
  }

  @Test
  void aGuestIdInAdminUsersIsWarnedAbout() {
    ConfigMerge.Result result = merge(new JsonObject(), Map.of("CHAT_ADMIN_USERS", "u-a,g-Xyz,x-g-sub"), Map.of());
    assertEquals(List.of("u-a", "g-Xyz", "x-g-sub"), result.config().adminUsers(), "still a valid configuration");
    assertEquals(List.of("admin.users lists g-Xyz, a guest's id: guests are never operators, so it makes nobody an operator"
        + " (list an account's u-... id, or x-<sub> for the identity provider)"), result.warnings());
  }

  @Test
  void laterSourcesWin() {
    JsonObject file = obj("http", obj("port", 1001).put("host", "127.0.0.2"));
    assertEquals(1001, merge(file, Map.of(), Map.of()).config().port());
    assertEquals("127.0.0.2", merge(file, Map.of(), Map.of()).config().host());
    ChatConfig envWins = merge(file, Map.of("CHAT_HTTP_PORT", "1002"), Map.of()).config();
    assertEquals(1002, envWins.port());
    assertEquals("127.0.0.2", envWins.host(), "what the environment does not name stays as the file says");
    ChatConfig propertyWins = merge(file, Map.of("CHAT_HTTP_PORT", "1002"), Map.of("chat.http.port", "1003")).config();
    assertEquals(1003, propertyWins.port());
  }

  @Test
  void theFileIsMergedDeeplyAndKeepsTheOtherDefaults() {
    ChatConfig config = merge(obj("limits", obj("maxTextLength", 10)), Map.of(), Map.of()).config();
    assertEquals(10, config.maxTextLength());
    assertEquals(20, config.messageBurst());
  }

  @Test
  void textIsConvertedToEachDefaultsType() {
    assertEquals(42, fromEnv("CHAT_LIMITS_MAXTEXTLENGTH", "42").maxTextLength());
    assertEquals(1L << 40, fromEnv("CHAT_HTTP_MAXPENDINGBODYBYTES", Long.toString(1L << 40)).maxPendingBodyBytes());
    assertEquals(2.5, fromEnv("CHAT_LIMITS_MESSAGESPERSECOND", "2.5").messagesPerSecond());
    assertEquals(7.0, fromEnv("CHAT_LIMITS_MESSAGESPERSECOND", "7").messagesPerSecond());
    assertFalse(fromEnv("CHAT_AUTH_GUESTS", "FALSE").guests());
    assertTrue(fromEnv("CHAT_STORE_FSYNC", " true ").storeFsync());
    assertEquals("chat.example", fromEnv("CHAT_AUTH_JWT_ISSUER", "  chat.example ").issuer(), "trimmed");
    assertEquals(List.of("https://a.example", "https://b.example"),
        fromEnv("CHAT_HTTP_ALLOWEDORIGINS", "https://a.example, https://b.example,").allowedOrigins());
    assertEquals(List.of("https://a.example"), fromEnv("CHAT_HTTP_ALLOWEDORIGINS", "[\"https://a.example\"]").allowedOrigins());
    assertEquals(List.of(), fromEnv("CHAT_HTTP_TRUSTEDPROXIES", "").trustedProxies());
    JsonArray rooms = fromEnv("CHAT_ROOMS_DEFAULTS", "[{\"id\":\"lobby\",\"name\":\"Lobby\"}]").roomDefaults();
    assertEquals("lobby", rooms.getJsonObject(0).getString("id"));
    assertEquals(3, fromEnv("CHAT_DEPLOYMENTS", "[{\"verticle\":\"a.B\",\"instances\":3}]").deployments()
        .getJsonObject(0).getInteger("instances"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "CHAT_LIMITS_MAXTEXTLENGTH | lots | limits.maxTextLength",
      "CHAT_LIMITS_MAXTEXTLENGTH | 4.5 | limits.maxTextLength",
      "CHAT_LIMITS_MESSAGESPERSECOND | fast | limits.messagesPerSecond",
      "CHAT_AUTH_GUESTS | yes | auth.guests",
      "CHAT_HTTP_ALLOWEDORIGINS | [\"https://a.example\" | http.allowedOrigins",
      "CHAT_HTTP_PORT | 70000 | http.port",
      "CHAT_HTTP_ALLOWEDORIGINS | ftp://a.example | http.allowedOrigins",
      "CHAT_DEPLOYMENTS | a.B | deployments[0]",
  })
  void aBadEnvironmentValueNamesTheKeyAndTheVariable(String name, String value, String key) {
    ConfigException e = failure(new JsonObject(), Map.of(name, value), Map.of());
    assertEquals(key, e.key());
    assertEquals(name, e.source());
    assertTrue(e.getMessage().startsWith("Invalid configuration: " + key + " (from " + name + "): "), e.getMessage());
  }

  @Test
  void aBadSystemPropertyNamesTheKeyAndTheProperty() {
    ConfigException e = failure(new JsonObject(), Map.of(), Map.of("chat.limits.maxTextLength", "lots"));
    assertEquals("limits.maxTextLength", e.key());
    assertEquals("chat.limits.maxTextLength", e.source());
  }

  @Test
  void aBadFileValueNamesTheKeyAndTheFile() {
    ConfigException type = failure(obj("http", obj("port", "abc")), Map.of(), Map.of());
    assertEquals("Invalid configuration: http.port (from test.json): must be a number, got 'abc'", type.getMessage());
    ConfigException range = failure(obj("limits", obj("maxFrameBytes", 10)), Map.of(), Map.of());
    assertEquals("limits.maxFrameBytes", range.key());
    assertEquals(FILE, range.source());
    ConfigException room = failure(obj("rooms", obj("defaults", new JsonArray().add(obj("id", "Bad Id")))), Map.of(), Map.of());
    assertEquals("rooms.defaults[0].id", room.key());
    assertEquals(FILE, room.source());
  }

  @Test
  void aDefaultMadeWrongByAnotherValueNamesNoSource() {
    ConfigException e = failure(obj("limits", obj("historyMaxPage", 10)), Map.of(), Map.of());
    assertEquals("limits.historyDefaultPage", e.key(), "the default of 50 no longer fits");
    assertNull(e.source());
  }

  @Test
  void anObjectReplacedInTheFileCannotTakeAnOverride() {
    ConfigException e = failure(obj("http", 5), Map.of("CHAT_HTTP_PORT", "1"), Map.of());
    assertEquals("http", e.key());
    assertEquals(FILE, e.source());
    assertTrue(e.getMessage().contains("CHAT_HTTP_PORT"), e.getMessage());
  }

  @Test
  void anUnknownFileKeyIsWarnedAboutOnceWithTheClosestKnownOne() {
    ConfigMerge.Result result = merge(obj("limits", obj("maxTextLenght", 5)).put("colour", "blue"), Map.of(), Map.of());
    assertEquals(2, result.warnings().size(), result.warnings().toString());
    assertEquals("Unknown configuration key limits.maxTextLenght in test.json is ignored; did you mean limits.maxTextLength?",
        result.warnings().get(0));
    assertEquals("Unknown configuration key colour in test.json is ignored", result.warnings().get(1));
    assertEquals(4000, result.config().maxTextLength());
    assertFalse(result.config().json().containsKey("colour"), "what names no key is left out");
  }

  @Test
  void aDottedFileKeyIsIgnoredWithHowToWriteIt() {
    ConfigMerge.Result result = merge(obj("http.port", 9090).put("limits", obj("history.max", 1)), Map.of(), Map.of());
    assertEquals(8080, result.config().port(), "not applied");
    assertEquals(2, result.warnings().size(), result.warnings().toString());
    assertEquals("Configuration key \"http.port\" in test.json is ignored: keys are not dotted paths; write it nested, "
        + "{\"http\":{\"port\":9090}}", result.warnings().get(0));
    assertTrue(result.warnings().get(1).contains("\"limits.history.max\"") && result.warnings().get(1)
        .endsWith("{\"limits\":{\"history\":{\"max\":1}}}"), result.warnings().get(1));
  }

  @Test
  void aMisspelledEnvironmentVariableIsWarnedAboutWithTheRealName() {
    ConfigMerge.Result result = merge(new JsonObject(),
        Map.of("CHAT_LIMITS_MAXTEXTLENTH", "5", "PATH", "/bin", "CHAT_SOMETHING_ELSE_ENTIRELY", "x"), Map.of());
    assertEquals(List.of(
        "Environment variable CHAT_LIMITS_MAXTEXTLENTH names no configuration key and is ignored; did you mean CHAT_LIMITS_MAXTEXTLENGTH?",
        "Environment variable CHAT_SOMETHING_ELSE_ENTIRELY names no configuration key and is ignored"), result.warnings());
    assertEquals(4000, result.config().maxTextLength());
  }

  @Test
  void anUnknownSystemPropertyIsWarnedAbout() {
    ConfigMerge.Result result = merge(new JsonObject(), Map.of(), Map.of("chat.limits.maxTextLenght", "5", "chat.http.port", "1"));
    assertEquals(List.of("System property chat.limits.maxTextLenght names no configuration key and is ignored; "
        + "did you mean chat.limits.maxTextLength?"), result.warnings());
    assertEquals(1, result.config().port());
  }

  @Test
  void theConfigurationCannotBeChangedFromOutside() {
    JsonObject file = obj("http", obj("allowedOrigins", new JsonArray().add("https://a.example")));
    ChatConfig config = merge(file, Map.of(), Map.of()).config();
    file.getJsonObject("http").getJsonArray("allowedOrigins").add("https://evil.example");
    config.json().getJsonObject("http").put("port", 1);
    config.array(ConfigKeys.HTTP_ALLOWED_ORIGINS).add("https://evil.example");
    ((JsonObject) config.value("http")).put("port", 2);
    assertEquals(List.of("https://a.example"), config.allowedOrigins());
    assertEquals(8080, config.port());
    assertEquals(8080, config.integer(ConfigKeys.HTTP_PORT));
    assertEquals(1, config.array(ConfigKeys.HTTP_ALLOWED_ORIGINS).size());
    assertThrows(UnsupportedOperationException.class, () -> config.allowedOrigins().add("https://evil.example"));
  }

  @Test
  void aChatConfigIsCheckedWhenBuilt() {
    ConfigException e = assertThrows(ConfigException.class, () -> new ChatConfig(new JsonObject()));
    assertTrue(e.getMessage().contains("must not be null"), e.getMessage());
    JsonObject wrong = ConfigDefaults.json();
    wrong.getJsonObject("auth").put("tokenTtlSeconds", 1);
    assertEquals("auth.tokenTtlSeconds", assertThrows(ConfigException.class, () -> new ChatConfig(wrong)).key());
  }

  @Test
  void aPublicKeyIssuerFallsBackToTheIssuer() {
    assertEquals("vertx-chat", fromEnv("CHAT_AUTH_JWT_ISSUER", "vertx-chat").publicKeyIssuer());
    assertEquals("idp", fromEnv("CHAT_AUTH_JWT_PUBLICKEYISSUER", "idp").publicKeyIssuer());
  }

  @Test
  void theLoaderReadsConfConfigJsonOnlyWhenNothingIsGiven(@TempDir Path dir) throws Exception {
    Path conf = Files.writeString(dir.resolve("config.json"), "{\"http\": {\"port\": 1234}}");
    assertEquals(1234, ConfigLoader.load(new JsonObject(), null, Map.of(), Map.of(), conf).port());
    assertEquals(8080, ConfigLoader.load(new JsonObject(), "given.json", Map.of(), Map.of(), conf).port(),
        "a -conf file, even an empty one, replaces conf/config.json");
    assertEquals(1, ConfigLoader.load(obj("http", obj("port", 1)), null, Map.of(), Map.of(), conf).port());
    assertEquals(8080, ConfigLoader.load(new JsonObject(), null, Map.of(), Map.of(), dir.resolve("absent.json")).port());
  }

  @Test
  void aMalformedFileIsNamedWithWhereItBreaks(@TempDir Path dir) throws Exception {
    Path conf = Files.writeString(dir.resolve("broken.json"), "{\"http\": {\"port\": 1234},\n  \"data\": }");
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(new JsonObject(), null, Map.of(), Map.of(), conf));
    assertEquals("Invalid configuration: " + conf + ": not valid JSON at line 2, column 11", e.getMessage());
    assertEquals(e.getMessage(), ConfigFileReader.unusable(conf.toString()).getMessage());
    Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
    assertEquals("Invalid configuration: " + array + ": is not a JSON object", ConfigFileReader.unusable(array.toString()).getMessage());
    assertEquals("Invalid configuration: -conf " + dir.resolve("typo.json") + ": is neither a readable file nor a JSON object",
        ConfigFileReader.unusable(dir.resolve("typo.json").toString()).getMessage());
    assertTrue(ConfigFileReader.unusable("{\"http\": ").getMessage().startsWith("Invalid configuration: -conf: not valid JSON at line 1"));
  }
}
