package io.factum.embedded;

import io.factum.embedded.log.BatchFormat;
import io.factum.embedded.log.StringCache;
import java.util.zip.CRC32C;

/**
 * Scratch state for one read call (or the writer): a checksum instance, a string cache and the last
 * batch header parsed, so reading consecutive events of one batch parses its header once. Never
 * shared between threads.
 */
final class Cursor {
  final CRC32C crc = new CRC32C();
  final StringCache strings = new StringCache();
  int headerSegment = -1;
  int headerOffset = -1;
  BatchFormat.Header header;
}
