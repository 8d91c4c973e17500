-- Factum on PostgreSQL, schema version 2: factum_append's set-based fast path, widened and fixed.
--
-- * Fixed: two appends of one group carrying the same event id (to different streams) took the fast
--   path, and the duplicate key failed the whole group — every caller in it. Such groups now take
--   the per-append path, where the second append is answered with an idempotency conflict alone.
-- * Widened: several appends to one stream in a group (a caller pipelining appends) no longer force
--   the per-append path, as long as each of them is accepted; their versions follow one another.
-- * Ids Factum generated are not looked up (they are new by construction); only caller-supplied ones.
--
-- Same signature and results as version 1, so Factum builds still running against this database
-- while it is upgraded keep working.

CREATE OR REPLACE FUNCTION factum_append(
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
    v_consistent BOOLEAN;
BEGIN
    SELECT position INTO v_head FROM factum_head WHERE id = 1 FOR UPDATE;
    v_start := v_head;

    -- Fast path, the usual case: no event id twice in the group, no supplied id already stored, and
    -- every append to a stream that recurs in the group accepted (so each one's version follows from
    -- the ones before it). Decide and write the whole group set-based: a few statements per group.
    -- (Ids Factum generated are new by construction: only caller-supplied ones need looking up.)
    IF (SELECT count(DISTINCT x) = count(*) FROM unnest(p_ids) AS x)
       AND (NOT (true = ANY (p_caller)) OR NOT EXISTS (SELECT 1 FROM events e WHERE e.id = ANY (p_ids))) THEN
        WITH a AS (
            SELECT x.ord, x.n, x.expected,
                   coalesce(s.version, 0) + coalesce(sum(x.n) OVER (PARTITION BY x.stream ORDER BY x.ord
                                                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cur,
                   count(*) OVER (PARTITION BY x.stream) > 1 AS recurs
              FROM unnest(p_streams, p_expected, p_counts) WITH ORDINALITY AS x(stream, expected, n, ord)
              LEFT JOIN streams s ON s.stream_id = x.stream),
        b AS (
            SELECT a.*, (a.expected = -1 OR (a.expected = 0 AND a.cur = 0) OR (a.expected = -2 AND a.cur > 0)
                         OR (a.expected > 0 AND a.cur = a.expected)) AS ok
              FROM a),
        p AS (
            SELECT b.*, v_head + sum(CASE WHEN b.ok THEN b.n ELSE 0 END) OVER (ORDER BY b.ord) - CASE WHEN b.ok THEN b.n ELSE 0 END AS pos0
              FROM b)
        SELECT array_agg(p.ok ORDER BY p.ord), array_agg(p.cur ORDER BY p.ord), array_agg(p.pos0 ORDER BY p.ord),
               coalesce(sum(p.n) FILTER (WHERE p.ok), 0), bool_and(p.ok OR NOT p.recurs)
          INTO v_ok, v_cur, v_pos, v_total, v_consistent
          FROM p;

        IF v_consistent THEN
            INSERT INTO events (id, stream_id, stream_type, event_type, event_data, metadata, version, global_position,
                                schema_version, content_type, binary_data)
            SELECT e.id, p_streams[e.owner], p_categories[e.owner], e.t, e.d::jsonb, e.m::jsonb,
                   v_cur[e.owner] + e.k, v_pos[e.owner] + e.k, e.s, e.c, decode(e.b, 'base64')
              FROM (SELECT u.*, row_number() OVER (PARTITION BY u.owner ORDER BY u.ord) AS k
                      FROM unnest(p_ids, p_types, p_data, p_metadata, p_schemas, p_contents, p_binary, p_owner)
                           WITH ORDINALITY AS u(id, t, d, m, s, c, b, owner, ord)) AS e
             WHERE v_ok[e.owner];

            INSERT INTO streams (stream_id, version)
            SELECT x.stream, max(v_cur[x.ord] + x.n)
              FROM unnest(p_streams, p_counts) WITH ORDINALITY AS x(stream, n, ord)
             WHERE v_ok[x.ord]
             GROUP BY x.stream
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
