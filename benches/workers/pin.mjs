// Pins the calling thread to one CPU (Linux `taskset -p -c`), as
// workers/pingpong.mjs does for the condvar rows. Returns the thread's allowed
// CPU list afterwards (e.g. "1"), or why pinning failed; undefined when `cpu`
// is undefined (not asked to pin).

import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';

export function pinThisThread(cpu) {
  if (cpu === undefined || cpu === null) return undefined;
  try {
    const tid = readlinkSync('/proc/thread-self').split('/').pop();
    execFileSync('taskset', ['-p', '-c', String(cpu), tid], { stdio: 'ignore' });
    return readFileSync('/proc/thread-self/status', 'utf8').match(/^Cpus_allowed_list:\s*(\S+)/m)[1];
  } catch (err) {
    return `not pinned (${err.code ?? err.message})`;
  }
}

/** This thread's context switches so far, [voluntary, involuntary] (Linux; undefined elsewhere). */
export function contextSwitches() {
  try {
    const status = readFileSync('/proc/thread-self/status', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(status)[1]);
    return [field('voluntary_ctxt_switches'), field('nonvoluntary_ctxt_switches')];
  } catch {
    return undefined;
  }
}

/**
 * A two-thread barrier on `phase` (an Int32Array(1) both threads share): the
 * k-th call returns once both threads have made their k-th call.
 */
export function makeBarrier(phase) {
  let calls = 0;
  return function barrier() {
    calls++;
    Atomics.add(phase, 0, 1);
    Atomics.notify(phase, 0);
    for (;;) {
      const seen = Atomics.load(phase, 0);
      if (seen >= 2 * calls) return;
      Atomics.wait(phase, 0, seen);
    }
  };
}
