import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { RemediationResult, SingleAlarmTransition } from '@faultline/schemas';
import { ROOT, waitFor } from './index.js';

// The remediator's own test fixtures: alarm, transition, envelope, processor context, temp dirs.
export {
  alarm, config as remediatorConfig, context, envelope, tempDir, transition,
} from '@faultline/processor-remediator/test-helpers';

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
