// Semaphore benchmarks: the uncontended fast path against a raw JS CAS
// semaphore, and a contended run (more workers than permits) that also
// checks the permit limit is never exceeded.

import os from 'node:os';
import { Semaphore } from '../index.mjs';
import { timeOps, runWorkers, newControl, overlapShare, scaledCount, settle, failedRow } from './harness.mjs';
import { loadMultithreading, runPeerTasks } from './peers.mjs';

const CHURN_WORKER = new URL('./workers/semaphore-churn.mjs', import.meta.url);
const WORKERS = 4;
const PERMITS = 2;
const PAIRS = 250_000; // acquire/release pairs per worker
const WARMUP = 20_000; // per worker, on a private semaphore, before the timed part
const SHMKIT_RUNS = 5; // runs vary a lot (see the note in contendedRow): report the median of 5
const PEER_BUDGET_S = 10; // scale multithreading's count down if PAIRS/worker would take longer
const TIMEOUT_MS = 60_000;

const fmt = (n) => n.toLocaleString('en-US');
const pct = (share) => `${(share * 100).toFixed(0)}%`;

/** The uncontended shmkit loop and its raw references, each `run(n)` doing n take/return pairs. */
function shmkitRuns() {
  const raw = new Int32Array(new SharedArrayBuffer(4));
  raw[0] = PERMITS;
  const rawLock = new Int32Array(new SharedArrayBuffer(4));
  const sem = new Semaphore(PERMITS, { max: PERMITS });
  return {
    // Raw JS counting semaphore: load + CAS s -> s-1 to take, load + CAS s -> s+1 to return.
    raw(n) {
      for (let i = 0; i < n; i++) {
        const s = Atomics.load(raw, 0);
        if (s < 1 || Atomics.compareExchange(raw, 0, s, s - 1) !== s) throw new Error('raw semaphore busy');
        const t = Atomics.load(raw, 0);
        Atomics.compareExchange(raw, 0, t, t + 1);
      }
      return n;
    },
    // The raw CAS lock pair of the mutex rows, for reference.
    rawLock(n) {
      for (let i = 0; i < n; i++) {
        if (Atomics.compareExchange(rawLock, 0, 0, 1) !== 0) throw new Error('raw lock busy');
        Atomics.compareExchange(rawLock, 0, 1, 0);
      }
      return n;
    },
    // shmkit: tryAcquire() (true when taken) + release().
    tryAcquire(n) {
      for (let i = 0; i < n; i++) {
        if (!sem.tryAcquire()) throw new Error('semaphore busy');
        sem.release();
      }
      return sem.available;
    },
  };
}

/** multithreading, uncontended: tryAcquire() returns a guard (or null); dispose() releases. */
function peerTryAcquireRun(mt) {
  const peer = new mt.Semaphore(PERMITS);
  return function peerTryAcquire(n) {
    for (let i = 0; i < n; i++) {
      const guard = peer.tryAcquire();
      if (guard === null) throw new Error('semaphore busy');
      guard.dispose();
    }
    return n;
  };
}

// --- contended: 4 workers × N acquire/release on a 2-permit Semaphore ---

/** One shmkit run: WORKERS threads of workers/semaphore-churn.mjs on one Semaphore. */
async function shmkitChurnRun(n) {
  const semaphore = new Semaphore(PERMITS, { max: PERMITS });
  const inUse = new Int32Array(new SharedArrayBuffer(4));
  const ctl = newControl();
  const data = { semaphore, inUse, ctl, n, warmup: WARMUP, permits: PERMITS };
  const { results, seconds } = await runWorkers(CHURN_WORKER, ctl, Array(WORKERS).fill(data), TIMEOUT_MS);
  return {
    seconds,
    overlap: overlapShare(results),
    opsPerSec: (WORKERS * n) / seconds,
    most: Math.max(...results.map((r) => r.most)),
    over: results.reduce((sum, r) => sum + r.over, 0),
    inUseAfter: inUse[0],
    availableAfter: semaphore.available,
  };
}

// multithreading's side, in its own pool (see peers.mjs); self-contained
// because spawn() stringifies it. Same loop with blockingAcquire()/dispose().
function peerChurnTask(sem, { inUse, ctl, n, warmup, permits }) {
  const churn = (s, inside, count) => {
    let most = 0;
    let over = 0;
    for (let i = 0; i < count; i++) {
      const guard = s.blockingAcquire();
      const now = Atomics.add(inside, 0, 1) + 1;
      if (now > most) most = now;
      if (now > permits) over++;
      Atomics.sub(inside, 0, 1);
      guard.dispose();
    }
    return { most, over };
  };
  churn(new sem.constructor(permits), new Int32Array(new SharedArrayBuffer(4)), warmup);
  Atomics.add(ctl, 0, 1);
  while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
  const start = process.hrtime.bigint();
  const { most, over } = churn(sem, inUse, n);
  return { start, end: process.hrtime.bigint(), most, over };
}

async function peerChurnRun(mt, n) {
  const sem = new mt.Semaphore(PERMITS);
  const inUse = new Int32Array(new SharedArrayBuffer(4));
  const ctl = newControl();
  // inUse and ctl travel inside a plain object: move() warns about bare SharedArrayBuffer views.
  const config = { inUse, ctl, n, warmup: Math.min(WARMUP, n), permits: PERMITS };
  const { results, seconds } = await runPeerTasks(WORKERS, [sem, config], peerChurnTask, ctl, TIMEOUT_MS);
  return {
    seconds,
    overlap: overlapShare(results),
    opsPerSec: (WORKERS * n) / seconds,
    most: Math.max(...results.map((r) => r.most)),
    over: results.reduce((sum, r) => sum + r.over, 0),
    inUseAfter: inUse[0],
  };
}

