package io.factum.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

/**
 * The baseline for concurrent blocking appends: the simplest group commit there is. Each of
 * {@code threads} platform threads builds one record ({@code [u32 length][u32 CRC32C][payload]}),
 * queues it and parks until it is durable; one writer thread takes everything queued, writes it with
 * one {@code write} into a preallocated file, syncs it ({@code fdatasync}) and wakes the group's
 * threads. No index, no validation, no checks: it measures what this machine's disk and scheduler
 * allow threads that block per append, so Factum's concurrent appends can be read against it.
 */
final class RawGroupCommit {

  private RawGroupCommit() {}

  private static final long FILE_BYTES = 256L << 20;

  /** One thread's record, waiting to be durable. */
  private static final class Waiting {
    final Thread thread = Thread.currentThread();
    final byte[] record;
    volatile boolean durable;

    Waiting(byte[] record) {
      this.record = record;
    }
  }

  /** Appends for {@code seconds} from {@code threads} threads; returns acknowledged records/s. */
  static double append(Path file, int threads, int payloadBytes, double seconds) throws Exception {
    Files.deleteIfExists(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long at = 0; at < FILE_BYTES; ) {
        zeros.clear();
        at += ch.write(zeros, at);
      }
      ch.force(true);
      LinkedBlockingQueue<Waiting> queue = new LinkedBlockingQueue<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread writer = new Thread(() -> writeGroups(ch, queue, threads, 8 + payloadBytes, failure), "raw-group-writer");
      writer.setDaemon(true);
      writer.start();
      AtomicLong records = new AtomicLong();
      CountDownLatch go = new CountDownLatch(1);
      long[] deadline = new long[1];
      List<Thread> callers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread caller = new Thread(() -> {
          byte[] payload = new byte[payloadBytes];
          CRC32C crc = new CRC32C();
          long n = 0;
          try {
            go.await();
            while (System.nanoTime() < deadline[0] && failure.get() == null) {
              payload[0] = (byte) n;
              crc.reset();
              crc.update(payload);
              byte[] record = new byte[8 + payloadBytes];
              ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putInt(payloadBytes).putInt((int) crc.getValue()).put(payload);
              Waiting w = new Waiting(record);
              queue.add(w);
              while (!w.durable && failure.get() == null) {
                LockSupport.parkNanos(w, 10_000_000); // timed only so a failed writer cannot leave it parked
              }
              n++;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          records.addAndGet(n);
        }, "raw-group-caller-" + t);
        callers.add(caller);
        caller.start();
      }
      long start = System.nanoTime();
      deadline[0] = start + (long) (seconds * 1e9);
      go.countDown();
      for (Thread caller : callers) {
        caller.join();
      }
      double rate = records.get() / ((System.nanoTime() - start) / 1e9);
      writer.interrupt();
      writer.join();
      if (failure.get() != null) {
        throw new IllegalStateException("the raw group commit failed", failure.get());
      }
      return rate;
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static void writeGroups(FileChannel ch, LinkedBlockingQueue<Waiting> queue, int threads, int recordBytes,
      AtomicReference<Throwable> failure) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(threads * recordBytes);
    List<Waiting> group = new ArrayList<>(threads);
    long at = 0;
    try {
      while (true) {
        Waiting first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (Thread.interrupted()) {
            return;
          }
          continue;
        }
        group.add(first);
        queue.drainTo(group);
        buffer.clear();
        for (Waiting w : group) {
          buffer.put(w.record);
        }
        buffer.flip();
        if (at + buffer.remaining() > FILE_BYTES) {
          at = 0; // the file stays preallocated: wrap around rather than grow it
        }
        while (buffer.hasRemaining()) {
          at += ch.write(buffer, at);
        }
        ch.force(false);
        for (Waiting w : group) {
          w.durable = true;
          LockSupport.unpark(w.thread);
        }
        group.clear();
      }
    } catch (InterruptedException e) {
      // the run is over
    } catch (IOException | RuntimeException e) {
      failure.set(e);
      for (Waiting w : group) {
        w.durable = true; // let the callers see the failure and stop
        LockSupport.unpark(w.thread);
      }
    }
  }
}
