// The peer library: npm `multithreading` (a devDependency), loaded once.
//
// What its API looks like (read from node_modules/multithreading, v0.3.x):
// - `new Mutex(data?)` allocates its own 4-byte lock word in a fresh
//   SharedArrayBuffer. Locking is `await mutex.lock()` (async, the recommended
//   form, built on Atomics.waitAsync) or `mutex.blockingLock()` (sync: CAS,
//   else Atomics.wait, no spinning); both return a MutexGuard released by
//   `guard.dispose()` or `using`. Every unlock calls Atomics.notify, waiters or
//   not. The README also lists `tryLock()`, but the class has no public
//   tryLock (only a private #tryLock).
// - `new Semaphore(permits)`: `await acquire(n)`, `blockingAcquire(n)`,
//   `tryAcquire(n)` (guard or null); the guard's `dispose()` releases.
// - `new Condvar()`: a 4-byte notify sequence word. `blockingWait(guard)`
//   (sync: read seq, unlock, Atomics.wait on seq, blockingLock) or `await
//   wait(guard)`; `notifyOne()` / `notifyAll()` bump seq and Atomics.notify.
//   No waitWhile and no timeout: callers loop on their predicate. It sleeps at
//   once (no spinning), so every hand-off wakes a sleeping thread.
// - Its private fields are compiled down to WeakMaps, so each guard costs
//   several WeakMap insertions: about 1.5 µs per lock/unlock here, and heavy
//   garbage (see mutex.bench.mjs).
// - Objects reach other threads through its own pool:
//   `spawn(move(a, b, ...), fn).join()`. `fn` is stringified and re-imported
//   in a pool worker, so it cannot close over anything; a Mutex/Semaphore is
//   serialized as its SharedArrayBuffer and rebuilt on the other side (the
//   serialization symbols are not exported, so a plain Worker cannot do it).
//   Passing a bare SharedArrayBuffer/TypedArray to move() prints a warning
//   ("wrap this data in a Mutex"), so control arrays travel inside a plain object.
// - `channel(capacity = 32)` returns `[Sender, Receiver]` of a bounded MPMC
//   channel of JSON values (src/lib/sync/mpmc.js): the items live in a
//   SharedJsonBuffer, guarded by a send-lock and a receive-lock (two
//   Semaphore(1)) plus two counting Semaphores (items, free slots). Sync forms
//   `blockingSend(v)` / `blockingRecv()` return `{ ok, value | error }`.
//   Handles reach other threads only through `spawn(move(handle), fn)`; moving
//   a handle hands it over (the local one is marked disposed), so each thread
//   gets its own `clone()`. Pool tasks dispose their moved handles at the end;
//   the channel closes when the last Sender (or Receiver) is disposed, or on
//   `close()`; receivers drain what is left, then get `{ ok: false, error:
//   'Channel closed' }`.
// - On Node 20 it needs `navigator.hardwareConcurrency` (read at import time)
//   and `Promise.withResolvers` (used by spawn), which Node 20 lacks.

import os from 'node:os';
import { startTogether, spanSeconds, withTimeout } from './harness.mjs';

let loaded;

/** Imports multithreading after installing the two globals it needs on Node 20. */
export function loadMultithreading() {
  globalThis.navigator ??= { hardwareConcurrency: os.availableParallelism() };
  Promise.withResolvers ??= function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  loaded ??= import('multithreading').then((mt) => {
    // The semaphore bench runs 4 pool tasks at once; the default pool size
    // is navigator.hardwareConcurrency (2 here), which would queue two of them.
    mt.initRuntime({ maxWorkers: 4 });
    return mt;
  });
  return loaded;
}

/** Terminates multithreading's worker pool (if it was loaded) so the process can exit. */
export async function shutdownPeers() {
  if (loaded !== undefined) (await loaded).shutdown();
}

/**
 * Runs `task` in `count` tasks of multithreading's pool, each as
 * `spawn(move(...args), task)`, starts them together with the harness
 * protocol on `ctl` (each task returns `{ start, end, ... }`), and returns
 * `{ results, seconds }`. On failure or timeout it shuts the pool down, since
 * the other tasks may be blocked waiting for GO.
 */
export async function runPeerTasks(count, args, task, ctl, timeoutMs) {
  return runPeerTasksEach(Array.from({ length: count }, () => args), task, ctl, timeoutMs);
}

/**
 * Like runPeerTasks, but task i gets its own arguments `argsList[i]` (e.g. a
 * channel Sender for some tasks and a Receiver for others: moving a channel
 * handle hands it over, so each handle can be moved only once).
 */
export async function runPeerTasksEach(argsList, task, ctl, timeoutMs) {
  const mt = await loadMultithreading();
  const count = argsList.length;
  const handles = argsList.map((args) => mt.spawn(mt.move(...args), task));
  const finished = Promise.all(handles.map((h) => h.join())).then((joined) => {
    const failed = joined.find((r) => !r.ok);
    if (failed !== undefined) throw failed.error;
    return joined.map((r) => r.value);
  });
  try {
    await startTogether(ctl, count, timeoutMs, finished);
    const results = await withTimeout(finished, timeoutMs, `${count} multithreading tasks`);
    return { results, seconds: spanSeconds(results) };
  } catch (err) {
    mt.shutdown();
    throw err;
  }
}
