//! The shared-object header: the one source of truth for how every shmkit
//! object is laid out in a `SharedArrayBuffer`.
//!
//! Every object starts with a 16-byte header, written once by its creator and
//! validated by every thread that opens it:
//!
//! ```text
//! byte  0       4       6     7     8              12             16
//!       +-------+-------+-----+-----+--------------+--------------+---- state words ...
//!       | magic | vers. |kind |elem | byte length  | parameter    |
//!       | "SHMK"|  u16  | u8  | u8  | u32          | u32          |
//!       +-------+-------+-----+-----+--------------+--------------+----
//! ```
//!
//! * `magic` is written last, with release ordering, so a thread that sees it
//!   sees the rest of the header.
//! * `byte length` is the object's whole size, header included.
//! * `parameter` is kind-specific and immutable (a semaphore's `max`).
//!
//! The header fields are immutable after creation; they are read once at open.
//! Nothing here trusts them afterwards: every state-word access goes through a
//! bounds-checked [`crate::region::Region`].

use napi_derive::napi;

/// `"SHMK"` as a little-endian u32.
pub const MAGIC: u32 = 0x4B4D_4853;
/// Bumped whenever any layout or protocol on a shared word changes
/// incompatibly: 2 when the RingBuffer's index words changed, 3 when a
/// Channel's claimed receiver began to keep its position in word 4 (which a
/// version-2 sender would not read), 4 when a Channel's close() began to mark
/// bit 0 of its tail (which a version-3 sender would overwrite).
#[napi]
pub const LAYOUT_VERSION: u32 = 4;
/// Size of the common header in bytes.
#[napi]
pub const HEADER_BYTES: u32 = 16;
/// Every object's `byteOffset` must be a multiple of this.
#[napi]
pub const OBJECT_ALIGN: u32 = 8;

/// Kind tag of a Mutex.
#[napi]
pub const KIND_MUTEX: u32 = 1;
/// Kind tag of a Semaphore.
#[napi]
pub const KIND_SEMAPHORE: u32 = 2;

/// Kind tag of a Condvar.
#[napi]
pub const KIND_CONDVAR: u32 = 3;
/// Kind tag of an RwLock.
#[napi]
pub const KIND_RWLOCK: u32 = 4;
/// Kind tag of a Barrier.
#[napi]
pub const KIND_BARRIER: u32 = 5;
/// Kind tag of a Latch.
#[napi]
pub const KIND_LATCH: u32 = 6;

/// Kind tag of a RingBuffer (single producer, single consumer).
#[napi]
pub const KIND_RING: u32 = 7;
/// Kind tag of a Queue (multi-producer, multi-consumer).
#[napi]
pub const KIND_QUEUE: u32 = 8;

/// Kind tag of a Channel (variable-length messages).
#[napi]
pub const KIND_CHANNEL: u32 = 9;
/// Kind tag of a SlabPool's control object (see `crate::pool::slab`).
#[napi]
pub const KIND_SLAB: u32 = 10;

/// Byte offset, inside a Channel, of the embedded Mutex that senders take.
#[napi]
pub const CHANNEL_SEND_LOCK: u32 = 200;
/// Byte offset, inside a Channel, of the embedded Mutex that receivers take.
#[napi]
pub const CHANNEL_RECV_LOCK: u32 = 224;
/// Smallest Channel byte capacity.
#[napi]
pub const CHANNEL_MIN_BYTES: u32 = 64;
/// Largest Channel byte capacity.
#[napi]
pub const CHANNEL_MAX_BYTES: u32 = 1 << 30;

/// Word index (in i32 units) of the first state word after the header.
pub const STATE_WORD: usize = (HEADER_BYTES / 4) as usize;

/// Word index of the creation stamp of a Queue and of an RwLock (in the
/// reserved space after the first state word): a number unique in the
/// process, written when the object is created, so that a new object in
/// memory that an old one had is told from it. JS keys per-thread records by
/// memory and creation stamp (an RwLock's read holds, a Queue's step record;
/// see lib/rwlock.js and `crate::ring::stranded`). Only compared, never trusted.
#[napi]
pub const CREATION_WORD: u32 = 5;

