// Test helpers: workers running inline functions, and bounded waits so that a
// broken primitive fails a test instead of hanging the suite.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'node:test';
import { createRequire } from 'node:module';
import { Queue } from '../index.mjs';

const entry = fileURLToPath(new URL('../index.js', import.meta.url));
const require = createRequire(import.meta.url);
const native = require('../lib/binding.js');
const { HEAD, TAIL, INDEX_WAITING, CONSUMERS_WAITING, PRODUCERS_WAITING } = require('../lib/ring-common.js');

/**
 * Runs `node ...args -e script` in a child process (killed after 30 s) with
 * `env` over this process's environment minus the variables that change how
 * shmkit or Node deprecations behave; resolves with `{ stdout, stderr, json }`,
 * `json` being the last line of stdout parsed, or rejects with its stderr.
 */
export async function runNode(args, script, env = {}) {
  const { execFile } = await import('node:child_process');
  const { SHMKIT_NO_FAST_PATH, NODE_OPTIONS, NODE_PENDING_DEPRECATION, ...base } = process.env;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...args, '-e', script], { timeout: 30_000, env: { ...base, ...env } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      const last = stdout.trim().split('\n').pop();
      let json;
      try {
        json = JSON.parse(last);
      } catch {
        // not JSON: the caller reads stdout
      }
      resolve({ stdout, stderr, json });
    });
  });
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function bounded(promise, ms, what = 'operation') {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Polls `cond()` every 2 ms until it holds; throws (failing the test) if it
 * has not within `ms`. `what` says what was awaited.
 */
export async function waitFor(cond, what = 'a condition', ms = 10_000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

// Workers `spawn` started that have not exited. A test that fails (or times
// out) while its workers still run does not leave them running: after each
// test, every live one is terminated, so one failure cannot keep the file's
// process from exiting or hold its later tests up.
const live = new Set();
afterEach(async () => {
  const left = [...live];
  live.clear();
  await bounded(Promise.all(left.map((w) => w.terminate())), 10_000, 'terminating the workers a test left running');
});

/**
 * Starts a worker running `fn(shmkit, data, port)` where `data` is
 * `attach(workerData)`. `fn` is sent as source, so it must not close over
 * anything. Returns helpers to read its messages and await its exit, all
 * bounded. A worker still running when its test ends is terminated.
 */
export function spawn(fn, workerData = {}, { env } = {}) {
  const code = `
    const shmkit = require(${JSON.stringify(entry)});
    const { parentPort, workerData } = require('node:worker_threads');
    const fn = (${fn.toString()});
    const result = fn(shmkit, shmkit.attach(workerData), parentPort);
    if (result && typeof result.then === 'function') {
      result.then(
        (value) => { if (value !== undefined) parentPort.postMessage({ done: value }); },
        (err) => { setImmediate(() => { throw err; }); },
      );
    } else if (result !== undefined) {
      parentPort.postMessage({ done: result });
    }
  `;
  const worker = new Worker(code, { eval: true, workerData, env: env ?? process.env });
  live.add(worker);
  const queue = [];
  const waiting = [];
  let gone = null; // set once the worker has exited
  worker.on('message', (m) => (waiting.length ? waiting.shift().resolve(m) : queue.push(m)));
  let error = null;
  const exit = new Promise((resolve) => {
    worker.once('error', (e) => (error = e));
    worker.once('exit', (code) => {
      live.delete(worker);
      gone = error ?? new Error(`worker exited with code ${code} before sending a message`);
      for (const w of waiting.splice(0)) w.reject(gone);
      resolve({ code, error });
    });
  });
  return {
    worker,
    /** The next message from the worker (bounded). */
    next(ms = 10_000) {
      if (queue.length) return Promise.resolve(queue.shift());
      if (gone) return Promise.reject(gone);
      return bounded(new Promise((resolve, reject) => waiting.push({ resolve, reject })), ms, 'worker message');
    },
    /** Resolves with `{ code, error }` when the worker exits (bounded). */
    exited(ms = 30_000) {
      return bounded(exit, ms, 'worker exit');
    },
    /** The worker's `{ done }` result, asserting a clean exit. */
    async result(ms = 30_000) {
      const m = await this.next(ms);
      const { code, error: err } = await this.exited(ms);
      if (err) throw err;
      if (code !== 0) throw new Error(`worker exited with ${code}`);
      return m.done;
    },
  };
}

/** A tiny cross-thread flag set, on plain Atomics (not shmkit), for test choreography. */
export function flags(n = 8) {
  return new Int32Array(new SharedArrayBuffer(4 * n));
}

/**
 * An object made by `make({ buffer, byteOffset })` inside a larger
 * SharedArrayBuffer, `guard` bytes from each end: `{ object, changed() }`,
 * `changed()` counting the guard bytes around its `byteLength` bytes that
 * something wrote (none may).
 */
export function insideGuards(byteLength, make, guard = 256) {
  const all = new Uint8Array(new SharedArrayBuffer(guard + byteLength + guard));
  all.fill(0xa5);
  const object = make({ buffer: all.buffer, byteOffset: guard });
  const changed = () => [...all.subarray(0, guard), ...all.subarray(guard + byteLength)].filter((b) => b !== 0xa5).length;
  return { object, changed };
}

/**
 * The control words of `r` (a RingBuffer, Queue or Channel), and how many
 * threads are queued asleep on its tail (consumers, receivers) and on its
 * head (producers, senders), as the parking lot counts them.
 */
export function waitersOf(r) {
  const words = new Int32Array(r.buffer, r.byteOffset, 64);
  const queue = r instanceof Queue;
  return {
    words,
    consumers: () => native.ringWaiters(words, TAIL, queue ? CONSUMERS_WAITING : INDEX_WAITING),
    producers: () => native.ringWaiters(words, HEAD, queue ? PRODUCERS_WAITING : INDEX_WAITING),
  };
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Asserts that `fn` throws (or rejects with) an error with this `code`. */
export async function rejectsWithCode(assert, fn, code) {
  let caught = null;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected an error with code ${code}, nothing was thrown`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  return caught;
}
