package dev.vertxchat.bridge;

import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.ErrorCodes;
import dev.vertxchat.support.BridgeClient;
import dev.vertxchat.support.BridgeClient.Transport;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.Http;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The addresses the nodes of a cluster use among themselves ({@code vertxchat.internal.}) are out of every
 * client's reach, on every transport: registering, sending and publishing there are refused, and nothing
 * a client sends reaches a consumer there.
 */
class InternalAddressTest {
  @RegisterExtension
  final ChatService service = new ChatService();

  @ParameterizedTest
  @EnumSource(Transport.class)
  void aClientCanNeitherRegisterNorSendNorPublishToInternalAddresses(Transport transport, Vertx vertx, Http http) {
    List<Object> heard = new CopyOnWriteArrayList<>();
    List<String> addresses = List.of(Addresses.node("some-node", Addresses.NODE_DISCONNECT),
        Addresses.node("some-node", Addresses.NODE_BANS), Addresses.INTERNAL_PREFIX + "anything");
    List<MessageConsumer<Object>> consumers = addresses.stream()
        .map(a -> vertx.eventBus().consumer(a, m -> heard.add(m.body()))).toList();
    consumers.forEach(c -> await(c.completion()));

    JsonObject alice = http.guest("alice");
    BridgeClient client = service.connect(alice.getString("token"), transport);
    JsonObject body = new JsonObject().put("user", alice.getJsonObject("user").getString("id")).put("code", 4102);
    for (String address : addresses) {
      client.register(address);
      JsonObject err = client.awaitFrame(f -> "err".equals(f.getString("type")) && address.equals(f.getString("address")));
      assertEquals("access_denied", err.getString("body"), address + " over " + transport);

      JsonObject reply = client.request(address, body);
      assertEquals("err", reply.getString("type"), address + " over " + transport);
      assertEquals(ErrorCodes.ACCESS_DENIED, reply.getInteger("failureCode"));

      client.write(new JsonObject().put("type", "publish").put("address", address).put("body", body));
      client.write(new JsonObject().put("type", "send").put("address", address).put("body", body));
    }
    // the frames above were handled in order before this answer
    client.request("chat.presence", new JsonObject().put("room", "general"));
    assertEquals(addresses.size() * 2, client.received(f -> "err".equals(f.getString("type")) && f.getString("address") == null
        && "access_denied".equals(f.getString("body"))).size());
    assertTrue(heard.isEmpty(), "a client's frame reached an internal address: " + heard);
    consumers.forEach(c -> await(c.unregister()));
  }
}