/// Byte size of a Mutex: header + one state word, rounded up to the alignment.
#[napi]
pub const MUTEX_BYTES: u32 = 24;
/// Byte size of a Semaphore: header + one state word, rounded up to the alignment.
#[napi]
pub const SEMAPHORE_BYTES: u32 = 24;

/// Byte size of a Condvar: header + waiter count, rounded up to the alignment.
#[napi]
pub const CONDVAR_BYTES: u32 = 24;
/// Byte size of an RwLock: header + one state word, rounded up to the alignment.
#[napi]
pub const RWLOCK_BYTES: u32 = 24;
/// Byte size of a Barrier: header + generation + arrivals.
#[napi]
pub const BARRIER_BYTES: u32 = 24;
/// Byte size of a Latch: header + count + waiters flag.
#[napi]
pub const LATCH_BYTES: u32 = 24;

/// Ring objects (RingBuffer, Queue, Channel) share one control layout, each
/// index on its own cache line:
///
/// ```text
/// byte 0        16     20         64       128      192      256
///      +--------+------+----------+--------+--------+--------+-----------------
///      | header | rpos | reserved | head   | tail   | state  | (Queue: stamps) data ...
///      +--------+------+----------+--------+--------+--------+-----------------
///      header parameter = capacity (a power of two), elem = element type code
/// ```
///
/// `head` and `tail` are positions that wrap (a RingBuffer's and a Channel's
/// are 31 bits, with a waiter bit in bit 31; a Channel's are 4-aligned, and
/// its close() sets bit 0 of the tail, see `crate::ring`); `state` holds the CLOSED bit and
/// the Queue's waiter bits (see `crate::ring`). Data starts at byte 256; a Queue keeps
/// one i32 stamp per slot there and its data after them (8-byte aligned). A
/// Channel keeps two complete Mutex objects at bytes 200 and 224 (senders'
/// and receivers' locks) and byte positions in head and tail.
#[napi]
pub const RING_HEAD_WORD: u32 = 16;
/// Word index of a Channel's unpublished receive position (`rpos`, on the
/// header's line, off the lines senders watch while they stream). A claimed
/// receiver publishes the head in steps; until it does, this word holds the
/// position it has really reached, `position | 2^31`: a sender reads it when
/// the head leaves it no room (a failed `trySend`, the look before a sleep),
/// and a receiver that takes the side over from a dead one skips what was
/// delivered. 0: nothing unpublished. Any other value is checked against
/// head and tail before use.
#[napi]
pub const RING_RECV_POS_WORD: u32 = 4;
/// Word index of a ring's tail position.
#[napi]
pub const RING_TAIL_WORD: u32 = 32;
/// Word index, on the head's cache line, of the token of the RingBuffer or
/// Channel object that last moved the head (see `crate::ring`).
#[napi]
pub const RING_HEAD_TOKEN_WORD: u32 = 17;
/// The same for the tail.
#[napi]
pub const RING_TAIL_TOKEN_WORD: u32 = 33;
/// Word index of a ring's state word (closed + waiter bits).
#[napi]
pub const RING_STATE_WORD: u32 = 48;
/// Byte offset of a ring's slots.
#[napi]
pub const RING_DATA_OFFSET: u32 = 256;
/// Largest ring capacity, in elements.
#[napi]
pub const RING_MAX_CAPACITY: u32 = 1 << 26;

/// Byte size of one element of type code `elem`, or `None`. The codes, in
/// the order of `ELEMENT_TYPES` in lib/ring-common.js:
///
/// | code | type | bytes |
/// | --- | --- | --- |
/// | 1, 2, 3 | Int8, Uint8, Uint8Clamped | 1 |
/// | 4, 5 | Int16, Uint16 | 2 |
/// | 6, 7, 8 | Int32, Uint32, Float32 | 4 |
/// | 9, 10, 11 | Float64, BigInt64, BigUint64 | 8 |
/// | 12 | Float16 (a runtime without Float16Array refuses to open it) | 2 |
pub fn elem_size(elem: u32) -> Option<u32> {
  match elem {
    1..=3 => Some(1),
    4..=5 | 12 => Some(2),
    6..=8 => Some(4),
    9..=11 => Some(8),
    _ => None,
  }
}

