import pkg from '../package.json' with { type: 'json' };

/** The project version from package.json, reported by /ping and /status. */
export const VERSION: string = pkg.version;
