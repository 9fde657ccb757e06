// RingBuffer benchmarks: SPSC throughput between a producer worker and a
// consumer worker, shmkit's RingBuffer against npm `ringbuf.js` (the SPSC
// ring over a SharedArrayBuffer that Web Audio code uses) and against a
// minimal hand-written plain-JS ring with the same protocol (the ceiling:
// ../plain-ring.mjs).
//
// ringbuf.js 0.4 (read from node_modules/ringbuf.js/dist/index.mjs): storage
// from RingBuffer.getStorageForCapacity(capacity, Float64Array) (8 bytes of
// indices + capacity + 1 slots), `new RingBuffer(sab, Float64Array)`;
// push(typedArray, length?, offset?) / pop(typedArray, length?, offset?)
// return how many elements moved (0 when full / empty). It has no
// single-element push/pop; its single-value forms are push/pop of a
// 1-element array, and for writing writeCallbackWithOffset(1, cb), where cb
// writes straight into the ring's storage. Both read both indices with
// Atomics.load on every call (no cached indices), the two indices share a
// cache line with each other and with the first slots, and positions wrap
// with `%` by capacity + 1. Both single-value forms are measured; the faster
// is the peer figure.
//
// Every run is a fresh pair of worker_threads (workers/ring-spsc.mjs) that
// puts every mode through the same two threads in turn (order rotated from
// run to run), after a warm-up of each. Producer pinned to CPU 0, consumer to
// CPU 1 (taskset): both spin, and two spinning threads on one CPU would mostly
// measure the scheduler's time slice.

import os from 'node:os';
import { RingBuffer as RingbufJs } from 'ringbuf.js';
import { RingBuffer } from '../index.mjs';
import { timeOps, runPair, settle, failedRow } from './harness.mjs';
import { PlainRing } from './plain-ring.mjs';

const SPSC_WORKER = new URL('./workers/ring-spsc.mjs', import.meta.url);
const CAPACITY = 1024; // single-value rows: every ring holds 1,024 Float64 values
const SINGLE_N = 10_000_000; // values per mode per run
const SINGLE_WARMUP = 300_000;
const BATCH = 1024; // values per pushMany/popMany or push/pop call
const BATCH_CAPACITY = 4096; // batch rows: room for 4 batches, so both threads can work at once
const BATCH_N = 100 * 1024 * 1024 / 2; // 52,428,800 values per mode per run (51,200 batches)
const BATCH_WARMUP = 2 * 1024 * 1024;
const RUNS = 7; // single values: runs swing a lot (see the note on regimes), report the median of 7
const BATCH_RUNS = 7; // a batch run is short (~0.1 s a mode): one slow period of the VM can halve one, so the median of 7
const TIMEOUT_MS = 120_000;

const SINGLE_MODES = ['plain', 'shmkit', 'ringbufPush', 'ringbufCallback'];
const BATCH_MODES = ['shmkitBatch', 'ringbufBatch', 'shmkitWriteRead'];

const fmt = (n) => n.toLocaleString('en-US');
const medianOf = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mps = (x) => `${(x / 1e6).toFixed(1)} M/s`;

/** A fresh ring of `mode`'s kind, as it travels in workerData. */
function ringFor(mode, capacity) {
  if (mode === 'plain') return { sab: new SharedArrayBuffer(PlainRing.byteLengthFor(capacity)), cap: capacity };
  if (mode.startsWith('ringbuf')) return { sab: RingbufJs.getStorageForCapacity(capacity, Float64Array) };
  return { ring: new RingBuffer(Float64Array, capacity) };
}

/**
 * One run: a producer and a consumer worker run every mode of `modes` (order
 * rotated by `r`), `n` values each. Returns per mode the values/s over the
 * span from the earlier start to the later end, and the consumer's checks.
 */
async function spscRun(modes, r, { n, warmup, capacity, batch, cpus }) {
  const order = modes.map((_, i) => modes[(i + r) % modes.length]);
  const timed = Object.fromEntries(modes.map((m) => [m, ringFor(m, capacity)]));
  const warm = Object.fromEntries(modes.map((m) => [m, ringFor(m, capacity)]));
  const common = {
    order,
    timed,
    warm,
    n: Object.fromEntries(modes.map((m) => [m, n])),
    warmup: Object.fromEntries(modes.map((m) => [m, warmup])),
    batch,
  };
  const [prod, cons] = await runPair(SPSC_WORKER, common, { cpus, timeoutMs: TIMEOUT_MS });
  const out = { order, pinned: [prod.pinned, cons.pinned], rate: {}, bad: {}, sumOk: {}, preemptions: {} };
  const expectedSum = (n * n) / 2; // sum of i + 0.5 for i < n, exact in doubles here
  for (const m of modes) {
    const p = prod.modes[m];
    const c = cons.modes[m];
    const start = p.start < c.start ? p.start : c.start;
    const end = p.end > c.end ? p.end : c.end;
    out.rate[m] = n / (Number(end - start) / 1e9);
    out.bad[m] = c.bad;
    out.sumOk[m] = c.sum === expectedSum;
    if (p.switches && c.switches) out.preemptions[m] = p.switches.involuntary + c.switches.involuntary;
  }
  return out;
}

