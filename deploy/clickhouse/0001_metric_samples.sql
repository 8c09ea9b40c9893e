-- Metric samples from the `metrics` topic: one row per sample of a MetricBatch.
-- ReplacingMergeTree with the sample's natural identity as sorting key (node, name, series, ts_ms, collector):
-- a batch inserted twice (a retry after an ambiguous failure, a redelivery after a restart) collapses to one row
-- when parts merge; read with FINAL (or aggregate) where an exact count matters.
-- Daily partitions: retention drops whole days (no TTL: ClickHouse 18.16 has none).
CREATE TABLE IF NOT EXISTS metric_samples (
  ts DateTime('UTC'),
  ts_ms UInt64,
  node String,
  collector String,
  name String,
  -- canonical label set `k=v,k=v` (keys sorted): the series identity inside a metric name
  series String,
  labels Nested(k String, v String),
  value Float64,
  interval_ms UInt32
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (node, name, series, ts_ms, collector);
