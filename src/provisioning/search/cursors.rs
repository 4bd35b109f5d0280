//! Connect NextTokens by (search, the startIndex they lead to), so page N+1 of
//! a sequential read costs one call, and a walk to a deep page resumes from the
//! furthest page an earlier (throttled) attempt reached. Bounded, short-lived,
//! in the process: losing them costs calls, never correctness.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const CURSOR_TTL: Duration = Duration::from_secs(600);
const CURSOR_MAX: usize = 1024;

/// See the module docs.
#[derive(Default)]
pub struct Cursors {
    tokens: Mutex<HashMap<(String, usize), (String, Instant)>>,
}

impl Cursors {
    /// The cursor of the furthest position at or before `start` that this
    /// search reached: `(position, token)`, the token leading to `position`.
    pub fn resume(&self, search: &str, start: usize) -> Option<(usize, String)> {
        let tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        tokens
            .iter()
            .filter(|((s, position), (_, at))| {
                s == search && *position <= start && at.elapsed() < CURSOR_TTL
            })
            .max_by_key(|((_, position), _)| *position)
            .map(|((_, position), (token, _))| (*position, token.clone()))
    }

    /// Remembers the token that leads to `position` of this search.
    pub fn put(&self, search: &str, position: usize, token: String) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if tokens.len() >= CURSOR_MAX {
            tokens.retain(|_, (_, at)| at.elapsed() < CURSOR_TTL);
            if tokens.len() >= CURSOR_MAX {
                tokens.clear();
            }
        }
        tokens.insert((search.to_owned(), position), (token, Instant::now()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walk_resumes_from_the_furthest_cursor_before_the_page() {
        let cursors = Cursors::default();
        cursors.put("q", 501, "t501".into());
        cursors.put("q", 1001, "t1001".into());
        cursors.put("q", 2001, "t2001".into());
        cursors.put("other", 1501, "x".into());
        assert_eq!(cursors.resume("q", 1901), Some((1001, "t1001".into())));
        assert_eq!(cursors.resume("q", 2001), Some((2001, "t2001".into())));
        assert_eq!(cursors.resume("q", 100), None);
    }
}
