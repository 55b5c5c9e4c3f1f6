//! Whether a connection has a request in flight, and a future that resolves once it has had none for
//! the idle timeout. "In flight" is from the request head to the response head: a client that does
//! not read its response is idle, so the idle timeout also bounds a slow reader.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

#[derive(Debug)]
pub(super) struct Activity {
    in_flight: watch::Sender<usize>,
}

/// One request in flight; dropping it ends the request.
#[derive(Debug)]
pub(super) struct Busy(Arc<Activity>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.in_flight.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Activity {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self {
            in_flight: watch::Sender::new(0),
        })
    }

    pub(super) fn begin(self: &Arc<Self>) -> Busy {
        self.in_flight.send_modify(|n| *n += 1);
        Busy(self.clone())
    }

    /// Resolves when no request has been in flight for `timeout`.
    pub(super) async fn idle_for(&self, timeout: Duration) {
        let mut in_flight = self.in_flight.subscribe();
        loop {
            // `self` holds the sender, so neither wait can fail while this runs.
            if in_flight.wait_for(|n| *n == 0).await.is_err() {
                return;
            }
            match tokio::time::timeout(timeout, in_flight.changed()).await {
                Err(_) | Ok(Err(_)) => return,
                Ok(Ok(())) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_connection_without_requests_is_idle_after_the_timeout() {
        let activity = Activity::new();
        let started = tokio::time::Instant::now();
        activity.idle_for(Duration::from_secs(3)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_in_flight_keeps_the_connection_from_being_idle() {
        let activity = Activity::new();
        let busy = activity.begin();
        let idle = tokio::time::timeout(
            Duration::from_secs(60),
            activity.idle_for(Duration::from_secs(3)),
        );
        assert!(idle.await.is_err(), "not idle while a request is in flight");
        drop(busy);
        let started = tokio::time::Instant::now();
        activity.idle_for(Duration::from_secs(3)).await;
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn the_idle_time_counts_from_the_end_of_the_last_request() {
        let activity = Activity::new();
        let started = tokio::time::Instant::now();
        let idle = activity.idle_for(Duration::from_secs(3));
        let requests = async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            let busy = activity.begin();
            tokio::time::sleep(Duration::from_secs(1)).await;
            drop(busy);
        };
        tokio::join!(idle, requests);
        assert_eq!(started.elapsed(), Duration::from_secs(6));
    }
}
