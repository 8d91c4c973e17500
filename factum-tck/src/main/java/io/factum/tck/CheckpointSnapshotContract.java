package io.factum.tck;

import static io.factum.tck.Fixtures.assertSameJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.factum.api.InvalidEventException;
import io.factum.api.Snapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The store's checkpoint store (named positions) and snapshot store (latest state per stream). */
public interface CheckpointSnapshotContract extends StoreUnderTest {

  @Test
  default void checkpointsAreSavedLoadedReplacedAndDeleted() {
    assertThat(store().checkpoints().load("orders-projection")).isEmpty();
    store().checkpoints().save("orders-projection", 42);
    store().checkpoints().save("billing", 7);
    assertThat(store().checkpoints().load("orders-projection")).hasValue(42);

    store().checkpoints().save("orders-projection", 0); // a reset may move a checkpoint back
    assertThat(store().checkpoints().load("orders-projection")).hasValue(0);
    assertThat(store().checkpoints().all()).containsExactly(Map.entry("billing", 7L), Map.entry("orders-projection", 0L));
    assertThat(List.copyOf(store().checkpoints().all().keySet())).isSorted();

    store().checkpoints().delete("billing");
    store().checkpoints().delete("never-saved");
    assertThat(store().checkpoints().load("billing")).isEmpty();
    assertThat(store().checkpoints().all()).containsOnlyKeys("orders-projection");
  }

  @Test
  default void invalidCheckpointsAreRejected() {
    assertThatThrownBy(() -> store().checkpoints().save("", 1)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().checkpoints().save("bad\nname", 1)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().checkpoints().save("ok", -1)).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().checkpoints().load(null)).isInstanceOf(InvalidEventException.class);
    assertThat(store().checkpoints().all()).isEmpty();
  }

  @Test
  default void snapshotsRoundTripEveryField() {
    Instant taken = Instant.parse("2026-11-26T10:15:30.123456Z");
    Snapshot s = new Snapshot("Order-1", "OrderState", 2, 50,
        "{\"status\":\"placed\",\"lines\":[1,2]}".getBytes(StandardCharsets.UTF_8), taken);

    store().snapshots().save(s);

    Snapshot loaded = store().snapshots().load("Order-1").orElseThrow();
    assertThat(loaded.streamId()).isEqualTo("Order-1");
    assertThat(loaded.snapshotType()).isEqualTo("OrderState");
    assertThat(loaded.schemaVersion()).isEqualTo(2);
    assertThat(loaded.version()).isEqualTo(50);
    assertSameJson(loaded.data(), s.data());
    assertThat(loaded.createdAt()).isBetween(taken.minusMillis(1), taken.plusMillis(1));
    assertThat(store().snapshots().load("Order-2")).isEmpty();
  }

  @Test
  default void theNewestSnapshotWinsWhateverTheOrderOfSaves() {
    store().snapshots().save(Snapshot.of("Order-1", "OrderState", 1, 10, "{\"v\":10}"));
    store().snapshots().save(Snapshot.of("Order-1", "OrderState", 1, 30, "{\"v\":30}"));
    store().snapshots().save(Snapshot.of("Order-1", "OrderState", 1, 20, "{\"v\":20}"));

    assertThat(store().snapshots().load("Order-1").orElseThrow().version()).isEqualTo(30);

    store().snapshots().delete("Order-1");
    assertThat(store().snapshots().load("Order-1")).isEmpty();
    store().snapshots().save(Snapshot.of("Order-1", "OrderState", 1, 5, "{\"v\":5}"));
    assertThat(store().snapshots().load("Order-1").orElseThrow().version()).isEqualTo(5);
  }

  @Test
  default void invalidSnapshotsCannotBeBuilt() {
    assertThatThrownBy(() -> Snapshot.of("Order-1", "S", 1, 1, "{bad")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> Snapshot.of("Order-1", "S", 0, 1, "{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> Snapshot.of("Order-1", "S", 1, 0, "{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> Snapshot.of("", "S", 1, 1, "{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> Snapshot.of("Order-1", "", 1, 1, "{}")).isInstanceOf(InvalidEventException.class);
    assertThatThrownBy(() -> store().snapshots().save(null)).isInstanceOf(InvalidEventException.class);
  }
}
