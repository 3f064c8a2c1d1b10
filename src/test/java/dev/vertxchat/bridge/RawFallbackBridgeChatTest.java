package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;

/** {@link BridgeChatTest} over the raw WebSocket endpoint served through Vert.x's public WebSocket API (http.webSocketFastPath=false). */
class RawFallbackBridgeChatTest extends BridgeChatTest {
  @Override
  BridgeClient.Transport transport() {
    return BridgeClient.Transport.RAW;
  }

  @Override
  boolean fastPath() {
    return false;
  }
}
