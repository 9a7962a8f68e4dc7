//! The benchmark ceiling: the smallest axum server that answers "hello" on one route, built
//! with the same axum, Tokio and release profile as Ballast. `bench/run.py` measures Ballast's
//! pages against it. Usage: `bare_hello 127.0.0.1:PORT`.

use axum::Router;
use axum::routing::get;

/// The same allocator as the `ballast` binary, so the comparison is like for like.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8099".into());
    let listener = tokio::net::TcpListener::bind(&address).await.expect("bind");
    println!("bare hello listening on http://{}", listener.local_addr().expect("address"));
    let app = Router::new().route("/", get(|| async { "hello" }));
    axum::serve(listener, app).await.expect("serve");
}
