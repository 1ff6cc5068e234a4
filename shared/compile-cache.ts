// Imported first by the worker's entry point: Node keeps the compiled code of every module loaded after this
// in .build/node-compile-cache, so a restart skips most compiling (docs/performance.md). The variable carries
// the setting to the SDK's workflow thread; Node checks each entry against its source.
import module from 'node:module';
import { fromProjectRoot } from './paths.ts';

process.env.NODE_COMPILE_CACHE ??= fromProjectRoot('.build/node-compile-cache');
module.enableCompileCache?.(process.env.NODE_COMPILE_CACHE);
