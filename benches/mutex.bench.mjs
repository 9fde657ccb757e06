// Mutex benchmarks: shmkit's Mutex against a raw JS CAS lock (the floor any
// shared-memory lock in JS pays) and against npm `multithreading`'s Mutex.

import { Mutex } from '../index.mjs';
import { timeOps, runWorkers, newControl, overlapShare, scaledCount, settle, failedRow } from './harness.mjs';
import { loadMultithreading, runPeerTasks } from './peers.mjs';

const COUNTER_WORKER = new URL('./workers/mutex-counter.mjs', import.meta.url);
const WORKERS = 2;
const INCREMENTS = 1_000_000; // per worker
const WARMUP = 50_000; // per worker, on a private lock, before the timed part
const SHMKIT_RUNS = 5; // contended shmkit runs are short and noisy: report the median of 5
const PEER_BUDGET_S = 15; // scale multithreading's count down if 1M/worker would take longer
const TIMEOUT_MS = 60_000;

const fmt = (n) => n.toLocaleString('en-US');
const pct = (share) => `${(share * 100).toFixed(0)}%`;

/** The uncontended shmkit loops and their raw reference, each `run(n)` doing n lock/unlock pairs. */
function shmkitRuns() {
  const raw = new Int32Array(new SharedArrayBuffer(4));
  const mutex = new Mutex();
  // The critical section for the withLock rows: the same function for both sides.
  const cell = new Int32Array(1);
  const work = () => {
    cell[0]++;
  };
  return {
    // Raw JS CAS lock: 0 -> 1 to lock, 1 -> 0 to unlock. The throw stands in
    // for the "someone holds it" branch every real lock has.
    raw(n) {
      for (let i = 0; i < n; i++) {
        if (Atomics.compareExchange(raw, 0, 0, 1) !== 0) throw new Error('raw lock busy');
        Atomics.compareExchange(raw, 0, 1, 0);
      }
      return n;
    },
    // The same raw pair around work(), with the try/finally withLock needs.
    rawAroundFn(n) {
      for (let i = 0; i < n; i++) {
        if (Atomics.compareExchange(raw, 0, 0, 1) !== 0) throw new Error('raw lock busy');
        try {
          work();
        } finally {
          Atomics.compareExchange(raw, 0, 1, 0);
        }
      }
      return cell[0];
    },
    // shmkit: lock() returns a guard; unlock() releases.
    lock(n) {
      for (let i = 0; i < n; i++) {
        const guard = mutex.lock();
        guard.unlock();
      }
      return n;
    },
    // shmkit: withLock(work) locks, runs work, unlocks.
    withLock(n) {
      for (let i = 0; i < n; i++) mutex.withLock(work);
      return cell[0];
    },
  };
}

/** shmkit's async lock, uncontended: one awaited lock per iteration. */
function shmkitAsyncRun() {
  const mutex = new Mutex();
  return async function lockAsync(n) {
    for (let i = 0; i < n; i++) {
      const guard = await mutex.lockAsync();
      guard.unlock();
    }
    return n;
  };
}

/** multithreading's uncontended lock: blockingLock() (sync, its fastest form) + guard.dispose(). */
function peerBlockingRun(mt) {
  const peer = new mt.Mutex();
  return function peerBlocking(n) {
    for (let i = 0; i < n; i++) {
      const guard = peer.blockingLock();
      guard.dispose();
    }
    return n;
  };
}

/** multithreading's async lock (its recommended form): await lock() + guard.dispose(). */
function peerAsyncRun(mt) {
  const peer = new mt.Mutex();
  return async function peerLock(n) {
    for (let i = 0; i < n; i++) {
      const guard = await peer.lock();
      guard.dispose();
    }
    return n;
  };
}

// --- contended: 2 workers × N increments of a plain counter under one lock ---

/** One shmkit run: WORKERS threads of workers/mutex-counter.mjs on one Mutex. */
async function shmkitCounterRun(n) {
  const mutex = new Mutex();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ctl = newControl();
  const data = { mutex, counter, ctl, n, warmup: WARMUP };
  const { results, seconds } = await runWorkers(COUNTER_WORKER, ctl, Array(WORKERS).fill(data), TIMEOUT_MS);
  return { seconds, overlap: overlapShare(results), count: counter[0], expected: WORKERS * n, opsPerSec: (WORKERS * n) / seconds };
}

