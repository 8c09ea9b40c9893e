#!/usr/bin/env node
import { ConfigError } from '@faultline/runtime';
import { buildProgram } from './program.js';

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`faultline: the pipeline file has ${err.issues.length} problem${err.issues.length > 1 ? 's' : ''}:\n${err.message}\n`);
    process.exit(2);
  }
  const e = err as Error & { code?: string };
  process.stderr.write(`faultline: ${e.message}\n`);
  if (process.env.FAULTLINE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}
