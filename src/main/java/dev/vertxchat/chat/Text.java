package dev.vertxchat.chat;

import dev.vertxchat.bus.ChatException;
import dev.vertxchat.bus.ErrorCodes;

/**
 * What counts as text a person can read, for messages and room names: well-formed UTF-16 (no lone
 * surrogate, which no encoding can carry and which would be stored as {@code ?}) with at least one
 * visible character.
 */
public final class Text {
  private Text() {}

  /** Whether every surrogate in {@code s} is half of a pair (so the text survives UTF-8 and back). */
  public static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} is one line of plain text: {@link #wellFormed well-formed}, without a control
   * character (C0 with tab and line breaks, DEL, C1) or a bidi control ({@code U+061C}, {@code U+200E},
   * {@code U+200F}, {@code U+202A}-{@code U+202E}, {@code U+2066}-{@code U+2069}), which could reorder or
   * hide what is shown around it. For short texts shown as labels (a ban reason).
   */
  public static boolean plainLine(String s) {
    return wellFormed(s) && s.codePoints().noneMatch(cp -> Character.getType(cp) == Character.CONTROL || bidiControl(cp));
  }

  private static boolean bidiControl(int cp) {
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  }

  /** Whether {@code s} has a code point that shows as something (see {@link #invisible(int)}). */
  public static boolean hasVisible(String s) {
    return s.codePoints().anyMatch(cp -> !invisible(cp));
  }

  /**
   * Code points that show nothing by themselves: white space of every kind (NBSP included), controls,
   * format characters (zero-width space and joiners, bidi controls, soft hyphen, BOM, tags), Unicode's
   * other default-ignorable code points (variation selectors, Hangul fillers), and the blank braille
   * pattern U+2800.
   */
  static boolean invisible(int cp) {
    if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
      return true;
    }
    int type = Character.getType(cp);
    // unassigned code points count as visible: they may be characters newer than this JVM's tables
    if (type == Character.CONTROL || type == Character.FORMAT) {
      return true;
    }
    return cp == 0x034F                                // combining grapheme joiner
        || cp == 0x115F || cp == 0x1160                // Hangul choseong / jungseong fillers
        || cp == 0x17B4 || cp == 0x17B5                // Khmer inherent vowels
        || (cp >= 0x180B && cp <= 0x180F)              // Mongolian variation selectors, vowel separator
        || cp == 0x2800                                // braille pattern blank
        || cp == 0x3164 || cp == 0xFFA0                // Hangul filler, halfwidth Hangul filler
        || (cp >= 0xFE00 && cp <= 0xFE0F)              // variation selectors
        || (cp >= 0xFFF0 && cp <= 0xFFF8)              // unassigned specials
        || (cp >= 0x1BCA0 && cp <= 0x1BCA3)            // shorthand format controls
        || (cp >= 0x1D173 && cp <= 0x1D17A)            // musical symbol format controls
        || (cp >= 0xE0000 && cp <= 0xE0FFF);           // tags, variation selectors supplement
  }

  /**
   * A message's text as sent or edited ({@code text} of {@code chat.send} and {@code chat.edit}): trimmed, 1 to
   * {@code maxLength} code points, well-formed, with a visible character; otherwise a {@link ChatException} 1104.
   */
  static String message(Object value, int maxLength) {
    if (!(value instanceof String raw)) {
      throw new ChatException(ErrorCodes.INVALID_TEXT, "text must be a string");
    }
    if (!wellFormed(raw)) {
      throw new ChatException(ErrorCodes.INVALID_TEXT,
          "text must be well-formed Unicode (a lone UTF-16 surrogate is not)");
    }
    String text = raw.strip();
    int length = text.codePointCount(0, text.length());
    if (length == 0 || length > maxLength) {
      throw new ChatException(ErrorCodes.INVALID_TEXT, "text must be 1 to " + maxLength + " characters after trimming");
    }
    if (!hasVisible(text)) {
      throw new ChatException(ErrorCodes.INVALID_TEXT,
          "text must contain a visible character, not only spaces or invisible ones");
    }
    return text;
  }

  /** The first {@code max} code points of {@code text} (a quote, a notice's excerpt). */
  static String clip(String text, int max) {
    if (text == null || text.codePointCount(0, text.length()) <= max) {
      return text;
    }
    return text.substring(0, text.offsetByCodePoints(0, max));
  }
}
