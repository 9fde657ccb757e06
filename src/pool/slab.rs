//! SlabPool: fixed-size blocks of one SharedArrayBuffer whose ownership moves
//! between threads by id.
//!
//! A SlabPool is three shmkit objects back to back in one buffer (see
//! `lib/slab-pool.js`): this control object, a Queue of free block indices
//! (the lock-free free list, with its blocking and async waits), and the
//! blocks themselves. This module owns the control object:
//!
//! ```text
//! byte 0        16           20        24         64               64 + 8*blocks
//!      +--------+------------+---------+----------+----+----+----+----+---
//!      | header | block size | waiting | reserved | s0 | o0 | s1 | o1 | ...
//!      +--------+------------+---------+----------+----+----+----+----+---
//!      header parameter = blocks (1 ..= 2^22), immutable
//!
//! block size: bytes per block, a multiple of 8, immutable
//! waiting:    threads blocked or awaiting in acquire (inspection only)
//! s<i>:       block i's state word: generation << 2 | state
//!               state 0 FREE     in the free list, or being put there
//!               state 1 OWNED    owned by thread o<i>
//!               state 2 TRANSIT  handed off, waiting for an open()
//!             generation (30 bits) counts the block's acquisitions
//! o<i>:       the shmkit thread id of the thread changing or holding the
//!             block, 0 for nobody; it is the lock on s<i>
//! ```
//!
//! A block id is `generation * 2^22 + index`: exact in a JS number, and stale
//! as soon as the block is acquired again.
//!
//! Only the thread whose id is in `o<i>` changes `s<i>`. Taking a block (from
//! the free list or from a hand-off) is a CAS of `o<i>` from 0 to the caller,
//! then a CAS of `s<i>` from the expected generation and state; giving it up
//! (hand-off or free) checks both words, clears `o<i>`, then moves `s<i>`.
//! So a stale or forged id can never take a block, two openers of one id
//! cannot both win, and a block never has two owners. Nothing here touches
//! the blocks' bytes.

use std::sync::atomic::{AtomicI32, Ordering::*};

use napi::Result;
use napi_derive::napi;

use crate::error::*;
use crate::layout::STATE_WORD;
use crate::region::Region;
use crate::threads;

/// Byte offset of block 0's state word inside the control object.
#[napi]
pub const SLAB_BLOCKS_OFFSET: u32 = 64;
/// Largest number of blocks (block ids keep the index in 22 bits).
#[napi]
pub const SLAB_MAX_BLOCKS: u32 = 1 << 22;
/// `id = generation * SLAB_ID_SPAN + index`.
#[napi]
pub const SLAB_ID_SPAN: u32 = 1 << 22;

const FREE: i32 = 0;
const OWNED: i32 = 1;
const TRANSIT: i32 = 2;
const STATE_BITS: i32 = 3;
const GEN_MASK: u32 = (1 << 30) - 1;

/// The word holding the block size.
pub const BLOCK_SIZE_WORD: usize = STATE_WORD;
/// The word counting threads waiting in acquire.
pub const WAITING_WORD: usize = STATE_WORD + 1;

/// Block `index`'s state and owner words.
fn block(view: &Region, index: u32) -> Result<(&AtomicI32, &AtomicI32)> {
  let w = (SLAB_BLOCKS_OFFSET / 4) as usize + 2 * index as usize;
  Ok((view.word(w)?, view.word(w + 1)?))
}

fn pack(generation: u32, state: i32) -> i32 {
  (((generation & GEN_MASK) << 2) as i32) | state
}

fn generation_of(word: i32) -> u32 {
  (word as u32) >> 2
}

/// Whether `index` names a block of the pool in `view`.
fn in_range(view: &Region, index: u32) -> Result<bool> {
  Ok(index < view.header()?.param)
}

