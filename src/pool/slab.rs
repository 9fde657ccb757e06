//! SlabPool: fixed-size blocks of one SharedArrayBuffer whose ownership moves
//! between threads by id.
//!
//! A SlabPool is three shmkit objects back to back in one buffer (see
//! `lib/slab-pool.js`): this control object, a Queue of free block indices
//! (the lock-free free list, with its blocking and async waits), and the
//! blocks themselves. This module owns the control object:
//!
//! ```text
//! byte 0        16           20                    64               64 + 8*blocks
//!      +--------+------------+---------------------+----+----+----+----+---
//!      | header | block size | reserved            | s0 | o0 | s1 | o1 | ...
//!      +--------+------------+---------------------+----+----+----+----+---
//!      header parameter = blocks (1 ..= 2^22), immutable
//!
//! block size: bytes per block, a multiple of 8, immutable
//! reserved:   word 5 (byte 20) the count of thread exits the last reclaim
//!             saw (see `slab_reclaim`); the rest 0
//! s<i>:       block i's state word: generation << 2 | state
//!               state 0 FREE     in the free list, or being put there
//!               state 1 OWNED    owned by thread o<i>
//!               state 2 TRANSIT  handed off, waiting for an open()
//!             generation (30 bits) counts the block's acquisitions and
//!             hand-offs
//! o<i>:       the shmkit thread id of the thread changing or holding the
//!             block, 0 for nobody; it is the lock on s<i>
//! ```
//!
//! A block id is `generation * 2^22 + index`: exact in a JS number. The
//! generation moves on every acquire and every hand-off, so an id names one
//! hand-off (or one ownership) and is stale as soon as it has been used.
//!
//! Only the thread whose id is in `o<i>` changes `s<i>`, with one exception:
//! a block in transit belongs to nobody (`o<i>` is 0). Taking a free block is
//! a CAS of `o<i>` from 0 to the caller, then a CAS of `s<i>` from the
//! expected generation and state; opening a hand-off is a CAS of `s<i>` from
//! TRANSIT to OWNED at the hand-off's generation, after which the one winner
//! writes its id into `o<i>` (losers never touch `o<i>`); giving a block up
//! (hand-off or free) checks both words, clears `o<i>`, then moves `s<i>`.
//! So a stale or forged id can never take a block, two openers of one id
//! cannot both win, and a block never has two owners. Nothing here touches
//! the blocks' bytes.
//!
//! A block owned by a thread that has exited is reclaimed the same way: the
//! reclaimer CASes `o<i>` from the dead thread's id to its own, then `s<i>`
//! from OWNED to FREE (thread ids are never reused, and a live thread's id
//! is never taken for a dead one's). A block handed off to nobody in
//! particular (TRANSIT) cannot be told from one still on its way, and stays.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering::*};
use std::time::{Duration, Instant};

use napi::Result;
use napi_derive::napi;

use crate::error::*;
use crate::layout::STATE_WORD;
use crate::parking;
use crate::pool::free_list::FreeList;
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
/// Bound on waiting out a transient holder of a free block's owner word.
const TAKE_TRIES: u32 = 1 << 16;

/// The word holding the block size.
pub const BLOCK_SIZE_WORD: usize = STATE_WORD;
/// The word holding the thread-exit count the last reclaim saw.
const RECLAIMED_AT_WORD: usize = STATE_WORD + 1;

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

/// How many blocks the pool in `view` has: the header's count, which any
/// thread could overwrite, bounded by what the region holds and by the id
/// format. A forged count then changes answers, never the words touched.
fn block_count(view: &Region) -> Result<u32> {
  let room = view
    .words()
    .saturating_sub((SLAB_BLOCKS_OFFSET / 4) as usize)
    / 2;
  let room = u32::try_from(room).unwrap_or(u32::MAX);
  Ok(view.header()?.param.min(SLAB_MAX_BLOCKS).min(room))
}

/// Whether `index` names a block of the pool in `view`.
fn in_range(view: &Region, index: u32) -> Result<bool> {
  Ok(index < block_count(view)?)
}

