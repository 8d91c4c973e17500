package io.factum.postgres;

/** Every statement Factum sends, with its schema name baked in (validated as a plain identifier). */
final class Sql {

  final String appendGroup;
  final String head;
  final String streamVersion;
  final String readStream;
  final String readStreamBackward;
  final String readAll;
  final String loadCheckpoint;
  final String saveCheckpoint;
  final String deleteCheckpoint;
  final String allCheckpoints;
  final String loadSnapshot;
  final String saveSnapshot;
  final String deleteSnapshot;
  final String channel;

  Sql(String schema) {
    String s = "\"" + schema + "\".";
    channel = "factum_" + schema;
    appendGroup = "SELECT outcome, first_version, last_version, first_position, last_position, detail FROM " + s
        + "factum_append(?::varchar[], ?::varchar[], ?::bigint[], ?::int[], ?::uuid[], ?::boolean[], ?::varchar[], ?::text[], "
        + "?::text[], ?::int[], ?::varchar[], ?::text[], ?::int[], ?)";
    head = "SELECT position FROM " + s + "factum_head WHERE id = 1";
    streamVersion = "SELECT version FROM " + s + "streams WHERE stream_id = ?";
    String columns = "id, stream_id, event_type, version, schema_version, event_data::text, metadata::text, content_type, "
        + "binary_data, global_position, created_at";
    readStream = "SELECT " + columns + " FROM " + s + "events WHERE stream_id = ? AND version >= ? ORDER BY version LIMIT ?";
    readStreamBackward = "SELECT " + columns + " FROM " + s + "events WHERE stream_id = ? AND version <= ? ORDER BY version DESC LIMIT ?";
    readAll = "SELECT " + columns + " FROM " + s + "events WHERE global_position > ? AND global_position <= ? "
        + "AND (? OR stream_type = ANY(?)) AND (? OR event_type = ANY(?)) "
        + "AND (? OR EXISTS (SELECT 1 FROM unnest(?::text[]) AS prefix WHERE starts_with(stream_id, prefix))) "
        + "ORDER BY global_position LIMIT ?";
    loadCheckpoint = "SELECT last_position FROM " + s + "subscription_checkpoints WHERE subscription_id = ?";
    saveCheckpoint = "INSERT INTO " + s + "subscription_checkpoints (subscription_id, last_position, updated_at) VALUES (?, ?, now()) "
        + "ON CONFLICT (subscription_id) DO UPDATE SET last_position = excluded.last_position, updated_at = now()";
    deleteCheckpoint = "DELETE FROM " + s + "subscription_checkpoints WHERE subscription_id = ?";
    allCheckpoints = "SELECT subscription_id, last_position FROM " + s + "subscription_checkpoints ORDER BY subscription_id";
    loadSnapshot = "SELECT stream_type, schema_version, version, snapshot_data::text, created_at FROM " + s
        + "snapshots WHERE stream_id = ?";
    saveSnapshot = "INSERT INTO " + s + "snapshots (stream_id, stream_type, snapshot_data, version, created_at, schema_version) "
        + "VALUES (?, ?, ?::jsonb, ?, ?, ?) ON CONFLICT (stream_id) DO UPDATE SET stream_type = excluded.stream_type, "
        + "snapshot_data = excluded.snapshot_data, version = excluded.version, created_at = excluded.created_at, "
        + "schema_version = excluded.schema_version WHERE " + s + "snapshots.version <= excluded.version";
    deleteSnapshot = "DELETE FROM " + s + "snapshots WHERE stream_id = ?";
  }
}
