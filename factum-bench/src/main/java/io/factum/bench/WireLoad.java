package io.factum.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A minimal HTTP/1.1 load generator, in the spirit of {@code wrk}: each thread owns one keep-alive
 * connection with {@code TCP_NODELAY}, writes a whole request in one write and reads the response by
 * its {@code Content-Length} or chunks. It spends far less CPU per request than a general-purpose
 * client, so on a shared 2-core machine it shows what the server itself can serve. Any status other
 * than the expected one fails the run.
 */
final class WireLoad {

  private WireLoad() {}

  /**
   * Requests per second over {@code seconds}, from {@code threads} connections to {@code base};
   * {@code request.apply(thread)} is the full request text (request line, headers, body) of that thread.
   */
  static double run(URI base, int threads, double seconds, IntFunction<byte[]> request, int expectedStatus) throws Exception {
    AtomicLong requests = new AtomicLong();
    List<Throwable> failures = new ArrayList<>();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    List<Thread> workers = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      byte[] bytes = request.apply(t);
      Thread w = new Thread(() -> {
        long n = 0;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
          socket.setTcpNoDelay(true);
          OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 14);
          InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 14);
          while (System.nanoTime() < end) {
            out.write(bytes);
            out.flush();
            int status = readResponse(in);
            if (status != expectedStatus) {
              throw new IllegalStateException("HTTP " + status + ", expected " + expectedStatus);
            }
            n++;
          }
        } catch (Exception | Error e) {
          synchronized (failures) {
            failures.add(e);
          }
        }
        requests.addAndGet(n);
      });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(failures.size() + " load connection(s) failed", failures.get(0));
    }
    return requests.get() / ((System.nanoTime() - start) / 1e9);
  }

  /** {@code METHOD path HTTP/1.1} with a JSON body (or none when {@code body} is null). */
  static byte[] request(String method, String path, String body) {
    StringBuilder s = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: bench\r\n");
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      s.append("Content-Type: application/json\r\nContent-Length: ").append(content.length).append("\r\n");
    }
    byte[] head = s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = new byte[head.length + content.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(content, 0, all, head.length, content.length);
    return all;
  }

  /** Reads one response and returns its status; the body is read and dropped. */
  private static int readResponse(InputStream in) throws IOException {
    String statusLine = line(in);
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      String h = header.toLowerCase(Locale.ROOT);
      if (h.startsWith("content-length:")) {
        length = Long.parseLong(h.substring(15).trim());
      } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
        skip(in, size);
        line(in);
      }
      line(in);
    } else if (length > 0) {
      skip(in, length);
    }
    return status;
  }

  private static void skip(InputStream in, long n) throws IOException {
    in.skipNBytes(n); // throws EOFException when the connection ends first
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder s = new StringBuilder(64);
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed mid-response");
      }
      if (c != '\r') {
        s.append((char) c);
      }
    }
    return s.toString();
  }
}
