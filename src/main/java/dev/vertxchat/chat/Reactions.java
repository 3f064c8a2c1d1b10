package dev.vertxchat.chat;

import dev.vertxchat.store.MessageStore;

import java.util.List;

/**
 * The reactions a message may get ({@code chat.react}): GitHub's eight, in the order history lists them:
 * 👍 👎 😄 🎉 😕 ❤️ 🚀 👀. Anything else is refused with 1107.
 */
public final class Reactions {
  /** 👍 👎 😄 🎉 😕 ❤️ 🚀 👀: the order in which the store lists a message's reactions ({@link MessageStore#REACTION_ORDER}). */
  public static final List<String> PALETTE = MessageStore.REACTION_ORDER;

  private Reactions() {}

  /** Whether {@code emoji} is one of the {@link #PALETTE}. */
  public static boolean allowed(Object emoji) {
    return emoji instanceof String s && PALETTE.contains(s);
  }
}
