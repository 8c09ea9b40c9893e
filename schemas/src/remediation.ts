import { Type, type Static } from '@sinclair/typebox';
import { AlarmIdSchema, EntityInstanceIdSchema, EpochMsSchema, LabelsSchema, UuidSchema } from './common.js';

/** A decision to run one remediation step for one alarm transition. */
export const RemediationRequestSchema = Type.Object({
  uuid: UuidSchema,
  transition_uuid: UuidSchema,
  alarm_uuid: UuidSchema,
  alarm_id: AlarmIdSchema,
  entity_instance_id: EntityInstanceIdSchema,
  rule: Type.String(),
  step: Type.Integer({ minimum: 0 }),
  action: Type.String({ description: 'action type: webhook, command, kubernetes.cordon, openstack.reboot, ...' }),
  target: Type.String({ description: 'what the action acts on, usually the host' }),
  dry_run: Type.Boolean(),
  requires_approval: Type.Boolean(),
  at: EpochMsSchema,
  traceparent: Type.Optional(Type.String()),
});

/** Every remediation decision and outcome, for the audit trail. */
export const RemediationResultSchema = Type.Object({
  uuid: UuidSchema,
  request_uuid: Type.Optional(UuidSchema),
  transition_uuid: UuidSchema,
  alarm_id: AlarmIdSchema,
  entity_instance_id: EntityInstanceIdSchema,
  rule: Type.String(),
  step: Type.Integer({ minimum: 0 }),
  action: Type.String(),
  target: Type.String(),
  outcome: Type.Union([
    Type.Literal('matched'), Type.Literal('skipped'), Type.Literal('awaiting_approval'), Type.Literal('approved'),
    Type.Literal('expired'), Type.Literal('executed'), Type.Literal('failed'), Type.Literal('verified'),
    Type.Literal('unverified'),
  ]),
  /** Why: the skip reason (cooldown, budget, dry-run, stale, ...), the error, or the exit status. */
  reason: Type.String(),
  dry_run: Type.Boolean(),
  duration_ms: Type.Optional(Type.Number({ minimum: 0 })),
  output: Type.Optional(Type.String()),
  details: Type.Optional(LabelsSchema),
  at: EpochMsSchema,
  traceparent: Type.Optional(Type.String()),
});

export type RemediationRequest = Static<typeof RemediationRequestSchema>;
export type RemediationResult = Static<typeof RemediationResultSchema>;
export type RemediationOutcome = RemediationResult['outcome'];
