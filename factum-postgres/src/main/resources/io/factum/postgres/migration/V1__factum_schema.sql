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

-- One group of appends in one call (one round trip, its own transaction unless the caller opened one).
-- Appends are decided in order, each with its own outcome:
--   0 written, 1 already appended (an idempotent retry), 2 wrong expected version (detail: the actual
--   version, -1 when absent), 3 idempotency conflict (detail: "<event id>|<reason>").
-- p_expected per append: -1 any, 0 no stream, -2 stream exists, n > 0 exactly n.
-- Events are flattened across appends; p_counts says how many belong to each, p_owner (1-based) which.
CREATE FUNCTION factum_append(
    p_streams    VARCHAR[],
    p_categories VARCHAR[],
    p_expected   BIGINT[],
    p_counts     INT[],
    p_ids        UUID[],
    p_caller     BOOLEAN[],
    p_types      VARCHAR[],
    p_data       TEXT[],
    p_metadata   TEXT[],
    p_schemas    INT[],
    p_contents   VARCHAR[],
    p_binary     TEXT[],
    p_owner      INT[],
    p_channel    TEXT)
RETURNS TABLE (outcome INT, first_version BIGINT, last_version BIGINT, first_position BIGINT, last_position BIGINT, detail TEXT)
LANGUAGE plpgsql
SET search_path FROM CURRENT
-- PL/pgSQL caches a generic plan per statement, made when the function first runs — typically on an
-- empty table, where a sequential scan looks cheapest — and keeps it as the table grows (measured:
-- calls slowing from 6 to 10 ms within seconds). Every lookup here has an index; forbid the scans.
-- (Re-planning every call instead cost 6 ms per group.)
SET enable_seqscan = off
AS $$
#variable_conflict use_column
DECLARE
    v_head       BIGINT;
    v_start      BIGINT;
    v_offset     INT := 0;
    v_i          INT;
    v_n          INT;
    v_a          INT;
    v_b          INT;
    v_stream     VARCHAR;
    v_current    BIGINT;
    v_expected   BIGINT;
    v_given      INT;
    v_found      INT;
    v_first      RECORD;
    v_last       RECORD;
    v_bad        RECORD;
    v_ok         BOOLEAN[];
    v_cur        BIGINT[];
    v_pos        BIGINT[];
    v_total      BIGINT;
