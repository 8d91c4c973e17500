package io.factum.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A strict RFC 8259 syntax check over UTF-8 bytes, with no allocation beyond the checker itself.
 *
 * <p>The API module has no third-party dependencies, so it cannot lean on Jackson; this checker only
 * answers "is this one well-formed JSON value", it builds nothing. Beyond RFC 8259 it refuses what
 * some backends cannot store, so the contract is the same everywhere: the escape {@code \u0000}
 * (PostgreSQL's {@code jsonb} rejects it), escaped surrogates that do not form a pair, and invalid
 * UTF-8. Nesting is limited to {@value #MAX_DEPTH} levels so a hostile document cannot exhaust the
 * stack.
 */
final class JsonSyntax {

  static final int MAX_DEPTH = 512;

  private final byte[] b;
  private final int n;
  private int i;
  private int depth;

  private JsonSyntax(byte[] bytes) {
    this.b = bytes;
    this.n = bytes.length;
  }

  /** Returns {@code null} when {@code json} is exactly one well-formed JSON value, else why not. */
  static String check(byte[] json) {
    JsonSyntax s = new JsonSyntax(json);
    try {
      s.skipWhitespace();
      s.value();
      s.skipWhitespace();
      if (s.i != s.n) {
        throw s.fail("unexpected content after the JSON value");
      }
      return null;
    } catch (Malformed e) {
      return e.getMessage();
    }
  }

  /**
   * {@code json} as UTF-8, or {@code null} when it holds a surrogate that is not part of a pair (half
   * of an emoji cut by {@code substring}, say), which {@link String#getBytes} would silently turn into
   * {@code ?}. Cheap for the usual text: a lone surrogate leaves a {@code ?} byte, so only strings
   * whose encoding holds one, or that are not plain ASCII, are scanned.
   */
  static byte[] utf8(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    if (bytes.length != json.length() || contains(bytes, (byte) '?')) {
      for (int i = 0; i < json.length(); i++) {
        char c = json.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < json.length() && Character.isLowSurrogate(json.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return null;
        }
      }
    }
    return bytes;
  }

  /** Whether {@code bytes} holds {@code b}: eight bytes at a time, as it runs for every event built. */
  private static boolean contains(byte[] bytes, byte b) {
    long pattern = (b & 0xFFL) * ONES;
    int i = 0;
    for (; i + 8 <= bytes.length; i += 8) {
      long x = (long) EIGHT_BYTES.get(bytes, i) ^ pattern; // a zero byte where b is
      if (((x - ONES) & ~x & HIGH_BITS) != 0) {
        return true;
      }
    }
    for (; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return true;
      }
    }
    return false;
  }

  /** Whether a valid JSON document is an object (its first non-blank byte is '{'). */
  static boolean isObject(byte[] validJson) {
    for (byte c : validJson) {
      if (c == '{') {
        return true;
      }
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
    }
    return false;
  }

  private void value() {
    if (i >= n) {
      throw fail("unexpected end of input, expected a value");
    }
    switch (b[i]) {
      case '{':
        object();
        break;
      case '[':
        array();
        break;
      case '"':
        string();
        break;
      case 't':
        literal("true");
        break;
      case 'f':
        literal("false");
        break;
      case 'n':
        literal("null");
        break;
      default:
        if (b[i] == '-' || (b[i] >= '0' && b[i] <= '9')) {
          number();
        } else {
          throw fail("unexpected character " + describe(b[i]) + ", expected a value");
        }
    }
  }

  private void object() {
    enter();
    i++; // '{'
    skipWhitespace();
    if (i < n && b[i] == '}') {
      i++;
      depth--;
      return;
    }
    while (true) {
      skipWhitespace();
      if (i >= n || b[i] != '"') {
        throw fail("expected a member name in double quotes");
      }
      string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      value();
      skipWhitespace();
      if (i >= n) {
        throw fail("unexpected end of input inside an object");
      }
      if (b[i] == ',') {
        i++;
      } else if (b[i] == '}') {
        i++;
        depth--;
        return;
      } else {
        throw fail("expected ',' or '}' in an object, found " + describe(b[i]));
      }
    }
  }

  private void array() {
    enter();
    i++; // '['
    skipWhitespace();
    if (i < n && b[i] == ']') {
      i++;
      depth--;
      return;
    }
    while (true) {
      skipWhitespace();
      value();
      skipWhitespace();
      if (i >= n) {
        throw fail("unexpected end of input inside an array");
      }
      if (b[i] == ',') {
        i++;
      } else if (b[i] == ']') {
        i++;
        depth--;
        return;
      } else {
        throw fail("expected ',' or ']' in an array, found " + describe(b[i]));
      }
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw fail("nesting deeper than " + MAX_DEPTH + " levels");
    }
  }

  /** Bytes that end the fast scan of a string: quote, backslash, control characters, non-ASCII. */
  private static final boolean[] SPECIAL = new boolean[256];

  static {
    for (int c = 0; c < 256; c++) {
      SPECIAL[c] = c < 0x20 || c == '"' || c == '\\' || c >= 0x80;
    }
  }

  private static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /**
   * Whether none of eight bytes is {@link #SPECIAL}: no byte has its high bit set (non-ASCII), is
   * below 0x20, or equals a quote or a backslash. Classic SWAR tests: for bytes below 0x80, {@code
   * (v - k * ONES) & ~v} sets a byte's high bit exactly when that byte is below {@code k}; a byte
   * equal to {@code c} is a zero byte of {@code v ^ c * ONES}.
   */
  private static boolean plainAscii(long v) {
    long quote = v ^ 0x2222222222222222L;
    long backslash = v ^ 0x5C5C5C5C5C5C5C5CL;
    long special = v | ((v - 0x20 * ONES) & ~v) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash);
    return (special & HIGH_BITS) == 0;
  }

  private void string() {
    i++; // opening quote
    boolean pendingHighSurrogate = false;
    while (true) {
      // Fast path: plain ASCII runs, the bulk of most payloads — eight bytes at a time, then byte by byte.
      if (!pendingHighSurrogate) {
        while (i + 8 <= n && plainAscii((long) EIGHT_BYTES.get(b, i))) {
          i += 8;
        }
        while (i < n && !SPECIAL[b[i] & 0xFF]) {
          i++;
        }
      }
      if (i >= n) {
        throw fail("unterminated string");
      }
      int c = b[i] & 0xFF;
      if (pendingHighSurrogate && c != '\\') {
        throw fail("escaped high surrogate not followed by an escaped low surrogate");
      }
      if (c == '"') {
        i++;
        return;
      }
      if (c < 0x20) {
        throw fail("control character " + describe(b[i]) + " must be escaped inside a string");
      }
      if (c == '\\') {
        i++;
        if (i >= n) {
          throw fail("unterminated escape sequence");
        }
        int e = b[i];
        if (e == 'u') {
          int cp = hex4();
          boolean high = cp >= 0xD800 && cp <= 0xDBFF;
          boolean low = cp >= 0xDC00 && cp <= 0xDFFF;
          if (cp == 0) {
            throw fail("the escape \\u0000 is not allowed (PostgreSQL jsonb cannot store it)");
          }
          if (pendingHighSurrogate != low) {
            throw fail(low ? "escaped low surrogate without a high surrogate before it"
                : "escaped high surrogate not followed by an escaped low surrogate");
          }
          pendingHighSurrogate = high;
        } else if (pendingHighSurrogate) {
          throw fail("escaped high surrogate not followed by an escaped low surrogate");
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
          throw fail("invalid escape sequence \\" + (char) e);
        } else {
          i++;
        }
        continue;
      }
      if (c < 0x80) {
        i++;
      } else {
        utf8Sequence(c);
      }
    }
  }

  /** Reads the 4 hex digits after {@code \\u} (i at 'u'), leaves i after them. */
  private int hex4() {
    if (i + 4 >= n) {
      throw fail("truncated \\u escape");
    }
    int v = 0;
    for (int k = 1; k <= 4; k++) {
      int d = Character.digit(b[i + k], 16);
      if (d < 0) {
        throw fail("invalid hex digit in \\u escape");
      }
      v = v * 16 + d;
    }
    i += 5;
    return v;
  }

  private void utf8Sequence(int lead) {
    int start = i;
    int more;
    int lo = 0x80;
    int hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      more = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      more = 2;
      if (lead == 0xE0) {
        lo = 0xA0;
      } else if (lead == 0xED) {
        hi = 0x9F; // no UTF-16 surrogates encoded in UTF-8
      }
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      more = 3;
      if (lead == 0xF0) {
        lo = 0x90;
      } else if (lead == 0xF4) {
        hi = 0x8F;
      }
    } else {
      throw failAt(start, "invalid UTF-8 byte " + describe((byte) lead));
    }
    i++;
    for (int k = 0; k < more; k++, i++) {
      if (i >= n) {
        throw failAt(start, "truncated UTF-8 sequence");
      }
      int c = b[i] & 0xFF;
      int min = k == 0 ? lo : 0x80;
      int max = k == 0 ? hi : 0xBF;
      if (c < min || c > max) {
        throw failAt(start, "invalid UTF-8 sequence");
      }
    }
  }

  private void number() {
    if (b[i] == '-') {
      i++;
    }
    if (i >= n) {
      throw fail("truncated number");
    }
    if (b[i] == '0') {
      i++;
    } else if (b[i] >= '1' && b[i] <= '9') {
      digits();
    } else {
      throw fail("invalid number");
    }
    if (i < n && b[i] == '.') {
      i++;
      if (i >= n || !isDigit(b[i])) {
        throw fail("a decimal point must be followed by digits");
      }
      digits();
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < n && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      if (i >= n || !isDigit(b[i])) {
        throw fail("an exponent must have digits");
      }
      digits();
    }
  }

  private void digits() {
    while (i < n && isDigit(b[i])) {
      i++;
    }
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }

  private void literal(String word) {
    int len = word.length();
    if (i + len > n) {
      throw fail("invalid literal, expected " + word);
    }
    for (int k = 0; k < len; k++) {
      if (b[i + k] != word.charAt(k)) {
        throw fail("invalid literal, expected " + word);
      }
    }
    i += len;
  }

  private void expect(char c) {
    if (i >= n || b[i] != c) {
      throw fail("expected '" + c + "'" + (i < n ? ", found " + describe(b[i]) : " but the input ended"));
    }
    i++;
  }

  private void skipWhitespace() {
    while (i < n) {
      byte c = b[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        i++;
      } else {
        return;
      }
    }
  }

  private Malformed fail(String why) {
    return failAt(i, why);
  }

  private Malformed failAt(int offset, String why) {
    return new Malformed(why + " at byte " + offset);
  }

  private static String describe(byte c) {
    int v = c & 0xFF;
    if (v >= 0x21 && v < 0x7F) {
      return "'" + (char) v + "'";
    }
    return String.format("0x%02X", v);
  }

  /** Control flow only: no stack trace is captured. */
  private static final class Malformed extends RuntimeException {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }
}
