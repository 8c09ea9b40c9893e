import { createCommandAction } from './command.js';
import type { ActionConfig } from './config.js';
import type { Action } from './types.js';
import { ActionUnavailableError } from './unavailable.js';
import { createWebhookAction } from './webhook.js';

/**
 * Builds the action of one step; `where` names it in errors (`rules[2].steps[0]`). Secrets are read
 * from `env` now, so a missing one stops the remediator at start instead of failing at 3 a.m.
 */
export function createAction(config: ActionConfig, where: string, env: NodeJS.ProcessEnv = process.env): Action {
  switch (config.type) {
    case 'webhook': {
      const secret = env[config.secret_env];
      if (!secret) throw new Error(`${where}: environment variable ${config.secret_env} (the webhook's secret_env) is not set`);
      return createWebhookAction(config, secret);
    }
    case 'command':
      return createCommandAction(config, env);
    default:
      throw new ActionUnavailableError(config.type, where);
  }
}
