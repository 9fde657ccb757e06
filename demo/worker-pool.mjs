// A fixed set of persistent workers running demo/worker.mjs. Each mode starts
// its own pool before anything is timed and reuses it for every repetition,
// so the measured times are processing only, never thread start-up.

import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

export class WorkerPool {
  #workers;
  #closing = false;
  /** Rejects as soon as any worker fails (an uncaught error, or exiting on its own). */
  failure;
  /** How long starting the workers took, until each said it was ready (ms). */
  startupMs;

  /** Starts `size` workers with `workerData` and resolves once all of them are ready. */
  static async start(size, workerData) {
    const pool = new WorkerPool();
    const t0 = performance.now();
    pool.#workers = Array.from({ length: size }, () => new Worker(WORKER_URL, { workerData }));
    pool.failure = new Promise((_, reject) => {
      pool.#workers.forEach((worker, i) => {
        worker.on('error', (err) => reject(new Error(`worker ${i} failed: ${err.message}`, { cause: err })));
        worker.on('exit', (code) => {
          if (!pool.#closing) reject(new Error(`worker ${i} exited unexpectedly (code ${code})`));
        });
      });
    });
    pool.failure.catch(() => {}); // observed through race() below, not an unhandled rejection
    await pool.race(Promise.all(pool.#workers.map((worker) => nextMessage(worker))));
    pool.startupMs = performance.now() - t0;
    return pool;
  }

  get size() {
    return this.#workers.length;
  }

  /** Posts `message` to worker `i` (moving the `transfer` list), without waiting for anything. */
  post(i, message, transfer) {
    this.#workers[i].postMessage(message, transfer);
  }

  /** Posts `message` to worker `i` and resolves with its next message back. */
  request(i, message, transfer) {
    const reply = nextMessage(this.#workers[i]);
    this.#workers[i].postMessage(message, transfer);
    return this.race(reply);
  }

  /** `promise`, unless a worker fails first (then the failure). Keeps a dead worker from hanging a wait. */
  race(promise) {
    return Promise.race([promise, this.failure]);
  }

  /** Terminates every worker. */
  async close() {
    this.#closing = true;
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/** The next message `worker` posts. */
function nextMessage(worker) {
  return new Promise((resolve) => worker.once('message', resolve));
}
