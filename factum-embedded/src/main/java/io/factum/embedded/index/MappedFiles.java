package io.factum.embedded.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Index files: fully allocated (zeros written, not sparse) before they are mapped read-write.
 *
 * <p>Files are written one page per {@code write}: the kernel sizes page-cache folios by the write,
 * and a write fault on a mapped large folio costs in proportion to the folio (measured on Linux 6.18:
 * about 100 µs per fault with 1 MiB writes, which made random puts into a freshly grown hash shard
 * cost ~2 µs each instead of ~0.5 µs).
 */
final class MappedFiles {

  /** Bytes per {@code write} when creating a file that will be mapped: one page. */
  static final int WRITE_CHUNK = 4096;

  private MappedFiles() {}

  /**
   * Creates {@code path} with {@code size} zero bytes actually written, then maps it. Writing the
   * zeros up front means a full disk fails here, cleanly, and never later as a fault on a mapped
   * write.
   */
  static MappedByteBuffer create(Path path, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(size, WRITE_CHUNK));
      long at = 0;
      while (at < size) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
        at += ch.write(zeros, at);
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
      map.order(ByteOrder.LITTLE_ENDIAN);
      return map;
    }
  }

  /** Creates {@code path} holding {@code values} (little-endian), written sequentially, then maps it. */
  static MappedByteBuffer write(Path path, long[] values) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer chunk = ByteBuffer.allocateDirect(WRITE_CHUNK).order(ByteOrder.LITTLE_ENDIAN);
      long at = 0;
      for (int k = 0; k < values.length; ) {
        chunk.clear();
        int n = Math.min(values.length - k, chunk.capacity() / 8);
        chunk.asLongBuffer().put(values, k, n);
        chunk.limit(n * 8);
        while (chunk.hasRemaining()) {
          at += ch.write(chunk, at);
        }
        k += n;
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, (long) values.length * 8);
      map.order(ByteOrder.LITTLE_ENDIAN);
      return map;
    }
  }

  /** Maps an existing file read-write; its size must be {@code size}. */
  static MappedByteBuffer open(Path path, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      if (ch.size() != size) {
        throw new IOException(path + " is " + ch.size() + " bytes, expected " + size);
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
      map.order(ByteOrder.LITTLE_ENDIAN);
      return map;
    }
  }
}
