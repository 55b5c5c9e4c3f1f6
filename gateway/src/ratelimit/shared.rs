//! The limits every replica shares, in Redis: one GCRA bucket per key, checked and updated by one
//! script in one round trip, on Redis's clock (replicas' clocks may differ). Every key expires once
//! its bucket is full again, so Redis holds only the buckets in use. A professional's bucket and
//! their organisation's share a hash tag (`{partner}`), so the script also runs on a Redis Cluster.
//! Keys hold the partner id, the token's `sub` and the Amsterdammer's pseudonym; never a BSN.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use super::{Quota, RedisUrl};

/// GCRA over every key at once: `ARGV` holds each key's emission interval and burst (µs, count).
/// Nothing is written unless every bucket lets the request through; otherwise the answer is the
/// first refusing key's number (from 1) and how long until it would pass (µs).
const CHECK: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local next = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local after = tat + interval
  local allowed_at = after - burst * interval
  if allowed_at > now then
    return {i, allowed_at - now}
  end
  next[i] = after
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%d', next[i]), 'PX', math.floor((next[i] - now) / 1000) + 1)
end
return {0, 0}
";

pub(super) struct Shared {
    connection: ConnectionManager,
    script: Script,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl Shared {
    /// Connects lazily: the first check opens the connection, and a lost one is opened again.
    pub(super) fn new(url: &RedisUrl, prefix: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = Client::open(url.0.as_str())
            .map_err(|e| anyhow::anyhow!("[rate_limit] redis {url:?} is not a Redis URL: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        Ok(Self {
            connection: ConnectionManager::new_lazy_with_config(client, config)?,
            script: Script::new(CHECK),
            prefix: prefix.to_owned(),
            timeout,
        })
    }

    pub(super) fn professional_key(&self, partner: &str, professional: &str) -> String {
        format!("{}:{{{partner}}}:p:{professional}", self.prefix)
    }

    pub(super) fn organisation_key(&self, partner: &str) -> String {
        format!("{}:{{{partner}}}:o", self.prefix)
    }

    pub(super) fn amsterdammer_key(&self, subject: &str) -> String {
        format!("{}:a:{subject}", self.prefix)
    }

    /// Takes one request from every bucket, or from none: `None` when it may pass, otherwise
    /// which bucket refused (from 0) and how long until it would pass.
    pub(super) async fn check(
        &self,
        buckets: &[(String, Quota)],
    ) -> anyhow::Result<Option<(usize, Duration)>> {
        let mut invocation = self.script.prepare_invoke();
        for (key, quota) in buckets {
            let interval_us = 1_000_000 / u64::from(quota.per_second.get()).max(1);
            invocation
                .key(key)
                .arg(interval_us.max(1))
                .arg(quota.burst.get());
        }
        let mut connection = self.connection.clone();
        // A connection Redis dropped (a restart) fails the first call on it and is replaced:
        // that call is tried once more, on the new one.
        let call = async {
            match invocation.invoke_async(&mut connection).await {
                Err(e) if e.is_connection_dropped() || e.is_io_error() => {
                    invocation.invoke_async(&mut connection).await
                }
                answer => answer,
            }
        };
        let answer: (i64, i64) = tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not answer within {:?}", self.timeout))??;
        Ok(match answer {
            (0, _) => None,
            (refusing, wait_us) => Some((
                usize::try_from(refusing - 1).unwrap_or(0),
                Duration::from_micros(u64::try_from(wait_us).unwrap_or(0)),
            )),
        })
    }

    /// Redis answers a `PING` in time.
    pub(super) async fn ping(&self) -> anyhow::Result<()> {
        let mut connection = self.connection.clone();
        let ping = redis::cmd("PING");
        let _: String = tokio::time::timeout(self.timeout, ping.query_async(&mut connection))
            .await
            .map_err(|_| anyhow::anyhow!("Redis did not answer within {:?}", self.timeout))??;
        Ok(())
    }
}
