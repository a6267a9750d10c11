use clap::Parser;

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
