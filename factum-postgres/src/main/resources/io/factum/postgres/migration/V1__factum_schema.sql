-- Factum on PostgreSQL, schema version 1.
-- The guide's tables (events, snapshots, subscription_checkpoints) with every column it names,
-- unchanged in name and meaning, plus what Factum needs: the stream versions, the global head
-- counter, schema versions and content types, and indexes for stream, position, category and type.

CREATE TABLE events (
    id              UUID         PRIMARY KEY,                   -- the event id
    stream_id       VARCHAR(255) NOT NULL,
    stream_type     VARCHAR(255) NOT NULL,                      -- the stream's category ("Order" for "Order-abc")
    event_type      VARCHAR(255) NOT NULL,
    event_data      JSONB        NOT NULL,                      -- 'null' for a non-JSON payload (see binary_data)
    metadata        JSONB        DEFAULT '{}',
    version         BIGINT       NOT NULL,                      -- per stream, dense from 1
    global_position BIGINT       NOT NULL,                      -- dense from 1, assigned from factum_head
    created_at      TIMESTAMPTZ  DEFAULT NOW(),
    schema_version  INT          NOT NULL DEFAULT 1,
    content_type    VARCHAR(255) NOT NULL DEFAULT 'application/json',
    binary_data     BYTEA,                                      -- the payload when content_type is not JSON
    CONSTRAINT unique_stream_version UNIQUE (stream_id, version),
    CONSTRAINT unique_global_position UNIQUE (global_position)
);

-- (stream_id, version) and global_position are already indexed by their unique constraints; the
-- guide's idx_events_stream and idx_events_global would duplicate them and slow every append.
CREATE INDEX idx_events_type     ON events (event_type, global_position);
CREATE INDEX idx_events_category ON events (stream_type, global_position);

-- Each stream's current version: the expected-version check reads one row, never MAX(version).
CREATE TABLE streams (
    stream_id VARCHAR(255) PRIMARY KEY,
    version   BIGINT       NOT NULL
);

-- The global head: one row, updated inside every appending transaction. Its row lock orders the
-- commits, so events become visible in position order and positions stay dense (see docs/postgres.md).
CREATE TABLE factum_head (
    id       INT    PRIMARY KEY CHECK (id = 1),
    position BIGINT NOT NULL
);
INSERT INTO factum_head (id, position) VALUES (1, 0);

CREATE TABLE snapshots (
    stream_id      VARCHAR(255) PRIMARY KEY,
    stream_type    VARCHAR(255) NOT NULL,                       -- the snapshot's type
    snapshot_data  JSONB        NOT NULL,
    version        BIGINT       NOT NULL,
    created_at     TIMESTAMPTZ  DEFAULT NOW(),
    schema_version INT          NOT NULL DEFAULT 1
);

CREATE TABLE subscription_checkpoints (
    subscription_id VARCHAR(255) PRIMARY KEY,
    last_position   BIGINT       NOT NULL DEFAULT 0,
    updated_at      TIMESTAMPTZ  DEFAULT NOW()
);
