//! What every handler can reach: the store, the configuration, and a limit on concurrent
//! password hashing (each hash takes tens of milliseconds of CPU by design).

use std::sync::Arc;

use ballast_store::Store;
use tokio::sync::Semaphore;

use crate::WebConfig;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub(crate) hashing: Arc<Semaphore>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        AppState { store, config: Arc::new(config), hashing: Arc::new(Semaphore::new(cores)) }
    }
}
