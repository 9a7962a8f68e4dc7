//! A small in-process cache of signed-in sessions, so the lookup every signed-in request
//! makes usually skips SQLite.
//!
//! Exactness matters more than hit rate: signing out must take effect at once. So every
//! committed write through this store that may touch accounts or sessions empties the cache
//! (they change only by such writes; the busiest writes elsewhere, such as check-ins, are
//! marked as not touching them), and a lookup that raced with such a write is not kept (the
//! generation check). The
//! embedded store serves one process (`ballast serve` locks the data folder); writes made
//! by another process, such as a command-line tool, are seen within [`TTL`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ballast_store::{SessionWithUser, TokenHash};

/// Longest an entry is trusted without a write from this process invalidating it.
pub const TTL: Duration = Duration::from_secs(2);
/// Entries beyond this are dropped wholesale; one process rarely has this many live sessions.
const CAPACITY: usize = 10_000;

#[derive(Default)]
pub struct SessionCache {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    generation: u64,
    entries: HashMap<[u8; 32], (SessionWithUser, Instant)>,
}

/// A cache miss, carrying what [`SessionCache::fill`] needs to store the answer safely.
pub struct Miss {
    generation: u64,
}

impl SessionCache {
    pub fn get(&self, token: &TokenHash) -> Result<SessionWithUser, Miss> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.entries.get(&token.0) {
            Some((found, at)) if at.elapsed() < TTL => Ok(found.clone()),
            _ => Err(Miss { generation: state.generation }),
        }
    }

    /// Remembers a lookup, unless a write happened since the miss (it may be stale).
    pub fn fill(&self, miss: Miss, token: &TokenHash, found: &SessionWithUser) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.generation != miss.generation {
            return;
        }
        if state.entries.len() >= CAPACITY {
            state.entries.clear();
        }
        state.entries.insert(token.0, (found.clone(), Instant::now()));
    }

    /// Called after every committed write that may have changed an account or a session.
    pub fn forget_all(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.generation += 1;
        state.entries.clear();
    }
}
