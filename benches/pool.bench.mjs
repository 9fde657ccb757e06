// Pool benchmarks: what recycling memory saves.
//
//   1. BufferPool in one thread: acquire(n) + a write to every 4 KiB page +
//      release(ab), against new ArrayBuffer(n) + the same writes, at 64 KiB,
//      1 MiB and 16 MiB; and, for information, what release() pays to detach
//      the caller's handle (ab.transfer() from Node 21; on Node 20 the
//      buffer binding's detachArrayBuffer for the pool's own loans, see
//      lib/buffer-pool.js).
//   2. A round trip to a worker with postMessage and a transfer each way: a
//      pooled buffer (acquire, fill, send, get back, release) against a fresh
//      new ArrayBuffer(n) each round (same fill, same transfers, dropped at
//      the end), at 1 MiB and 16 MiB.
//   3. SlabPool hand-off of 64 KiB blocks between two workers by id through
//      two shmkit Queue<Float64>, against the same round trip done with a
//      BufferPool and postMessage (transfer both ways) between two workers.
//
// Rows 2 and 3 run in one pair of worker_threads (workers/pool-pair.mjs) per
// run, A pinned to CPU 0 and B to CPU 1 (taskset, as runPair does for the
// other groups), every mode through the same two threads in turn.

import os from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BufferPool, SlabPool, Queue } from '../index.mjs';
import { timeOps, runPair, settle, failedRow } from './harness.mjs';

const PAIR_WORKER = new URL('./workers/pool-pair.mjs', import.meta.url);
const PAGE = 4096;
const KiB = 1024;
const MiB = 1024 * 1024;
const SIZES = [64 * KiB, 1 * MiB, 16 * MiB];
export const TIMING = { rounds: 5, minRoundMs: 100 };
const PAIR_RUNS = 5; // fresh pairs of workers; the median run is reported
const SHARED_RUNS = 3; // both workers on ONE CPU (information only)
const SHARED_MODES = ['pooled1m', 'fresh1m', 'echo'];
const SLAB_BLOCKS = 4;
const QUEUE_CAPACITY = 16;
const WAIT_MS = 20_000; // bound on every wait inside the workers
const TIMEOUT_MS = 60_000; // bound on one pair run

// Round-trip modes of workers/pool-pair.mjs: counts per run (fresh 16 MiB is
// ~100× slower than the rest: its count is kept small so the run stays short).
const MODES = {
  slab64k: { kind: 'slab', bytes: 64 * KiB, touchB: true, n: 20_000, warmup: 4_000 },
  pm64k: { kind: 'pooled', bytes: 64 * KiB, touchB: true, n: 5_000, warmup: 1_000 },
  pooled1m: { kind: 'pooled', bytes: 1 * MiB, touchB: false, n: 3_000, warmup: 600 },
  fresh1m: { kind: 'fresh', bytes: 1 * MiB, touchB: false, n: 1_000, warmup: 200 },
  reuse1m: { kind: 'reuse', bytes: 1 * MiB, touchB: false, n: 3_000, warmup: 600 }, // no pool: the buffer that comes back is sent again
  pooled16m: { kind: 'pooled', bytes: 16 * MiB, touchB: false, n: 600, warmup: 100 },
  fresh16m: { kind: 'fresh', bytes: 16 * MiB, touchB: false, n: 100, warmup: 20 },
  echo: { kind: 'echo', bytes: 0, touchB: false, n: 3_000, warmup: 500 }, // the postMessage floor: a number there and back
};
const MODE_NAMES = Object.keys(MODES);

const fmt = (n) => n.toLocaleString('en-US');
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const sizeName = (bytes) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / KiB} KiB`);
const usOf = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`);

// ---------------------------------------------------------------------------
// 1. One thread.

/** Writes one byte in every 4 KiB page of `ab`; returns a byte read back. */
function touch(ab, stamp) {
  const u8 = new Uint8Array(ab);
  const bytes = u8.length;
  for (let p = 0; p < bytes; p += PAGE) u8[p] = stamp;
  return u8[bytes - PAGE];
}

