package io.factum.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Path segments as clients send them: escaped, raw UTF-8, or both at once. */
class RequestsTest {

  @Test
  void rawCharactersNextToEscapesKeepTheirValue() {
    assertThat(Requests.percentDecode("\uD83D\uDE00%2D1")).isEqualTo("\uD83D\uDE00-1"); // an emoji: a surrogate pair
    assertThat(Requests.percentDecode("\uD83D\uDE80%2D1")).isEqualTo("\uD83D\uDE80-1");
    assertThat(Requests.percentDecode("\u65E5\u672C\u8A9E%2D1")).isEqualTo("\u65E5\u672C\u8A9E-1"); // three bytes each
    assertThat(Requests.percentDecode("caf%C3%A9-\u00E9")).isEqualTo("caf\u00E9-\u00E9");
    assertThat(Requests.percentDecode("a+b%20c")).isEqualTo("a+b c");
  }

  @Test
  void malformedEscapesAreRefused() {
    assertThatThrownBy(() -> Requests.percentDecode("\u00E9%2")).isInstanceOf(ApiException.class).hasMessageContaining("malformed escape");
    assertThatThrownBy(() -> Requests.percentDecode("%C3%28")).isInstanceOf(ApiException.class).hasMessageContaining("UTF-8");
  }
}
