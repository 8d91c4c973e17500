package io.factum.examples.order;

import io.factum.api.EventFilter;
import io.factum.api.RecordedEvent;
import io.factum.core.projection.Projection;
import io.factum.core.projection.ProjectionRunner;
import io.factum.core.projection.ProjectionStatus;
import io.factum.embedded.EmbeddedEventStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The process {@link OrderSummaryPostgresTest} kills: runs the order-summaries projection into
 * PostgreSQL until it has caught up, printing {@code START} before and {@code END} after each batch,
 * and {@code APPLIED} as events are written inside a batch's transaction.
 */
public final class ProjectionChild {

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    PGSimpleDataSource db = new PGSimpleDataSource();
    db.setURL(args[1]);
    db.setUser("postgres");
    SlowOrderSummaries slow = new SlowOrderSummaries(db, Long.parseLong(args[2]), out);
    Projection reporting = new Projection() {
      public String name() {
        return slow.name();
      }

      public EventFilter filter() {
        return slow.filter();
      }

      public long position() throws Exception {
        return slow.position();
      }

      public void apply(List<RecordedEvent> events, long position) throws Exception {
        out.println("START " + position);
        slow.apply(events, position);
        out.println("END " + position);
      }

      public void reset() throws Exception {
        slow.reset();
      }
    };
    try (EmbeddedEventStore store = EmbeddedEventStore.open(Path.of(args[0])); ProjectionRunner runner = new ProjectionRunner(store)) {
      runner.start(reporting);
      long head = store.headPosition();
      while (true) {
        ProjectionStatus s = runner.status(OrderSummaryProjection.NAME);
        if (s.state() == ProjectionStatus.State.FAULTED) {
          out.println("FAULTED " + s.lastError());
          System.exit(1);
        }
        if (s.position() >= head) {
          out.println("DONE " + s.position());
          return;
        }
        Thread.sleep(5);
      }
    }
  }
}
