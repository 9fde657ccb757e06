//! The locks and coordination primitives, one module each. Every module starts
//! with the byte layout of its object and the meaning of each shared word.

pub mod barrier;
pub mod condvar;
pub mod latch;
pub mod mutex;
pub mod read_holds;
pub mod rwlock;
pub mod semaphore;
