//! Support resources: who a person can turn to. Administrators set the list for their
//! instance; until they do, these honest, general defaults apply. Showing them never
//! notifies anyone.

use ballast_store::SupportResource;

use crate::AppState;
use crate::error::WebError;

pub fn defaults() -> Vec<SupportResource> {
    let resource = |name: &str, description: &str, contact: &str| SupportResource {
        name: name.into(),
        description: description.into(),
        contact: contact.into(),
    };
    vec![
        resource(
            "Emergency services",
            "If you might act on thoughts of harming yourself, or you are in danger right now, call your local emergency number or go to the nearest emergency department.",
            "Your local emergency number (for example 112 in Europe, 911 in North America, 999 in the UK)",
        ),
        resource(
            "Your GP or doctor",
            "For anything that has been weighing on you for a while — sleep, mood, exhaustion — a doctor can help you look at it properly.",
            "Your usual practice",
        ),
        resource(
            "Employee assistance or staff support",
            "Many employers offer free, confidential counselling. Your employer is not told that you used it.",
            "Ask HR or check your staff intranet",
        ),
        resource(
            "A supervisor or a colleague you trust",
            "Talking through a hard case or a heavy stretch of work with someone who understands it often helps more than we expect.",
            "Whoever you feel safe talking to",
        ),
    ]
}

/// The resources to show: the administrator's list, or the defaults.
pub async fn resources(state: &AppState) -> Result<Vec<SupportResource>, WebError> {
    Ok(state.store.support_resources().await?.unwrap_or_else(defaults))
}
