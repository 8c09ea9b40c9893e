import { explain, faultEventProblem, validate, type FaultEvent } from '@faultline/schemas';

/** A fault the client refuses before sending, naming the field (`alarm_id: required for op set`). */
export class FaultValidationError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'FaultValidationError';
  }
}

/**
 * The same checks the consumers apply (the fault_event schema), plus the fm-api rule the schema
 * cannot say: every op but clear_all names an alarm id. Throws FaultValidationError.
 */
export function checkFault(f: FaultEvent): FaultEvent {
  if (!validate('fault_event', f)) {
    const first = explain('fault_event', f, 1);
    const m = /^\/?([^:]*): (.*)$/.exec(first);
    throw new FaultValidationError(m?.[1]?.replaceAll('/', '.') || '(fault)', m?.[2] ?? first);
  }
  const problem = faultEventProblem(f);
  if (problem) throw new FaultValidationError(problem.field, problem.message);
  return f;
}
