//! The Connect API quota: one token bucket shared by every Connect operation
//! of the account and region (2 requests/s steady, burst 5 by default), as in
//! the Amazon Connect service quotas.

use std::time::Instant;

/// A token bucket refilled continuously at `rate` tokens per second up to
/// `burst` tokens; each request takes one token or is throttled.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    refilled_at: Instant,
    enabled: bool,
}

impl TokenBucket {
    /// A full bucket; `enabled: false` admits everything.
    pub fn new(rate: f64, burst: u32, enabled: bool, now: Instant) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate: rate.max(0.0),
            burst,
            tokens: burst,
            refilled_at: now,
            enabled,
        }
    }

    /// Changes the rate and burst and refills the bucket.
    pub fn reconfigure(&mut self, rate: f64, burst: u32, enabled: bool, now: Instant) {
        *self = TokenBucket::new(rate, burst, enabled, now);
    }

    /// Takes one token if there is one; `false` means throttle.
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        if !self.enabled {
            return true;
        }
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_full_bucket_admits_the_burst_then_throttles() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, 5, true, start);
        let admitted = (0..10).filter(|_| bucket.try_acquire(start)).count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn tokens_come_back_at_the_steady_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, 5, true, start);
        while bucket.try_acquire(start) {}
        let later = start + Duration::from_millis(1000);
        let admitted = (0..10).filter(|_| bucket.try_acquire(later)).count();
        assert_eq!(admitted, 2);
        let much_later = later + Duration::from_secs(60);
        let admitted = (0..10).filter(|_| bucket.try_acquire(much_later)).count();
        assert_eq!(admitted, 5, "the bucket never holds more than the burst");
    }

    #[test]
    fn a_disabled_bucket_admits_everything() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2.0, 5, false, start);
        assert!((0..1000).all(|_| bucket.try_acquire(start)));
    }
}