function dataCheck(label, runs, mode, n) {
  return {
    name: `${label} values in order`,
    ok: runs.every((r) => r.bad[mode] === 0 && r.sumOk[mode]),
    detail: `${runs.length} runs × ${fmt(n)} values; out of order: ${runs.map((r) => r.bad[mode]).join(' / ')}; checksum ${runs.every((r) => r.sumOk[mode]) ? 'ok' : 'WRONG'}`,
  };
}

const perRun = (runs, mode) => runs.map((r) => mps(r.rate[mode])).join(', ');


/**
 * One thread, no contention: `run(n)` does n rounds of 512 pushes then 512
 * pops on a ring of CAPACITY (so each side refreshes its cached index once
 * per 512). Each ring has its own textually separate loop, so every call site
 * stays monomorphic.
 */
function oneThreadRuns() {
  const plain = new PlainRing(new SharedArrayBuffer(PlainRing.byteLengthFor(CAPACITY)), CAPACITY);
  const shmkit = new RingBuffer(Float64Array, CAPACITY);
  const rb = new RingbufJs(RingbufJs.getStorageForCapacity(CAPACITY, Float64Array), Float64Array);
  const one = new Float64Array(1);
  const words = new Int32Array(new SharedArrayBuffer(256));
  return {
    // What one Atomics.load costs, against a plain read of the same word.
    atomicsLoad(n) {
      let s = 0;
      for (let i = 0; i < n * 512; i++) s += Atomics.load(words, 48) + i;
      return s;
    },
    plainRead(n) {
      let s = 0;
      for (let i = 0; i < n * 512; i++) s += words[48] + i;
      return s;
    },
    plain(n) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 512; j++) plain.tryPush(j + 0.5);
        for (let j = 0; j < 512; j++) s += plain.tryPop();
      }
      return s;
    },
    shmkit(n) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 512; j++) shmkit.tryPush(j + 0.5);
        for (let j = 0; j < 512; j++) s += shmkit.tryPop();
      }
      return s;
    },
    ringbuf(n) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 512; j++) {
          one[0] = j + 0.5;
          rb.push(one);
        }
        for (let j = 0; j < 512; j++) {
          rb.pop(one);
          s += one[0];
        }
      }
      return s;
    },
  };
}

const placement = (runs) => {
  const seen = [...new Set(runs.map((r) => r.pinned.map((p) => p ?? 'any').join(' / ')))];
  return `CPUs allowed (producer / consumer): ${seen.join('; ')}`;
};

