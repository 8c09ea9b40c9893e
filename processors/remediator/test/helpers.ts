// Fixtures for the remediator's tests, also used by the integration tests in test/remediation (through
// test/support/remediation.ts), as `@faultline/processor-remediator/test-helpers`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import type { Alarm, AlarmTransition, RemediationResult, SingleAlarmTransition } from '@faultline/schemas';
import { alarm as fixtureAlarm, transition as fixtureTransition } from '@faultline/schemas/test-fixtures';
import { RemediatorConfigSchema, type RemediatorConfig } from '../src/index.js';

/** A 700.140 (clock not synchronised) on host=compute-0, raised now: remediation acts on fresh transitions only. */
export function alarm(over: Partial<Alarm> = {}): Alarm {
  const now = Date.now();
  return fixtureAlarm({
    alarm_id: '700.140', severity: 'minor', reason_text: 'clock not synchronised', alarm_type: 'time-domain-violation',
    probable_cause: 'timing-problem', proposed_repair_action: 'check chronyd', raised_at: now, updated_at: now, source: 'fault', ...over,
  });
}

export function transition(kind: SingleAlarmTransition['kind'], a: Alarm, seq = 1, at = Date.now()): SingleAlarmTransition {
  return fixtureTransition(kind, a, seq, at);
}

let offset = 0;
export const envelope = (value: AlarmTransition): Envelope => ({ topic: 'alarms', key: null, value, partition: 0, offset: String(offset++), timestamp: Date.now() });

export function config(over: Record<string, unknown> = {}): RemediatorConfig {
  return Value.Default(RemediatorConfigSchema, Value.Clone(over)) as RemediatorConfig;
}

export function tempDir(prefix = 'fl-remediator-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CollectedContext {
  ctx: ProcessorContext;
  results: RemediationResult[];
  /** What went to `faults` (730.001 set and clear). */
  faults: unknown[];
  /** Everything emitted besides results. */
  others: { topic: string; value: unknown }[];
  emit: Emit;
}

/** A processor context whose emits are collected. */
export function context(dataDir = tempDir()): CollectedContext {
  const results: RemediationResult[] = [];
  const faults: unknown[] = [];
  const others: { topic: string; value: unknown }[] = [];
  const emit: Emit = (topic, value) => {
    if (topic === 'remediations') { results.push(value as RemediationResult); return; }
    others.push({ topic, value });
    if (topic === 'faults') faults.push(value);
  };
  return { ctx: { id: 'processors.remediator', node: 'controller-0', log: silentLogger, dataDir, emit }, results, faults, others, emit };
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
