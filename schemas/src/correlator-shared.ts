import { Type, type Static } from '@sinclair/typebox';
import { AlarmIdSchema, EpochMsSchema } from './common.js';

const Writer = Type.String({ minLength: 1, description: 'the correlator member that wrote it: node/component/start id' });

export const SharedSilenceSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  matchers: Type.Record(Type.String(), Type.String()),
  starts_at: EpochMsSchema,
  ends_at: EpochMsSchema,
  created_by: Type.String(),
  comment: Type.String(),
});

/**
 * What every member of a correlator group must know as soon as one member learns it: the value of
 * the compacted `correlator.shared` topic, which every member follows (docs/alarm-api.md).
 * Operator actions are one record per item (key `silence/<id>`, `suppression/<alarm_id>`), so two
 * members acting at once never overwrite each other's action. `silent_hosts` (key `silent/<member>`)
 * is a member's count of hosts whose heartbeat is lost, for the multi-node judgement (710.010).
 */
export const CorrelatorSharedSchema = Type.Union([
  Type.Object({ kind: Type.Literal('silence'), writer: Writer, at: EpochMsSchema, silence: SharedSilenceSchema }),
  Type.Object({ kind: Type.Literal('suppression'), writer: Writer, at: EpochMsSchema, alarm_id: AlarmIdSchema, suppressed: Type.Boolean() }),
  Type.Object({
    kind: Type.Literal('silent_hosts'), writer: Writer, at: EpochMsSchema,
    failing: Type.Array(Type.String(), { description: 'hosts past fail_after, waiting for the multi-node window' }),
    in_multi: Type.Array(Type.String(), { description: 'hosts counted in the multi-node failure' }),
  }),
]);

export type CorrelatorShared = Static<typeof CorrelatorSharedSchema>;
