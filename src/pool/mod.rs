//! The pools, one module each:
//!
//! * [`buffer`]: `BufferPool`, the bookkeeping for recycled, transferable
//!   (V8-allocated) ArrayBuffers of one thread.
//! * [`slab`]: `SlabPool`, ownership of fixed-size blocks of one
//!   SharedArrayBuffer, moved between threads by id.
//! * [`free_list`]: a SlabPool's free list (a Queue of block indices), popped
//!   and pushed in the same native call as the block's change of state.

pub mod buffer;
pub mod free_list;
pub mod slab;
