export { DEV_DIR, ROOT, SERVICES, ensureServices, freePort, privateService, waitFor } from './services.js';
export type { ServiceName } from './services.js';
