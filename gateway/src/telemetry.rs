//! Tracing output: human-readable or JSON lines. Filter with `RUST_LOG` (default `info`). Text is
//! coloured only on a terminal: a log file or the journal gets no escape sequences.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    init_with_writer(format, std::io::stdout, std::io::stdout().is_terminal());
}

/// As [`init`], writing to `writer`, coloured if `ansi` (the tests read the log this way).
pub fn init_with_writer<W>(format: LogFormat, writer: W, ansi: bool)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,hyper=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer);
    // A second init (tests) is harmless; ignore it.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
