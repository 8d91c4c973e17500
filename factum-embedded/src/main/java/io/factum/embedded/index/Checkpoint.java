package io.factum.embedded.index;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The durable statement "the indexes are complete up to position {@code indexedThrough}, whose batch
 * ends at log offset {@code logEnd}". Written atomically (temporary file, fsync, rename, directory
 * fsync) after the index files it names were forced to disk. On open, the log is replayed from {@code
 * logEnd}; without a valid checkpoint the indexes are rebuilt from the whole log.
 *
 * @param clean whether it was written by a clean close (nothing was indexed after it)
 */
public record Checkpoint(long indexedThrough, long logEnd, boolean clean, HashIndex.ShardState[] shards) {

  static final int FORMAT = 1;

  /** Reads the checkpoint in {@code file}; {@code null} when it is missing or fails its checksum. */
  public static Checkpoint read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return null;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      return null; // damaged (it is written atomically, so only bit rot does this): the index is rebuilt
    }
    if (lines.isEmpty() || !lines.get(lines.size() - 1).startsWith("crc=")) {
      return null;
    }
    String body = String.join("\n", lines.subList(0, lines.size() - 1)) + "\n";
    if (!lines.get(lines.size() - 1).equals("crc=" + crc(body))) {
      return null;
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : lines.subList(0, lines.size() - 1)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        values.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    try {
      if (Integer.parseInt(values.get("format")) != FORMAT) {
        return null;
      }
      int shardCount = Integer.parseInt(values.get("shards"));
      HashIndex.ShardState[] shards = new HashIndex.ShardState[shardCount];
      for (int k = 0; k < shardCount; k++) {
        String[] s = values.get("shard." + k).split(",");
        shards[k] = new HashIndex.ShardState(Integer.parseInt(s[0]), Integer.parseInt(s[1]), Long.parseLong(s[2]));
      }
      return new Checkpoint(Long.parseLong(values.get("indexedThrough")), Long.parseLong(values.get("logEnd")),
          Boolean.parseBoolean(values.get("clean")), shards);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Writes this checkpoint to {@code file} atomically and durably. */
  public void write(Path file) throws IOException {
    StringBuilder body = new StringBuilder();
    body.append("format=").append(FORMAT).append('\n');
    body.append("indexedThrough=").append(indexedThrough).append('\n');
    body.append("logEnd=").append(logEnd).append('\n');
    body.append("clean=").append(clean).append('\n');
    body.append("shards=").append(shards.length).append('\n');
    for (int k = 0; k < shards.length; k++) {
      body.append("shard.").append(k).append('=').append(shards[k].generation()).append(',')
          .append(shards[k].capacityBits()).append(',').append(shards[k].count()).append('\n');
    }
    String text = body + "crc=" + crc(body.toString()) + "\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** Removes the checkpoint: until the next one is written, an open will replay or rebuild. */
  public static void delete(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  private static String crc(String body) {
    CRC32C c = new CRC32C();
    c.update(body.getBytes(StandardCharsets.UTF_8));
    return Long.toHexString(c.getValue());
  }

  @Override
  public String toString() {
    return "Checkpoint[indexedThrough=" + indexedThrough + ", logEnd=" + logEnd + ", clean=" + clean + "]";
  }

}
