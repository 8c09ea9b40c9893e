import { rootEntity, type SingleAlarmTransition } from '@faultline/schemas';
import { parseDuration } from '@faultline/runtime';
import type { Action } from '../actions/types.js';
import type { RuleConfig, StepConfig } from './schema.js';

/** `*` stays inside one dot-separated segment, `**` crosses segments, `?` is one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; } else if (c === '*') re += '[^.]*';
    else if (c === '?') re += '[^.]';
    else re += c.replace(/[\\^$+.()|{}[\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export interface CompiledStep {
  name: string;
  action: Action;
  timeoutMs: number;
  verifyWithinMs: number;
  approval: boolean;
}

export interface CompiledRule {
  name: string;
  alarmIds: RegExp[];
  entity: RegExp;
  severities: ReadonlySet<string>;
  kinds: ReadonlySet<string>;
  target: 'host' | 'entity';
  dryRun: boolean;
  steps: CompiledStep[];
}

export function compileRule(rule: RuleConfig, actions: readonly Action[], defaultDryRun: boolean): CompiledRule {
  return {
    name: rule.name,
    alarmIds: rule.match.alarm_id.map(globToRegExp),
    entity: globToRegExp(rule.match.entity),
    severities: new Set(rule.match.severity),
    kinds: new Set(rule.match.kind),
    target: rule.target,
    dryRun: rule.dry_run ?? defaultDryRun,
    steps: rule.steps.map((s: StepConfig, i) => ({
      name: s.name ?? s.action.type,
      action: actions[i]!,
      timeoutMs: parseDuration(s.timeout),
      verifyWithinMs: parseDuration(s.verify_within),
      approval: s.approval,
    })),
  };
}

/** The first rule that matches wins (like a firewall), so one alarm never starts two competing plans. */
export function matchRule(rules: readonly CompiledRule[], t: SingleAlarmTransition): CompiledRule | undefined {
  const a = t.alarm;
  return rules.find((r) => r.kinds.has(t.kind) && r.severities.has(a.severity)
    && r.alarmIds.some((re) => re.test(a.alarm_id)) && r.entity.test(a.entity_instance_id));
}

export function targetOf(rule: Pick<CompiledRule, 'target'>, entityInstanceId: string): string {
  return rule.target === 'host' ? rootEntity(entityInstanceId) : entityInstanceId;
}

