-- The remediation audit trail from the `remediations` topic: every decision and outcome, keyed by its uuid.
CREATE TABLE IF NOT EXISTS remediation_results (
  at DateTime('UTC'),
  at_ms UInt64,
  uuid String,
  request_uuid String,
  transition_uuid String,
  host String,
  alarm_id String,
  entity_instance_id String,
  rule String,
  step UInt32,
  action String,
  target String,
  outcome String,
  reason String,
  dry_run UInt8,
  duration_ms Nullable(Float64),
  output String,
  details Nested(k String, v String),
  traceparent String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (host, at_ms, uuid);
