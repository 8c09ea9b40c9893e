export { createFaultClient } from './fault-client.js';
export type { Fault, FaultClient, FaultClientOptions } from './fault-client.js';
export { ApiError, createApiClient } from './http.js';
export type {
  AlarmFilter, AlarmPage, AlarmSummary, ApiClient, ApiClientOptions, CatalogEntry, EventEntry, LogEntry, NewSilence, Silence,
} from './http.js';
export { FaultValidationError, checkFault } from './validate.js';
