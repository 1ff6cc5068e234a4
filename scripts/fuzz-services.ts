// npm run fuzz:services -- [runs per property, default 2000] [seed, default random]: the services' property tests
// (test/support/service-properties.ts) with a large budget; it prints the seed, so a failure can be replayed.
import { anyBodyIsAnsweredWellFormed, aRepeatedKeyGetsTheSameAnswer, validDataKeepsTheInvariants, withServices } from '../test/support/service-properties.ts';

const [numRuns = 2000, seed = Math.floor(Math.random() * 2 ** 31)] = process.argv.slice(2).map(Number);
if (!Number.isInteger(numRuns) || numRuns < 1 || !Number.isInteger(seed)) {
  console.error('Usage: npm run fuzz:services -- [runs per property >= 1] [seed]');
  process.exit(2);
}
console.log(`fuzzing both services: ${numRuns} runs per property, seed ${seed}`);
const started = performance.now();
try {
  await withServices(async (a, b) => {
    for (const [name, property] of [
      ['any body is answered well-formed', anyBodyIsAnsweredWellFormed],
      ['valid data keeps the invariants', validDataKeepsTheInvariants],
      ['a repeated key gets the same answer', aRepeatedKeyGetsTheSameAnswer],
    ] as const) {
      await property(a, b, { numRuns, seed });
      console.log(`  ok  ${name}`);
    }
  });
  console.log(`all properties held (${((performance.now() - started) / 1000).toFixed(1)} s)`);
} catch (error) {
  console.error(`a property failed (seed ${seed}):\n${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
