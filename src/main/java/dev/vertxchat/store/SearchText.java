package dev.vertxchat.store;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The form of a message's text that search compares ({@code messages.search_text}) and of the terms searched
 * for: NFKC ({@code ｆｕｌｌ} → {@code full}, {@code ﬁ} → {@code fi}), lower case (root locale), without U+0000
 * (PostgreSQL's text type cannot hold it). A term matches as a substring of it.
 */
public final class SearchText {
  private SearchText() {}

  /** The text normalized for search, or null for null. */
  public static String normalize(String text) {
    if (text == null) {
      return null;
    }
    return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).replace("\u0000", "");
  }
}
