import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository (or install) root: deploy/ and its default pipeline live there. */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const DEFAULT_PIPELINE = resolve(ROOT, 'deploy/pipelines/simplex.yaml');
/** The topics `faultline topics create` installs and a pipeline creates when they are missing. */
export const DEFAULT_TOPICS = resolve(ROOT, 'deploy/kafka/topics.yaml');
