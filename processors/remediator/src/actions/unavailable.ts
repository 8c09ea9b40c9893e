import type { ActionType } from './config.js';

/** Action types whose configuration this build accepts and checks but cannot execute yet. */
export const UNAVAILABLE_ACTIONS: Partial<Record<ActionType, string>> = {
  'kubernetes.cordon': 'the Kubernetes actions come with the Kubernetes collector',
  'kubernetes.drain': 'the Kubernetes actions come with the Kubernetes collector',
  'kubernetes.delete_pod': 'the Kubernetes actions come with the Kubernetes collector',
  'openstack.reboot_server': 'the OpenStack actions come with the OpenStack collector',
  'openstack.evacuate_host': 'the OpenStack actions come with the OpenStack collector',
  'openstack.disable_compute_service': 'the OpenStack actions come with the OpenStack collector',
};

/** Thrown at start: a rule that asks for an action we cannot run must not start and quietly do nothing. */
export class ActionUnavailableError extends Error {
  constructor(readonly actionType: ActionType, where: string) {
    super(`${where}: action ${actionType} is not available in this build (${UNAVAILABLE_ACTIONS[actionType] ?? 'unknown action'}); remove the step or use a webhook or command`);
    this.name = 'ActionUnavailableError';
  }
}
