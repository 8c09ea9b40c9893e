// The Bus contract against the embedded bus, journaled in a fresh directory per case.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import { createEmbeddedBus } from '@faultline/runtime';
import { busContract } from '../support/bus-contract.js';

busContract({
  name: 'embedded',
  partitions: 1,
  create: () => createEmbeddedBus({ dir: mkdtempSync(join(tmpdir(), 'fl-embedded-')) }),
});
test.run();
