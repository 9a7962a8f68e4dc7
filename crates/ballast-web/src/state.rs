//! What every handler can reach: the store, the configuration, the vault that seals people's
//! free text, a limit on concurrent password hashing (each hash takes tens of milliseconds
//! of CPU by design), the mailer when email is configured, and this instance's name as a
//! background job runner.

use std::sync::Arc;

use ballast_core::sealing::InstanceKey;
use ballast_store::Store;
use tokio::sync::Semaphore;

use crate::WebConfig;
use crate::mail::Mailer;
use crate::security::tokens;
use crate::vault::Vault;

/// Cloned for every request by axum, so it is one pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub store: Arc<dyn Store>,
    pub config: WebConfig,
    pub(crate) vault: Vault,
    pub(crate) hashing: Semaphore,
    /// `None` when the operator configured no email (or a configuration `Mailer` refused,
    /// which the binary checks before starting).
    pub(crate) mailer: Option<Mailer>,
    /// Names this instance's claims on background jobs (their lease owner).
    pub(crate) runner_id: String,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig, instance_key: InstanceKey) -> AppState {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let vault = Vault::new(instance_key);
        let mailer = config
            .mail
            .as_ref()
            .and_then(|mail| Mailer::new(mail).inspect_err(|error| tracing::error!(%error, "email is off")).ok());
        let runner_id = format!("runner-{}", &tokens::random_token()[..12]);
        AppState(Arc::new(Shared { store, config, vault, hashing: Semaphore::new(cores), mailer, runner_id }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
