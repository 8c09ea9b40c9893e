import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema, PathSchema } from '@faultline/runtime';
import { ApiConfigSchema } from './api/config.js';

export const CorrelatorConfigSchema = Type.Object({
  catalog: Type.Object({
    builtin: Type.Boolean({ default: true, description: 'load deploy/catalog/faultline.yaml (faultline\'s own alarm ids)' }),
    files: Type.Array(PathSchema(), { default: [], description: 'more faultline catalog files; later ids override earlier' }),
    starlingx: Type.Array(PathSchema(), { default: [], description: 'StarlingX events.yaml files, loaded unchanged' }),
  }, { default: {}, additionalProperties: false }),
  rules: Type.Object({
    builtin: Type.Boolean({ default: true, description: 'load deploy/rules/thresholds.yaml (StarlingX thresholds)' }),
    files: Type.Array(PathSchema(), { default: [], description: 'more threshold rule files' }),
  }, { default: {}, additionalProperties: false }),
  tick: DurationSchema({ default: '250ms', description: 'how often time-driven checks run (absence, heartbeat loss, expiry)' }),
  heartbeat: Type.Object({
    degrade_after: Type.Integer({ minimum: 1, default: 6, description: 'missed periods → 710.001 major' }),
    fail_after: Type.Integer({ minimum: 1, default: 10, description: 'missed periods → 710.001 critical' }),
    recover_after: Type.Integer({ minimum: 1, default: 10, description: 'consecutive pulses → cleared' }),
    multi_node_window: DurationSchema({ default: '1s', description: 'failures this close together are one event' }),
    multi_node_min: Type.Integer({ minimum: 2, default: 2, description: 'hosts failing together → one 710.010' }),
    cluster: Type.String({ minLength: 1, default: 'faultline', description: 'system=<cluster> of 710.010' }),
  }, { default: {}, additionalProperties: false }),
  flapping: Type.Object({
    changes: Type.Integer({ minimum: 2, default: 5, description: 'state changes inside the window → flapping' }),
    window: DurationSchema({ default: '10m' }),
    stable_after: DurationSchema({ default: '10m', description: 'quiet time before a flapping alarm is stable' }),
  }, { default: {}, additionalProperties: false }),
  event_log_size: Type.Integer({ minimum: 0, default: 10_000, description: 'transitions and logs kept in memory for queries' }),
  restore_event_log: Type.Boolean({
    default: false,
    description: 'at start, read the alarms topic back into the event log (the embedded bus keeps it in its journal; on Kafka this reads the whole topic, and ClickHouse keeps the history instead)',
  }),
  api: ApiConfigSchema,
}, { additionalProperties: false });

export type CorrelatorConfig = Static<typeof CorrelatorConfigSchema>;
