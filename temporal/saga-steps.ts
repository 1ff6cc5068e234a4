// The saga's steps that change a service, by the name each one's Idempotency-Key is derived from. One
// spelling for the workflow's plan, the activities' keys and the CLI: a renamed step would otherwise
// silently change the keys of runs in flight. Plain constants, so workflow code may import this file.
export const SAGA_STEPS = {
  reserve: 'reserve-record',
  submit: 'submit-publication',
  confirm: 'confirm-publication',
  commit: 'commit-record',
} as const;
