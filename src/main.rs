//! The `govgraph` binary; everything lives in the `govgraph-api` crate.

fn main() -> std::process::ExitCode {
    govgraph_api::cli::main()
}
