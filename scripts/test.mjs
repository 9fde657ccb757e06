// `npm test`: the whole JS suite, twice — once with the inline JS fast paths,
// once with SHMKIT_NO_FAST_PATH=1 so every operation goes through Rust. The two
// paths run the same state machine and must give the same results.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(new URL('../__test__/', import.meta.url))
  .filter((f) => f.endsWith('.test.mjs'))
  .sort()
  .map((f) => `__test__/${f}`);
const extra = process.argv.slice(2);
// The same report on every Node line (20 and 22 write TAP when their output is
// not a terminal), unless a reporter is chosen here or in NODE_OPTIONS (Node
// refuses a second --test-reporter without a destination of its own).
const choosesReporter = (arg) => arg === '--test-reporter' || arg.startsWith('--test-reporter=');
const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/);
const reporter = [...extra, ...nodeOptions].some(choosesReporter) ? [] : ['--test-reporter=spec'];

let failed = false;
for (const [label, noFast] of [['with fast paths', ''], ['fast paths off (SHMKIT_NO_FAST_PATH=1)', '1']]) {
  console.log(`\n# shmkit tests, ${label}`);
  const env = { ...process.env, SHMKIT_NO_FAST_PATH: noFast };
  // Every wait in a test has its own bound; the per-test timeout is the backstop.
  const run = spawnSync(process.execPath, ['--test', '--test-timeout=120000', ...reporter, ...extra, ...files], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0) {
    failed = true;
    console.log(`# FAILED ${label} (exit ${run.status ?? run.signal})`);
  }
}
process.exit(failed ? 1 : 0);
