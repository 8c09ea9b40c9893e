import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import type { Alarm, AlarmTransition, RemediationResult, SingleAlarmTransition } from '@faultline/schemas';
import { RemediatorConfigSchema, type RemediatorConfig } from '../src/index.js';

export function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    uuid: randomUUID(), alarm_id: '700.140', entity_type_id: 'host', entity_instance_id: 'host=compute-0', severity: 'minor',
    reason_text: 'clock not synchronised', alarm_type: 'time-domain-violation', probable_cause: 'timing-problem',
    proposed_repair_action: 'check chronyd', service_affecting: false, suppression_allowed: true, state: 'active',
    raised_at: Date.now(), updated_at: Date.now(), inhibited: false, suppressed: false, silenced_by: [], flapping: false,
    source: 'fault', labels: {}, ...over,
  };
}

export function transition(kind: SingleAlarmTransition['kind'], a: Alarm, seq = 1, at = Date.now()): SingleAlarmTransition {
  return { uuid: randomUUID(), at, kind, seq, alarm: kind === 'cleared' ? { ...a, state: 'cleared' } : a };
}

let offset = 0;
export const envelope = (value: AlarmTransition): Envelope => ({ topic: 'alarms', key: null, value, partition: 0, offset: String(offset++), timestamp: Date.now() });

export function config(over: Record<string, unknown> = {}): RemediatorConfig {
  return Value.Default(RemediatorConfigSchema, Value.Clone(over)) as RemediatorConfig;
}

export function tempDir(prefix = 'fl-remediator-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A processor context whose emits are collected. */
export function context(dataDir = tempDir()): { ctx: ProcessorContext; results: RemediationResult[]; faults: unknown[]; emit: Emit } {
  const results: RemediationResult[] = [];
  const faults: unknown[] = [];
  const emit: Emit = (topic, value) => {
    if (topic === 'remediations') results.push(value as RemediationResult);
    else if (topic === 'faults') faults.push(value);
  };
  return { ctx: { id: 'processors.remediator', node: 'controller-0', log: silentLogger, dataDir, emit }, results, faults, emit };
}

export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
