// RwLock benchmarks: the uncontended read lock against the raw JS reader-count
// pair a JS rwlock would do, plus write() and withRead(fn) for information.

import { RwLock } from '../index.mjs';
import { timeOps, settle } from './harness.mjs';

const fmt = (n) => n.toLocaleString('en-US');

/** The uncontended shmkit loops and their raw references, each `run(n)` doing n lock/unlock pairs. */
function runs() {
  const rawReaders = new Int32Array(new SharedArrayBuffer(4));
  const rawLock = new Int32Array(new SharedArrayBuffer(4));
  const rwlock = new RwLock();
  // The critical section for the withRead rows: the same function for both sides.
  const cell = new Int32Array(1);
  const work = () => {
    cell[0]++;
  };
  // The raw reader pair: load + CAS s -> s+1 to enter, load + CAS s -> s-1 to
  // leave. The throw stands in for the "a writer holds it" branch (a flag bit
  // in a real rwlock) and the retry every CAS loop has.
  const rawEnter = () => {
    const s = Atomics.load(rawReaders, 0);
    if (s < 0 || Atomics.compareExchange(rawReaders, 0, s, s + 1) !== s) throw new Error('raw rwlock busy');
  };
  const rawLeave = () => {
    const s = Atomics.load(rawReaders, 0);
    if (s <= 0 || Atomics.compareExchange(rawReaders, 0, s, s - 1) !== s) throw new Error('raw rwlock busy');
  };
  return {
    rawRead(n) {
      for (let i = 0; i < n; i++) {
        rawEnter();
        rawLeave();
      }
      return n;
    },
    // The same raw pair around work(), with the try/finally withRead needs.
    rawReadAroundFn(n) {
      for (let i = 0; i < n; i++) {
        rawEnter();
        try {
          work();
        } finally {
          rawLeave();
        }
      }
      return cell[0];
    },
    // Raw CAS lock pair (0 -> 1, 1 -> 0), what a writer needs.
    rawWrite(n) {
      for (let i = 0; i < n; i++) {
        if (Atomics.compareExchange(rawLock, 0, 0, 1) !== 0) throw new Error('raw lock busy');
        Atomics.compareExchange(rawLock, 0, 1, 0);
      }
      return n;
    },
    read(n) {
      for (let i = 0; i < n; i++) {
        const guard = rwlock.read();
        guard.unlock();
      }
      return n;
    },
    write(n) {
      for (let i = 0; i < n; i++) {
        const guard = rwlock.write();
        guard.unlock();
      }
      return n;
    },
    withRead(n) {
      for (let i = 0; i < n; i++) rwlock.withRead(work);
      return cell[0];
    },
  };
}

/** Runs the RwLock group; returns its settled rows. */
export async function rwlockBenches() {
  const t = await timeOps(runs());
  const fig = ({ nsPerOp, medianNsPerOp, iterations }) => ({ nsPerOp, medianNsPerOp, iterations });
  const perRound = `best of ${t.read.rounds} rounds, interleaved`;
  return [
    settle({
      id: 'rwlock.read-unlock.vs-raw',
      name: 'rwlock.read() + guard.unlock(), uncontended, vs raw reader-count CAS pair',
      unit: 'ns/op',
      shmkit: t.read.nsPerOp,
      peer: t.rawRead.nsPerOp,
      compare: 'cost',
      target: 2,
      notes: [
        `raw pair: Atomics.load + Atomics.compareExchange(i32, 0, s, s + 1), then Atomics.load + Atomics.compareExchange(i32, 0, s, s - 1) on an Int32Array over a SharedArrayBuffer; ${perRound}, ${fmt(t.read.iterations)} / ${fmt(t.rawRead.iterations)} ops per round.`,
      ],
      details: { shmkit: fig(t.read), peer: fig(t.rawRead) },
    }),
    settle({
      id: 'rwlock.write-unlock.vs-raw',
      name: 'rwlock.write() + guard.unlock(), uncontended, vs raw CAS lock pair',
      unit: 'ns/op',
      shmkit: t.write.nsPerOp,
      peer: t.rawWrite.nsPerOp,
      compare: 'cost',
      notes: [`For information. raw pair: CAS 0 -> 1, CAS 1 -> 0 (as in the mutex rows); ${perRound}.`],
      details: { shmkit: fig(t.write), peer: fig(t.rawWrite) },
    }),
    settle({
      id: 'rwlock.withRead.vs-raw',
      name: 'rwlock.withRead(fn), uncontended, vs raw reader pair around fn',
      unit: 'ns/op',
      shmkit: t.withRead.nsPerOp,
      peer: t.rawReadAroundFn.nsPerOp,
      compare: 'cost',
      notes: [`For information. fn = () => { cell[0]++ } on a plain Int32Array, for both; the raw pair leaves in a finally, as withRead must. ${perRound}.`],
      details: { shmkit: fig(t.withRead), peer: fig(t.rawReadAroundFn) },
    }),
  ];
}
