package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;

/** {@link BridgeChatTest} over SockJS's WebSocket transport on the fast path. */
class SockJsBridgeChatTest extends BridgeChatTest {
  @Override
  BridgeClient.Transport transport() {
    return BridgeClient.Transport.SOCKJS_WEBSOCKET;
  }

  @Override
  boolean fastPath() {
    return true;
  }
}