/// One block's two shared words (see the module documentation).
pub struct BlockWords<'a> {
  pub state: &'a AtomicI32,
  pub owner: &'a AtomicI32,
}

impl BlockWords<'_> {
  /// Takes the block, free in the free list's view, for thread `me`: its new
  /// generation, or `None` when the words say it is not free. Another thread
  /// holding a free block's owner word for an instant (only a `take` of an
  /// index that a hostile write put in the free list twice can) is waited
  /// out, bounded, before the block is called corrupted.
  pub fn take(&self, me: i32) -> Option<u32> {
    let mut tries = 0;
    while self.owner.compare_exchange(0, me, SeqCst, SeqCst).is_err() {
      tries += 1;
      if tries > TAKE_TRIES || self.state.load(SeqCst) & STATE_BITS != FREE {
        return None;
      }
      if tries % 64 == 0 {
        std::thread::yield_now();
      } else {
        std::hint::spin_loop();
      }
    }
    let seen = self.state.load(SeqCst);
    let generation = (generation_of(seen) + 1) & GEN_MASK;
    if seen & STATE_BITS != FREE
      || self
        .state
        .compare_exchange(seen, pack(generation, OWNED), SeqCst, SeqCst)
        .is_err()
    {
      // Back out only if the word is still ours: an opener of a block in
      // transit (which a hostile write also put in the free list) writes its
      // id here after winning on the state word.
      let _ = self.owner.compare_exchange(me, 0, SeqCst, SeqCst);
      return None;
    }
    Some(generation)
  }

  /// Thread `me` hands off the block it owns at `generation`: the hand-off
  /// gets a generation of its own, so that each hand-off has a fresh id and
  /// an id already opened can never open a later one. Returns that
  /// generation, or the refusal (STALE or NOT_OWNER).
  pub fn hand_off(&self, me: i32, generation: u32) -> std::result::Result<u32, i32> {
    let next = generation.wrapping_add(1) & GEN_MASK; // (a generation past GEN_MASK is refused below)
    match self.give_up_to(me, generation, pack(next, TRANSIT)) {
      STATUS_OK => Ok(next),
      refused => Err(refused),
    }
  }

  /// Thread `me` gives the block it owns at `generation` back (the caller
  /// then pushes it onto the free list). OK, STALE or NOT_OWNER.
  pub fn free(&self, me: i32, generation: u32) -> i32 {
    self.give_up_to(me, generation, pack(generation, FREE))
  }

  /// Thread `me` gives up the block it owns at `generation`, storing `to`
  /// in its state word. OK, STALE or NOT_OWNER.
  fn give_up_to(&self, me: i32, generation: u32, to: i32) -> i32 {
    let expected = pack(generation, OWNED);
    let seen = self.state.load(SeqCst);
    if generation > GEN_MASK || seen != expected {
      return refusal(seen, generation);
    }
    if self.owner.load(SeqCst) != me {
      return STATUS_NOT_OWNER;
    }
    // The caller holds `owner`, so `state` cannot change under it.
    self.owner.store(0, SeqCst);
    match self.state.compare_exchange(expected, to, SeqCst, SeqCst) {
      Ok(_) => STATUS_OK,
      Err(seen) => refusal(seen, generation), // a hostile write
    }
  }

  /// Thread `me` takes the block that the exited thread `dead` owns and
  /// frees it (the caller then pushes it onto the free list). False when
  /// `dead` does not own it (any more).
  pub fn reclaim(&self, me: i32, dead: i32) -> bool {
    if self
      .owner
      .compare_exchange(dead, me, SeqCst, SeqCst)
      .is_err()
    {
      return false;
    }
    // Holding the owner word, nobody else changes the state word; read it
    // now (a value read before the swap may be from before another lap of
    // the block: released, taken again by `dead`, at a new generation).
    let seen = self.state.load(SeqCst);
    if seen & STATE_BITS != OWNED {
      self.owner.store(dead, SeqCst); // not an owned block: leave it as found
      return false;
    }
    let freed = self
      .state
      .compare_exchange(seen, pack(generation_of(seen), FREE), SeqCst, SeqCst)
      .is_ok();
    self.owner.store(if freed { 0 } else { dead }, SeqCst);
    freed
  }

  /// Thread `me` takes the block handed off at `generation`. OK, STALE (no
  /// such hand-off) or NOT_OWNER (opened already, or not handed off).
  ///
  /// The winner is decided on the state word alone, and only the winner
  /// writes the owner word (it is 0 while the block is in transit: the
  /// hand-off cleared it). A loser that was slow to look therefore never
  /// holds the owner word, not even for an instant, so it cannot make a
  /// later, valid open of the same block fail or a reclaim skip it.
  pub fn open(&self, me: i32, generation: u32) -> i32 {
    if generation > GEN_MASK {
      return refusal(self.state.load(SeqCst), generation);
    }
    match self.state.compare_exchange(
      pack(generation, TRANSIT),
      pack(generation, OWNED),
      SeqCst,
      SeqCst,
    ) {
      Ok(_) => {
        self.owner.store(me, SeqCst);
        STATUS_OK
      }
      Err(seen) => refusal(seen, generation),
    }
  }
}

