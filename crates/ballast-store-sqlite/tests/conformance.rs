//! The shared store conformance suite, on SQLite. Each case gets its own database file.

use std::sync::Arc;

use ballast_store::Store;
use ballast_store_sqlite::SqliteStore;

async fn fresh_store() -> Option<Arc<dyn Store>> {
    // The folder is leaked on purpose so the file outlives the store; it sits in the system
    // temporary folder and is small.
    let folder = tempfile::tempdir().unwrap().keep();
    let store = SqliteStore::open_in(&folder).unwrap();
    store.migrate().await.unwrap();
    Some(Arc::new(store))
}

ballast_store::conformance_suite!(fresh_store);
