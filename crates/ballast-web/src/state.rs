//! What every handler can reach: the store, the configuration, the vault that seals people's
//! free text, and a limit on concurrent password hashing (each hash takes tens of milliseconds
//! of CPU by design).

use std::sync::Arc;

use ballast_core::sealing::InstanceKey;
use ballast_store::Store;
use tokio::sync::Semaphore;

use crate::WebConfig;
use crate::vault::Vault;

/// Cloned for every request by axum, so it is one pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Arc<dyn Store>,
    pub config: WebConfig,
    pub(crate) vault: Vault,
    pub(crate) hashing: Semaphore,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig, instance_key: InstanceKey) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let vault = Vault::new(instance_key);
        AppState(Arc::new(Shared { store, config, vault, hashing: Semaphore::new(cores) }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