/** Runs the RingBuffer group; returns its settled rows. */
export async function ringBenches() {
  const cores = os.availableParallelism();
  const cpus = cores >= 2 ? [0, 1] : undefined;
  const pinNote =
    cpus === undefined
      ? `${cores} core: producer and consumer cannot have a CPU each; not pinned.`
      : `${cores} cores; producer pinned to CPU 0, consumer to CPU 1 (taskset), since both spin.`;
  const rows = [];

  // --- 1. single values ---
  const base = {
    ringbuf: {
      id: 'ring.spsc.single.vs-ringbuf',
      name: `RingBuffer<Float64> tryPush/tryPop, 1 value at a time, worker → worker vs ringbuf.js`,
      unit: 'ops/s',
      compare: 'speed',
      target: 3,
    },
    plain: {
      id: 'ring.spsc.single.vs-plain-js',
      name: 'RingBuffer<Float64> tryPush/tryPop, 1 value at a time, vs hand-written plain-JS ring (ceiling)',
      unit: 'ops/s',
      compare: 'speed',
      target: 0.8,
    },
  };
  let runs;
  try {
    runs = [];
    for (let r = 0; r < RUNS; r++) {
      runs.push(await spscRun(SINGLE_MODES, r, { n: SINGLE_N, warmup: SINGLE_WARMUP, capacity: CAPACITY, batch: BATCH, cpus }));
    }
  } catch (err) {
    rows.push(failedRow(base.ringbuf, err), failedRow(base.plain, err));
    runs = undefined;
  }
  if (runs !== undefined) {
    const med = Object.fromEntries(SINGLE_MODES.map((m) => [m, medianOf(runs.map((r) => r.rate[m]))]));
    const peerMode = med.ringbufPush >= med.ringbufCallback ? 'ringbufPush' : 'ringbufCallback';
    const what =
      `${fmt(SINGLE_N)} Float64 values (i + 0.5) from a producer worker to a consumer worker through a ring of ${fmt(CAPACITY)} slots; ` +
      'timed from the earlier thread start to the later thread end (the consumer\'s last pop). ' +
      'Producer: for each value `while (!ring.tryPush(v));`; consumer: `while ((v = ring.tryPop()) === undefined);` then checks v against the next expected value and adds it to a checksum. ' +
      `Each run puts all ${SINGLE_MODES.length} rings through the same two threads, one after another (order rotated), after ${fmt(SINGLE_WARMUP)} warm-up values on rings of their own. ${pinNote}`;
    const shmkitLine = `shmkit RingBuffer(Float64Array, ${CAPACITY}): median of ${RUNS} runs (${perRun(runs, 'shmkit')}).`;
    rows.push(
      settle({
        ...base.ringbuf,
        shmkit: med.shmkit,
        peer: med[peerMode],
        notes: [
          what,
          shmkitLine,
          `ringbuf.js (getStorageForCapacity(${CAPACITY}, Float64Array): ${CAPACITY} usable slots), its two single-value forms, same loops: ` +
            `push(one)/pop(one) with a 1-element Float64Array \`one\` (one[0] = v before the push, v = one[0] after the pop): ${perRun(runs, 'ringbufPush')}; ` +
            `writeCallbackWithOffset(1, (storage, offset) => { storage[offset] = v }) / pop(one): ${perRun(runs, 'ringbufCallback')}. ` +
            `Peer figure = the faster form's median: ${peerMode === 'ringbufPush' ? 'push(one)/pop(one)' : 'writeCallbackWithOffset/pop(one)'}.`,
          placement(runs),
        ],
        checks: [dataCheck('shmkit', runs, 'shmkit', SINGLE_N), dataCheck('ringbuf.js push', runs, 'ringbufPush', SINGLE_N), dataCheck('ringbuf.js callback', runs, 'ringbufCallback', SINGLE_N)],
        details: { values: SINGLE_N, capacity: CAPACITY, cpus, medians: med, peerForm: peerMode, runs },
      }),
    );
    rows.push(
      settle({
        ...base.plain,
        shmkit: med.shmkit,
        peer: med.plain,
        notes: [
          'Ratio = shmkit values/s ÷ the plain ring\'s (target: at least 80% of the ceiling). The plain ring (benches/plain-ring.mjs) has shmkit\'s protocol and layout ' +
            '(free-running int32 head/tail on cache lines of their own, Atomics.load of the own index, plain read of the other side\'s cached index, re-read with Atomics.load only when full/empty, Atomics.store to publish) ' +
            'and nothing else: no value type check, no closed bit, no sleeping-waiter bits, public fields.',
          `plain ring: ${perRun(runs, 'plain')}. ${shmkitLine} Same loops, same threads, same run.`,
          'Why runs swing (and why per-op cost matters more than it seems): with one value per call, throughput is set by cache lines moving between the two cores. ' +
            'When the consumer keeps up, the ring is nearly empty: every pop finds its cached tail stale, re-reads the tail and reads a slot line the producer has just written, so lines cross cores for every value. ' +
            'When the producer is ahead, the ring stays nearly full and slot lines cross once per 8 values. Which state a run settles in depends on the relative speed of the two loops. ' +
            'shmkit avoids the slow state: in a polling loop (a miss within ~2 µs of the previous one), a tryPop that finds the ring empty (a tryPush that finds it full) pauses ~0.6 µs before it returns, so the spinning side stops pulling the other side\'s index line away, and values move in runs. The plain ring and ringbuf.js return at once. ' +
            'Runs also swing with the host: in some periods every mode runs 2-3× slower (likely the two vCPUs on cores further apart); the per-run ratios below pair modes measured seconds apart by the same threads.',
          `Per-run ratios, shmkit ÷ plain ring: ${runs.map((r) => (r.rate.shmkit / r.rate.plain).toFixed(2)).join(' / ')}; shmkit ÷ ringbuf.js (faster form): ${runs.map((r) => (r.rate.shmkit / Math.max(r.rate.ringbufPush, r.rate.ringbufCallback)).toFixed(2)).join(' / ')}.`,
          `Involuntary context switches (both threads) per run — plain: ${runs.map((r) => r.preemptions.plain ?? '?').join(' / ')}, shmkit: ${runs.map((r) => r.preemptions.shmkit ?? '?').join(' / ')}.`,
        ],
        checks: [dataCheck('plain ring', runs, 'plain', SINGLE_N)],
        details: { values: SINGLE_N, capacity: CAPACITY, cpus, medians: med },
      }),
    );
  }

  // Info: what one push + pop costs on one thread (no other core involved).
  const oneRow = {
    id: 'ring.one-thread.push-pop.vs-plain-js',
    name: 'RingBuffer tryPush + tryPop on ONE thread (no contention): cost per value vs plain-JS ring',
    unit: 'ns/op',
    compare: 'cost',
  };
  try {
    const t = await timeOps(oneThreadRuns(), { minIterations: 100 });
    const per = (x) => x.nsPerOp / 512;
    rows.push(
      settle({
        ...oneRow,
        shmkit: per(t.shmkit),
        peer: per(t.plain),
        notes: [
          'For information: the instruction cost of the single-value calls without any cache-line traffic between cores. One op = one tryPush + one tryPop (rounds of 512 pushes then 512 pops, ring of 1,024). ' +
            `ringbuf.js push(one) + pop(one): ${per(t.ringbuf).toFixed(1)} ns. Best of ${t.shmkit.rounds} interleaved rounds.`,
          `On Node 20 (V8 11.3) Atomics.load / Atomics.store are not inlined by the optimizing compiler: each is a call into a builtin (here a loop of Atomics.load(i32, k) costs ${per(t.atomicsLoad).toFixed(1)} ns per load, of plain i32[k] reads ${per(t.plainRead).toFixed(1)} ns), so the count of Atomics calls per value decides most of this figure. ` +
            'Per value, the plain ring makes 4 (push: load own index, store it; pop: the same); shmkit makes 2: each side reads its own index and the closed bit with plain reads and publishes its new index with one Atomics.exchange, whose old value also carries the other side\'s waiting bit (bit 31).',
        ],
        details: { shmkit: t.shmkit, plain: t.plain, ringbuf: t.ringbuf, atomicsLoad: t.atomicsLoad, plainRead: t.plainRead, opsPerIteration: 512 },
      }),
    );
  } catch (err) {
    rows.push(failedRow(oneRow, err));
  }


  // --- 2. batches ---
  const batchRow = {
    id: 'ring.spsc.batch.vs-ringbuf',
    name: `RingBuffer<Float64> pushMany/popMany, ${fmt(BATCH)}-value batches, worker → worker vs ringbuf.js push/pop`,
    unit: 'ops/s',
    compare: 'speed',
    target: 1,
  };
  try {
    const bruns = [];
    for (let r = 0; r < BATCH_RUNS; r++) {
      bruns.push(await spscRun(BATCH_MODES, r, { n: BATCH_N, warmup: BATCH_WARMUP, capacity: BATCH_CAPACITY, batch: BATCH, cpus }));
    }
    const med = Object.fromEntries(BATCH_MODES.map((m) => [m, medianOf(bruns.map((r) => r.rate[m]))]));
    rows.push(
      settle({
        ...batchRow,
        shmkit: med.shmkitBatch,
        peer: med.ringbufBatch,
        notes: [
          `${fmt(BATCH_N)} Float64 values (${fmt(BATCH_N / BATCH)} batches of ${fmt(BATCH)}) producer worker → consumer worker, rings of ${fmt(BATCH_CAPACITY)} slots (room for 4 batches) for both; values/s from the earlier thread start to the later thread end. ` +
            `Producer: fills its private Float64Array(${BATCH}) with the next ${BATCH} values, then pushes it, spinning on the remainder while the ring is full; ` +
            `consumer: pops up to ${BATCH} into its private Float64Array(${BATCH}), spinning while empty, and checks every value popped against the next expected one (+ checksum). ` +
            'So the fill and check loops are timed too, the same for both.',
          `shmkit: off = ring.pushMany(buf); while (off < ${BATCH}) off += ring.pushMany(buf.subarray(off)) / k = ring.popMany(buf). Median of ${BATCH_RUNS} runs (${perRun(bruns, 'shmkitBatch')}).`,
          `ringbuf.js: off = 0; while (off < ${BATCH}) off += rb.push(buf, ${BATCH} - off, off) / k = rb.pop(buf). Median of ${BATCH_RUNS} runs (${perRun(bruns, 'ringbufBatch')}).`,
          `For information, shmkit's blocking forms ring.write(buf) / k = ring.read(buf) (spin in JS, then sleep in Rust): ${perRun(bruns, 'shmkitWriteRead')}, median ${mps(med.shmkitWriteRead)}.`,
          `${pinNote} ${placement(bruns)}.`,
        ],
        checks: [
          dataCheck('shmkit pushMany/popMany', bruns, 'shmkitBatch', BATCH_N),
          dataCheck('shmkit write/read', bruns, 'shmkitWriteRead', BATCH_N),
          dataCheck('ringbuf.js', bruns, 'ringbufBatch', BATCH_N),
        ],
        details: { values: BATCH_N, batch: BATCH, capacity: BATCH_CAPACITY, cpus, medians: med, runs: bruns },
      }),
    );
  } catch (err) {
    rows.push(failedRow(batchRow, err));
  }
  return rows;
}
