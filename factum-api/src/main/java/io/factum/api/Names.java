package io.factum.api;

/** The shared rule for stream ids and event types: 1–255 code points, not blank, no control characters, valid Unicode. */
final class Names {

  static final int MAX_CODE_POINTS = 255;

  private Names() {}

  /** Returns {@code null} when {@code name} is acceptable, else what is wrong with it. */
  static String problem(String name) {
    if (name == null) {
      return "is missing";
    }
    if (name.isEmpty()) {
      return "is empty";
    }
    if (name.isBlank()) {
      return "is blank";
    }
    int count = 0;
    for (int k = 0; k < name.length(); ) {
      char c = name.charAt(k);
      if (Character.isHighSurrogate(c)) {
        if (k + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(k + 1))) {
          return "contains an unpaired surrogate at index " + k;
        }
        k += 2;
      } else if (Character.isLowSurrogate(c)) {
        return "contains an unpaired surrogate at index " + k;
      } else {
        if (Character.isISOControl(c)) {
          return String.format("contains the control character U+%04X at index %d", (int) c, k);
        }
        k++;
      }
      if (++count > MAX_CODE_POINTS) {
        return "is longer than " + MAX_CODE_POINTS + " characters";
      }
    }
    return null;
  }

  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    StringBuilder out = new StringBuilder("'");
    for (char c : shown.toCharArray()) {
      out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.append('\'').toString();
  }
}
