-- Fault events from the `faults` topic (set, clear, clear_all and log): the raw reports before correlation,
-- and the only home of fm-api customer logs (op = 'log'), which raise no alarm.
-- event_id is the event's uuid, or a hash of the event when the reporter sent none: deterministic either way.
CREATE TABLE IF NOT EXISTS fault_events (
  ts DateTime('UTC'),
  ts_ms UInt64,
  event_id String,
  op String,
  host String,
  alarm_id String,
  entity_type_id String,
  entity_instance_id String,
  severity String,
  reason_text String,
  alarm_type String,
  probable_cause String,
  proposed_repair_action String,
  service_affecting Nullable(UInt8),
  suppression Nullable(UInt8),
  source String,
  traceparent String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (host, ts_ms, event_id);
