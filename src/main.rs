//! The `govgraph` binary; everything lives in the `govgraph-api` crate.

/// A request allocates many small, short-lived values; mimalloc serves them from per-thread
/// pages, which the system allocator does not (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    govgraph_api::cli::main()
}