/**
 * Every timed loop ends with one turn of the event loop (setImmediate), for
 * both contenders alike: anything either path leaves for the event loop
 * (FinalizationRegistry cleanups of collected buffers) runs within the timed
 * figure rather than after it.
 */
export function loops(pool, bytes) {
  return {
    pooled: async (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const ab = pool.acquire(bytes);
        s += touch(ab, i & 255);
        pool.release(ab);
      }
      await nextTurn();
      return s;
    },
    fresh: async (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const ab = new ArrayBuffer(bytes);
        s += touch(ab, i & 255);
      }
      await nextTurn();
      return s;
    },
    // The writes alone, on one buffer that stays put: the floor both share.
    writes: async (n) => {
      const ab = new ArrayBuffer(bytes);
      let s = 0;
      for (let i = 0; i < n; i++) s += touch(ab, i & 255);
      await nextTurn();
      return s;
    },
  };
}

// What release() does to the handle of one of the pool's loans, as
// lib/buffer-pool.js decides it on this runtime: a move to a new handle.
const loanDetach = createRequire(import.meta.url)('../lib/buffer-pool.js').loanDetach();
const DETACH_CODE = `ab = ${loanDetach.name}`;

/** Information: acquire + release without writes, and the detach alone. */
function detachLoops(pool, bytes) {
  return {
    cycle: async (n) => {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const ab = pool.acquire(bytes);
        s += ab.byteLength;
        pool.release(ab);
      }
      await nextTurn();
      return s;
    },
    detach: async (n) => {
      let ab = new ArrayBuffer(bytes);
      for (let i = 0; i < n; i++) ab = loanDetach.detach(ab);
      await nextTurn();
      return ab.byteLength;
    },
  };
}