/// What a hand-over at `generation` found instead of the state it expected:
/// STALE when the id no longer names this use of the block (another
/// generation, or free), NOT_OWNER when the block is in use by someone else.
fn refusal(seen: i32, generation: u32) -> i32 {
  if generation_of(seen) != generation || seen & STATE_BITS == FREE {
    STATUS_STALE
  } else {
    STATUS_NOT_OWNER
  }
}

/// Block `index`'s words in `view`, or `None` when it names no block.
fn words_of(view: &Region, index: u32) -> Result<Option<BlockWords<'_>>> {
  if !in_range(view, index)? {
    return Ok(None);
  }
  let (state, owner) = block(view, index)?;
  Ok(Some(BlockWords { state, owner }))
}

/// Pops a free block from the free list (`list`, an Int32Array over the
/// pool's Queue of `capacity`) and takes it for the calling thread, in one call (see
/// [`crate::pool::free_list`]). Returns its id, `generation * 2^22 + index`
/// (>= 0); -WOULD_BLOCK when none is free; -NOT_OWNER when the list named a
/// block that is not free (its index is then dropped: only a hostile write
/// can cause that).
#[napi(catch_unwind)]
pub fn slab_acquire(view: Region, list: Region, capacity: u32) -> Result<i64> {
  let me = threads::current()? as i32;
  block_count(&view)?; // a bad view fails before the pop, which would lose the index
  let Some(index) = FreeList::open(&list, capacity)?.pop()? else {
    return Ok(-(STATUS_WOULD_BLOCK as i64));
  };
  let taken = match u32::try_from(index) {
    Ok(index) => words_of(&view, index)?.and_then(|w| w.take(me)),
    Err(_) => None, // a negative index: not a block
  };
  Ok(match taken {
    Some(generation) => generation as i64 * SLAB_ID_SPAN as i64 + index as i64,
    None => -(STATUS_NOT_OWNER as i64),
  })
}

/// Hands block `index` at `generation`, owned by the calling thread, off:
/// it belongs to nobody until some thread opens it. Returns the hand-off's
/// generation (>= 0; the id to send is made of it), or a refusal negated.
#[napi(catch_unwind)]
pub fn slab_handoff(view: Region, index: u32, generation: u32) -> Result<i64> {
  let me = threads::current()? as i32;
  Ok(
    match words_of(&view, index)?.map(|w| w.hand_off(me, generation)) {
      Some(Ok(next)) => next as i64,
      Some(Err(refused)) => -(refused as i64),
      None => -(STATUS_STALE as i64),
    },
  )
}

/// Gives block `index` at `generation`, owned by the calling thread, back
/// and pushes it onto the free list (`list`), in one call. OK, STALE or
/// NOT_OWNER; BAD_LAYOUT when the list stayed full (see [`put_back`]).
#[napi(catch_unwind)]
pub fn slab_release(
  view: Region,
  list: Region,
  capacity: u32,
  index: u32,
  generation: u32,
) -> Result<i32> {
  let me = threads::current()? as i32;
  let list = FreeList::open(&list, capacity)?; // a bad list fails before the block is freed
  let status = words_of(&view, index)?.map_or(STATUS_STALE, |w| w.free(me, generation));
  if status != STATUS_OK {
    return Ok(status);
  }
  put_back(&list, index)
}

