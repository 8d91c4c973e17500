package io.factum.embedded;

import io.factum.api.InvalidEventException;
import io.factum.api.Snapshot;
import io.factum.api.SnapshotStore;
import io.factum.api.StorageException;
import io.factum.api.StreamIds;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The embedded store's snapshots: one file per stream, {@code snapshots/ab/abcdef….snap}, named by
 * the SHA-256 of the stream id (ids can be long and contain any character) and holding the id itself
 * to check it. Replaced atomically and durably; a checksum guards the content. A damaged snapshot is
 * reported and ignored — it is only an optimisation, the events are still there.
 */
final class FileSnapshotStore implements SnapshotStore {

  private static final int MAGIC = 0xFAC75A9E;
  private static final System.Logger LOG = System.getLogger(FileSnapshotStore.class.getName());

  private final Path dir;
  private final Runnable ensureOpen;

  FileSnapshotStore(Path dir, Runnable ensureOpen) {
    this.dir = dir;
    this.ensureOpen = ensureOpen;
  }

  private Path fileOf(String streamId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(streamId.getBytes(StandardCharsets.UTF_8));
      String hex = HexFormat.of().formatHex(digest);
      return dir.resolve(hex.substring(0, 2)).resolve(hex + ".snap");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }

  @Override
  public Optional<Snapshot> load(String streamId) {
    StreamIds.requireValid(streamId);
    ensureOpen.run();
    Path file = fileOf(streamId);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      Snapshot s = decode(Files.readAllBytes(file));
      if (!s.streamId().equals(streamId)) {
        return Optional.empty(); // a SHA-256 collision would land here; it does not happen in practice
      }
      return Optional.of(s);
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "Ignoring the damaged snapshot " + file + " (" + e + "); the stream is loaded from its events");
      return Optional.empty();
    }
  }

  @Override
  public synchronized void save(Snapshot snapshot) {
    if (snapshot == null) {
      throw new InvalidEventException("Snapshot is missing");
    }
    ensureOpen.run();
    Optional<Snapshot> stored = load(snapshot.streamId());
    if (stored.isPresent() && stored.get().version() > snapshot.version()) {
      return; // keep the newest
    }
    try {
      DurableFiles.replace(fileOf(snapshot.streamId()), encode(snapshot));
    } catch (IOException e) {
      throw new StorageException("The snapshot of '" + snapshot.streamId() + "' was not saved: " + e, e);
    }
  }

  @Override
  public synchronized void delete(String streamId) {
    StreamIds.requireValid(streamId);
    ensureOpen.run();
    try {
      DurableFiles.delete(fileOf(streamId));
    } catch (IOException e) {
      throw new StorageException("The snapshot of '" + streamId + "' was not deleted: " + e, e);
    }
  }

  private static byte[] encode(Snapshot s) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeUTF(s.streamId());
      out.writeUTF(s.snapshotType());
      out.writeInt(s.schemaVersion());
      out.writeLong(s.version());
      out.writeLong(s.createdAt().getEpochSecond());
      out.writeInt(s.createdAt().getNano());
      byte[] data = s.data();
      out.writeInt(data.length);
      out.write(data);
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    bytes.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return bytes.toByteArray();
  }

  private static Snapshot decode(byte[] bytes) throws IOException {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    if (bytes.length < 8 || (int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
      throw new IOException("checksum mismatch");
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bytes.length - 4))) {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a snapshot file");
      }
      String streamId = in.readUTF();
      String type = in.readUTF();
      int schema = in.readInt();
      long version = in.readLong();
      Instant created = Instant.ofEpochSecond(in.readLong(), in.readInt());
      byte[] data = new byte[in.readInt()];
      in.readFully(data);
      return new Snapshot(streamId, type, schema, version, data, created);
    }
  }
}