async function singleThreadRows() {
  const rows = [];
  const pool = new BufferPool();
  const freshNs = {}; // bytes -> the fresh figure, for the detach row's note
  const transferNote = `On Node ${process.version}, release() detaches the handle of one of the pool's loans with ${loanDetach.name} (see the detach row).`;
  for (const bytes of SIZES) {
    const pages = bytes / PAGE;
    const row = {
      id: `pool.buffer.${sizeName(bytes).replace(' ', '').toLowerCase()}.vs-new-ArrayBuffer`,
      name: `BufferPool acquire + write every page + release, ${sizeName(bytes)}, one thread: vs new ArrayBuffer + same writes`,
      unit: 'ns/op',
      compare: 'speed',
      target: 10,
    };
    try {
      // A fresh 16 MiB buffer costs milliseconds (page faults, zeroing, GC):
      // let its calibration start at one iteration, so it stays bounded.
      const big = bytes >= 16 * MiB;
      const r = await timeOps(loops(pool, bytes), { ...TIMING, minIterations: big ? 1 : bytes >= MiB ? 10 : 1_000 });
      const stats = pool.stats;
      freshNs[bytes] = r.fresh.nsPerOp;
      rows.push(
        settle({
          ...row,
          shmkit: r.pooled.nsPerOp,
          peer: r.fresh.nsPerOp,
          notes: [
            `pooled: ab = pool.acquire(${fmt(bytes)}); one byte written in each of its ${fmt(pages)} pages (through a new Uint8Array); pool.release(ab). ` +
              `fresh: ab = new ArrayBuffer(${fmt(bytes)}); the same writes; ab dropped. The writes alone, on one buffer that stays put: ${usOf(r.writes.nsPerOp)} per op (the floor both paths share), ` +
              `so no pool, however cheap, could beat fresh by more than ${(r.fresh.nsPerOp / r.writes.nsPerOp).toFixed(1)}× in this run (fresh ÷ the writes alone). ` +
              `Best of ${TIMING.rounds} interleaved rounds (medians: pooled ${usOf(r.pooled.medianNsPerOp)}, fresh ${usOf(r.fresh.medianNsPerOp)}); ${fmt(r.pooled.iterations)} pooled and ${fmt(r.fresh.iterations)} fresh ops per round; each round ends with one event-loop turn (so that work left for the event loop is counted). Main thread, not pinned; no contention.`,
            `pooled path = writes + acquire/release bookkeeping (two native calls, the loan ledger, the leak watch: a buffer released within its job and 32 acquires skips the FinalizationRegistry, so here 1 acquire in 32 registers one) + the detach in release(). ${transferNote} ` +
              `fresh path = allocation (zero-filled) + GC of the dropped buffers + either zeroing memory the allocator reuses or a page fault per page on new memory (which of the two depends on the allocator's state, so the fresh figure swings from run to run).`,
          ],
          checks: [
            {
              name: 'pool hits',
              ok: stats.misses <= SIZES.length && stats.outstanding === 0,
              detail: `after this size: acquired ${fmt(stats.acquired)}, hits ${fmt(stats.hits)}, misses ${stats.misses} (one per size expected), outstanding ${stats.outstanding}, leaked ${stats.leaked}`,
            },
          ],
          details: { bytes, timing: r, poolStats: stats },
        }),
      );
    } catch (err) {
      rows.push(failedRow(row, err));
    }
    await nextTurn();
  }

  const detachBytes = 64 * KiB;
  const detachRow = {
    id: 'pool.buffer.64kib.cycle-vs-detach',
    name: `BufferPool acquire + release, 64 KiB, no writes: vs the detach alone (${loanDetach.name})`,
    unit: 'ns/op',
    compare: 'cost',
  };
  try {
    const r = await timeOps(detachLoops(pool, detachBytes), { ...TIMING, minIterations: 1_000 });
    const rest = r.cycle.nsPerOp - r.detach.nsPerOp;
    const fresh = freshNs[detachBytes];
    const against =
      fresh === undefined
        ? ''
        : `Against that, new ArrayBuffer(${fmt(detachBytes)}) + the writes took ${usOf(fresh)} in the ${sizeName(detachBytes)} row, so 10× would need a pooled cycle of ${usOf(fresh / 10)}${fresh / 10 < r.detach.nsPerOp ? ', less than the detach alone costs' : ''}. `;
    rows.push(
      settle({
        ...detachRow,
        shmkit: r.cycle.nsPerOp,
        peer: r.detach.nsPerOp,
        notes: [
          `For information: where the 64 KiB figure goes. cycle: ab = pool.acquire(${fmt(detachBytes)}); pool.release(ab) (no writes). ` +
            `detach: ${DETACH_CODE} in a loop on one ${sizeName(detachBytes)} buffer, which is what release() does to the caller's handle on this runtime. ` +
            `So of ${usOf(r.cycle.nsPerOp)} per cycle, ${usOf(r.detach.nsPerOp)} is the detach and ${usOf(Math.max(0, rest))} the pool itself (validation, two native calls, the loan ledger, the leak watch: the pool holds each buffer itself until the end of the job or 32 more acquires, so only 1 cycle in 32 registers and unregisters one with the FinalizationRegistry). ` +
            `${against}Medians: cycle ${usOf(r.cycle.medianNsPerOp)}, detach ${usOf(r.detach.medianNsPerOp)}.`,
        ],
        details: { bytes: detachBytes, timing: r, poolOnlyNs: rest },
      }),
    );
  } catch (err) {
    rows.push(failedRow(detachRow, err));
  }
  pool.trim();
  return rows;
}

// ---------------------------------------------------------------------------
// 2 and 3. Two workers.

/**
 * One run: a fresh pair (A on cpus[0], B on cpus[1]) puts every mode through
 * the same two threads, order rotated by `r`. Returns per mode: µs per round
 * trip (timed by A), round trips/s, bad checks, context switches and A's pool
 * statistics for the timed part.
 */