/// How long a push waits out a free list that looks full (see [`put_back`]).
const FREE_LIST_PATIENCE: Duration = Duration::from_secs(1);

/// Pushes free block `index` onto the free list: OK, or BAD_LAYOUT when the
/// list stayed full. It has room for every block, but a push can find it
/// "full" while a thread popping its oldest index is paused between claiming
/// the slot and clearing it (a preempted worker, with more threads than
/// cores): wait that out, in naps, for a while.
fn put_back(list: &FreeList, index: u32) -> Result<i32> {
  let since = Instant::now();
  let mut nap = Duration::from_micros(100);
  loop {
    if list.push(index as i32)? {
      return Ok(STATUS_OK);
    }
    if since.elapsed() >= FREE_LIST_PATIENCE {
      return Ok(STATUS_BAD_LAYOUT);
    }
    std::thread::sleep(nap);
    nap = (nap * 2).min(Duration::from_millis(50));
  }
}

/// Takes ownership of block `index` at `generation`, handed off by another
/// thread (or this one). OK, STALE (no such hand-off) or NOT_OWNER (another
/// thread opened it first).
#[napi(catch_unwind)]
pub fn slab_open(view: Region, index: u32, generation: u32) -> Result<i32> {
  let me = threads::current()? as i32;
  Ok(words_of(&view, index)?.map_or(STATUS_STALE, |w| w.open(me, generation)))
}

/// Frees the blocks owned by threads that have exited and pushes them onto
/// the free list (`list`); returns how many, or -BAD_LAYOUT when the list
/// stayed full. It scans the blocks only when a thread has exited since the
/// pool's last reclaim (any pool's thread: the count is process-wide), so
/// calling it often costs an atomic load and a swap.
#[napi(catch_unwind)]
pub fn slab_reclaim(view: Region, list: Region, capacity: u32) -> Result<i32> {
  let list = FreeList::open(&list, capacity)?;
  let freed = reclaimed(&view)?;
  for &index in &freed {
    let status = put_back(&list, index)?;
    if status != STATUS_OK {
      return Ok(-status);
    }
  }
  Ok(freed.len() as i32)
}

/// Frees the blocks owned by threads that have exited; returns their indices.
fn reclaimed(view: &Region) -> Result<Vec<u32>> {
  let me = threads::current()? as i32;
  let exits = parking::exits() as i32;
  if view.word(RECLAIMED_AT_WORD)?.swap(exits, SeqCst) == exits {
    return Ok(Vec::new());
  }
  let blocks = block_count(view)?;
  // Whether each owner seen has exited, asked once per owner: "not yet" may
  // be out of date by the end (that block waits for the next reclaim, which
  // its exit triggers), "exited" never is (ids are not reused). An id that
  // no thread ever had (a forged owner word) never counts as exited.
  let mut exited: HashMap<i32, bool> = HashMap::new();
  let mut freed = Vec::new();
  for index in 0..blocks {
    let (state, owner) = block(view, index)?;
    let seen = state.load(SeqCst);
    if seen & STATE_BITS != OWNED {
      continue;
    }
    let holder = owner.load(SeqCst);
    if holder == 0 || holder == me {
      continue;
    }
    let dead = *exited
      .entry(holder)
      .or_insert_with(|| holder > 0 && parking::lock().has_exited(holder as u32));
    if dead && (BlockWords { state, owner }).reclaim(me, holder) {
      freed.push(index);
    }
  }
  Ok(freed)
}

