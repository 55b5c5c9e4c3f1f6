//! Lingering close: a request body that is answered before it was read (a `413` on its declared
//! length, a `401` before the body matters, a body cut off at the limit) is read to its end and
//! discarded, for a bounded time and number of bytes, after the answer has gone out. Without it the
//! connection closes while the client is still sending, the kernel answers the unread bytes with a
//! reset, and the client never sees the answer (nginx's `lingering_close` does the same).
//!
//! A client that asked `Expect: 100-continue` and was answered before its body was read has sent
//! nothing yet: it is not told to continue, and nothing is drained. (Over HTTP/2 a body refused on
//! its declared length is drained before the answer instead, see `routes::layers`: the stream then
//! ends cleanly, where an answer before the end of the request may be followed by a reset.)

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::http::HeaderMap;
use axum::http::header::EXPECT;
use hyper::body::{Body, Frame, Incoming, SizeHint};

use crate::json::discard;

/// A request body that is drained when it is dropped unread (see the module docs).
#[derive(Debug)]
pub struct Lingering {
    body: Option<Incoming>,
    /// The client waits for `100 Continue` before it sends the body.
    expects_continue: bool,
    /// Some of the body was asked for (and so, on HTTP/1.1, `100 Continue` was sent).
    polled: bool,
}

impl Lingering {
    pub fn new(body: Incoming, headers: &HeaderMap) -> Self {
        let expects_continue = headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        Self {
            body: Some(body),
            expects_continue,
            polled: false,
        }
    }
}

impl Body for Lingering {
    type Data = hyper::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        self.polled = true;
        match self.body.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.body
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        let Some(body) = self.body.take() else {
            return;
        };
        if body.is_end_stream() || (self.expects_continue && !self.polled) {
            return;
        }
        // Outside a runtime (never in the server) the body is simply dropped.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if !discard(body).await {
                    tracing::debug!("an unread request body was cut off after its answer");
                }
            });
        }
    }
}