async function pairRun(r, cpus, names = MODE_NAMES) {
  const order = names.map((_, i) => names[(i + r) % names.length]);
  const slab = new SlabPool({ blockSize: 64 * KiB, blocks: SLAB_BLOCKS });
  const toB = new Queue(Float64Array, QUEUE_CAPACITY);
  const toA = new Queue(Float64Array, QUEUE_CAPACITY);
  const data = { order, modes: MODES, slab, toB, toA, waitMs: WAIT_MS };
  const [a, b] = await runPair(PAIR_WORKER, data, { cpus, timeoutMs: TIMEOUT_MS, withPorts: true });
  const out = { order, pinned: [a.pinned, b.pinned], rtUs: {}, perSec: {}, bad: {}, switchesPerRt: {}, pool: {}, maxId: b.maxId, slabStats: a.slabStats };
  for (const m of names) {
    const n = MODES[m].n;
    const ns = Number(a.modes[m].end - a.modes[m].start);
    out.rtUs[m] = ns / n / 1e3;
    out.perSec[m] = n / (ns / 1e9);
    out.bad[m] = a.modes[m].bad + b.modes[m].bad;
    out.pool[m] = a.modes[m].pool;
    const sw = [a.modes[m].switches, b.modes[m].switches];
    if (sw.every(Boolean)) {
      out.switchesPerRt[m] = { voluntary: (sw[0].voluntary + sw[1].voluntary) / n, involuntary: (sw[0].involuntary + sw[1].involuntary) / n };
    }
  }
  return out;
}

/** "rate (µs/rt; switches) per run" for one mode. */
function perRun(runs, m) {
  return runs
    .map((r) => {
      const sw = r.switchesPerRt[m];
      const swText = sw ? `, ${sw.voluntary.toFixed(2)}+${sw.involuntary.toFixed(2)} sw/rt` : '';
      return `${(r.perSec[m] / 1e3).toFixed(1)} k/s (${r.rtUs[m].toFixed(1)} µs/rt${swText})`;
    })
    .join('; ');
}

const placement = (runs) => `CPUs allowed (A / B): ${[...new Set(runs.map((r) => r.pinned.map((p) => p ?? 'any').join(' / ')))].join('; ')}`;

function correctness(runs, modes, what) {
  return {
    name: what,
    ok: runs.every((r) => modes.every((m) => r.bad[m] === 0)),
    detail: `${runs.length} runs; wrong length or contents seen (A + B) per mode: ${modes.map((m) => `${m} ${runs.map((r) => r.bad[m]).join('/')}`).join(', ')}`,
  };
}

function poolCheck(runs, m) {
  const n = MODES[m].n;
  return {
    name: `${m}: every timed acquire a pool hit`,
    ok: runs.every((r) => r.pool[m] && r.pool[m].hits === n && r.pool[m].misses === 0 && r.pool[m].outstanding === 0),
    detail: runs.map((r) => `hits ${fmt(r.pool[m]?.hits ?? 0)}/${fmt(n)}, misses ${r.pool[m]?.misses}, outstanding ${r.pool[m]?.outstanding}, leaked ${r.pool[m]?.leaked}`).join('; '),
  };
}

