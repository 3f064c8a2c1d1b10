package dev.vertxchat.chat;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which phrases of a message may name a mentioned user, longest first; and the DM room id scheme. */
class MentionsTest {

  @Test
  void aMentionIsTheNameAfterAnAtSignExtendedBySingleSpacedWords() {
    assertEquals(List.of(List.of("bob")), Mentions.tokens("hi @bob"));
    assertEquals(List.of(List.of("Ann Lee says", "Ann Lee", "Ann")), Mentions.tokens("@Ann Lee says"));
    // two spaces end the name; trailing punctuation is tried without it too
    assertEquals(List.of(List.of("bob.", "bob")), Mentions.tokens("thanks @bob.  bye"));
    assertEquals(List.of(List.of("a_b-c")), Mentions.tokens("(@a_b-c)"));
  }

  @Test
  void anAddressOrALoneAtSignIsNoMention() {
    assertEquals(List.of(), Mentions.tokens("mail me at ann@example.org"));
    assertEquals(List.of(), Mentions.tokens("@ and @@ and @ !"));
  }

  @Test
  void severalMentionsAndTheirBound() {
    assertEquals(List.of(List.of("x"), List.of("y")), Mentions.tokens("@x @y"));
    assertEquals(List.of(List.of("x y", "x"), List.of("z")), Mentions.tokens("@x y, @z"));
    assertEquals(Mentions.MAX_TOKENS, Mentions.tokens("@a ".repeat(50).replace(" @", ", @")).size());
  }

  @Test
  void aNameIsAtMost32Characters() {
    String longWord = "n".repeat(33);
    assertEquals(List.of(), Mentions.tokens("@" + longWord));
    assertEquals(List.of(List.of("ab")), Mentions.tokens("@ab " + longWord));
  }

  @Test
  void aDmRoomIdIsTheHashOfBothIdsWhicheverOpens() {
    String id = Dms.roomId("u-alice", "g-bob");
    assertEquals(id, Dms.roomId("g-bob", "u-alice"));
    assertEquals(35, id.length());
    assertEquals("dm-", id.substring(0, 3));
    assertEquals(true, dev.vertxchat.bus.Addresses.ROOM_ID.matcher(id).matches());
  }
}
