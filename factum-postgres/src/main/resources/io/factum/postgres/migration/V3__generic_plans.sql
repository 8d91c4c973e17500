-- Factum on PostgreSQL, schema version 3: factum_append always runs its cached generic plans.
--
-- With the default plan_cache_mode (auto) PostgreSQL compares a statement's generic plan with the
-- plans it makes for the actual values, and re-plans every call when the generic one looks dearer.
-- The fast path's deciding statement (the CTE over the group's arrays) looked dearer — a generic plan
-- assumes ten elements per array — so it was planned again on every call: ~0.4 ms of a group's
-- ~1 ms in the function, measured with pg_stat_statements.track_planning. Every statement here looks
-- rows up by an index (sequential scans are off, see version 1), so a generic plan is always right.
--
-- Measured on one 2-core machine (fsync on): one writer 500-560 -> 890-970 appends/s, eight writers
-- 2,300 -> 3,100-3,700 events/s. Same signature and results as versions 1 and 2.

ALTER FUNCTION factum_append(VARCHAR[], VARCHAR[], BIGINT[], INT[], UUID[], BOOLEAN[], VARCHAR[], TEXT[], TEXT[], INT[],
                             VARCHAR[], TEXT[], INT[], TEXT)
    SET plan_cache_mode = force_generic_plan;
