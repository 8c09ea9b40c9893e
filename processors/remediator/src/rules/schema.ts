import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '@faultline/runtime';
import { SeveritySchema, SEVERITIES } from '@faultline/schemas';
import { ActionConfigSchema } from '../actions/config.js';

/** Transition kinds after which an alarm is (again) worth acting on. Clears and inhibitions stop plans instead. */
export const STARTING_KINDS = ['raised', 'updated', 'uninhibited', 'stable', 'unsuppressed'] as const;

export const StepSchema = Type.Object({
  name: Type.Optional(Type.String({ description: 'shown in the audit; default: the action type' })),
  action: ActionConfigSchema,
  timeout: DurationSchema({ default: '60s', description: 'the action\'s time limit; a command\'s process group is killed at it' }),
  verify_within: DurationSchema({ default: '5m', description: 'the alarm must clear this long after the action, or the step is unverified and the next step runs' }),
  approval: Type.Boolean({ default: false, description: 'wait for `faultline remediation approve` before acting' }),
}, { additionalProperties: false });

export const RuleSchema = Type.Object({
  name: Type.String({ pattern: '^[A-Za-z0-9_-]+$', description: 'unique; part of the 730.001 entity path, so no dots' }),
  match: Type.Object({
    alarm_id: Type.Array(Type.String({ pattern: '^[0-9*?]{1,3}\\.[0-9*?]{1,3}$' }), { minItems: 1, description: 'alarm ids, `*` allowed: ["700.140", "710.*"]' }),
    entity: Type.String({ default: '**', description: 'glob over entity_instance_id: `*` within one segment, `**` across segments' }),
    severity: Type.Array(SeveritySchema, { default: [...SEVERITIES] }),
    kind: Type.Array(Type.Union(STARTING_KINDS.map((k) => Type.Literal(k))), { default: ['raised'], description: 'transition kinds that start the rule' }),
  }, { additionalProperties: false }),
  target: Type.Union([Type.Literal('host'), Type.Literal('entity')], { default: 'host', description: 'what limits count against: the host (root of the entity path) or the whole entity path' }),
  dry_run: Type.Optional(Type.Boolean({ description: 'overrides the remediator\'s dry_run for this rule' })),
  steps: Type.Array(StepSchema, { minItems: 1, description: 'tried in order while the alarm stays active' }),
}, { additionalProperties: false });

export const RulesFileSchema = Type.Object({ rules: Type.Array(RuleSchema) }, { additionalProperties: false });

export type StepConfig = Static<typeof StepSchema>;
export type RuleConfig = Static<typeof RuleSchema>;