/// How many blocks are owned and how many are handed off, counted from the
/// state words (a snapshot). Returns `owned * 2^23 + transit`.
#[napi(catch_unwind)]
pub fn slab_census(view: Region) -> Result<f64> {
  let blocks = block_count(&view)?;
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

/// True when every block is owned by the calling thread: none is free, on
/// its way to the free list or handed off. A blocking acquire in that state
/// would wait for itself (only this thread, or its exit, can give one back).
///
/// A block read as this thread's stays so (only this thread changes it, and
/// it is in this call), so a true answer holds at the end of the scan, not
/// only block by block. `o<i>` is this thread's id only while it owns the
/// block: a hand-off and a free clear it before they move `s<i>`.
#[napi(catch_unwind)]
pub fn slab_all_mine(view: Region) -> Result<bool> {
  let me = threads::current()? as i32;
  for index in 0..block_count(&view)? {
    let (state, owner) = block(&view, index)?;
    if state.load(SeqCst) & STATE_BITS != OWNED || owner.load(SeqCst) != me {
      return Ok(false);
    }
  }
  Ok(true)
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::sync::atomic::AtomicU64;
  use std::sync::{mpsc, Arc};

  fn words() -> (AtomicI32, AtomicI32) {
    (AtomicI32::new(0), AtomicI32::new(0))
  }

  #[test]
  fn a_block_goes_round_and_every_used_id_goes_stale() {
    let (state, owner) = words();
    let b = BlockWords {
      state: &state,
      owner: &owner,
    };
    let g = b.take(1).unwrap();
    assert_eq!(b.take(2), None, "owned: not free");
    assert_eq!(b.open(2, g), STATUS_NOT_OWNER, "not handed off");
    assert_eq!(b.hand_off(2, g), Err(STATUS_NOT_OWNER), "not the owner");
    assert_eq!(
      b.hand_off(1, g + 1),
      Err(STATUS_STALE),
      "another generation"
    );
    let h = b.hand_off(1, g).unwrap();
    assert_ne!(h, g, "a hand-off has an id of its own");
    assert_eq!(b.free(1, g), STATUS_STALE, "handed off already");
    assert_eq!(
      b.open(2, g),
      STATUS_STALE,
      "the owner's id does not open the hand-off"
    );
    assert_eq!(b.open(2, h + 5), STATUS_STALE, "a forged generation");
    assert_eq!(
      b.open(2, GEN_MASK + 1),
      STATUS_STALE,
      "an impossible generation"
    );
    assert_eq!(b.open(2, h), STATUS_OK);
    assert_eq!(b.open(3, h), STATUS_NOT_OWNER, "opened already");
    let h2 = b.hand_off(2, h).unwrap();
    assert_eq!(
      b.open(3, h),
      STATUS_STALE,
      "an opened hand-off's id never opens the next one"
    );
    assert_eq!(b.open(3, h2), STATUS_OK);
    assert_eq!(b.free(3, h2), STATUS_OK);
    assert_eq!(b.free(3, h2), STATUS_STALE, "a double release");
    assert_eq!(b.open(1, h2), STATUS_STALE, "released");
    let g2 = b.take(4).unwrap();
    assert_eq!(g2, h2 + 1);
  }

  #[test]
  fn a_dead_owners_block_is_reclaimed_once_and_only_from_that_owner() {
    let (state, owner) = words();
    let b = BlockWords {
      state: &state,
      owner: &owner,
    };
    let g = b.take(7).unwrap();
    assert!(!b.reclaim(9, 8), "8 is not the owner");
    // An owner word naming 7 on a block that is not owned: left as found.
    state.store(pack(g, TRANSIT), SeqCst);
    assert!(!b.reclaim(9, 7));
    assert_eq!(owner.load(SeqCst), 7);
    state.store(pack(g, OWNED), SeqCst);
    assert!(b.reclaim(9, 7));
    assert_eq!(state.load(SeqCst), pack(g, FREE));
    assert_eq!(owner.load(SeqCst), 0);
    assert!(!b.reclaim(9, 7), "once");
    assert_eq!(b.free(7, g), STATUS_STALE, "the dead owner's id is stale");
    assert_eq!(b.take(9), Some(g + 1), "free again, for anyone");
  }

  #[test]
  fn a_transient_owner_word_is_waited_out_not_taken_for_corruption() {
    let (state, owner) = words();
    owner.store(9, SeqCst); // another take of the same index, backing out
    std::thread::scope(|s| {
      s.spawn(|| {
        std::thread::sleep(std::time::Duration::from_micros(200));
        owner.store(0, SeqCst);
      });
      let b = BlockWords {
        state: &state,
        owner: &owner,
      };
      assert_eq!(b.take(1), Some(1));
    });
  }

  #[test]
  fn racing_openers_of_one_hand_off_never_both_win() {
    for _ in 0..200 {
      let (state, owner) = words();
      let b = BlockWords {
        state: &state,
        owner: &owner,
      };
      let g = b.take(1).unwrap();
      let h = b.hand_off(1, g).unwrap();
      let winners = AtomicU64::new(0);
      std::thread::scope(|s| {
        for me in 2..6 {
          let (state, owner, winners) = (&state, &owner, &winners);
          s.spawn(move || {
            let b = BlockWords { state, owner };
            if b.open(me, h) == STATUS_OK {
              winners.fetch_add(1, Relaxed);
            }
          });
        }
      });
      assert_eq!(winners.load(Relaxed), 1);
    }
  }

  #[test]
  fn a_late_loser_never_makes_a_valid_open_fail() {
    // Three threads chase one block: each reads the current hand-off's id,
    // tries to open it, and the winner hands it straight off again. A
    // refusal is right only if the id was no longer in transit: the state
    // word must have left TRANSIT at that generation (it never comes back to
    // it, the generation moves on). A refusal that finds the block still in
    // transit at that id was wrong: an opener that looked late held the
    // owner word for an instant (the first version of `open` did).
    let (state, owner) = words();
    let b = BlockWords {
      state: &state,
      owner: &owner,
    };
    let g = b.take(1).unwrap();
    let current = AtomicU64::new(u64::from(b.hand_off(1, g).unwrap()));
    let (wins, wrong) = (AtomicU64::new(0), AtomicU64::new(0));
    std::thread::scope(|s| {
      for me in 2..5 {
        let (state, owner, current, wins, wrong) = (&state, &owner, &current, &wins, &wrong);
        s.spawn(move || {
          let b = BlockWords { state, owner };
          while wins.load(Relaxed) < 100_000 {
            let id = current.load(SeqCst) as u32;
            if b.open(me, id) == STATUS_OK {
              let next = b.hand_off(me, id).expect("the winner owns it");
              current.store(u64::from(next), SeqCst);
              wins.fetch_add(1, Relaxed);
            } else if state.load(SeqCst) == pack(id, TRANSIT) {
              wrong.fetch_add(1, Relaxed);
            }
          }
        });
      }
    });
    assert_eq!(wrong.load(Relaxed), 0, "valid opens refused");
  }

  #[test]
  fn ownership_passes_between_threads_one_owner_at_a_time() {
    // Four threads in a ring pass one block on by id; each checks that it
    // alone holds it while it owns it. 40,000 hand-offs in all.
    const ROUNDS: u32 = 10_000;
    let cell = Arc::new((AtomicI32::new(0), AtomicI32::new(0), AtomicI32::new(0)));
    let channels: Vec<_> = (0..4).map(|_| mpsc::channel::<u32>()).collect();
    let (senders, receivers): (Vec<_>, Vec<_>) = channels.into_iter().unzip();
    {
      let (state, owner, _) = &*cell;
      let b = BlockWords { state, owner };
      let g = b.take(100).unwrap();
      senders[0].send(b.hand_off(100, g).unwrap()).unwrap();
    }
    let mut handles = Vec::new();
    for (i, inbox) in receivers.into_iter().enumerate() {
      let next = senders[(i + 1) % 4].clone();
      let cell = cell.clone();
      handles.push(std::thread::spawn(move || {
        let me = i as i32 + 1;
        let (state, owner, holder) = &*cell;
        let b = BlockWords { state, owner };
        for _ in 0..ROUNDS {
          let g = inbox.recv().unwrap();
          assert_eq!(b.open(me, g), STATUS_OK);
          assert_eq!(holder.swap(me, SeqCst), 0, "a second owner");
          assert_eq!(holder.swap(0, SeqCst), me);
          assert_eq!(b.open(me, g), STATUS_NOT_OWNER, "the id is used up");
          let h = b.hand_off(me, g).unwrap();
          let _ = next.send(h); // the last one has no reader left
        }
      }));
    }
    drop(senders);
    for h in handles {
      parking::joined(h);
    }
  }
}
