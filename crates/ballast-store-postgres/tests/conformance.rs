//! The shared store conformance suite, on PostgreSQL. Each case gets its own database on the
//! server named by `BALLAST_TEST_POSTGRES_URL`, so cases run in parallel without meeting.
//!
//! Without that variable the cases pass without running, saying so once each on stderr, unless
//! `BALLAST_REQUIRE_POSTGRES=1` (as in CI), which turns the missing server into a failure.

use std::io::Write;
use std::sync::Arc;

use ballast_store::Store;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    let Ok(url) = std::env::var("BALLAST_TEST_POSTGRES_URL") else {
        if std::env::var("BALLAST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
            panic!(
                "BALLAST_REQUIRE_POSTGRES=1 but BALLAST_TEST_POSTGRES_URL is not set; \
                 set it to a server the tests may create databases on, \
                 e.g. postgres://postgres@127.0.0.1:5432/test"
            );
        }
        // Written to the stderr handle rather than with `eprintln!`, which the test harness
        // captures and hides for passing tests; a skip should be seen.
        let _ =
            writeln!(std::io::stderr(), "skipped a PostgreSQL conformance case: BALLAST_TEST_POSTGRES_URL is not set");
        return None;
    };

    let store: Arc<dyn Store> = Arc::new(ballast_store_postgres::testing::fresh_database(&url).await);
    Some(store)
}

ballast_store::conformance_suite!(fresh_store);
