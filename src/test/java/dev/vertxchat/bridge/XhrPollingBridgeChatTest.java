package dev.vertxchat.bridge;

import dev.vertxchat.support.BridgeClient;

/** {@link BridgeChatTest} over SockJS's xhr-polling transport. */
class XhrPollingBridgeChatTest extends BridgeChatTest {
  @Override
  BridgeClient.Transport transport() {
    return BridgeClient.Transport.XHR_POLLING;
  }

  @Override
  boolean fastPath() {
    return true;
  }
}
