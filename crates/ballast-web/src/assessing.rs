//! Recording a completed assessment, shared by the pages and the API so both score and store
//! exactly the same way.

use ballast_core::instrument::{Answers, Instrument};
use ballast_store::{Assessment, NewAssessment, StoredScale};
use jiff::Timestamp;

use crate::AppState;
use crate::auth::Current;
use crate::error::WebError;

/// Scores `answers` (already checked to be complete) and stores the result.
pub async fn record(
    state: &AppState,
    current: &Current,
    instrument: &Instrument,
    answers: Answers,
    at: Timestamp,
) -> Result<Assessment, WebError> {
    let scored = instrument.score(&answers).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let scales: Vec<StoredScale> = instrument
        .scales
        .iter()
        .zip(&scored.scales)
        .map(|(scale, score)| StoredScale {
            id: score.id.clone(),
            value: score.value,
            band: score.band.map(|b| scale.bands[b].label.clone()),
        })
        .collect();
    let new = NewAssessment {
        user_id: current.user.id,
        instrument_id: instrument.id.clone(),
        instrument_version: instrument.version.clone(),
        answers: answers.clone(),
        scales: scales.clone(),
        flags: scored.flags.clone(),
        taken_at: at,
    };
    let id = state.store.save_assessment(new).await?;
    if !scored.flags.is_empty() {
        // Counted, never attributed: the log line names no person and no answer.
        tracing::info!(instrument = %instrument.id, "support page offered after an assessment");
    }
    Ok(Assessment {
        id,
        user_id: current.user.id,
        instrument_id: instrument.id.clone(),
        instrument_version: instrument.version.clone(),
        answers,
        scales,
        flags: scored.flags,
        taken_at: at,
    })
}
