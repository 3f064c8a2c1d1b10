package dev.vertxchat.store;

import io.vertx.core.json.JsonObject;

/** The store contracts on embedded H2 (the default store), messages through the journal. */
class H2StoreContractTest extends StoreContractTest {
  @Override
  JsonObject storeConfig() {
    return new JsonObject().put("type", "h2");
  }
}
