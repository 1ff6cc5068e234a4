// The exit codes every verb of the client promises (also in --help and the README).
export const EXIT = {
  completed: 0,
  /** The workflow ran and ended failed, cancelled, terminated or timed out; or a request about it was refused. */
  failed: 1,
  usage: 2,
  /** Temporal could not be reached, or refused to start the workflow. */
  couldNotStart: 3,
  /** The workflow started, but contact with Temporal was lost while waiting for its result. */
  lostContact: 4,
  /** Ctrl-C: the client stopped watching; the workflow goes on. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