async function pairRows() {
  const cores = os.availableParallelism();
  const cpus = cores >= 2 ? [0, 1] : undefined;
  const ownNote =
    cpus === undefined
      ? `${cores} core: the two threads cannot have a CPU each; not pinned.`
      : `${cores} cores; A pinned to CPU 0 and B to CPU 1 (taskset), the main thread sleeps in its event loop: each thread has a CPU of its own, so this measures hand-off latency across CPUs, not contention for a CPU.`;
  const base = {
    rt1m: {
      id: 'pool.roundtrip.1mib.vs-new-ArrayBuffer',
      name: 'BufferPool round trip to a worker, 1 MiB, transfer both ways: round trips/s vs a new ArrayBuffer each round',
      unit: 'ops/s',
      compare: 'speed',
      target: 1.5,
    },
    rt16m: {
      id: 'pool.roundtrip.16mib.vs-new-ArrayBuffer',
      name: 'BufferPool round trip to a worker, 16 MiB, transfer both ways: round trips/s vs a new ArrayBuffer each round',
      unit: 'ops/s',
      compare: 'speed',
      target: 3,
    },
    slab: {
      id: 'pool.slab.64kib-handoff.vs-BufferPool-postMessage',
      name: 'SlabPool 64 KiB block hand-off via Queue, 2 workers on own CPUs: round trips/s vs BufferPool + postMessage',
      unit: 'ops/s',
      compare: 'speed',
      target: 10,
    },
    shared1m: {
      id: 'pool.roundtrip.1mib.shared-cpu.vs-new-ArrayBuffer',
      name: 'BufferPool round trip to a worker, 1 MiB, 2 workers on ONE CPU: round trips/s vs a new ArrayBuffer each round',
      unit: 'ops/s',
      compare: 'speed',
    },
  };
  let runs;
  try {
    runs = [];
    for (let r = 0; r < PAIR_RUNS; r++) runs.push(await pairRun(r, cpus));
  } catch (err) {
    return Object.values(base).map((row) => failedRow(row, err));
  }
  const med = Object.fromEntries(MODE_NAMES.map((m) => [m, medianOf(runs.map((r) => r.perSec[m]))]));
  const medUs = Object.fromEntries(MODE_NAMES.map((m) => [m, medianOf(runs.map((r) => r.rtUs[m]))]));
  const runsNote = `Median of ${PAIR_RUNS} runs, each a fresh pair of worker_threads (benches/workers/pool-pair.mjs) that puts all ${MODE_NAMES.length} modes through the same two threads (order rotated from run to run) after a warm-up of each on the same pool/slab/queues; A times its round trips.`;
  const rows = [];
  const floorNote = `The floor both paths share: a postMessage of a number there and back between the same two threads (mode echo) takes ${medUs.echo.toFixed(1)} µs/rt (median; ${perRun(runs, 'echo')}).`;

  for (const [key, pooled, fresh, bytes] of [
    ['rt1m', 'pooled1m', 'fresh1m', 1 * MiB],
    ['rt16m', 'pooled16m', 'fresh16m', 16 * MiB],
  ]) {
    rows.push(
      settle({
        ...base[key],
        shmkit: med[pooled],
        peer: med[fresh],
        notes: [
          `A (a worker) per round trip: ab = pool.acquire(${fmt(bytes)}); one byte written in each of its ${fmt(bytes / PAGE)} pages; port.postMessage(ab, [ab]); B (another worker) checks the first and last page and posts it back with [ab]; A checks it and pool.release(ab), then starts the next from its 'message' handler. ` +
            `fresh: the same with ab = new ArrayBuffer(${fmt(bytes)}) each round, dropped when it is back. Both transfer both ways over a MessageChannel between the two workers (no copy of the contents).`,
          `${runsNote} ${fmt(MODES[pooled].n)} pooled and ${fmt(MODES[fresh].n)} fresh round trips per run (fresh ${sizeName(bytes)} rounds cost far more: fewer of them keep the run bounded).`,
          `pooled, median ${medUs[pooled].toFixed(1)} µs/rt: ${perRun(runs, pooled)}.`,
          `fresh, median ${medUs[fresh].toFixed(1)} µs/rt: ${perRun(runs, fresh)}. (sw/rt: context switches of both threads per round trip, voluntary + involuntary.)`,
          `${floorNote} What pooling can save is the fresh path's allocation, page faults and GC of ${sizeName(bytes)} per round; the two postMessage hops stay in both.`,
          ...(bytes === MiB
            ? [
                `The ceiling of any pool here, mode reuse: no pool at all, A sends again the very buffer that came back (same fill, transfers and checks): median ${medUs.reuse1m.toFixed(1)} µs/rt (${perRun(runs, 'reuse1m')}), ` +
                  `${(med.reuse1m / med[fresh]).toFixed(2)}× the fresh path's round trips/s, against the pool's ${(med[pooled] / med[fresh]).toFixed(2)}×.`,
              ]
            : []),
          `${ownNote} ${placement(runs)}.`,
        ],
        checks: [correctness(runs, bytes === MiB ? [pooled, fresh, 'reuse1m'] : [pooled, fresh], 'buffers arrive intact'), poolCheck(runs, pooled)],
        details: { bytes, cpus, roundTrips: { [pooled]: MODES[pooled].n, [fresh]: MODES[fresh].n }, medians: { [pooled]: med[pooled], [fresh]: med[fresh] }, medianUsPerRt: { [pooled]: medUs[pooled], [fresh]: medUs[fresh] }, runs: runs.map((r) => pick(r, [pooled, fresh])) },
      }),
    );
  }

  const ids = runs.map((r) => r.maxId);
  rows.push(
    settle({
      ...base.slab,
      shmkit: med.slab64k,
      peer: med.pm64k,
      notes: [
        `slab: SlabPool({ blockSize: 65536, blocks: ${SLAB_BLOCKS} }) and two Queue(Float64Array, ${QUEUE_CAPACITY}) (toB, toA) shared by A and B. A: block = slab.acquire(); one byte written in each of its 16 pages; toB.push(block.handoff()); id = toA.pop(); back = slab.open(id); checks it; back.release(). ` +
          `B: id = toB.pop(); b = slab.open(id); checks it; writes every page again; toA.push(b.handoff()). push()/pop() are the blocking forms (spin briefly, then park), each with a ${WAIT_MS / 1000} s timeout. ` +
          `Ids exceed 2^32 once a block's generation passes 1,024 (largest id B saw per run: ${ids.map((x) => fmt(x)).join(' / ')}), hence Float64 queues.`,
        `BufferPool + postMessage: the same two kinds of worker; A: ab = pool.acquire(65536); the same writes; port.postMessage(ab, [ab]); B checks it, writes every page again, posts it back with [ab]; A checks it and pool.release(ab). Same touches on both sides as the slab path.`,
        `${runsNote} ${fmt(MODES.slab64k.n)} slab and ${fmt(MODES.pm64k.n)} postMessage round trips per run. The slab mode runs in the same threads as the transfer modes, so its page writes pay V8's detached-buffer checks too (a thread that has detached any ArrayBuffer pays them from then on; see README): a thread that only uses the slab would be a little faster.`,
        `slab, median ${medUs.slab64k.toFixed(2)} µs/rt: ${perRun(runs, 'slab64k')}.`,
        `BufferPool + postMessage, median ${medUs.pm64k.toFixed(1)} µs/rt: ${perRun(runs, 'pm64k')}. ${floorNote}`,
        `${ownNote} ${placement(runs)}.`,
      ],
      checks: [
        correctness(runs, ['slab64k', 'pm64k'], 'blocks and buffers arrive intact'),
        {
          name: 'slab blocks all free after the run',
          ok: runs.every((r) => r.slabStats.free === SLAB_BLOCKS && r.slabStats.handedOff === 0),
          detail: runs.map((r) => `free ${r.slabStats.free}/${SLAB_BLOCKS}, handed off ${r.slabStats.handedOff}`).join('; '),
        },
        poolCheck(runs, 'pm64k'),
      ],
      details: { blockSize: 64 * KiB, blocks: SLAB_BLOCKS, cpus, roundTrips: { slab64k: MODES.slab64k.n, pm64k: MODES.pm64k.n }, medians: { slab64k: med.slab64k, pm64k: med.pm64k }, medianUsPerRt: { slab64k: medUs.slab64k, pm64k: medUs.pm64k }, maxIds: ids, runs: runs.map((r) => pick(r, ['slab64k', 'pm64k'])) },
    }),
  );

  // Information: the 1 MiB round trip with both workers on one CPU, where a
  // postMessage hop is cheaper (no idle CPU to wake), so the allocation the
  // pool saves weighs more.
  if (cpus !== undefined) {
    try {
      const shared = [];
      for (let r = 0; r < SHARED_RUNS; r++) shared.push(await pairRun(r, [0, 0], SHARED_MODES));
      const sm = Object.fromEntries(SHARED_MODES.map((m) => [m, medianOf(shared.map((r) => r.perSec[m]))]));
      const smUs = Object.fromEntries(SHARED_MODES.map((m) => [m, medianOf(shared.map((r) => r.rtUs[m]))]));
      rows.push(
        settle({
          ...base.shared1m,
          shmkit: sm.pooled1m,
          peer: sm.fresh1m,
          notes: [
            `For information: the 1 MiB modes of the row above with A and B both pinned to CPU 0 (${placement(shared)}), median of ${SHARED_RUNS} runs. ` +
              `pooled ${smUs.pooled1m.toFixed(1)} µs/rt: ${perRun(shared, 'pooled1m')}; fresh ${smUs.fresh1m.toFixed(1)} µs/rt: ${perRun(shared, 'fresh1m')}; ` +
              `echo (the postMessage floor) ${smUs.echo.toFixed(1)} µs/rt: ${perRun(shared, 'echo')}.`,
          ],
          checks: [correctness(shared, SHARED_MODES, 'buffers arrive intact'), poolCheck(shared, 'pooled1m')],
          details: { bytes: MiB, cpus: [0, 0], medians: sm, medianUsPerRt: smUs, runs: shared.map((r) => pick(r, SHARED_MODES)) },
        }),
      );
    } catch (err) {
      rows.push(failedRow(base.shared1m, err));
    }
  }
  return rows;
}

