package dev.vertxchat.auth;

import java.util.regex.Pattern;

/** The rule for display names: 1-32 characters, letters, digits, {@code _ - .}, and single spaces inside. */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_.-]+( [\\p{L}\\p{N}_.-]+)*");

  private Names() {}

  public static boolean valid(String name) {
    return name != null && name.codePointCount(0, name.length()) <= 32 && NAME.matcher(name).matches();
  }
}
