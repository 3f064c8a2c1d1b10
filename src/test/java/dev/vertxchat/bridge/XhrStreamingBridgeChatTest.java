package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;

/** {@link BridgeChatTest} over SockJS's xhr-streaming transport. */
class XhrStreamingBridgeChatTest extends BridgeChatTest {
  @Override
  BridgeClient.Transport transport() {
    return BridgeClient.Transport.XHR_STREAMING;
  }

  @Override
  boolean fastPath() {
    return true;
  }
}
