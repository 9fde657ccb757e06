// `npm run bench`: runs every bench group once (or those named as arguments), prints one table comparing
// shmkit with its peers, and writes the same data to bench-results.json.
// Missed targets are reported, not fatal: the exit code is 0 unless the
// harness itself breaks.

import { machineInfo, formatTable, writeJson } from './harness.mjs';
import { shutdownPeers } from './peers.mjs';
import { mutexBenches } from './mutex.bench.mjs';
import { semaphoreBenches } from './semaphore.bench.mjs';
import { rwlockBenches } from './rwlock.bench.mjs';
import { condvarBenches } from './condvar.bench.mjs';
import { ringBenches } from './ring.bench.mjs';
import { queueBenches } from './queue.bench.mjs';
import { channelBenches } from './channel.bench.mjs';
import { poolBenches } from './pool.bench.mjs';

const allGroups = [
  ['mutex', mutexBenches],
  ['semaphore', semaphoreBenches],
  ['rwlock', rwlockBenches],
  ['condvar', condvarBenches],
  ['ring', ringBenches],
  ['queue', queueBenches],
  ['channel', channelBenches],
  ['pool', poolBenches],
];
// `npm run bench -- condvar rwlock` runs only the named groups.
const wanted = process.argv.slice(2);
const groups = wanted.length ? allGroups.filter(([name]) => wanted.includes(name)) : allGroups;
if (groups.length === 0) {
  console.error(`no such bench group: ${wanted.join(', ')} (groups: ${allGroups.map(([n]) => n).join(', ')})`);
  process.exit(2);
}

const machine = machineInfo();
console.log(`shmkit bench: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`);

const started = Date.now();
const rows = [];
for (const [name, run] of groups) {
  const t0 = Date.now();
  process.stdout.write(`running ${name} benches... `);
  for (const row of await run()) rows.push({ group: name, ...row });
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
await shutdownPeers();

const seconds = (Date.now() - started) / 1000;
console.log();
console.log(formatTable(machine, rows));
const path = writeJson(machine, rows, { totalSeconds: seconds });
console.log(`\nTotal ${seconds.toFixed(1)} s. JSON written to ${path}`);
