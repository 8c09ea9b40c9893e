export { DEV_DIR, ROOT, SERVICES, ensureServices, waitFor } from './services.js';
export type { ServiceName } from './services.js';
