package io.factum.core.subscription;

import io.factum.api.RecordedEvent;
import java.util.List;

/** How the subscription engine reads one stream: up to n events from a version, inclusive. */
@FunctionalInterface
public interface StreamPageReader {
  List<RecordedEvent> read(String streamId, long fromVersion, int maxCount);
}
