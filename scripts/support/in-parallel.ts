// Many calls, a fixed number at a time: how the load test, the benchmarks and the careless client send their work.

/** Calls `work(i)` for i = 0 … count - 1, each as soon as one of the `concurrency` lanes is free. */
export async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
