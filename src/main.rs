use clap::Parser;

/// mimalloc instead of glibc's allocator: a validation or a signing parses the PDF into a
/// graph of many small allocations (lopdf), and glibc's malloc and free were about a tenth
/// of a validation's time (benches/RESULTS.md). The benches use the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = vanthu::cli::Cli::parse();
    match vanthu::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}
