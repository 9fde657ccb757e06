// Benchmark harness: per-operation timing, multi-thread runs, the result table
// and the JSON report. The bench groups (*.bench.mjs) only describe what to
// measure; everything about how it is measured and reported lives here.

import os from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const now = process.hrtime.bigint;

// ---------------------------------------------------------------------------
// Dead-code elimination guard: every timed loop returns a value that lands
// here, and the final value goes into the JSON, so no loop can be optimized
// away as unused.

let sink = 0;

/** Consumes a value so that the code computing it cannot be eliminated. */
export function blackhole(value) {
  sink = (sink + (typeof value === 'number' ? value : value ? 1 : 0)) | 0;
}

export function sinkValue() {
  return sink;
}

// ---------------------------------------------------------------------------
// Per-operation timing.

async function timeOnce(run, n) {
  const t0 = now();
  let result = run(n);
  if (result instanceof Promise) result = await result;
  const t1 = now();
  blackhole(result);
  return Number(t1 - t0);
}

/** Grows n until one call of run(n) takes at least minRoundMs; this also warms run up. */
async function calibrate(run, minIterations, minRoundMs) {
  let n = minIterations;
  for (;;) {
    const ns = await timeOnce(run, n);
    if (ns >= minRoundMs * 1e6) return n;
    const grow = ns > 0 ? (minRoundMs * 1e6 * 1.25) / ns : 10;
    n = Math.ceil(n * Math.min(10, Math.max(2, grow)));
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Times several loops side by side. `runs` maps a label to `run(n)`, a
 * function that performs n operations in its own loop (so nothing but the
 * operation is inside the timed region) and returns a value derived from them
 * (or a Promise of it). Each run is calibrated until one call lasts
 * `minRoundMs` (the calibration calls are its warm-up), then the runs are
 * timed in interleaved rounds (A B C, A B C, ...) so that machine noise hits
 * them alike, and the best round of each is its figure.
 * Returns `{ label: { nsPerOp, medianNsPerOp, iterations, rounds } }`.
 */
export async function timeOps(runs, { rounds = 5, minRoundMs = 100, minIterations = 10_000 } = {}) {
  const labels = Object.keys(runs);
  const iterations = {};
  const samples = {};
  for (const label of labels) {
    iterations[label] = await calibrate(runs[label], minIterations, minRoundMs);
    await timeOnce(runs[label], iterations[label]); // one more at full size: warm
    samples[label] = [];
  }
  for (let r = 0; r < rounds; r++) {
    for (const label of labels) {
      samples[label].push((await timeOnce(runs[label], iterations[label])) / iterations[label]);
    }
  }
  const out = {};
  for (const label of labels) {
    out[label] = {
      nsPerOp: Math.min(...samples[label]),
      medianNsPerOp: median(samples[label]),
      iterations: iterations[label],
      rounds,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------
// Multi-thread runs. Every participating thread follows one protocol on a
// small control array (`newControl()`): warm up, `Atomics.add(ctl, READY, 1)`,
// wait for `ctl[GO]`, note `process.hrtime.bigint()` as `start`, do its work,
// note `end`. hrtime is the process-wide monotonic clock, so the run's span is
// the earliest start to the latest end, whatever the start-up skew of threads.

export const READY = 0;
export const GO = 1;

export function newControl() {
  return new Int32Array(new SharedArrayBuffer(8));
}

export class HangError extends Error {}

/**
 * Releases all `count` threads at once, after each has reported READY.
 * `finished` is the promise of the threads' results: if it rejects first (a
 * thread died before READY), so does this, instead of waiting for the timeout.
 */
export async function startTogether(ctl, count, timeoutMs, finished) {
  let failure;
  finished.catch((err) => (failure ??= err));
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(ctl, READY) < count) {
    if (failure !== undefined) throw failure;
    if (Date.now() > deadline) {
      throw new HangError(`only ${Atomics.load(ctl, READY)} of ${count} threads became ready within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  Atomics.store(ctl, GO, 1);
  Atomics.notify(ctl, GO);
}

/** Seconds from the earliest `start` to the latest `end` of `results`. */
export function spanSeconds(results) {
  let start = results[0].start;
  let end = results[0].end;
  for (const r of results) {
    if (r.start < start) start = r.start;
    if (r.end > end) end = r.end;
  }
  return Number(end - start) / 1e9;
}

/**
 * Share of the span during which all threads were inside their timed work at
 * once (0..1): near 1 means they really overlapped, near 0 that they ran one
 * after another. (Inside is not on a CPU: more threads than cores take turns.)
 */
export function overlapShare(results) {
  let lastStart = results[0].start;
  let firstEnd = results[0].end;
  for (const r of results) {
    if (r.start > lastStart) lastStart = r.start;
    if (r.end < firstEnd) firstEnd = r.end;
  }
  const together = Number(firstEnd - lastStart) / 1e9;
  return Math.max(0, together) / spanSeconds(results);
}

/**
 * How many operations per thread a slow peer can run within `budgetS`: `full`
 * when a short pilot run's rate says it fits, else fewer, rounded down to
 * `step`. The prediction doubles the pilot's estimate, since rates from a
 * short pilot run proved optimistic (up to 2× here) for the long one.
 * Returns `{ count, predictedS }` (predictedS for `full`).
 */
export function scaledCount(full, threads, pilotOpsPerSec, budgetS, step) {
  const predictedS = (2 * full * threads) / pilotOpsPerSec;
  if (predictedS <= budgetS) return { count: full, predictedS };
  const fits = (pilotOpsPerSec * budgetS) / 2 / threads;
  return { count: Math.max(step, Math.floor(fits / step) * step), predictedS };
}

/** Rejects with a HangError after `ms` unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs two workers of `url` (roles 0 and 1) with workerData `data` plus a
 * fresh control block (`ctl`), a `phase` word, their `role`, the CPU to pin
 * to (`cpus[role]`, if given) and, with `withPorts`, one end each of a
 * MessageChannel (`port`). Resolves with [role 0's result, role 1's result].
 */
export async function runPair(url, data, { cpus, timeoutMs, withPorts = false }) {
  const ctl = newControl();
  const common = { ...data, ctl, phase: new Int32Array(new SharedArrayBuffer(4)) };
  const ports = withPorts ? Object.values(new MessageChannel()) : [];
  const datas = [0, 1].map((role) => ({ ...common, role, cpu: cpus?.[role], ...(withPorts ? { port: ports[role] } : {}) }));
  const { results } = await runWorkers(url, ctl, datas, timeoutMs, withPorts ? [[ports[0]], [ports[1]]] : []);
  return [0, 1].map((role) => results.find((x) => x.role === role));
}

/**
 * Runs one worker thread per entry of `workerDatas` on the worker file `url`
 * (each gets `ctl` in its workerData and posts one result object with
 * `start`/`end`), starts them together and returns `{ results, seconds }`.
 * Terminates them and throws (HangError after `timeoutMs`) if any fails.
 * `transferLists[i]` (optional) is worker i's transferList (e.g. a MessagePort
 * inside its workerData).
 */
export async function runWorkers(url, ctl, workerDatas, timeoutMs, transferLists = []) {
  const workers = workerDatas.map((workerData, i) => new Worker(url, { workerData, transferList: transferLists[i] ?? [] }));
  const finished = Promise.all(
    workers.map(
      (worker, i) =>
        new Promise((resolve, reject) => {
          let result;
          worker.on('message', (message) => (result = message));
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (result !== undefined) resolve(result);
            else reject(new Error(`worker ${i} exited with code ${code} before reporting`));
          });
        }),
    ),
  );
  try {
    await startTogether(ctl, workers.length, timeoutMs, finished);
    const results = await withTimeout(finished, timeoutMs, `${workers.length} workers of ${url.pathname.split('/').pop()}`);
    return { results, seconds: spanSeconds(results) };
  } catch (err) {
    for (const worker of workers) worker.terminate();
    throw err;
  }
}

// ---------------------------------------------------------------------------
// Rows, the table and the JSON report.
//
// A row compares a shmkit figure with a peer figure in one unit:
//   unit 'ns/op' or 'µs/rt' (µs per round trip; both lower is better) or
//   'ops/s' (higher is better).
//   compare 'cost':  ratio = shmkit cost / peer cost; passes when ratio <= target.
//   compare 'speed': ratio = how many times faster shmkit is; passes when ratio >= target.
//   no target: the row is for information ('info').
// checks (correctness: counts, permits in use) must all hold, else 'FAIL'.
// A row whose measurement threw (hang, crash) is 'FAIL' with the error.

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus.length ? cpus[0].model : 'unknown',
    cores: os.availableParallelism(),
    logicalCpus: cpus.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadAvg: os.loadavg().map((x) => +x.toFixed(2)),
    shmkitFastPath: !/^(1|true|yes)$/i.test(process.env.SHMKIT_NO_FAST_PATH || ''),
    date: new Date().toISOString(),
  };
}

const LOWER_IS_BETTER = new Set(['ns/op', 'µs/rt']);

function ratioOf(row) {
  if (!(row.shmkit > 0) || !(row.peer > 0) || row.compare === undefined) return undefined;
  const shmkitFaster = LOWER_IS_BETTER.has(row.unit) ? row.peer / row.shmkit : row.shmkit / row.peer;
  return row.compare === 'speed' ? shmkitFaster : 1 / shmkitFaster;
}

/** Fills in `ratio` and `result` ('pass' | 'MISS' | 'FAIL' | 'ok' | 'info'). */
export function settle(row) {
  const ratio = ratioOf(row);
  const checks = row.checks ?? [];
  let result;
  if (row.error !== undefined || checks.some((c) => !c.ok)) result = 'FAIL';
  else if (row.target !== undefined && ratio !== undefined) {
    const met = row.compare === 'cost' ? ratio <= row.target : ratio >= row.target;
    result = met ? 'pass' : 'MISS';
  } else result = checks.length ? 'ok' : 'info';
  return { ...row, ratio, result };
}

/** A row for a measurement that threw: it keeps the row's identity and the error. */
export function failedRow(row, err) {
  return settle({ ...row, error: err instanceof HangError ? `HANG: ${err.message}` : String(err?.stack ?? err) });
}

function formatFigure(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return '—';
  if (unit === 'ns/op') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)} ms/op`;
    if (value >= 1e4) return `${(value / 1e3).toFixed(1)} µs/op`;
    return `${value.toFixed(1)} ns/op`;
  }
  if (unit === 'µs/rt') return `${value.toFixed(value >= 100 ? 0 : 2)} µs/rt`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M/s`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k/s`;
  return `${value.toFixed(0)} /s`;
}

function formatRatio(ratio, compare) {
  if (ratio === undefined) return '—';
  const digits = ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;
  return `${compare} ${ratio.toFixed(digits)}×`;
}

function formatTarget(row) {
  if (row.target === undefined) return row.checks?.length ? 'checks' : '—';
  return `${row.compare} ${row.compare === 'cost' ? '≤' : '≥'} ${row.target}×`;
}

const RESULT_MARK = { pass: 'pass', ok: 'ok', info: 'info', MISS: '✗ MISS', FAIL: '✗ FAIL' };

/** The report as text: machine line, table, then each row's notes and checks. */
export function formatTable(machine, rows) {
  const head = ['#', 'benchmark', 'shmkit', 'peer', 'ratio', 'target', 'result'];
  const body = rows.map((row, i) => [
    String(i + 1),
    row.name,
    formatFigure(row.shmkit, row.unit),
    formatFigure(row.peer, row.unit),
    formatRatio(row.ratio, row.compare),
    formatTarget(row),
    RESULT_MARK[row.result],
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((cells) => cells[c].length)));
  const right = new Set([2, 3, 4]);
  const line = (cells) =>
    cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const out = [];
  out.push(`shmkit benchmarks — ${machine.cpuModel}, ${machine.cores} cores — Node ${machine.node} — ${machine.platform} ${machine.arch}`);
  if (!machine.shmkitFastPath) out.push('NOTE: SHMKIT_NO_FAST_PATH is set: every shmkit operation goes through Rust.');
  out.push('ratio: "cost" = shmkit time / peer time (≤ target passes); "speed" = times faster than the peer (≥ target passes)');
  out.push('');
  out.push(line(head));
  out.push(line(widths.map((w) => '-'.repeat(w))));
  for (const cells of body) out.push(line(cells));
  out.push('');
  rows.forEach((row, i) => {
    const lines = [...(row.notes ?? [])];
    for (const c of row.checks ?? []) lines.push(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    if (row.error !== undefined) lines.push(`ERROR ${row.error}`);
    if (lines.length === 0) return;
    out.push(`${i + 1}. ${row.name} [${row.result}]`);
    for (const l of lines) out.push(`   ${l}`);
  });
  const missed = rows.filter((r) => r.result === 'MISS' || r.result === 'FAIL');
  out.push('');
  out.push(missed.length === 0 ? 'All targets met.' : `${missed.length} row(s) missed a target or failed a check: ${missed.map((r) => `#${rows.indexOf(r) + 1}`).join(', ')}`);
  return out.join('\n');
}

/** Writes the JSON report to `bench-results.json` at the repository root; returns its path. */
export function writeJson(machine, rows, extra = {}) {
  const path = fileURLToPath(new URL('../bench-results.json', import.meta.url));
  const report = { machine, ...extra, sink: sinkValue(), rows };
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}
