'use strict';
// shmkit: shared-memory tools for worker_threads. Each primitive lives in its
// own module under lib/; the kernels are in Rust under src/.

const errors = require('./lib/errors.js');
const { attach } = require('./lib/shared.js');
const { Mutex, MutexGuard } = require('./lib/mutex.js');
const { Semaphore } = require('./lib/semaphore.js');
const { Condvar } = require('./lib/condvar.js');
const { RwLock, RwLockReadGuard, RwLockWriteGuard } = require('./lib/rwlock.js');
const { Barrier } = require('./lib/barrier.js');
const { Latch } = require('./lib/latch.js');
const { RingBuffer } = require('./lib/ring.js');
const { Queue } = require('./lib/queue.js');
const { Channel, ChannelSender, ChannelReceiver } = require('./lib/channel.js');
const { BufferPool } = require('./lib/buffer-pool.js');
const { SlabPool, Block } = require('./lib/slab-pool.js');

module.exports = {
  Mutex,
  MutexGuard,
  Semaphore,
  Condvar,
  RwLock,
  RwLockReadGuard,
  RwLockWriteGuard,
  Barrier,
  Latch,
  RingBuffer,
  Queue,
  Channel,
  ChannelSender,
  ChannelReceiver,
  BufferPool,
  SlabPool,
  Block,
  attach,
  errors: {
    ShmkitError: errors.ShmkitError,
    TimeoutError: errors.TimeoutError,
    OwnerDiedError: errors.OwnerDiedError,
    DeadlockError: errors.DeadlockError,
    BadLayoutError: errors.BadLayoutError,
    NotSharedError: errors.NotSharedError,
    NotOwnerError: errors.NotOwnerError,
    TerminatedError: errors.TerminatedError,
    BarrierBrokenError: errors.BarrierBrokenError,
    ClosedError: errors.ClosedError,
    StaleBlockError: errors.StaleBlockError,
    BadValueError: errors.BadValueError,
  },
};