/** The per-mode figures of run `r` for `modes` only (for the JSON). */
function pick(r, modes) {
  const only = (o) => Object.fromEntries(modes.filter((m) => o[m] !== undefined).map((m) => [m, o[m]]));
  return { order: r.order, pinned: r.pinned, perSec: only(r.perSec), rtUs: only(r.rtUs), bad: only(r.bad), switchesPerRt: only(r.switchesPerRt), pool: only(r.pool) };
}

/**
 * Information, on a runtime without ArrayBuffer.prototype.transfer (Node 20):
 * the 64 KiB row again in a child Node started with the V8 flag that turns
 * transfer() on (Node 21 and later have it by default), so the reader sees
 * what the pool costs once release() can detach with ab.transfer().
 */
async function transferRow() {
  const bytes = 64 * KiB;
  const row = {
    id: 'pool.buffer.64kib.with-transfer.vs-new-ArrayBuffer',
    name: `BufferPool acquire + write every page + release, 64 KiB, one thread, on a runtime with ArrayBuffer.prototype.transfer: vs new ArrayBuffer + same writes`,
    unit: 'ns/op',
    compare: 'speed',
  };
  if (loanDetach.kind === 'transfer') return undefined; // the 64 KiB row above already is this row
  const flag = '--harmony-rab-gsab-transfer';
  try {
    const child = new URL('./workers/pool-transfer-child.mjs', import.meta.url);
    const { stdout } = await promisify(execFile)(process.execPath, [flag, child.pathname, String(bytes)], { timeout: 120_000 });
    const { hasTransfer, version, timing } = JSON.parse(stdout.trim().split('\n').pop());
    if (!hasTransfer) throw new Error(`node ${version} ${flag} has no ArrayBuffer.prototype.transfer`);
    return settle({
      ...row,
      shmkit: timing.pooled.nsPerOp,
      peer: timing.fresh.nsPerOp,
      notes: [
        `For information: the ${sizeName(bytes)} row's loops, run in a child process \`node ${flag}\` (${version}), where ArrayBuffer.prototype.transfer exists, as it does by default from Node 21 on; release() then detaches with transfer() (the child stands in worker_threads.isMarkedAsUntransferable, which the pool also needs and Node 20 lacks: no buffer these loops release is marked). ` +
          `Best of ${TIMING.rounds} interleaved rounds (medians: pooled ${usOf(timing.pooled.medianNsPerOp)}, fresh ${usOf(timing.fresh.medianNsPerOp)}); the writes alone ${usOf(timing.writes.nsPerOp)}. The fresh figure swings with the allocator's state, as in the row above.`,
      ],
      details: { bytes, flag, version, timing },
    });
  } catch (err) {
    return failedRow(row, err);
  }
}

/** Runs the pool group; returns its settled rows. */
export async function poolBenches() {
  const rows = await singleThreadRows();
  const withTransfer = await transferRow();
  if (withTransfer !== undefined) rows.push(withTransfer);
  rows.push(...(await pairRows()));
  return rows;
}
