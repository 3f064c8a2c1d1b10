package dev.vertxchat.chat;

import dev.vertxchat.bus.Room;
import dev.vertxchat.bus.UserRef;
import dev.vertxchat.store.ConversationStore;
import dev.vertxchat.store.ConversationStore.RoomAccess;
import dev.vertxchat.store.ConversationStore.Sanction;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds whom a message mentions (docs/PROTOCOL.md, "Mentions"): an {@code @} (at the start or after a character that
 * is not part of a name) followed by name characters ({@code [\p{L}\p{N}_.-]}), extended by the following words
 * separated by single spaces while the whole stays a possible name (32 characters), the longest phrase that names a
 * user first. A phrase names (1) a user present in the room or with a member row there, compared by look-alike key,
 * else (2) the known user with that key (accounts first). Only users who may read the room count, never the author;
 * at most {@link #MAX} per message (the rest stay plain text).
 */
final class Mentions {
  static final int MAX = 10;
  /** {@code @} tokens looked at per message (each costs at most a few lookups). */
  static final int MAX_TOKENS = 20;
  private static final int MAX_NAME = 32;
  private static final int MAX_WORDS = 5;

  private final ConversationStore store;
  private final Function<String, String> nameKey;

  Mentions(ConversationStore store, Function<String, String> nameKey) {
    this.store = store;
    this.nameKey = nameKey;
  }

  /** The users {@code text} mentions, in order of first mention. */
  Future<List<UserRef>> resolve(String text, RoomAccess access, UserRef author, List<UserRef> present) {
    List<List<String>> tokens = tokens(text);
    if (tokens.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Map<String, UserRef> local = new HashMap<>();
    access.members().values().forEach(m -> local.putIfAbsent(nameKey.apply(m.user().name()), m.user()));
    present.forEach(u -> local.putIfAbsent(nameKey.apply(u.name()), u));
    LinkedHashMap<String, UserRef> found = new LinkedHashMap<>();
    Future<Void> chain = Future.succeededFuture();
    for (List<String> phrases : tokens) {
      chain = chain.compose(v -> found.size() >= MAX ? Future.succeededFuture()
          : one(phrases, 0, local, access).map(user -> {
            if (user != null && !user.id().equals(author.id()) && found.size() < MAX) {
              found.putIfAbsent(user.id(), user);
            }
            return null;
          }));
    }
    // a user who blocked the author is not mentioned (no notice, no badge): a block stops every way of reaching them
    return chain.compose(v -> {
      List<UserRef> users = List.copyOf(found.values());
      List<Future<Boolean>> blocks = users.stream().map(u -> store.blocks(u.id(), author.id())).toList();
      return Future.all(blocks).map(all -> {
        List<UserRef> reached = new java.util.ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
          if (!blocks.get(i).result()) {
            reached.add(users.get(i));
          }
        }
        return List.copyOf(reached);
      });
    });
  }

  /** The user the longest of {@code phrases} names: present or member first (all phrases), then the store. */
  private Future<UserRef> one(List<String> phrases, int from, Map<String, UserRef> local, RoomAccess access) {
    if (from == 0) {
      for (String phrase : phrases) {
        UserRef user = local.get(nameKey.apply(phrase));
        if (user != null && mayRead(access, user.id(), true)) {
          return Future.succeededFuture(user);
        }
      }
    }
    if (from >= phrases.size()) {
      return Future.succeededFuture(null);
    }
    return store.usersByNameKey(nameKey.apply(phrases.get(from)), 2).compose(users -> {
      for (UserRef user : users) {
        if (mayRead(access, user.id(), false)) {
          return Future.succeededFuture(user);
        }
      }
      return one(phrases, from + 1, local, access);
    });
  }

  /** Whether the user may read the room (operators are not known here: a member row, or a public room). */
  private static boolean mayRead(RoomAccess access, String userId, boolean present) {
    if (Access.sanction(access, userId, Sanction.BAN) != null) {
      return false;
    }
    return present || Room.PUBLIC.equals(access.room().kind()) || access.members().containsKey(userId);
  }

  /** For every {@code @} token (at most {@link #MAX_TOKENS}): its candidate phrases, longest first. */
  static List<List<String>> tokens(String text) {
    List<List<String>> out = new ArrayList<>();
    int i = 0;
    while (i < text.length() && out.size() < MAX_TOKENS) {
      int at = text.indexOf('@', i);
      if (at < 0) {
        break;
      }
      i = at + 1;
      if (at > 0 && nameChar(text.codePointBefore(at))) {
        continue; // an address like a@b.c, not a mention
      }
      List<String> phrases = new ArrayList<>();
      int end = word(text, at + 1);
      if (end == at + 1) {
        continue;
      }
      int words = 1;
      while (true) {
        String phrase = text.substring(at + 1, end);
        if (phrase.codePointCount(0, phrase.length()) > MAX_NAME) {
          break;
        }
        String trimmed = trimEnd(phrase);
        if (!trimmed.isEmpty() && !trimmed.equals(phrase)) {
          phrases.add(trimmed); // reversed below: after the phrase itself
        }
        phrases.add(phrase);
        if (words >= MAX_WORDS || end + 1 >= text.length() || text.charAt(end) != ' ') {
          break;
        }
        int next = word(text, end + 1);
        if (next == end + 1) {
          break;
        }
        end = next;
        words++;
      }
      if (!phrases.isEmpty()) {
        Collections.reverse(phrases);
        out.add(phrases);
      }
    }
    return out;
  }

  /** Where the run of name characters starting at {@code from} ends. */
  private static int word(String text, int from) {
    int j = from;
    while (j < text.length()) {
      int cp = text.codePointAt(j);
      if (!nameChar(cp)) {
        break;
      }
      j += Character.charCount(cp);
    }
    return j;
  }

  /** Without trailing {@code . - _} (sentence punctuation after a name). */
  private static String trimEnd(String phrase) {
    int end = phrase.length();
    while (end > 0 && ".-_".indexOf(phrase.charAt(end - 1)) >= 0) {
      end--;
    }
    return phrase.substring(0, end);
  }

  static boolean nameChar(int cp) {
    return Character.isLetter(cp) || Character.isDigit(cp) || Character.getType(cp) == Character.LETTER_NUMBER
        || Character.getType(cp) == Character.OTHER_NUMBER || cp == '_' || cp == '.' || cp == '-';
  }
}