/** Checks, over all `runs`, that no more than PERMITS threads were ever inside. */
function permitCheck(who, runs) {
  const over = runs.reduce((sum, r) => sum + r.over, 0);
  return {
    name: `${who} threads inside at once`,
    ok: over === 0 && runs.every((r) => r.most <= PERMITS && r.inUseAfter === 0),
    detail: `at most ${runs.map((r) => r.most).join(' / ')} (limit ${PERMITS}; ${over} acquisitions over the limit)`,
  };
}

// 4 workers × acquire()/release() on 2 permits: throughput under contention,
// and the permit limit checked with an Atomics in-use counter.
async function contendedRow(mt) {
  const row = {
    id: 'semaphore.contended',
    name: `${WORKERS} workers × acquire()/release(), ${PERMITS} permits (contention, not speed)`,
    unit: 'ops/s',
    compare: 'speed',
  };
  try {
    const runs = [];
    for (let i = 0; i < SHMKIT_RUNS; i++) runs.push(await shmkitChurnRun(PAIRS));
    const shmkit = [...runs].sort((a, b) => a.opsPerSec - b.opsPerSec)[runs.length >> 1];
    // A short pilot (also warming up multithreading's pool) sizes its run.
    const pilot = await peerChurnRun(mt, 10_000);
    const { count: peerN, predictedS } = scaledCount(PAIRS, WORKERS, pilot.opsPerSec, PEER_BUDGET_S, 5_000);
    const peer = await peerChurnRun(mt, peerN);
    const checks = [
      permitCheck(`shmkit (${SHMKIT_RUNS} runs)`, runs),
      {
        name: 'shmkit permits available after each run',
        ok: runs.every((r) => r.availableAfter === PERMITS),
        detail: `${runs.map((r) => r.availableAfter).join(' / ')} (expected ${PERMITS})`,
      },
      permitCheck('multithreading', [peer]),
    ];
    const notes = [
      `${WORKERS} workers, ${PERMITS} permits, ${os.availableParallelism()} cores: this measures contention (waiting, parking, waking), not speed. No target.`,
      `shmkit: ${WORKERS} worker_threads (benches/workers/semaphore-churn.mjs) × ${fmt(PAIRS)} × { sem.acquire(); Atomics.add(inUse, 0, 1) ... Atomics.sub(inUse, 0, 1); sem.release() }; median of ${SHMKIT_RUNS} runs: ${runs.map((r) => `${(r.opsPerSec / 1e3).toFixed(0)} k/s in ${r.seconds.toFixed(2)} s (all ${WORKERS} in loop ${pct(r.overlap)})`).join(', ')}.`,
      `Runs vary a lot: ${WORKERS} threads share ${os.availableParallelism()} cores, so the figure depends on how the OS schedules them and on any other load on the machine (a thread preempted while it holds a permit makes the others queue). "in loop" = share of the run's span during which all ${WORKERS} workers were inside their timed loop.`,
      `multithreading: same loop with blockingAcquire()/guard.dispose() in ${WORKERS} tasks of its pool; ${fmt(peerN)} per worker in ${peer.seconds.toFixed(2)} s (all ${WORKERS} in loop ${pct(peer.overlap)})` +
        (peerN === PAIRS ? '.' : ` — SCALED DOWN from ${fmt(PAIRS)} (predicted ${predictedS.toFixed(0)} s); rates are compared.`),
    ];
    return settle({
      ...row,
      shmkit: shmkit.opsPerSec,
      peer: peer.opsPerSec,
      notes,
      checks,
      details: { shmkitRuns: runs, peerPilot: pilot, peer, peerPairsPerWorker: peerN },
    });
  } catch (err) {
    return failedRow(row, err);
  }
}

/** Runs the Semaphore group; returns its settled rows. */
export async function semaphoreBenches() {
  const mt = await loadMultithreading();
  const rows = [];
  // shmkit and the raw pairs side by side; multithreading on its own
  // afterwards (its garbage slows later scavenges: see mutex.bench.mjs).
  const t = await timeOps(shmkitRuns());
  const p = await timeOps({ peerTryAcquire: peerTryAcquireRun(mt) });
  const fig = ({ nsPerOp, medianNsPerOp, iterations }) => ({ nsPerOp, medianNsPerOp, iterations });
  rows.push(
    settle({
      id: 'semaphore.tryAcquire-release.vs-raw',
      name: 'sem.tryAcquire() + sem.release(), uncontended, vs raw CAS semaphore pair',
      unit: 'ns/op',
      shmkit: t.tryAcquire.nsPerOp,
      peer: t.raw.nsPerOp,
      compare: 'cost',
      notes: [
        'raw pair: load + CAS s -> s-1, then load + CAS s -> s+1 (what a counting semaphore needs). No target; for reference.',
        `raw CAS lock pair (CAS 0 -> 1, CAS 1 -> 0, as in the mutex rows): ${t.rawLock.nsPerOp.toFixed(1)} ns/op. Best of ${t.raw.rounds} interleaved rounds.`,
      ],
      details: { shmkit: fig(t.tryAcquire), peer: fig(t.raw), rawLockPair: fig(t.rawLock) },
    }),
  );
  rows.push(
    settle({
      id: 'semaphore.tryAcquire-release.vs-multithreading',
      name: 'sem.tryAcquire() + release() vs multithreading tryAcquire() + dispose()',
      unit: 'ns/op',
      shmkit: t.tryAcquire.nsPerOp,
      peer: p.peerTryAcquire.nsPerOp,
      compare: 'speed',
      notes: ['For information: uncontended, both sync.'],
      details: { shmkit: fig(t.tryAcquire), peer: fig(p.peerTryAcquire) },
    }),
  );
  rows.push(await contendedRow(mt));
  return rows;
}
