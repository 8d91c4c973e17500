package io.factum.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSyntaxTest {

  private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @ParameterizedTest
  @ValueSource(strings = {
      "{}", "[]", "0", "-0", "1.5", "-1.5e+10", "2E-3", "1e5", "true", "false", "null", "\"\"",
      " \t\n\r{ \"a\" : [ 1 , 2 , { } ] } \n",
      "{\"a\":{\"b\":{\"c\":[true,false,null,\"x\"]}}}",
      "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"",
      "\"caf\u00e9 \u2603 \ud83d\ude00 \u0800 \uffff\"",
      "[1,[2,[3,[4]]]]",
      "123456789012345678901234567890"
  })
  void acceptsWellFormedJson(String json) {
    assertThat(JsonSyntax.check(utf8(json))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "{", "}", "[", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\":}", "{a:1}", "{'a':1}", "[1 2]",
      "01", "1.", ".5", "-", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "tru", "nulll", "True",
      "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\u12G4\"", "\"tab\there\"", "{} {}", "[] x",
      "// comment\n{}", "{\"a\":1}/*c*/", "[\"a\"\"b\"]", "\"\\\"", "{\"a\" 1}", "[,1]", "{,}"
  })
  void rejectsMalformedJson(String json) {
    assertThat(JsonSyntax.check(utf8(json))).isNotNull();
  }

  @Test
  void rejectsWhatPostgresJsonbCannotStore() {
    assertThat(JsonSyntax.check(utf8("\"\\u0000\""))).contains("\\u0000");
    assertThat(JsonSyntax.check(utf8("\"\\uD800\""))).contains("surrogate");
    assertThat(JsonSyntax.check(utf8("\"\\uDC00\""))).contains("surrogate");
    assertThat(JsonSyntax.check(utf8("\"\\uD800x\""))).contains("surrogate");
    assertThat(JsonSyntax.check(utf8("\"\\uD800\\n\""))).contains("surrogate");
    assertThat(JsonSyntax.check(utf8("\"\\uD800\\uD800\""))).contains("surrogate");
    assertThat(JsonSyntax.check(utf8("\"\\uD83D\\uDE00\""))).isNull();
  }

  @Test
  void rejectsInvalidUtf8() {
    List<byte[]> bad = List.of(
        bytes('"', 0xC0, 0x80, '"'),       // overlong NUL
        bytes('"', 0xC1, 0xBF, '"'),       // overlong
        bytes('"', 0xE0, 0x80, 0x80, '"'), // overlong 3-byte
        bytes('"', 0xED, 0xA0, 0x80, '"'), // UTF-16 surrogate in UTF-8
        bytes('"', 0xF4, 0x90, 0x80, 0x80, '"'), // above U+10FFFF
        bytes('"', 0xF5, 0x80, 0x80, 0x80, '"'),
        bytes('"', 0x80, '"'),             // lone continuation byte
        bytes('"', 0xE2, 0x82, '"'),       // truncated
        bytes('"', 0xFF, '"'),
        bytes(0xEF, 0xBB, 0xBF, '{', '}')); // byte order mark
    for (byte[] b : bad) {
      assertThat(JsonSyntax.check(b)).as("%s", java.util.HexFormat.of().formatHex(b)).isNotNull();
    }
    assertThat(JsonSyntax.check(bytes('"', 0xF0, 0x9F, 0x98, 0x80, '"'))).isNull();
  }

  @Test
  void limitsNestingDepth() {
    String deep = "[".repeat(JsonSyntax.MAX_DEPTH) + "]".repeat(JsonSyntax.MAX_DEPTH);
    String tooDeep = "[".repeat(JsonSyntax.MAX_DEPTH + 1) + "]".repeat(JsonSyntax.MAX_DEPTH + 1);
    assertThat(JsonSyntax.check(utf8(deep))).isNull();
    assertThat(JsonSyntax.check(utf8(tooDeep))).contains("nesting");
    assertThat(JsonSyntax.check(utf8("[".repeat(100_000)))).contains("nesting");
  }

  @Test
  void errorMessagesSayWhereTheProblemIs() {
    assertThat(JsonSyntax.check(utf8("{\"a\":1,}"))).contains("at byte 7");
  }

  @Test
  void agreesWithJacksonOnRandomMutationsOfValidDocuments() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String[] seeds = {
        "{\"order_id\":\"o-1\",\"lines\":[{\"sku\":\"A\",\"qty\":2,\"price\":-1.25e2}],\"paid\":true,\"note\":null}",
        "[1,2.5,-3e-2,\"x\\n\\\"y\",{},[],{\"k\":[false]}]",
        "\"plain string with \\t escapes \\u00e9\"",
    };
    String alphabet = "{}[]:,\"\\ 0123456789.eE+-truefalsn\t\nabc/";
    int checked = 0;
    for (int round = 0; round < 20_000; round++) {
      StringBuilder doc = new StringBuilder(seeds[random.nextInt(seeds.length)]);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits && doc.length() > 0; e++) {
        int at = random.nextInt(doc.length());
        switch (random.nextInt(3)) {
          case 0 -> doc.deleteCharAt(at);
          case 1 -> doc.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> doc.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String text = doc.toString();
      boolean ours = JsonSyntax.check(utf8(text)) == null;
      // Stricter than Jackson on purpose: the escape \u0000 is refused (PostgreSQL jsonb cannot store it).
      boolean expected = jacksonAccepts(text) && !text.contains("\\u0000");
      assertThat(ours).as("seed %d, document %s", seed, text).isEqualTo(expected);
      checked++;
    }
    assertThat(checked).isEqualTo(20_000);
  }

  @Test
  void findsEverySpecialByteInLongPlainRunsWhereverItFalls() {
    // the checker skips plain ASCII eight bytes at a time: a special byte must be seen at any offset
    record Case(byte[] bytes, boolean valid) {}
    List<Case> cases = List.of(
        new Case(bytes(0x01), false), new Case(bytes(0x1F), false), new Case(bytes(0x00), false),
        new Case(bytes('\\', 'n'), true), new Case(bytes('\\', 'x'), false), new Case(bytes('\\', '"'), true),
        new Case(bytes('"'), false), // ends the string early: content follows the value
        new Case(bytes(0xC3, 0xA9), true), new Case(bytes(0xFF), false), new Case(bytes(0x80), false),
        new Case(bytes(0x7F), true), new Case(bytes(' '), true), new Case(bytes('~'), true), new Case(bytes('!'), true),
        new Case(bytes('#'), true), new Case(bytes('['), true), new Case(bytes(']'), true));
    for (Case c : cases) {
      for (int at = 0; at <= 24; at++) {
        byte[] doc = new byte[2 + 40 + c.bytes().length];
        java.util.Arrays.fill(doc, (byte) 'a');
        doc[0] = '"';
        doc[doc.length - 1] = '"';
        System.arraycopy(c.bytes(), 0, doc, 1 + at, c.bytes().length);
        assertThat(JsonSyntax.check(doc) == null).as("%s at offset %d", java.util.HexFormat.of().formatHex(c.bytes()), at)
            .isEqualTo(c.valid());
      }
    }
  }

  private static boolean jacksonAccepts(String text) {
    try {
      JsonNode node = JACKSON.readTree(text);
      return node != null && !node.isMissingNode();
    } catch (Exception e) {
      return false;
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int k = 0; k < values.length; k++) {
      b[k] = (byte) values[k];
    }
    return b;
  }
}
