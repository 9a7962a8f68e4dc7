//! Which instruments this instance offers: the bundled ones (parsed once; a broken file is
//! logged and left out, never fatal) and any an administrator added (kept in the store, so
//! every instance sees the same list).

use std::sync::{Arc, OnceLock};

use ballast_core::instrument::{BUNDLED, Instrument, InstrumentId};

use crate::AppState;
use crate::error::WebError;

/// An instrument and where it came from.
#[derive(Clone)]
pub struct Offered {
    pub instrument: Arc<Instrument>,
    /// For administrator-added instruments: the licence they declared.
    pub custom_licence: Option<String>,
}

pub fn bundled() -> &'static [Arc<Instrument>] {
    static LOADED: OnceLock<Vec<Arc<Instrument>>> = OnceLock::new();
    LOADED.get_or_init(|| {
        BUNDLED
            .iter()
            .filter_map(|file| match Instrument::from_toml(file.text) {
                Ok(instrument) => Some(Arc::new(instrument)),
                Err(error) => {
                    tracing::error!(file = file.name, %error, "bundled instrument is invalid; leaving it out");
                    None
                }
            })
            .collect()
    })
}

/// Every instrument on offer: bundled first, then the administrator's.
pub async fn all(state: &AppState) -> Result<Vec<Offered>, WebError> {
    let mut offered: Vec<Offered> =
        bundled().iter().map(|i| Offered { instrument: i.clone(), custom_licence: None }).collect();
    for custom in state.store.custom_instruments().await? {
        if offered.iter().any(|o| o.instrument.id == custom.id) {
            continue;
        }
        match Instrument::from_toml(&custom.definition) {
            Ok(instrument) => {
                offered.push(Offered { instrument: Arc::new(instrument), custom_licence: Some(custom.licence_note) })
            }
            Err(error) => tracing::error!(id = %custom.id, %error, "stored custom instrument no longer loads"),
        }
    }
    Ok(offered)
}

/// One instrument by its id, or not found.
pub async fn find(state: &AppState, id: &str) -> Result<Offered, WebError> {
    let id = InstrumentId::parse(id).map_err(|_| WebError::NotFound)?;
    if let Some(instrument) = bundled().iter().find(|i| i.id == id) {
        return Ok(Offered { instrument: instrument.clone(), custom_licence: None });
    }
    all(state).await?.into_iter().find(|o| o.instrument.id == id).ok_or(WebError::NotFound)
}
