package dev.vertxchat.auth;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;
import com.ibm.icu.text.SpoofChecker;
import com.ibm.icu.util.ULocale;
import com.ibm.icu.util.VersionInfo;
import dev.vertxchat.store.AccountStore.NameKeys;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The rule for display names (1-32 characters: letters, digits, {@code _ - .}, and single spaces inside),
 * and how two names are compared.
 *
 * <p>Two names are the same name when they look alike, whatever their case: {@code Bobby}, {@code bobby},
 * {@code ｂｏｂｂｙ} (full width), {@code Воbby} (Cyrillic В and о), {@code B0bby}; {@code İnci}, {@code inci},
 * {@code ınci}. The comparison is by Unicode TR39 confusable skeletons, computed by ICU's
 * {@link SpoofChecker} from the Unicode data, of the name's case-folded form:
 * <ol>
 *   <li>fold: NFKC with case folding (compatibility forms and case go), then a combining dot above on a
 *       soft-dotted letter ({@code i}, {@code j}, ...) is dropped: it replaces the letter's own dot, so
 *       {@code i̇} (what {@code İ} folds to) looks like {@code i};</li>
 *   <li>the {@link #key folded key} is the skeleton of the folded form, the {@link #upperKey upper key} the
 *       skeleton of its upper case. Both are needed because some letters are look-alikes only in one case:
 *       Cyrillic {@code В} looks like {@code B} but {@code в} does not look like {@code b}; Greek {@code ν}
 *       looks like {@code v} but {@code Ν} looks like {@code N}.</li>
 * </ol>
 * Two names are the same when their folded keys or their upper keys are equal. Skeletons are meant for
 * comparison only; they are never shown. Like every confusable test this refuses some names a person
 * would tell apart ({@code Tom} and {@code Torn}, {@code Bill} and {@code Bi11}); that is the price of
 * refusing the ones they would not.
 *
 * <p>Names the server speaks under are {@link #reserved reserved}: {@code server}, {@code system},
 * {@code server notice}, compared as above and without the separators {@code _ - .} and spaces, so
 * {@code Server_Notice}, {@code SYSTEM} and {@code Ѕеrvеr} (Cyrillic) are reserved too.
 */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_.-]+( [\\p{L}\\p{N}_.-]+)*");
  private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();
  private static final Normalizer2 NFD = Normalizer2.getNFDInstance();
  /** Thread safe once built: "the test functions ... are thread safe" (ICU API documentation). */
  private static final SpoofChecker SKELETONS = new SpoofChecker.Builder().build();
  private static final int COMBINING_DOT_ABOVE = 0x0307;
  private static final int CLASS_ABOVE = 230;
  /**
   * Changes whenever {@link #keys} could answer differently: the comparison's own revision (raise it when
   * this class changes how keys are made) and the ICU version, which fixes the Unicode data. Stored keys
   * made by another version are recomputed at start-up.
   */
  public static final String KEYS_VERSION = "names-1 icu-" + VersionInfo.ICU_VERSION;

  /** The names a server notice is shown under (its user is {@code {"id":"system","name":"server"}}). */
  private static final List<NameKeys> RESERVED = List.of(keys("server"), keys("system"), keys("servernotice"));
  private static final Pattern SEPARATORS = Pattern.compile("[_.\\- ]+");

  private Names() {}

  public static boolean valid(String name) {
    return name != null && name.codePointCount(0, name.length()) <= 32 && NAME.matcher(name).matches();
  }

  /** Whether a name is, or looks like, one the server speaks under (see the class comment). */
  public static boolean reserved(String name) {
    NameKeys keys = keys(SEPARATORS.matcher(name).replaceAll(""));
    return RESERVED.stream().anyMatch(r -> r.folded().equals(keys.folded()) || r.upper().equals(keys.upper()));
  }

  /** Both comparison keys of a name (see the class comment). */
  public static NameKeys keys(String name) {
    String folded = fold(name);
    return new NameKeys(SKELETONS.getSkeleton(folded), SKELETONS.getSkeleton(UCharacter.toUpperCase(ULocale.ROOT, folded)));
  }

  /** The skeleton of the name's folded form: {@code Bobby}, {@code ｂｏｂｂｙ}, {@code İnci}/{@code ınci} → {@code inci}. */
  public static String key(String name) {
    return keys(name).folded();
  }

  /** The skeleton of the upper case of the folded form: also {@code Воbby} → {@code BOBBY}. */
  public static String upperKey(String name) {
    return keys(name).upper();
  }

  /** NFKC case folding, then without a combining dot above on a soft-dotted letter; in NFD. */
  static String fold(String name) {
    String decomposed = NFD.normalize(NFKC_CASEFOLD.normalize(name));
    StringBuilder out = new StringBuilder(decomposed.length());
    int base = -1;
    boolean markAbove = false;
    for (int i = 0; i < decomposed.length(); ) {
      int c = decomposed.codePointAt(i);
      i += Character.charCount(c);
      int combiningClass = UCharacter.getCombiningClass(c);
      if (c == COMBINING_DOT_ABOVE && base >= 0 && !markAbove && UCharacter.hasBinaryProperty(base, UProperty.SOFT_DOTTED)) {
        continue;
      }
      if (combiningClass == 0) {
        base = c;
        markAbove = false;
      } else if (combiningClass == CLASS_ABOVE) {
        markAbove = true;
      }
      out.appendCodePoint(c);
    }
    return out.toString();
  }
}
