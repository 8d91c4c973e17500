package io.factum.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The baseline every write and read number is compared with: the simplest durable log there is.
 * Records are {@code [u32 length][u32 CRC32C][payload]}, written by one thread, with {@code
 * force(false)} (fdatasync) after every {@code syncEvery} records. Nothing is indexed, nothing
 * checked: Factum can approach this, not beat it.
 */
final class RawLog {

  private RawLog() {}

  /** How the file's space is obtained. */
  enum Mode {
    /** The file grows as it is written (what a new log segment does). */
    APPEND,
    /** The file was filled with zeros beforehand, so a sync never has to allocate blocks. */
    PREALLOCATED
  }

  /**
   * Appends records for {@code seconds}, syncing every {@code syncEvery}.
   *
   * @return records per second
   */
  static double append(Path file, Mode mode, int syncEvery, int payloadBytes, double seconds, long preallocateBytes) throws IOException {
    Files.deleteIfExists(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      if (mode == Mode.PREALLOCATED) {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        for (long at = 0; at < preallocateBytes; ) {
          zeros.clear();
          at += ch.write(zeros, at);
        }
        ch.force(true);
      }
      int recordBytes = 8 + payloadBytes;
      ByteBuffer buffer = ByteBuffer.allocateDirect(recordBytes * syncEvery).order(ByteOrder.LITTLE_ENDIAN);
      byte[] payload = new byte[payloadBytes];
      CRC32C crc = new CRC32C();
      long records = 0;
      long at = 0;
      long start = System.nanoTime();
      long deadline = start + (long) (seconds * 1e9);
      while (System.nanoTime() < deadline) {
        buffer.clear();
        for (int k = 0; k < syncEvery; k++) {
          payload[0] = (byte) records;
          crc.reset();
          crc.update(payload);
          buffer.putInt(payloadBytes).putInt((int) crc.getValue()).put(payload);
          records++;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          at += ch.write(buffer, at);
        }
        ch.force(false);
      }
      return records / ((System.nanoTime() - start) / 1e9);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** Writes {@code records} records (unsynced) to read them back. */
  static void write(Path file, long records, int payloadBytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.allocateDirect((8 + payloadBytes) * 1000).order(ByteOrder.LITTLE_ENDIAN);
      byte[] payload = new byte[payloadBytes];
      CRC32C crc = new CRC32C();
      for (long r = 0; r < records; ) {
        buffer.clear();
        for (int k = 0; k < 1000 && r < records; k++, r++) {
          payload[0] = (byte) r;
          crc.reset();
          crc.update(payload);
          buffer.putInt(payloadBytes).putInt((int) crc.getValue()).put(payload);
        }
        buffer.flip();
        ch.write(buffer);
      }
      ch.force(false);
    }
  }

  /**
   * Reads every record sequentially, verifying its CRC and copying its payload out (as a reader that
   * hands records to a caller must).
   *
   * @return records per second
   */
  static double read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
      CRC32C crc = new CRC32C();
      long records = 0;
      long start = System.nanoTime();
      long at = 0;
      long size = ch.size();
      while (at < size) {
        buffer.clear();
        int n = ch.read(buffer, at);
        buffer.flip();
        int consumed = 0;
        while (buffer.remaining() >= 8) {
          int length = buffer.getInt(buffer.position());
          if (buffer.remaining() < 8 + length) {
            break;
          }
          int expected = buffer.getInt(buffer.position() + 4);
          byte[] payload = new byte[length];
          buffer.position(buffer.position() + 8);
          buffer.get(payload);
          crc.reset();
          crc.update(payload);
          if ((int) crc.getValue() != expected) {
            throw new IOException("raw log checksum mismatch at record " + records);
          }
          records++;
          consumed += 8 + length;
        }
        if (consumed == 0 && n > 0) {
          throw new IOException("record larger than the read buffer");
        }
        at += consumed;
      }
      return records / ((System.nanoTime() - start) / 1e9);
    }
  }
}
