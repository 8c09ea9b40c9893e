import { Type, type Static } from '@sinclair/typebox';
import { EpochMsSchema } from './common.js';

/** A node's pulse. A new boot_id tells a reboot from a gap; seq counts pulses since the collector started. */
export const HeartbeatSchema = Type.Object({
  node: Type.String({ minLength: 1 }),
  boot_id: Type.String({ minLength: 1 }),
  seq: Type.Integer({ minimum: 0 }),
  ts: EpochMsSchema,
  period_ms: Type.Integer({ minimum: 1 }),
});

export type Heartbeat = Static<typeof HeartbeatSchema>;
