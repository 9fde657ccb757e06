//! Creating, opening and inspecting any shmkit object (kind-independent).

use std::sync::atomic::Ordering;

use napi::{Error, Result, Status};
use napi_derive::napi;

use crate::layout::{
  kind_name, object_bytes, CHANNEL_RECV_LOCK, CHANNEL_SEND_LOCK, CREATION_WORD, KIND_CHANNEL,
  KIND_MUTEX, KIND_QUEUE, KIND_RWLOCK, LAYOUT_VERSION, MAGIC, MUTEX_BYTES, RING_DATA_OFFSET,
  STATE_WORD,
};
use crate::parking;
use crate::region::Region;

/// Writes a fresh object of `kind` into `view` (which must cover exactly the
/// object's bytes): zeroed state, `initial` in the first state word, `param`
/// and element type `elem` in the header. The magic word is written last, so a
/// concurrent opener sees either no object or a complete one.
#[napi(catch_unwind)]
pub fn create_object(view: Region, kind: u32, param: u32, elem: u32, initial: i32) -> Result<()> {
  let need = object_bytes(kind, param, elem).map_err(|e| Error::new(Status::InvalidArg, e))?;
  if view.bytes() < need as usize {
    return Err(Error::new(
      Status::InvalidArg,
      format!(
        "a {} needs {need} bytes, the view has {}",
        kind_name(kind),
        view.bytes()
      ),
    ));
  }
  view.word(0)?.store(0, Ordering::Relaxed);
  for i in 1..(need as usize / 4) {
    view.word(i)?.store(0, Ordering::Relaxed);
  }
  view.word(1)?.store(
    (LAYOUT_VERSION | (kind << 16) | (elem << 24)) as i32,
    Ordering::Relaxed,
  );
  view.word(2)?.store(need as i32, Ordering::Relaxed);
  view.word(3)?.store(param as i32, Ordering::Relaxed);
  view.word(STATE_WORD)?.store(initial, Ordering::Relaxed);
  if kind == KIND_QUEUE || kind == KIND_RWLOCK {
    view
      .word(CREATION_WORD as usize)?
      .store(crate::ring::ring_token(), Ordering::Relaxed);
  }
  if kind == KIND_QUEUE {
    // A Queue's slot stamps start as their own index (see lib/queue.js).
    let first = (RING_DATA_OFFSET / 4) as usize;
    for i in 0..param as usize {
      view.word(first + i)?.store(i as i32, Ordering::Relaxed);
    }
  }
  if kind == KIND_CHANNEL {
    // The senders' and receivers' locks are complete Mutex objects.
    for at in [CHANNEL_SEND_LOCK, CHANNEL_RECV_LOCK] {
      let w = (at / 4) as usize;
      view.word(w + 1)?.store(
        (LAYOUT_VERSION | (KIND_MUTEX << 16)) as i32,
        Ordering::Relaxed,
      );
      view
        .word(w + 2)?
        .store(MUTEX_BYTES as i32, Ordering::Relaxed);
      view.word(w)?.store(MAGIC as i32, Ordering::Release);
    }
  }
  view.word(0)?.store(MAGIC as i32, Ordering::Release);
  // Grants that a terminated thread never received are given back through
  // the next operation on their word's address; an object made anew in that
  // memory starts with nothing owed to it.
  let start = view.addr(0)?;
  parking::lock().forget_lost(start..start + need as usize);
  Ok(())
}

/// What [`check_object`] found: `problem` is `null` when the header is valid,
/// and `param` and `elem` are the values it validated (from the same read:
/// any thread can write the header, so values read before or after are not
/// known to be the ones checked).
#[napi(object)]
pub struct CheckedHeader {
  pub problem: Option<String>,
  pub param: u32,
  pub elem: u32,
}

/// Validates the header in `view` for an object of `kind`.
#[napi(catch_unwind)]
pub fn check_object(view: Region, kind: u32) -> Result<CheckedHeader> {
  checked(&view, kind, view.bytes())
}

/// Validates the header in `view` for an object of `kind`, all but whether
/// the object fits in `view`: for a view of the header alone, read to learn
/// the object's size, so that a header of another kind is named as such
/// instead of being measured with this kind's sizes.
#[napi(catch_unwind)]
pub fn check_header(view: Region, kind: u32) -> Result<CheckedHeader> {
  checked(&view, kind, usize::MAX)
}

/// One read of the header in `view`, validated for an object of `kind` in
/// `room` bytes.
fn checked(view: &Region, kind: u32, room: usize) -> Result<CheckedHeader> {
  let header = view.header()?;
  Ok(CheckedHeader {
    problem: header.validate(kind, room).err(),
    param: header.param,
    elem: header.elem,
  })
}

/// The byte size of an object of `kind` with `param` and element type `elem`
/// (throws when they are impossible).
#[napi(catch_unwind)]
pub fn object_byte_length(kind: u32, param: u32, elem: u32) -> Result<u32> {
  object_bytes(kind, param, elem).map_err(|e| Error::new(Status::InvalidArg, e))
}

/// A number naming the memory of the object in `view` in this process: the
/// same through every handle on that memory (every reopening, in any thread)
/// for as long as the memory lives, and different for any other live
/// object. JS keys per-thread bookkeeping by it (an RwLock's read holds).
#[napi(catch_unwind)]
pub fn object_key(view: Region) -> Result<f64> {
  // Objects start at multiples of OBJECT_ALIGN (8) bytes, and so does their
  // state word (byte 16): the address over 8 is exact as an f64 for every
  // address below 2^56, which covers user space even with 5-level paging.
  Ok((view.addr(STATE_WORD)? >> 3) as f64)
}

/// How many waiters are queued on the first state word of the object in
/// `view` (for inspection; the answer may be stale at once).
#[napi(catch_unwind)]
pub fn waiter_count(view: Region) -> Result<u32> {
  let addr = view.addr(STATE_WORD)?;
  Ok(parking::lock().len(addr) as u32)
}