fn align8(n: u64) -> u64 {
  n.div_ceil(8) * 8
}

/// The byte size of an object of `kind` with header parameter `param` and
/// element type `elem`, or why those values are impossible.
pub fn object_bytes(kind: u32, param: u32, elem: u32) -> Result<u32, String> {
  if let Some(bytes) = kind_bytes(kind) {
    return if elem == 0 {
      Ok(bytes)
    } else {
      Err(format!("element type {elem} on a {}", kind_name(kind)))
    };
  }
  if kind == KIND_CHANNEL {
    // Ring control words, two embedded Mutex objects, then `param` bytes.
    if elem != 0
      || !(CHANNEL_MIN_BYTES..=CHANNEL_MAX_BYTES).contains(&param)
      || !param.is_power_of_two()
    {
      return Err(format!(
        "byte capacity {param} is not a power of two from {CHANNEL_MIN_BYTES} to {CHANNEL_MAX_BYTES}"
      ));
    }
    return Ok(RING_DATA_OFFSET + param);
  }
  if kind == KIND_SLAB {
    // Control words, then a state and an owner word per block.
    if elem != 0 || !(1..=crate::pool::slab::SLAB_MAX_BLOCKS).contains(&param) {
      return Err(format!(
        "{param} blocks is not from 1 to {}",
        crate::pool::slab::SLAB_MAX_BLOCKS
      ));
    }
    return Ok(crate::pool::slab::SLAB_BLOCKS_OFFSET + 8 * param);
  }
  if kind != KIND_RING && kind != KIND_QUEUE {
    return Err(format!("unknown kind {kind}"));
  }
  let size = elem_size(elem).ok_or_else(|| format!("unknown element type {elem}"))? as u64;
  if !(2..=RING_MAX_CAPACITY).contains(&param) || !param.is_power_of_two() {
    return Err(format!(
      "capacity {param} is not a power of two from 2 to {RING_MAX_CAPACITY}"
    ));
  }
  let cap = param as u64;
  let stamps = if kind == KIND_QUEUE {
    align8(cap * 4)
  } else {
    0
  };
  let total = RING_DATA_OFFSET as u64 + stamps + align8(cap * size);
  u32::try_from(total).map_err(|_| "too large".to_string())
}

/// Checks a header parameter that the object's code relies on.
pub fn check_param(kind: u32, param: u32) -> Result<(), String> {
  const I32_MAX: u32 = i32::MAX as u32;
  match kind {
    KIND_SEMAPHORE if !(1..=I32_MAX).contains(&param) => Err(format!("a semaphore max of {param}")),
    KIND_BARRIER if !(1..=I32_MAX).contains(&param) => Err(format!("a barrier of {param} parties")),
    KIND_LATCH if param > I32_MAX => Err(format!("a latch count of {param}")),
    _ => Ok(()),
  }
}

/// Human name of a kind, for error messages.
pub fn kind_name(kind: u32) -> &'static str {
  match kind {
    KIND_MUTEX => "Mutex",
    KIND_SEMAPHORE => "Semaphore",
    KIND_CONDVAR => "Condvar",
    KIND_RWLOCK => "RwLock",
    KIND_BARRIER => "Barrier",
    KIND_LATCH => "Latch",
    KIND_RING => "RingBuffer",
    KIND_QUEUE => "Queue",
    KIND_CHANNEL => "Channel",
    KIND_SLAB => "SlabPool",
    _ => "unknown kind",
  }
}

/// The byte size an object of `kind` needs, or `None` for an unknown kind.
pub fn kind_bytes(kind: u32) -> Option<u32> {
  match kind {
    KIND_MUTEX => Some(MUTEX_BYTES),
    KIND_SEMAPHORE => Some(SEMAPHORE_BYTES),
    KIND_CONDVAR => Some(CONDVAR_BYTES),
    KIND_RWLOCK => Some(RWLOCK_BYTES),
    KIND_BARRIER => Some(BARRIER_BYTES),
    KIND_LATCH => Some(LATCH_BYTES),
    _ => None,
  }
}