BEGIN
    SELECT position INTO v_head FROM factum_head WHERE id = 1 FOR UPDATE;
    v_start := v_head;

    -- Fast path, the usual case: every append to its own stream, no supplied id already stored.
    -- Decide and write the whole group set-based: a few statements per group instead of per append.
    IF (SELECT count(DISTINCT x) = count(*) FROM unnest(p_streams) AS x)
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.id = ANY (p_ids)) THEN
        WITH a AS (
            SELECT x.ord, x.n, coalesce(s.version, 0) AS cur,
                   (x.expected = -1 OR (x.expected = 0 AND coalesce(s.version, 0) = 0)
                    OR (x.expected = -2 AND coalesce(s.version, 0) > 0)
                    OR (x.expected > 0 AND coalesce(s.version, 0) = x.expected)) AS ok
              FROM unnest(p_streams, p_expected, p_counts) WITH ORDINALITY AS x(stream, expected, n, ord)
              LEFT JOIN streams s ON s.stream_id = x.stream),
        p AS (
            SELECT a.*, v_head + sum(CASE WHEN a.ok THEN a.n ELSE 0 END) OVER (ORDER BY a.ord) - CASE WHEN a.ok THEN a.n ELSE 0 END AS pos0
              FROM a)
        SELECT array_agg(p.ok ORDER BY p.ord), array_agg(p.cur ORDER BY p.ord), array_agg(p.pos0 ORDER BY p.ord),
               coalesce(sum(p.n) FILTER (WHERE p.ok), 0)
          INTO v_ok, v_cur, v_pos, v_total
          FROM p;

        INSERT INTO events (id, stream_id, stream_type, event_type, event_data, metadata, version, global_position,
                            schema_version, content_type, binary_data)
        SELECT e.id, p_streams[e.owner], p_categories[e.owner], e.t, e.d::jsonb, e.m::jsonb,
               v_cur[e.owner] + e.k, v_pos[e.owner] + e.k, e.s, e.c, decode(e.b, 'base64')
          FROM (SELECT u.*, row_number() OVER (PARTITION BY u.owner ORDER BY u.ord) AS k
                  FROM unnest(p_ids, p_types, p_data, p_metadata, p_schemas, p_contents, p_binary, p_owner)
                       WITH ORDINALITY AS u(id, t, d, m, s, c, b, owner, ord)) AS e
         WHERE v_ok[e.owner];

        INSERT INTO streams (stream_id, version)
        SELECT x.stream, v_cur[x.ord] + x.n
          FROM unnest(p_streams, p_counts) WITH ORDINALITY AS x(stream, n, ord)
         WHERE v_ok[x.ord]
        ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version;

        v_head := v_head + v_total;
        RETURN QUERY
        SELECT CASE WHEN v_ok[x.ord] THEN 0 ELSE 2 END,
               CASE WHEN v_ok[x.ord] THEN v_cur[x.ord] + 1 ELSE 0 END,
               CASE WHEN v_ok[x.ord] THEN v_cur[x.ord] + x.n ELSE 0 END,
               CASE WHEN v_ok[x.ord] THEN v_pos[x.ord] + 1 ELSE 0 END,
               CASE WHEN v_ok[x.ord] THEN v_pos[x.ord] + x.n ELSE 0 END,
               CASE WHEN v_ok[x.ord] THEN NULL ELSE (CASE WHEN v_cur[x.ord] = 0 THEN -1 ELSE v_cur[x.ord] END)::TEXT END
          FROM unnest(p_counts) WITH ORDINALITY AS x(n, ord)
         ORDER BY x.ord;
        IF v_head > v_start THEN
            UPDATE factum_head SET position = v_head WHERE id = 1;
            PERFORM pg_notify(p_channel, v_head::TEXT);
        END IF;
        RETURN;
    END IF;

    -- General path: appends decided one by one (retries, conflicts, several appends to one stream).
    FOR v_i IN 1 .. coalesce(array_length(p_streams, 1), 0) LOOP
        v_n := p_counts[v_i];
        v_a := v_offset + 1;
        v_b := v_offset + v_n;
        v_offset := v_b;
        v_stream := p_streams[v_i];

        -- Idempotency: caller-supplied ids already stored?
        SELECT count(*) INTO v_given FROM unnest(p_caller[v_a:v_b]) AS c WHERE c;
        v_found := 0;
        IF v_given > 0 THEN
            SELECT count(*) INTO v_found FROM events e WHERE e.id = ANY (p_ids[v_a:v_b]);
        END IF;
        IF v_found > 0 THEN
            IF v_found < v_n THEN
                SELECT x.id INTO v_bad FROM unnest(p_ids[v_a:v_b]) WITH ORDINALITY AS x(id, ord)
                    JOIN events e ON e.id = x.id ORDER BY x.ord LIMIT 1;
                outcome := 3; first_version := 0; last_version := 0; first_position := 0; last_position := 0;
                detail := v_bad.id || '|only ' || v_found || ' of the ' || v_n || ' events are already stored (partial overlap)';
                RETURN NEXT;
                CONTINUE;
            END IF;
            SELECT e.version, e.global_position INTO v_first FROM events e WHERE e.id = p_ids[v_a];
            SELECT x.id, e.stream_id,
                   CASE WHEN e.stream_id <> v_stream THEN 'it is stored in stream ''' || e.stream_id || ''''
                        ELSE 'the stored events are in another order' END AS reason
              INTO v_bad
              FROM unnest(p_ids[v_a:v_b]) WITH ORDINALITY AS x(id, ord) JOIN events e ON e.id = x.id
             WHERE e.stream_id <> v_stream OR e.version <> v_first.version + x.ord - 1
             ORDER BY x.ord LIMIT 1;
            IF FOUND THEN
                outcome := 3; first_version := 0; last_version := 0; first_position := 0; last_position := 0;
                detail := v_bad.id || '|' || v_bad.reason;
                RETURN NEXT;
                CONTINUE;
            END IF;
            SELECT e.version, e.global_position INTO v_last FROM events e WHERE e.id = p_ids[v_b];
            outcome := 1; first_version := v_first.version; last_version := v_last.version;
            first_position := v_first.global_position; last_position := v_last.global_position; detail := NULL;
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- Expected version.
        SELECT s.version INTO v_current FROM streams s WHERE s.stream_id = v_stream;
        v_current := coalesce(v_current, 0);
        v_expected := p_expected[v_i];
        IF NOT (v_expected = -1
                OR (v_expected = 0 AND v_current = 0)
                OR (v_expected = -2 AND v_current > 0)
                OR (v_expected > 0 AND v_current = v_expected)) THEN
            outcome := 2; first_version := 0; last_version := 0; first_position := 0; last_position := 0;
            detail := (CASE WHEN v_current = 0 THEN -1 ELSE v_current END)::TEXT;
            RETURN NEXT;
            CONTINUE;
        END IF;

        INSERT INTO events (id, stream_id, stream_type, event_type, event_data, metadata, version, global_position,
                            schema_version, content_type, binary_data)
        SELECT x.id, v_stream, p_categories[v_i], x.t, x.d::jsonb, x.m::jsonb, v_current + x.ord, v_head + x.ord,
               x.s, x.c, decode(x.b, 'base64')
          FROM unnest(p_ids[v_a:v_b], p_types[v_a:v_b], p_data[v_a:v_b], p_metadata[v_a:v_b], p_schemas[v_a:v_b],
                      p_contents[v_a:v_b], p_binary[v_a:v_b]) WITH ORDINALITY AS x(id, t, d, m, s, c, b, ord);
        INSERT INTO streams (stream_id, version) VALUES (v_stream, v_current + v_n)
            ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version;

        outcome := 0; first_version := v_current + 1; last_version := v_current + v_n;
        first_position := v_head + 1; last_position := v_head + v_n; detail := NULL;
        v_head := v_head + v_n;
        RETURN NEXT;
    END LOOP;
    IF v_head > v_start THEN
        UPDATE factum_head SET position = v_head WHERE id = 1;
        PERFORM pg_notify(p_channel, v_head::TEXT);
    END IF;
END;
$$;
