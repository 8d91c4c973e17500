package io.factum.embedded;

import io.factum.api.CheckpointStore;
import io.factum.api.ReadArguments;
import io.factum.api.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The embedded store's checkpoints: all of them in one small file, {@code checkpoints.bin}, replaced
 * atomically and durably on every save (a store has tens of checkpoints, not millions, and a save
 * costs two syncs). A damaged file is reported, not silently emptied.
 */
final class FileCheckpointStore implements CheckpointStore {

  private static final int MAGIC = 0xFAC7C0DE;

  private final Path file;
  private final Runnable ensureOpen;
  private final TreeMap<String, Long> positions;

  FileCheckpointStore(Path file, Runnable ensureOpen) throws IOException {
    this.file = file;
    this.ensureOpen = ensureOpen;
    this.positions = read(file);
  }

  private static TreeMap<String, Long> read(Path file) throws IOException {
    TreeMap<String, Long> map = new TreeMap<>();
    if (!Files.exists(file)) {
      return map;
    }
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 8) {
      throw damaged(file, "too short");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw damaged(file, "checksum mismatch");
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
      if (in.readInt() != MAGIC) {
        throw damaged(file, "not a checkpoint file");
      }
      int n = in.readInt();
      for (int k = 0; k < n; k++) {
        map.put(in.readUTF(), in.readLong());
      }
    }
    return map;
  }

  private static StorageException damaged(Path file, String why) {
    return new StorageException("The checkpoint file " + file + " is damaged (" + why + "). Delete it to start every "
        + "subscription from the beginning, or restore it from a backup.");
  }

  @Override
  public synchronized OptionalLong load(String name) {
    ReadArguments.checkCheckpointName(name);
    ensureOpen.run();
    Long p = positions.get(name);
    return p == null ? OptionalLong.empty() : OptionalLong.of(p);
  }

  @Override
  public synchronized void save(String name, long position) {
    ReadArguments.checkCheckpoint(name, position);
    ensureOpen.run();
    Long before = positions.put(name, position);
    try {
      write();
    } catch (IOException e) {
      if (before == null) {
        positions.remove(name);
      } else {
        positions.put(name, before);
      }
      throw new StorageException("Checkpoint '" + name + "' was not saved: " + e, e);
    }
  }

  @Override
  public synchronized void delete(String name) {
    ReadArguments.checkCheckpointName(name);
    ensureOpen.run();
    Long before = positions.remove(name);
    if (before == null) {
      return;
    }
    try {
      write();
    } catch (IOException e) {
      positions.put(name, before);
      throw new StorageException("Checkpoint '" + name + "' was not deleted: " + e, e);
    }
  }

  @Override
  public synchronized Map<String, Long> all() {
    ensureOpen.run();
    return Collections.unmodifiableMap(new TreeMap<>(positions));
  }

  private void write() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(positions.size());
      for (Map.Entry<String, Long> e : positions.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeLong(e.getValue());
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    bytes.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    DurableFiles.replace(file, bytes.toByteArray());
  }
}
