import { spawn } from 'node:child_process';
import { parseDuration } from '@faultline/runtime';
import type { CommandActionConfig } from './config.js';
import { commandEnvironment } from './environment.js';
import { actionPayload } from './payload.js';
import type { Action, ActionOutcome, ActionRequest } from './types.js';

/** Keeps the last `max` bytes of a stream: the end of a log says why it failed. */
function tailBuffer(max: number) {
  const chunks: Buffer[] = [];
  let size = 0;
  let dropped = 0;
  return {
    push(b: Buffer) {
      chunks.push(b);
      size += b.length;
      while (size > max && chunks.length) {
        const first = chunks[0]!;
        const excess = size - max;
        if (first.length <= excess) { chunks.shift(); size -= first.length; dropped += first.length; } else { chunks[0] = first.subarray(excess); size -= excess; dropped += excess; }
      }
    },
    text: () => (dropped ? `[${dropped} earlier bytes dropped]\n` : '') + Buffer.concat(chunks).toString('utf8'),
  };
}

/** Signals a whole process group; it may already be gone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pid, signal); } catch { /* ESRCH: the group has exited */ }
}

/**
 * Runs argv without a shell, in its own process group (detached), so the step's timeout can kill the
 * program and everything it started: SIGTERM to the group, then SIGKILL after kill_grace.
 */
export function createCommandAction(config: CommandActionConfig, parentEnv: NodeJS.ProcessEnv = process.env): Action {
  const grace = parseDuration(config.kill_grace);
  const [file, ...args] = config.argv as [string, ...string[]];
  return {
    type: 'command',
    describe: () => `argv ${JSON.stringify(config.argv)}`,
    run(req: ActionRequest, signal: AbortSignal): Promise<ActionOutcome> {
      return new Promise((resolve) => {
        const started = Date.now();
        const output = tailBuffer(config.max_output);
        let child;
        try {
          child = spawn(file, args, {
            shell: false,
            detached: true,
            cwd: config.cwd,
            env: commandEnvironment(req, config.env, parentEnv),
            stdio: ['pipe', 'pipe', 'pipe'],
          });
        } catch (err) {
          resolve({ ok: false, reason: `cannot start ${file}: ${(err as Error).message}` });
          return;
        }
        const pid = child.pid;
        let aborted = false;
        let killTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          if (pid === undefined) return;
          aborted = true;
          killGroup(pid, 'SIGTERM');
          killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
        };
        child.stdout.on('data', (d: Buffer) => output.push(d));
        child.stderr.on('data', (d: Buffer) => output.push(d));
        child.stdin.on('error', () => { /* the program need not read its stdin */ });
        child.stdin.end(actionPayload(req, started));
        child.on('error', (err) => {
          signal.removeEventListener('abort', onAbort);
          resolve({ ok: false, reason: `cannot start ${file}: ${err.message}` });
        });
        child.on('close', (code, sig) => {
          signal.removeEventListener('abort', onAbort);
          if (killTimer) clearTimeout(killTimer);
          // Stragglers that closed their stdio but kept running go with the group after a timeout.
          if (aborted && pid !== undefined) killGroup(pid, 'SIGKILL');
          const details: Record<string, string> = { pid: String(pid ?? '') };
          if (code !== null) details.exit_code = String(code);
          if (sig) details.signal = sig;
          const reason = aborted
            ? `killed (process group) after the step timed out or was stopped${sig ? `: ${sig}` : ''}`
            : code === 0 ? 'exit 0' : code !== null ? `exit ${code}` : `killed by ${sig}`;
          resolve({ ok: !aborted && code === 0, reason, output: output.text(), details });
        });
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
