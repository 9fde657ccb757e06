//! The pools, one module each:
//!
//! * [`buffer`]: `BufferPool`, the bookkeeping for recycled, transferable
//!   (V8-allocated) ArrayBuffers of one thread.
//! * [`slab`]: `SlabPool`, ownership of fixed-size blocks of one
//!   SharedArrayBuffer, moved between threads by id.

pub mod buffer;
pub mod slab;
