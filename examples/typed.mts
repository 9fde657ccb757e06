// ESM consumer through the package name (package.json "exports").
import shmkit, { Mutex, MutexGuard, Semaphore, attach, errors } from 'shmkit';
import type { Shared } from 'shmkit';

const m = new shmkit.Mutex();
const same: typeof Mutex = shmkit.Mutex;
const g: MutexGuard = m.lock();
g.unlock();
const s = new Semaphore(2, { max: 2 });
await s.acquireAsync(2);
s.release(2);
const sh: Shared<'Semaphore'> = s;
const back = attach({ sh: structuredClone(sh) });
const live: Semaphore = back.sh;
const err = new errors.NotSharedError('x');
{
  using guard = await m.lockAsync({ timeout: 100 });
  console.log('esm', guard.locked, m.isLocked, live.available, err.code, typeof shmkit.attach, same === Mutex);
}
console.log('esm after using', m.isLocked);
