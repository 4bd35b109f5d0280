//! The generic cell rate algorithm over one bucket's state, as pure functions
//! of the state and the time, so every store (in memory, DynamoDB) computes
//! the same thing and the maths is tested without a clock.
//!
//! A bucket holds `tat`, the theoretical arrival time of the next call. A
//! call reserves the slot at `max(tat, now) + T - burst·T` and moves `tat` on
//! by the interval `T`: up to `burst` calls go at once after a quiet period,
//! then one per `T`, in the order they reserved.
//!
//! Adaptive rule: when Connect throttles a call anyway, the bucket's rate is
//! halved (at most down to 1/16 of the configured rate, once per second at
//! most) and its next slot is pushed one new interval out; the rate then
//! recovers additively, by 1 % of the configured rate per second (from half
//! to full in 50 s: slowly, so that a quota shared with another consumer is
//! overrun again only every quarter minute or so), computed from the time of the slowdown so that every
//! instance sharing the bucket agrees without writing anything.

/// Most the rate is divided by.
pub const MAX_SLOWDOWN: f64 = 16.0;
/// Rate regained per second after a slowdown, as a fraction of the configured rate.
pub const RECOVERY_PER_SECOND: f64 = 0.01;
/// Throttles within this long of a slowdown belong to the same episode.
pub const EPISODE_MS: i64 = 1000;

/// A bucket's configured interval and burst.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Milliseconds between two calls at the configured rate.
    pub interval_ms: f64,
    /// Calls at once after a quiet period.
    pub burst: u32,
}

impl Params {
    /// `rate` per second with `burst`, keeping `headroom` tokens of the burst
    /// in hand (at least one call of burst always remains).
    pub fn new(rate: super::Rate, headroom: u32) -> Params {
        Params {
            interval_ms: 1000.0 / rate.per_second,
            burst: rate.burst.saturating_sub(headroom).max(1),
        }
    }
}

/// One bucket's state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketState {
    /// Theoretical arrival time (epoch ms).
    pub tat: i64,
    /// The rate is divided by this at `slowed_at` (1: not slowed).
    pub slow: f64,
    /// When Connect last throttled a call of this bucket (epoch ms).
    pub slowed_at: i64,
}

impl BucketState {
    /// A bucket nobody has used.
    pub fn idle() -> BucketState {
        BucketState {
            tat: 0,
            slow: 1.0,
            slowed_at: 0,
        }
    }

    /// The share of the configured rate allowed at `now_ms` (1: all of it).
    pub fn rate_factor(&self, now_ms: i64) -> f64 {
        if self.slow <= 1.0 {
            return 1.0;
        }
        let since = (now_ms - self.slowed_at).max(0) as f64 / 1000.0;
        (1.0 / self.slow + RECOVERY_PER_SECOND * since).min(1.0)
    }

    /// The interval between calls at `now_ms`, whole milliseconds, rounded up.
    pub fn interval_ms(&self, params: Params, now_ms: i64) -> i64 {
        (params.interval_ms / self.rate_factor(now_ms)).ceil() as i64
    }

    /// Reserves a slot starting by `latest_ms`: the new state and when the call
    /// may go, or `Err` with when the first free slot starts.
    pub fn reserve(
        &self,
        params: Params,
        now_ms: i64,
        latest_ms: i64,
    ) -> Result<(BucketState, i64), i64> {
        let interval = self.interval_ms(params, now_ms);
        let tat = self.tat.max(now_ms) + interval;
        let at = tat - i64::from(params.burst) * interval;
        if at > latest_ms {
            return Err(at);
        }
        Ok((BucketState { tat, ..*self }, at.max(now_ms)))
    }

    /// The state after Connect throttled a call at `now_ms`, or None when this
    /// throttle belongs to an episode already counted.
    pub fn slowed_down(&self, params: Params, now_ms: i64) -> Option<BucketState> {
        if self.slow > 1.0 && now_ms - self.slowed_at < EPISODE_MS {
            return None;
        }
        let factor = (self.rate_factor(now_ms) / 2.0).max(1.0 / MAX_SLOWDOWN);
        let slowed = BucketState {
            tat: self.tat,
            slow: 1.0 / factor,
            slowed_at: now_ms,
        };
        let interval = slowed.interval_ms(params, now_ms);
        Some(BucketState {
            tat: self.tat.max(now_ms + i64::from(params.burst) * interval),
            ..slowed
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Params = Params {
        interval_ms: 500.0,
        burst: 4,
    };

    fn reserve_n(state: &mut BucketState, now: i64, n: usize) -> Vec<i64> {
        (0..n)
            .map(|_| {
                let (next, at) = state.reserve(P, now, i64::MAX).unwrap();
                *state = next;
                at
            })
            .collect()
    }

    #[test]
    fn an_idle_bucket_admits_the_burst_at_once_then_one_per_interval() {
        let mut s = BucketState::idle();
        let at = reserve_n(&mut s, 10_000, 7);
        assert_eq!(
            at,
            vec![10_000, 10_000, 10_000, 10_000, 10_500, 11_000, 11_500]
        );
    }

    #[test]
    fn a_slot_past_the_latest_time_is_refused_with_when_one_is_free() {
        let mut s = BucketState::idle();
        reserve_n(&mut s, 0, 4);
        assert_eq!(s.reserve(P, 0, 400), Err(500));
        let (_, at) = s.reserve(P, 0, 500).unwrap();
        assert_eq!(at, 500);
    }

    #[test]
    fn a_quiet_period_refills_the_burst_but_never_more() {
        let mut s = BucketState::idle();
        reserve_n(&mut s, 0, 10);
        let at = reserve_n(&mut s, 60_000, 5);
        assert_eq!(at, vec![60_000, 60_000, 60_000, 60_000, 60_500]);
    }

    #[test]
    fn a_throttle_halves_the_rate_and_pushes_the_next_slot_out() {
        let s = BucketState::idle();
        let slowed = s.slowed_down(P, 1_000).unwrap();
        assert_eq!(slowed.interval_ms(P, 1_000), 1_000);
        let (_, at) = slowed.reserve(P, 1_000, i64::MAX).unwrap();
        assert_eq!(at, 2_000, "the next call waits one new interval");
        assert_eq!(slowed.slowed_down(P, 1_500), None, "same episode");
        let again = slowed.slowed_down(P, 2_000).unwrap();
        assert!(
            (again.rate_factor(2_000) - 0.255).abs() < 1e-9,
            "half of 0.51"
        );
    }

    #[test]
    fn the_rate_recovers_additively_to_the_configured_rate() {
        let slowed = BucketState::idle().slowed_down(P, 0).unwrap();
        assert!((slowed.rate_factor(25_000) - 0.75).abs() < 1e-9);
        assert_eq!(slowed.rate_factor(50_000), 1.0);
        assert_eq!(slowed.interval_ms(P, 60_000), 500);
    }

    #[test]
    fn slowdowns_stop_at_a_sixteenth_of_the_rate() {
        let mut s = BucketState::idle();
        for i in 0..10 {
            s = s.slowed_down(P, i * EPISODE_MS).unwrap();
        }
        assert!(s.rate_factor(9 * EPISODE_MS) >= 1.0 / MAX_SLOWDOWN);
    }
}
