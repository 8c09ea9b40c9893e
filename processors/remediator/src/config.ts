import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema, PathSchema } from '@faultline/runtime';
import { RuleSchema } from './rules/schema.js';

export const RemediatorConfigSchema = Type.Object({
  rules_file: Type.Optional(PathSchema({ description: 'YAML file with `rules: [...]` (see deploy/remediation/rules.yaml); read at start' })),
  rules: Type.Array(RuleSchema, { default: [], description: 'rules inline, tried before those of rules_file' }),
  dry_run: Type.Boolean({ default: false, description: 'decide and record every step, act on nothing' }),
  max_transition_age: DurationSchema({ default: '5m', description: 'older transitions never act (a backlog replayed after an outage)' }),
  approval_expiry: DurationSchema({ default: '15m', description: 'an unanswered approval request expires after this' }),
  approval_poll: DurationSchema({ default: '1s', description: 'how often to look for `faultline remediation approve|deny` answers' }),
  stop_grace: DurationSchema({ default: '10s', description: 'at stop, running actions get this long before they are aborted' }),
  ledger_retention: DurationSchema({ default: '7d', description: 'ledger records older than this are dropped at start (never fewer than the limits need)' }),
  multi_node_alarm_id: Type.String({ default: '710.010', pattern: '^[0-9]{3}\\.[0-9]{3}$', description: 'while an alarm with this id is active, nothing acts' }),
  failure_alarm: Type.Object({
    enabled: Type.Boolean({ default: true }),
    alarm_id: Type.String({ default: '730.001', pattern: '^[0-9]{3}\\.[0-9]{3}$' }),
  }, { default: {}, additionalProperties: false, description: 'a fault raised on `faults` when a plan ends failed or unverified; cleared when one verifies' }),
  limits: Type.Object({
    rate: Type.Object({
      max: Type.Integer({ minimum: 1, default: 3 }),
      per: DurationSchema({ default: '1h' }),
    }, { default: {}, additionalProperties: false, description: 'actions per target' }),
    cooldown: DurationSchema({ default: '10m', description: 'quiet time on a target after a plan on it ends' }),
    max_attempts: Type.Integer({ minimum: 1, default: 2, description: 'plans per cause (rule + alarm) within attempt_window (StarlingX: 2)' }),
    attempt_window: DurationSchema({ default: '24h' }),
    max_concurrent: Type.Integer({ minimum: 1, default: 4, description: 'actions executing at once' }),
    budget: Type.Object({
      max_share: Type.Number({ minimum: 0, maximum: 1, default: 0.1, description: 'share of the fleet that may be under remediation at once (floor)' }),
      min_hosts: Type.Integer({ minimum: 0, default: 1, description: 'hosts always allowed whatever the share (a single node can still be remediated); 0: the share is strict' }),
      max_hosts: Type.Integer({ minimum: 0, default: 0, description: 'absolute cap on hosts under remediation; 0: none' }),
      fleet_size: Type.Integer({ minimum: 0, default: 0, description: 'hosts in the fleet; 0: count the hosts seen on heartbeats and alarms' }),
    }, { default: {}, additionalProperties: false }),
  }, { default: {}, additionalProperties: false }),
}, { additionalProperties: false });

export type RemediatorConfig = Static<typeof RemediatorConfigSchema>;