// The multithreading side runs in its own worker pool, as its users would:
// spawn(move(mutex, config), task). spawn() stringifies the task, so it must
// be self-contained: the harness protocol (READY = 0, GO = 1) is inlined, and
// the warm-up lock is built as `new mutex.constructor()`.
function peerIncrementTask(mutex, { counter, ctl, n, warmup }) {
  const increment = (lock, cell, count) => {
    for (let i = 0; i < count; i++) {
      const guard = lock.blockingLock();
      cell[0] = cell[0] + 1;
      guard.dispose();
    }
  };
  increment(new mutex.constructor(), new Int32Array(new SharedArrayBuffer(4)), warmup);
  Atomics.add(ctl, 0, 1);
  while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
  const start = process.hrtime.bigint();
  increment(mutex, counter, n);
  return { start, end: process.hrtime.bigint() };
}

async function peerCounterRun(mt, n) {
  const mutex = new mt.Mutex();
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const ctl = newControl();
  // The counter and ctl travel inside a plain object: move() warns about bare SharedArrayBuffer views.
  const config = { counter, ctl, n, warmup: Math.min(WARMUP, n) };
  const { results, seconds } = await runPeerTasks(WORKERS, [mutex, config], peerIncrementTask, ctl, TIMEOUT_MS);
  return { seconds, overlap: overlapShare(results), count: counter[0], expected: WORKERS * n, opsPerSec: (WORKERS * n) / seconds };
}

/** Checks that every run's counter ended at exactly WORKERS × n: no lost update. */
function countCheck(who, runs) {
  const lost = runs.map((r) => r.expected - r.count);
  return {
    name: `${who} final counter`,
    ok: lost.every((l) => l === 0),
    detail: `${runs.map((r) => fmt(r.count)).join(' / ')} (expected ${fmt(runs[0].expected)}; lost updates: ${lost.map(fmt).join(' / ')})`,
  };
}

// 2 workers × 1M increments of a plain counter under one lock: throughput.
async function contendedRow(mt) {
  const row = {
    id: 'mutex.contended-counter',
    name: `${WORKERS} workers × ${INCREMENTS / 1e6}M locked increments (throughput) vs multithreading`,
    unit: 'ops/s',
    compare: 'speed',
    target: 2,
  };
  try {
    const runs = [];
    for (let i = 0; i < SHMKIT_RUNS; i++) runs.push(await shmkitCounterRun(INCREMENTS));
    const shmkit = [...runs].sort((a, b) => a.opsPerSec - b.opsPerSec)[runs.length >> 1];

    // A short multithreading pilot (also warming up its pool) says whether
    // the full count fits the time budget; if not, the count is scaled down.
    const pilot = await peerCounterRun(mt, 50_000);
    const { count: peerN, predictedS } = scaledCount(INCREMENTS, WORKERS, pilot.opsPerSec, PEER_BUDGET_S, 10_000);
    const peer = await peerCounterRun(mt, peerN);

    const notes = [
      `shmkit: ${WORKERS} worker_threads (benches/workers/mutex-counter.mjs) × ${fmt(INCREMENTS)} × { guard = mutex.lock(); counter[0] = counter[0] + 1; guard.unlock() }; median of ${SHMKIT_RUNS} runs: ${runs.map((r) => `${(r.opsPerSec / 1e6).toFixed(2)} M/s (overlap ${pct(r.overlap)})`).join(', ')}.`,
      `multithreading: the same loop with blockingLock()/guard.dispose() in ${WORKERS} tasks of its own pool, spawn(move(mutex, config), task); ${fmt(peerN)} per worker in ${peer.seconds.toFixed(2)} s (overlap ${pct(peer.overlap)})` +
        (peerN === INCREMENTS ? '.' : ` — SCALED DOWN from ${fmt(INCREMENTS)} (predicted ${predictedS.toFixed(0)} s); rates are compared.`),
      'Time = earliest worker start to latest worker end (process-wide monotonic clock), after each worker warmed up on a private lock. Overlap = share of that span with both workers in their loop.',
    ];
    const checks = [countCheck(`shmkit (${SHMKIT_RUNS} runs)`, runs), countCheck('multithreading', [peer])];
    return settle({
      ...row,
      shmkit: shmkit.opsPerSec,
      peer: peer.opsPerSec,
      notes,
      checks,
      details: { shmkitRuns: runs, peerPilot: pilot, peer, peerIncrementsPerWorker: peerN },
    });
  } catch (err) {
    return failedRow(row, err);
  }
}

