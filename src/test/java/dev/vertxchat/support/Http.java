package dev.vertxchat.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A blocking HTTP client for tests, over the real port. */
public final class Http {
  private final WebClient client;
  private final int port;

  public Http(Vertx vertx, int port) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    this.port = port;
  }

  public int port() {
    return port;
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return await(auth(client.get(path), token).send());
  }

  public HttpResponse<Buffer> post(String path, String token, Object body) {
    HttpRequest<Buffer> req = auth(client.post(path), token).putHeader("Content-Type", "application/json");
    return await(body instanceof JsonObject json ? req.sendJsonObject(json) : req.sendBuffer(Buffer.buffer(String.valueOf(body))));
  }

  /** A request with any method ({@code PUT}, {@code PATCH}, {@code DELETE} ...); {@code body} null: none. */
  public HttpResponse<Buffer> send(HttpMethod method, String path, String token, Object body) {
    HttpRequest<Buffer> req = auth(client.request(method, path), token);
    if (body == null) {
      return await(req.send());
    }
    req.putHeader("Content-Type", "application/json");
    return await(body instanceof JsonObject json ? req.sendJsonObject(json) : req.sendBuffer(Buffer.buffer(String.valueOf(body))));
  }

  private static HttpRequest<Buffer> auth(HttpRequest<Buffer> req, String token) {
    return token == null ? req : req.putHeader("Authorization", "Bearer " + token);
  }

  /** Signs in as a guest and returns the session ({@code token}, {@code user}). */
  public JsonObject guest(String name) {
    HttpResponse<Buffer> res = post("/api/auth/guest", null, new JsonObject().put("name", name));
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject();
  }

  public String guestToken(String name) {
    return guest(name).getString("token");
  }

  /** The error code of a {@code {"error":{"code","message"}}} answer. */
  public static int errorCode(HttpResponse<Buffer> res) {
    return res.bodyAsJsonObject().getJsonObject("error").getInteger("code");
  }

  public void close() {
    client.close();
  }
}
