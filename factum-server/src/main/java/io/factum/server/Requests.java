package io.factum.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reading requests strictly: path segments percent-decoded from the raw URI (so a stream id may hold
 * {@code /} as {@code %2F}), query parameters checked for name, type and range, bodies read up to a
 * limit. Every problem becomes an {@link ApiException} that says what to send instead.
 */
final class Requests {

  private Requests() {}

  /**
   * The decoded segments of the request path after {@code prefix} (which ends with {@code /}). For
   * {@code /streams/Order%2F1/snapshot} and prefix {@code /streams/}: {@code ["Order/1", "snapshot"]}.
   */
  static List<String> segmentsAfter(Context ctx, String prefix) {
    String raw = ctx.req().getRequestURI();
    String context = ctx.req().getContextPath();
    if (context != null && !context.isEmpty() && raw.startsWith(context)) {
      raw = raw.substring(context.length());
    }
    if (!raw.startsWith(prefix)) {
      throw ApiException.notFound("not_found", "No such resource: " + raw);
    }
    String rest = raw.substring(prefix.length());
    List<String> out = new ArrayList<>(2);
    int from = 0;
    while (true) {
      int slash = rest.indexOf('/', from);
      String seg = slash < 0 ? rest.substring(from) : rest.substring(from, slash);
      out.add(percentDecode(seg));
      if (slash < 0) {
        return out;
      }
      from = slash + 1;
    }
  }

  /**
   * RFC 3986 percent-decoding into UTF-8; {@code +} stays a plus. Characters sent unescaped (a client
   * may send UTF-8 as is) keep their value; the escaped bytes around them are decoded with them.
   */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bytes = ByteBuffer.allocate(raw.length);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%') {
        int high = i + 2 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
        int low = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
        if (high < 0 || low < 0) {
          throw ApiException.invalid("The path has a malformed escape in '" + AppendBody.clip(s)
              + "'; encode each byte as %XX (for example / as %2F)");
        }
        bytes.put((byte) (high * 16 + low));
        i += 2;
      } else {
        bytes.put(raw[i]);
      }
    }
    bytes.flip();
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw ApiException.invalid("The path segment '" + AppendBody.clip(s) + "' does not decode to UTF-8 text");
    }
  }

  /**
   * A parser over a request body, which must be JSON in UTF-8 (RFC 8259). A body in UTF-16 or UTF-32
   * is refused: it starts with a byte order mark or has a zero byte among its first four (JSON text
   * begins with an ASCII character; RFC 4627's detection), while UTF-8 JSON never holds a raw zero.
   * Duplicate keys are refused too.
   */
  static JsonParser jsonParser(byte[] body) throws IOException {
    boolean bom = body.length >= 2 && ((body[0] & 0xFF) == 0xFE && (body[1] & 0xFF) == 0xFF
        || (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE);
    boolean zero = false;
    for (int k = 0; k < Math.min(4, body.length); k++) {
      zero |= body[k] == 0;
    }
    if (bom || zero) {
      throw ApiException.invalid("The request body must be JSON encoded in UTF-8 (it looks like UTF-16 or UTF-32)");
    }
    JsonParser p = JsonOut.FACTORY.createParser(body);
    p.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    return p;
  }

  /** Rejects query parameters other than {@code allowed}, naming the ones that are. */
  static void onlyParams(Context ctx, Set<String> allowed) {
    for (String name : ctx.queryParamMap().keySet()) {
      if (!allowed.contains(name)) {
        throw ApiException.invalid("Unknown query parameter '" + AppendBody.clip(name) + "'"
            + (allowed.isEmpty() ? "; this endpoint takes none" : "; this endpoint takes " + String.join(", ", new java.util.TreeSet<>(allowed))));
      }
    }
  }

  /** The single value of a query parameter, or null when absent. */
  static String param(Context ctx, String name) {
    List<String> values = ctx.queryParamMap().getOrDefault(name, List.of());
    if (values.size() > 1) {
      throw ApiException.invalid("Query parameter '" + name + "' is given " + values.size() + " times; give it once");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** Every value of a repeatable query parameter ({@code ?category=A&category=B}). */
  static List<String> params(Context ctx, String name) {
    Map<String, List<String>> all = ctx.queryParamMap();
    List<String> values = all.getOrDefault(name, List.of());
    for (String v : values) {
      if (v.isEmpty()) {
        throw ApiException.invalid("Query parameter '" + name + "' is empty; leave it out or give a value");
      }
    }
    return values;
  }

  /** A whole-number query parameter in {@code [min, max]}, or {@code fallback} when absent. */
  static long longParam(Context ctx, String name, long fallback, long min, long max) {
    String text = param(ctx, name);
    if (text == null) {
      return fallback;
    }
    long v;
    try {
      v = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw ApiException.invalid("Query parameter '" + name + "' must be a whole number" + range(min, max) + ", got '" + AppendBody.clip(text) + "'");
    }
    if (v < min || v > max) {
      throw ApiException.invalid("Query parameter '" + name + "' must be" + range(min, max) + ", got " + v);
    }
    return v;
  }

  private static String range(long min, long max) {
    if (max == Long.MAX_VALUE) {
      return " >= " + min;
    }
    return " from " + min + " to " + max;
  }

  /**
   * The request body, at most {@code limit} bytes.
   *
   * @throws ApiException 413 when the body is larger
   */
  static byte[] body(Context ctx, long limit) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > limit) {
      throw ApiException.tooLarge("The request body is " + declared + " bytes, over the limit of " + limit
          + " bytes; split the append into smaller ones");
    }
    try (InputStream in = ctx.req().getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
      byte[] chunk = new byte[16 * 1024];
      long total = 0;
      for (int n; (n = in.read(chunk)) > 0; ) {
        total += n;
        if (total > limit) {
          throw ApiException.tooLarge("The request body is over the limit of " + limit + " bytes; split the append into smaller ones");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw ApiException.invalid("The request body could not be read: " + e.getMessage());
    }
  }
}
