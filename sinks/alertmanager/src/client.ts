import type { PostableAlert } from './alerts.js';

/** Alertmanager refused the alerts as invalid (a 4xx answer): a retry would be refused too. */
export class AlertsRejectedError extends Error {
  override name = 'AlertsRejectedError';
}

/** The one call of Alertmanager's API v2 this sink needs: POST /api/v2/alerts (firing and resolved alike). */
export interface AlertmanagerClient {
  post(alerts: readonly PostableAlert[]): Promise<void>;
}

export function createAlertmanagerClient(baseUrl: string, timeoutMs: number, maxPerRequest: number): AlertmanagerClient {
  const url = new URL('api/v2/alerts', baseUrl.endsWith('/') ? baseUrl : baseUrl + '/');
  return {
    async post(alerts) {
      for (let i = 0; i < alerts.length; i += maxPerRequest) {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(alerts.slice(i, i + maxPerRequest)),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await res.text();
        if (res.ok) continue;
        const message = `POST ${url} answered ${res.status}: ${body.slice(0, 200)}`;
        // 4xx other than 429: Alertmanager refuses these alerts themselves; sending them again cannot help.
        throw res.status >= 400 && res.status < 500 && res.status !== 429 ? new AlertsRejectedError(message) : new Error(message);
      }
    },
  };
}
