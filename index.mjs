// ESM entry: the same module instance as require('shmkit').
import shmkit from './index.js';

export const {
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
  errors,
} = shmkit;
export default shmkit;
