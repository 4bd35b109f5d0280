//! Where a connection is in its request cycle, for the header and idle
//! timeouts: [`Watched`] notes the first byte of a request as the socket
//! reads it, the service notes when a request starts and finishes.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A connection's phase.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Between requests, since this instant.
    Idle(Instant),
    /// Receiving a request head since this instant (accept or first byte).
    Head(Instant),
    /// A request is being served (its body has its own timeout).
    Busy,
}

/// Which timeout a connection has run past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expired {
    /// No complete request head in time.
    Header,
    /// No new request in time.
    Idle,
}

/// A connection's phase, shared by its socket and its service.
#[derive(Debug)]
pub struct Watch(Mutex<Phase>);

impl Watch {
    /// A just-accepted connection: its first request head is awaited.
    pub fn new() -> Watch {
        Watch(Mutex::new(Phase::Head(Instant::now())))
    }

    fn set(&self, update: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *phase = update(*phase);
    }

    /// Bytes arrived: an idle connection starts receiving a request head.
    fn bytes_read(&self) {
        self.set(|phase| match phase {
            Phase::Idle(_) => Phase::Head(Instant::now()),
            other => other,
        });
    }

    /// The head is read and the request handed to the Router.
    pub fn request_started(&self) {
        self.set(|_| Phase::Busy);
    }

    /// The response is ready: the connection waits for its next request.
    pub fn request_finished(&self) {
        self.set(|_| Phase::Idle(Instant::now()));
    }

    /// Which timeout, if any, the connection is past now.
    pub fn expired(&self, header: Duration, idle: Duration) -> Option<Expired> {
        let phase = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        match phase {
            Phase::Head(since) if since.elapsed() >= header => Some(Expired::Header),
            Phase::Idle(since) if since.elapsed() >= idle => Some(Expired::Idle),
            _ => None,
        }
    }
}

/// A socket that tells its [`Watch`] when bytes arrive.
pub struct Watched<T> {
    inner: T,
    watch: Arc<Watch>,
}

impl<T> Watched<T> {
    pub fn new(inner: T, watch: Arc<Watch>) -> Watched<T> {
        Watched { inner, watch }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.watch.bytes_read();
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(60);

    #[test]
    fn a_new_connection_awaits_its_head_and_a_served_one_is_idle() {
        let watch = Watch::new();
        assert_eq!(watch.expired(Duration::ZERO, LONG), Some(Expired::Header));
        watch.request_started();
        assert_eq!(watch.expired(Duration::ZERO, Duration::ZERO), None);
        watch.request_finished();
        assert_eq!(
            watch.expired(Duration::ZERO, Duration::ZERO),
            Some(Expired::Idle)
        );
        assert_eq!(watch.expired(Duration::ZERO, LONG), None);
        watch.bytes_read();
        assert_eq!(watch.expired(Duration::ZERO, LONG), Some(Expired::Header));
    }
}
