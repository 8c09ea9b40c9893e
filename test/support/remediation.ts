import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import type { Alarm, RemediationResult, SingleAlarmTransition } from '@faultline/schemas';
import { RemediatorConfigSchema, type RemediatorConfig } from '@faultline/processor-remediator';

export function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    uuid: randomUUID(), alarm_id: '700.140', entity_type_id: 'host', entity_instance_id: 'host=compute-0', severity: 'minor',
    reason_text: 'clock not synchronised', alarm_type: 'time-domain-violation', probable_cause: 'timing-problem',
    proposed_repair_action: 'check chronyd', service_affecting: false, suppression_allowed: true, state: 'active',
    raised_at: Date.now(), updated_at: Date.now(), inhibited: false, suppressed: false, silenced_by: [], flapping: false,
    source: 'fault', labels: {}, ...over,
  };
}

export function transition(kind: SingleAlarmTransition['kind'], a: Alarm, seq = 1): SingleAlarmTransition {
  return { uuid: randomUUID(), at: Date.now(), kind, seq, alarm: kind === 'cleared' ? { ...a, state: 'cleared' } : a };
}

let offset = 0;
export const envelope = (value: SingleAlarmTransition): Envelope =>
  ({ topic: 'alarms', key: null, value, partition: 0, offset: String(offset++), timestamp: Date.now() });

export const remediatorConfig = (over: Record<string, unknown>): RemediatorConfig =>
  Value.Default(RemediatorConfigSchema, Value.Clone(over)) as RemediatorConfig;

export const tempDir = (prefix = 'fl-remediation-') => mkdtempSync(join(tmpdir(), prefix));

export function context(dataDir = tempDir()): { ctx: ProcessorContext; results: RemediationResult[]; emit: Emit } {
  const results: RemediationResult[] = [];
  const emit: Emit = (topic, value) => { if (topic === 'remediations') results.push(value as RemediationResult); };
  return { ctx: { id: 'processors.remediator', node: 'controller-0', log: silentLogger, dataDir, emit }, results, emit };
}
