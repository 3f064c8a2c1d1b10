package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;

/** {@link BridgeChatTest} over SockJS's WebSocket transport served through Vert.x's public WebSocket API (http.webSocketFastPath=false). */
class FallbackBridgeChatTest extends BridgeChatTest {
  @Override
  BridgeClient.Transport transport() {
    return BridgeClient.Transport.SOCKJS_WEBSOCKET;
  }

  @Override
  boolean fastPath() {
    return false;
  }
}
