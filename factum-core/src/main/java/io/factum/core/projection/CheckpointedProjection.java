package io.factum.core.projection;

import io.factum.api.CheckpointStore;
import io.factum.api.EventFilter;
import io.factum.api.EventHandler;
import io.factum.api.RecordedEvent;
import java.util.List;

/**
 * A projection made of a plain per-event handler, whose position is kept in the event store's
 * {@link CheckpointStore}. Applies at least once: after a crash, the last batch may be applied again,
 * so the handler must be idempotent (an upsert, a "set" rather than an "add"). For exactly-once
 * effects on a database, use {@link JdbcProjection}.
 */
public class CheckpointedProjection implements Projection {

  private final String name;
  private final EventFilter filter;
  private final EventHandler handler;
  private final CheckpointStore checkpoints;
  private final Runnable onReset;

  /**
   * @param onReset clears whatever the handler built (called by {@link #reset()})
   */
  public CheckpointedProjection(String name, EventFilter filter, EventHandler handler, CheckpointStore checkpoints, Runnable onReset) {
    this.name = name;
    this.filter = filter;
    this.handler = handler;
    this.checkpoints = checkpoints;
    this.onReset = onReset;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public EventFilter filter() {
    return filter;
  }

  @Override
  public long position() {
    return checkpoints.load(checkpointName()).orElse(0);
  }

  @Override
  public void apply(List<RecordedEvent> events, long position) throws Exception {
    RecordedEvent lastGood = null;
    for (RecordedEvent e : events) {
      try {
        handler.handle(e);
      } catch (Exception failure) {
        if (lastGood != null) {
          checkpoints.save(checkpointName(), lastGood.globalPosition());
        }
        throw new EventApplyException(e, failure);
      }
      lastGood = e;
    }
    checkpoints.save(checkpointName(), position);
  }

  @Override
  public void reset() {
    onReset.run();
    checkpoints.save(checkpointName(), 0);
  }

  private String checkpointName() {
    return "projection:" + name;
  }
}
