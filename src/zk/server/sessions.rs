//! The leader's session tracker (`SessionTrackerImpl` + `ExpiryQueue`), sheet A.7 rules 6–10.
//!
//! Only the leader expires sessions. Deadlines are bucketed to `tickTime`:
//! `roundToNextInterval(now + timeout)`, the first bucket boundary strictly after it. A
//! newly activated leader gives every session in the replicated table a fresh deadline, so no
//! session expires because of an election. Simplified: time is the simulator's clock in ms.

use crate::sim::vecmap::VecMap;
use crate::zk::types::SessionId;

/// Session deadlines on the leader.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionTracker {
    tick_ms: u64,
    /// Session → (timeout ms, expiry time ms).
    sessions: VecMap<SessionId, (i32, u64)>,
}

impl SessionTracker {
    /// A tracker for a leader activated at `now_ms`, holding every session of the replicated
    /// table with a fresh deadline (rule 10).
    pub fn activate(
        tick_ms: u64,
        now_ms: u64,
        table: impl IntoIterator<Item = (SessionId, i32)>,
    ) -> Self {
        let mut t = Self {
            tick_ms: tick_ms.max(1),
            sessions: VecMap::new(),
        };
        for (s, timeout) in table {
            t.add(s, timeout, now_ms);
        }
        t
    }

    /// `roundToNextInterval`: the first bucket boundary strictly after `t`.
    pub fn round_to_next_interval(&self, t: u64) -> u64 {
        (t / self.tick_ms + 1) * self.tick_ms
    }

    /// Adds (or re-adds) a session.
    pub fn add(&mut self, session: SessionId, timeout_ms: i32, now_ms: u64) {
        let exp = self.round_to_next_interval(now_ms + timeout_ms.max(0) as u64);
        self.sessions.insert(session, (timeout_ms, exp));
    }

    /// A touch: the session showed life; move its deadline.
    pub fn touch(&mut self, session: SessionId, now_ms: u64) {
        if let Some((timeout, _)) = self.sessions.get(&session).copied() {
            self.add(session, timeout, now_ms);
        }
    }

    /// Forgets a session (closed or expiring).
    pub fn remove(&mut self, session: SessionId) {
        self.sessions.remove(&session);
    }

    /// Sessions whose deadline is at or before `now_ms`, removed from the tracker.
    pub fn take_expired(&mut self, now_ms: u64) -> Vec<SessionId> {
        let expired: Vec<SessionId> = self
            .sessions
            .iter()
            .filter(|(_, (_, exp))| *exp <= now_ms)
            .map(|(s, _)| *s)
            .collect();
        for s in &expired {
            self.sessions.remove(s);
        }
        expired
    }

    /// The earliest deadline, if any session is tracked.
    pub fn next_expiry_ms(&self) -> Option<u64> {
        self.sessions.values().map(|(_, exp)| *exp).min()
    }

    /// Session deadlines in ms, by session.
    pub fn deadlines(&self) -> impl Iterator<Item = (SessionId, u64)> + '_ {
        self.sessions.iter().map(|(s, (_, exp))| (*s, *exp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_is_the_first_bucket_boundary_strictly_after_now_plus_timeout() {
        let mut t = SessionTracker::activate(2000, 0, []);
        t.add(1, 4000, 1000);
        assert_eq!(t.next_expiry_ms(), Some(6000));
        t.add(2, 4000, 2000);
        // 6000 is exactly on a boundary: a whole extra tick.
        assert_eq!(t.deadlines().find(|(s, _)| *s == 2).unwrap().1, 8000);
    }

    #[test]
    fn activation_restarts_every_session_timeout() {
        let t = SessionTracker::activate(2000, 100_000, [(7, 6000)]);
        assert_eq!(t.next_expiry_ms(), Some(108_000));
    }

    #[test]
    fn expired_sessions_are_taken_once() {
        let mut t = SessionTracker::activate(2000, 0, [(1, 4000), (2, 10_000)]);
        assert_eq!(t.take_expired(6000), vec![1]);
        assert!(t.take_expired(6000).is_empty());
        t.touch(2, 5000);
        assert_eq!(t.next_expiry_ms(), Some(16_000));
    }
}