/// Takes block `index` (just popped from the free list) for the calling
/// thread. Returns its new generation (>= 0), or -NOT_OWNER when the block is
/// not free: the free list and the state words disagree, which only a
/// hostile write can cause.
#[napi]
pub fn slab_take(view: Region, index: u32) -> Result<i64> {
  if !in_range(&view, index)? {
    return Ok(-(STATUS_NOT_OWNER as i64));
  }
  let me = threads::current()? as i32;
  let (state, owner) = block(&view, index)?;
  if owner.compare_exchange(0, me, SeqCst, SeqCst).is_err() {
    return Ok(-(STATUS_NOT_OWNER as i64));
  }
  let seen = state.load(SeqCst);
  let generation = (generation_of(seen) + 1) & GEN_MASK;
  if seen & STATE_BITS != FREE
    || state
      .compare_exchange(seen, pack(generation, OWNED), SeqCst, SeqCst)
      .is_err()
  {
    owner.store(0, SeqCst);
    return Ok(-(STATUS_NOT_OWNER as i64));
  }
  Ok(generation as i64)
}

/// What a hand-over of block `index` at `generation` found instead of the
/// state it expected: STALE when the id no longer names this use of the
/// block (another generation, or free), NOT_OWNER when the block is in use
/// by someone else.
fn refusal(seen: i32, generation: u32) -> i32 {
  if generation_of(seen) != generation || seen & STATE_BITS == FREE {
    STATUS_STALE
  } else {
    STATUS_NOT_OWNER
  }
}

/// Gives up block `index` at `generation`, owned by the caller, moving it to
/// `to` (TRANSIT or FREE). OK, STALE or NOT_OWNER.
fn give_up(view: &Region, index: u32, generation: u32, to: i32) -> Result<i32> {
  if !in_range(view, index)? || generation > GEN_MASK {
    return Ok(STATUS_STALE);
  }
  let me = threads::current()? as i32;
  let (state, owner) = block(view, index)?;
  let expected = pack(generation, OWNED);
  let seen = state.load(SeqCst);
  if seen != expected {
    return Ok(refusal(seen, generation));
  }
  if owner.load(SeqCst) != me {
    return Ok(STATUS_NOT_OWNER);
  }
  // The caller holds `owner`, so `state` cannot change under it.
  owner.store(0, SeqCst);
  match state.compare_exchange(expected, pack(generation, to), SeqCst, SeqCst) {
    Ok(_) => Ok(STATUS_OK),
    Err(seen) => Ok(refusal(seen, generation)), // a hostile write
  }
}

/// Hands block `index` at `generation`, owned by the calling thread, off:
/// it belongs to nobody until some thread opens its id.
#[napi]
pub fn slab_handoff(view: Region, index: u32, generation: u32) -> Result<i32> {
  give_up(&view, index, generation, TRANSIT)
}

/// Gives block `index` at `generation`, owned by the calling thread, back:
/// the caller then pushes `index` onto the free list.
#[napi]
pub fn slab_free(view: Region, index: u32, generation: u32) -> Result<i32> {
  give_up(&view, index, generation, FREE)
}

/// Takes ownership of block `index` at `generation`, handed off by another
/// thread (or this one). OK, STALE (no such hand-off) or NOT_OWNER (another
/// thread opened it first).
#[napi]
pub fn slab_open(view: Region, index: u32, generation: u32) -> Result<i32> {
  if !in_range(&view, index)? || generation > GEN_MASK {
    return Ok(STATUS_STALE);
  }
  let me = threads::current()? as i32;
  let (state, owner) = block(&view, index)?;
  let expected = pack(generation, TRANSIT);
  let seen = state.load(SeqCst);
  if seen != expected {
    return Ok(refusal(seen, generation));
  }
  if owner.compare_exchange(0, me, SeqCst, SeqCst).is_err() {
    return Ok(STATUS_NOT_OWNER);
  }
  match state.compare_exchange(expected, pack(generation, OWNED), SeqCst, SeqCst) {
    Ok(_) => Ok(STATUS_OK),
    Err(seen) => {
      owner.store(0, SeqCst);
      Ok(refusal(seen, generation))
    }
  }
}

/// How many blocks are owned and how many are handed off, counted from the
/// state words (a snapshot). Returns `owned * 2^23 + transit`.
#[napi]
pub fn slab_census(view: Region) -> Result<f64> {
  let blocks = view.header()?.param.min(SLAB_MAX_BLOCKS);
  let (mut owned, mut transit) = (0u64, 0u64);
  for index in 0..blocks {
    match block(&view, index)?.0.load(Relaxed) & STATE_BITS {
      OWNED => owned += 1,
      TRANSIT => transit += 1,
      _ => {}
    }
  }
  Ok((owned * (1 << 23) + transit) as f64)
}