/** Runs the Mutex group; returns its settled rows. */
export async function mutexBenches() {
  const mt = await loadMultithreading();
  const rows = [];

  // shmkit and the raw pair are timed side by side (interleaved rounds).
  // multithreading's loops are timed afterwards, on their own: its private
  // fields are compiled to WeakMaps, and the entries its guards leave behind
  // make every scavenge slow until they are collected, a cost that would be
  // charged to whichever loop allocates next (shmkit's guards: measured here,
  // lock + unlock went from ~21 to 22-33 ns when interleaved with it).
  const t = await timeOps(shmkitRuns());
  const a = await timeOps({ lockAsync: shmkitAsyncRun() }, { minIterations: 1_000 });
  const p = await timeOps({ peerBlocking: peerBlockingRun(mt) });
  const pa = await timeOps({ peerLock: peerAsyncRun(mt) }, { minIterations: 1_000 });
  const fig = ({ nsPerOp, medianNsPerOp, iterations }) => ({ nsPerOp, medianNsPerOp, iterations });
  const perRound = `best of ${t.lock.rounds} rounds`;

  rows.push(
    settle({
      id: 'mutex.lock-unlock.vs-raw',
      name: 'mutex.lock() + guard.unlock(), uncontended, vs raw CAS lock pair',
      unit: 'ns/op',
      shmkit: t.lock.nsPerOp,
      peer: t.raw.nsPerOp,
      compare: 'cost',
      target: 2,
      notes: [
        `raw pair: Atomics.compareExchange(i32, 0, 0, 1) then Atomics.compareExchange(i32, 0, 1, 0) on an Int32Array over a SharedArrayBuffer; ${perRound}, interleaved, ${fmt(t.lock.iterations)} / ${fmt(t.raw.iterations)} ops per round.`,
      ],
      details: { shmkit: fig(t.lock), peer: fig(t.raw) },
    }),
  );
  rows.push(
    settle({
      id: 'mutex.withLock.vs-raw',
      name: 'mutex.withLock(fn), uncontended, vs raw CAS pair around fn',
      unit: 'ns/op',
      shmkit: t.withLock.nsPerOp,
      peer: t.rawAroundFn.nsPerOp,
      compare: 'cost',
      target: 2,
      notes: [`fn = () => { cell[0]++ } on a plain Int32Array, for both; the raw pair releases in a finally, as withLock must. ${perRound}, interleaved.`],
      details: { shmkit: fig(t.withLock), peer: fig(t.rawAroundFn) },
    }),
  );
  rows.push(
    settle({
      id: 'mutex.lock-unlock.vs-multithreading',
      name: 'mutex.lock() + guard.unlock() vs multithreading blockingLock() + dispose()',
      unit: 'ns/op',
      shmkit: t.lock.nsPerOp,
      peer: p.peerBlocking.nsPerOp,
      compare: 'speed',
      target: 20,
      notes: [
        `multithreading's fastest uncontended form is the sync blockingLock() (its recommended form, await lock(), is the next row). ${perRound}; timed after the shmkit loops, not interleaved (see mutex.bench.mjs).`,
      ],
      details: { shmkit: fig(t.lock), peer: fig(p.peerBlocking) },
    }),
  );

  rows.push(
    settle({
      id: 'mutex.lockAsync.vs-multithreading',
      name: 'await mutex.lockAsync() + unlock() vs multithreading await lock() + dispose()',
      unit: 'ns/op',
      shmkit: a.lockAsync.nsPerOp,
      peer: pa.peerLock.nsPerOp,
      compare: 'speed',
      notes: ["For information: both libraries' async lock, uncontended, one await per iteration; timed one after the other."],
      details: { shmkit: fig(a.lockAsync), peer: fig(pa.peerLock) },
    }),
  );

  rows.push(await contendedRow(mt));
  return rows;
}
