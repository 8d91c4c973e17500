package io.factum.tck;

import static io.factum.tck.Fixtures.assertDensePositions;
import static io.factum.tck.Fixtures.events;
import static io.factum.tck.Fixtures.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.factum.api.AppendResult;
import io.factum.api.ExpectedVersion;
import io.factum.api.RecordedEvent;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The global order: positions dense from 1, consecutive within an append, consistent with stream order. */
public interface GlobalOrderContract extends StoreUnderTest {

  @Test
  default void positionsAreDenseFromOneAcrossStreams() {
    String a = stream("Order");
    String b = stream("Customer");
    store().append(a, ExpectedVersion.ANY, events(2));
    store().append(b, ExpectedVersion.ANY, events(3));
    store().append(a, ExpectedVersion.ANY, events(1));

    List<RecordedEvent> all = store().readAll(0, 100);
    assertThat(all).hasSize(6);
    assertDensePositions(all, 1);
    assertThat(store().headPosition()).isEqualTo(6);
  }

  @Test
  default void positionsAreConsecutiveWithinOneAppend() {
    store().append(stream("Order"), ExpectedVersion.ANY, events(4));
    AppendResult r = store().append(stream("Order"), ExpectedVersion.ANY, events(5));

    assertThat(r.firstPosition()).isEqualTo(5);
    assertThat(r.lastPosition()).isEqualTo(9);
    List<RecordedEvent> written = store().readAll(4, 100);
    assertDensePositions(written, 5);
    assertThat(written).allMatch(e -> e.streamId().equals(r.streamId()));
  }

  @Test
  default void globalOrderAgreesWithEachStreamsOrder() {
    Random random = new Random(42);
    List<String> streams = List.of(stream("A"), stream("B"), stream("C"), stream("D"));
    for (int k = 0; k < 60; k++) {
      store().append(streams.get(random.nextInt(streams.size())), ExpectedVersion.ANY, events(1 + random.nextInt(4)));
    }
    List<RecordedEvent> all = store().readAll(0, 10_000);
    assertDensePositions(all, 1);
    for (String s : streams) {
      List<RecordedEvent> inStream = all.stream().filter(e -> e.streamId().equals(s)).toList();
      for (int k = 0; k < inStream.size(); k++) {
        assertThat(inStream.get(k).version()).as("version in %s", s).isEqualTo(k + 1);
      }
      assertThat(store().readStream(s, 1, 10_000)).containsExactlyElementsOf(inStream);
    }
  }

  @Test
  default void appendResultsMatchWhatIsRead() {
    String s = stream("Order");
    store().append(stream("Other"), ExpectedVersion.ANY, events(3));
    AppendResult r = store().append(s, ExpectedVersion.ANY, events(3));

    List<RecordedEvent> read = store().readStream(s, 1, 10);
    assertThat(read.get(0).globalPosition()).isEqualTo(r.firstPosition());
    assertThat(read.get(2).globalPosition()).isEqualTo(r.lastPosition());
    assertThat(read.get(0).version()).isEqualTo(r.firstVersion());
    assertThat(read.get(2).version()).isEqualTo(r.lastVersion());
  }
}
