-- Alarm history from the `alarms` topic: one row per transition and alarm (a clear_all transition becomes one
-- row per alarm it cleared, each with the cleared alarm's sequence number). The sorting key ends with the
-- transition uuid, so a transition stored twice collapses to one row. Monthly partitions.
CREATE TABLE IF NOT EXISTS alarm_transitions (
  at DateTime('UTC'),
  at_ms UInt64,
  transition_uuid String,
  kind String,
  seq UInt64,
  host String,
  alarm_uuid String,
  alarm_id String,
  entity_type_id String,
  entity_instance_id String,
  severity String,
  previous_severity String,
  state String,
  reason_text String,
  alarm_type String,
  probable_cause String,
  proposed_repair_action String,
  service_affecting UInt8,
  suppression_allowed UInt8,
  inhibited UInt8,
  inhibited_by String,
  suppressed UInt8,
  silenced_by Array(String),
  flapping UInt8,
  source String,
  raised_at DateTime('UTC'),
  labels Nested(k String, v String),
  traceparent String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (host, alarm_id, entity_instance_id, at_ms, transition_uuid);
