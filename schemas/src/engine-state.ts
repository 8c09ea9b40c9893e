import { Type, type Static } from '@sinclair/typebox';

/**
 * A correlator's state for one host (or `*` for operator state: silences, suppression, maintenance,
 * inventory), the value of the compacted `correlator.state` topic. `partition` is the input partition
 * the host's records arrive on, so a new owner of that partition knows which records are its own.
 * `state` is the engine's own snapshot format (processors/correlator, docs/alarm-state.md).
 */
export const EngineStateSchema = Type.Object({
  node: Type.String({ minLength: 1 }),
  partition: Type.Integer({ minimum: -1, description: '-1 for operator state, which every owner reads' }),
  state: Type.Record(Type.String(), Type.Unknown()),
});

export type EngineState = Static<typeof EngineStateSchema>;
