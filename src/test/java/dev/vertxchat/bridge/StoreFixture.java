package dev.vertxchat.bridge;

import dev.vertxchat.auth.Names;
import dev.vertxchat.bus.Addresses;
import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.config.ChatConfig;
import dev.vertxchat.config.ConfigDefaults;
import dev.vertxchat.store.ConversationStore;
import dev.vertxchat.store.ConversationStore.Sanction;
import dev.vertxchat.store.RoomStore;
import dev.vertxchat.store.Stores;
import dev.vertxchat.support.ChatService;
import dev.vertxchat.support.TestServer;
import io.vertx.core.json.JsonObject;

import static dev.vertxchat.support.TestServer.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The running service's database opened a second time in the same process (H2 shares one open database between
 * them), to set up what the members services would: private rooms, mutes, bans. Each change is announced on
 * {@link Addresses#ROOM_ACCESS_CHANGED}, as those services do, so the service's access cache forgets the room.
 */
final class StoreFixture implements AutoCloseable {
  private final ChatService service;
  private final Stores stores;
  private final ConversationStore conversations;

  private StoreFixture(ChatService service, Stores stores) {
    this.service = service;
    this.stores = stores;
    this.conversations = conversationsOf(stores);
  }

  static StoreFixture open(ChatService service) {
    ChatConfig config = new ChatConfig(ConfigDefaults.json().mergeIn(TestServer.baseConfig(service.dataDir()), true));
    return new StoreFixture(service, await(Stores.open(service.vertx(), config, Names.KEYS_VERSION, Names::keys)));
  }

  private static ConversationStore conversationsOf(Stores stores) {
    return stores.conversations();
  }

  void privateRoom(String id, UserRef owner) {
    assertEquals(RoomStore.Created.CREATED, await(stores.rooms().create(new Room(id, id, "", 0, Room.PRIVATE, false),
        owner.id(), new RoomStore.Quota(100, 10_000))));
    changed(id);
  }

  void mute(String room, UserRef user, String by, long forMs) {
    long now = System.currentTimeMillis();
    await(conversations.sanction(room, user, Sanction.MUTE, now + forMs, by, now));
    changed(room);
  }

  void ban(String room, UserRef user, String by) {
    await(conversations.sanction(room, user, Sanction.BAN, 0, by, System.currentTimeMillis()));
    changed(room);
  }

  private void changed(String room) {
    service.vertx().eventBus().publish(Addresses.ROOM_ACCESS_CHANGED, new JsonObject().put("room", room));
  }

  @Override
  public void close() {
    await(stores.close());
  }
}
