#![forbid(unsafe_code)]

/// mimalloc instead of glibc's malloc: an exchange makes many small, short-lived allocations
/// (parsed JSON, headers, rows), and the profile put 12-16% of the gateway's CPU in glibc's
/// malloc and free (bench/notes.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    gateway::cli::run().await
}
