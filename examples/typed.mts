// A typed ESM example: the main thread hands a question to a worker through a
// Mutex + Condvar, and waits for the answer with a Latch; the worker then
// streams a few numbers back through a RingBuffer. The same file is both the
// main thread and the worker. Type-check: `npm run typecheck`; run
// it once compiled to .mjs next to this file.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { Mutex, Condvar, Latch, RingBuffer, attach, type Shared } from 'shmkit';

interface Data {
  lock: Shared<'Mutex'>; // guards `box`
  changed: Shared<'Condvar'>; // notified when `box` changes
  answered: Shared<'Latch'>; // counted down once the answer is in
  box: Int32Array; // [0]: 1 once the question is in [1]; [2]: the answer
  shares: Shared<'RingBuffer'>; // Float64Array values; closed by the worker
}

if (isMainThread) {
  const lock = new Mutex();
  const changed = new Condvar();
  const answered = new Latch(1);
  const box = new Int32Array(new SharedArrayBuffer(12));
  const shares = new RingBuffer(Float64Array, 8); // RingBuffer<Float64Array>
  new Worker(new URL(import.meta.url), { workerData: { lock, changed, answered, box, shares } satisfies Data });

  await lock.withLockAsync(() => {
    box[1] = 21;
    box[0] = 1;
  });
  changed.notifyAll(); // changed under the mutex, so the worker cannot miss it
  await answered.waitAsync({ timeout: 5000 });
  console.log('answer:', box[2]);
  for await (const x of shares) console.log('share:', x.toFixed(2)); // x: number; ends at close()
} else {
  const { lock, changed, answered, box, shares } = attach(workerData as Data); // Mutex, Condvar, Latch, RingBuffer
  {
    using guard = lock.lock({ timeout: 5000 });
    if (!changed.waitWhile(guard, () => box[0] === 0, { timeout: 5000 })) throw new Error('no question');
    box[2] = (box[1] ?? 0) * 2; // still holding the mutex: waits always relock
  }
  answered.countDown();
  for (let i = 1; i <= 3; i++) shares.push((box[2] ?? 0) / i); // the only producer; waits while full
  shares.close();
}
