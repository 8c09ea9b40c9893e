import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import type { Alarm, RemediationResult, SingleAlarmTransition } from '@faultline/schemas';
import { ROOT, waitFor } from './index.js';
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

/** A processor context whose emits are collected: results from `remediations`, anything else in `others`. */
export function context(dataDir = tempDir()): { ctx: ProcessorContext; results: RemediationResult[]; others: { topic: string; value: unknown }[]; emit: Emit } {
  const results: RemediationResult[] = [];
  const others: { topic: string; value: unknown }[] = [];
  const emit: Emit = (topic, value) => {
    if (topic === 'remediations') results.push(value as RemediationResult);
    else others.push({ topic, value });
  };
  return { ctx: { id: 'processors.remediator', node: 'controller-0', log: silentLogger, dataDir, emit }, results, others, emit };
}

export interface RemediatorProcess { child: ChildProcessWithoutNullStreams; results: RemediationResult[]; send(t: SingleAlarmTransition): void }

/** A remediator in a process of its own (see remediator-process.ts): send transitions, read its results. */
export async function startRemediatorProcess(configFile: string, dataDir: string): Promise<RemediatorProcess> {
  const child = spawn(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', resolve(ROOT, 'test/support/remediator-process.ts'), configFile, dataDir], { cwd: ROOT });
  const results: RemediationResult[] = [];
  let ready = false;
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'READY') ready = true;
    else results.push(JSON.parse(line) as RemediationResult);
  });
  await waitFor(`remediator process ready (${stderr})`, () => (ready ? true : child.exitCode !== null ? Promise.reject(new Error(stderr)) : undefined), 30_000, 50);
  return { child, results, send: (t) => child.stdin.write(JSON.stringify(t) + '\n') };
}
