package io.factum.api;

/**
 * The storage underneath failed (disk full, I/O error, database unreachable). When raised by an
 * append, the append was not acknowledged; it may be retried with the same event ids, which makes the
 * retry safe whether or not the failed attempt reached the disk.
 */
public final class StorageException extends FactumException {

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
