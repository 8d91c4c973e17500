package io.factum.api;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A subscription to {@code $all} that keeps its position in the store's {@link CheckpointStore}
 * under a name, so a new subscription with that name continues where the last one stopped. See
 * {@link EventStore#subscribe(String, EventFilter, EventHandler, CheckpointPolicy)}. A
 * {@link BatchingEventHandler}'s events count as handled only once the page they are in was committed
 * by its {@code endOfBatch}: a checkpoint never covers an event whose page was not.
 */
final class NamedSubscription implements Subscription, EventHandler {

  private final CheckpointStore checkpoints;
  private final String name;
  private final EventHandler handler;
  private final CheckpointPolicy policy;
  private volatile Subscription inner;
  private long saved;
  private long handled;
  private int unsaved;
  private long savedAtMillis = System.currentTimeMillis();

  private NamedSubscription(CheckpointStore checkpoints, String name, EventHandler handler, CheckpointPolicy policy, long start) {
    this.checkpoints = checkpoints;
    this.name = name;
    this.handler = handler;
    this.policy = policy;
    this.saved = start;
    this.handled = start;
  }

  static Subscription start(EventStore store, String name, EventFilter filter, EventHandler handler, CheckpointPolicy policy) {
    if (Names.problem(name) != null) {
      throw new InvalidEventException("Subscription name " + Names.quote(name) + " " + Names.problem(name));
    }
    ReadArguments.checkSubscribeToAll(0, filter, handler);
    if (policy == null) {
      throw new InvalidEventException("Checkpoint policy is missing; use CheckpointPolicy.DEFAULT");
    }
    CheckpointStore checkpoints = store.checkpoints();
    long start = checkpoints.load(name).orElse(0);
    NamedSubscription s = new NamedSubscription(checkpoints, name, handler, policy, start);
    EventHandler feed = handler instanceof BatchingEventHandler batching ? s.new Pages(batching) : s;
    s.inner = store.subscribeToAll(start, filter, feed);
    s.inner.stopped().whenComplete((ok, failure) -> s.saveIfAhead(s.inner.lastPosition()));
    return s;
  }

  @Override
  public void handle(RecordedEvent event) throws Exception {
    handler.handle(event);
    handled(event.globalPosition(), 1);
  }

  /** Everything up to {@code position} is handled, {@code events} more since the last call. */
  private void handled(long position, int events) {
    synchronized (this) {
      handled = position;
      unsaved += events;
    }
    if (unsaved >= policy.everyEvents() || System.currentTimeMillis() - savedAtMillis >= policy.everyMillis()) {
      saveIfAhead(position);
    }
  }

  /** Feeds a batching handler page by page: its events are handled once {@code endOfBatch} returns. */
  private final class Pages implements BatchingEventHandler {
    private final BatchingEventHandler target;
    private int inPage;

    Pages(BatchingEventHandler target) {
      this.target = target;
    }

    @Override
    public void handle(RecordedEvent event) throws Exception {
      target.handle(event);
      inPage++;
    }

    @Override
    public void endOfBatch(long position) throws Exception {
      target.endOfBatch(position);
      int events = inPage;
      inPage = 0;
      handled(position, events);
    }
  }

  private synchronized void saveIfAhead(long position) {
    long target = Math.max(position, handled);
    if (target > saved) {
      checkpoints.save(name, target);
      saved = target;
    }
    unsaved = 0;
    savedAtMillis = System.currentTimeMillis();
  }

  @Override
  public long lastPosition() {
    return inner.lastPosition();
  }

  @Override
  public boolean isLive() {
    return inner.isLive();
  }

  @Override
  public State state() {
    return inner.state();
  }

  @Override
  public Optional<Throwable> failure() {
    return inner.failure();
  }

  @Override
  public CompletionStage<Void> stopped() {
    return inner.stopped();
  }

  @Override
  public void close() {
    inner.close();
    saveIfAhead(inner.lastPosition());
  }
}