/// The header as read from memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
  pub magic: u32,
  pub version: u32,
  pub kind: u32,
  pub elem: u32,
  pub byte_length: u32,
  pub param: u32,
}

impl Header {
  /// Decodes the four header words.
  pub fn decode(words: [u32; 4]) -> Header {
    Header {
      magic: words[0],
      version: words[1] & 0xFFFF,
      kind: (words[1] >> 16) & 0xFF,
      elem: words[1] >> 24,
      byte_length: words[2],
      param: words[3],
    }
  }

  /// Checks this header against what the opener expects. `available` is how
  /// many bytes the opener's view really has.
  pub fn validate(&self, kind: u32, available: usize) -> Result<(), String> {
    let want = kind_name(kind);
    if self.magic != MAGIC {
      return Err(format!(
        "no shmkit object here (magic 0x{:08x}, expected a {want})",
        self.magic
      ));
    }
    if self.version != LAYOUT_VERSION {
      return Err(format!(
        "layout version {} is not supported (this shmkit reads version {LAYOUT_VERSION})",
        self.version
      ));
    }
    if self.kind != kind {
      return Err(format!(
        "this memory holds a {}, not a {want}",
        kind_name(self.kind)
      ));
    }
    let need =
      object_bytes(kind, self.param, self.elem).map_err(|e| format!("corrupted header: {e}"))?;
    if self.byte_length != need {
      return Err(format!(
        "corrupted header: a {want} is {need} bytes, the header says {}",
        self.byte_length
      ));
    }
    check_param(kind, self.param).map_err(|e| format!("corrupted header: {e}"))?;
    if (self.byte_length as usize) > available {
      return Err(format!(
        "the buffer is too small: a {want} needs {need} bytes, {available} are there"
      ));
    }
    Ok(())
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn words(kind: u32, len: u32) -> [u32; 4] {
    [MAGIC, LAYOUT_VERSION | (kind << 16), len, 7]
  }

  #[test]
  fn accepts_a_good_header() {
    let h = Header::decode(words(KIND_MUTEX, MUTEX_BYTES));
    assert_eq!(h.param, 7);
    assert!(h.validate(KIND_MUTEX, 24).is_ok());
  }

  #[test]
  fn rejects_bad_headers() {
    let mut w = words(KIND_MUTEX, MUTEX_BYTES);
    w[0] = 0;
    assert!(Header::decode(w)
      .validate(KIND_MUTEX, 24)
      .unwrap_err()
      .contains("magic"));
    let h = Header::decode(words(KIND_SEMAPHORE, SEMAPHORE_BYTES));
    assert!(h
      .validate(KIND_MUTEX, 24)
      .unwrap_err()
      .contains("Semaphore"));
    let mut w = words(KIND_RING, 256 + 64);
    w[1] |= 9 << 24; // Float64
    w[3] = 8;
    assert!(Header::decode(w).validate(KIND_RING, 320).is_ok());
    w[3] = 6; // not a power of two
    assert!(Header::decode(w)
      .validate(KIND_RING, 320)
      .unwrap_err()
      .contains("power of two"));
    let h = Header::decode(words(KIND_MUTEX, 999));
    assert!(h
      .validate(KIND_MUTEX, 2000)
      .unwrap_err()
      .contains("corrupted"));
    let h = Header::decode(words(KIND_MUTEX, MUTEX_BYTES));
    assert!(h
      .validate(KIND_MUTEX, 20)
      .unwrap_err()
      .contains("too small"));
    for version in [LAYOUT_VERSION - 1, LAYOUT_VERSION + 1] {
      let mut w = words(KIND_MUTEX, MUTEX_BYTES);
      w[1] = version | (KIND_MUTEX << 16);
      assert!(Header::decode(w)
        .validate(KIND_MUTEX, 24)
        .unwrap_err()
        .contains("version"));
    }
  }
}
