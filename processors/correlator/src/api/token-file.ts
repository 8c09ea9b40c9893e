import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_FILE } from './config.js';

/**
 * The token of a correlator started without one (the single-node default): generated once into
 * `<data dir>/api-token`, readable by its owner only, so `faultline alarm list` on the same node
 * finds it through the pipeline file and nobody has to invent a secret to get started.
 */
export function ensureTokenFile(dataDir: string): { token: string; file: string; created: boolean } {
  const file = join(dataDir, TOKEN_FILE);
  try {
    return { token: readFileSync(file, 'utf8').trim(), file, created: false };
  } catch {
    const token = randomBytes(24).toString('base64url');
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, file, created: true };
  }
}
