//! The person's own warning signs: the few signs, picked from Ballast's library or written in
//! their own words, that tell them the work is starting to cost too much. The check-in asks
//! about these, and insights count them. Signs they write are sealed like notes.
//!
//! The form's fields: `sign-<id>` for each ticked library sign, `own-<id>` for each sign the
//! person wrote before, and `new` for one more.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use ballast_core::checkin::{SignGroup, SignId, WARNING_SIGNS};
use ballast_store::ChosenSign;

use super::{invalid, see_other};
use crate::AppState;
use crate::auth::{Current, SignedIn};
use crate::error::{PageError, WebError};
use crate::forms::{FieldErrors, FormInput, Typed};
use crate::render::{Layout, html};
use crate::security::csrf::CsrfToken;
use crate::vault::{Place, random};

pub fn routes() -> Router<AppState> {
    Router::new().route("/check-in/signs", get(show).post(save))
}

/// Longest warning sign a person writes: one line.
const MAX_OWN_SIGN_CHARS: usize = 120;
/// How many signs of their own a person may keep. The point is a short list to watch.
const MAX_OWN_SIGNS: usize = 10;

/// One of the person's signs, in words they can read.
#[derive(Debug, Clone)]
pub struct SignLabel {
    pub id: SignId,
    pub text: String,
    pub own: bool,
}

/// The person's warning signs, in their order, with their own signs opened.
pub async fn my_signs(state: &AppState, current: &Current) -> Result<Vec<SignLabel>, WebError> {
    let chosen = state.store.warning_signs(current.user.id).await?;
    let mut key = None;
    let mut labels = Vec::with_capacity(chosen.len());
    for sign in chosen {
        let (text, own) = match (sign.id.library(), &sign.own_words) {
            (Some(library), _) => (library.text.to_owned(), false),
            (None, Some(sealed)) => {
                if key.is_none() {
                    key = state.vault.existing_key(&*state.store, current.user.id).await?;
                }
                let key = key.as_ref().ok_or_else(|| WebError::internal("an own warning sign without a data key"))?;
                (key.open(Place::WarningSign { sign: sign.id.as_str() }, sealed)?, true)
            }
            (None, None) => continue,
        };
        labels.push(SignLabel { id: sign.id, text, own });
    }
    Ok(labels)
}

/// How to show a sign id that turns up in a check-in: its words, or a plain note if the
/// person has since removed a sign of their own.
pub fn label_of(id: &SignId, signs: &[SignLabel]) -> String {
    match (signs.iter().find(|s| &s.id == id), id.library()) {
        (Some(sign), _) => sign.text.clone(),
        (None, Some(library)) => library.text.to_owned(),
        (None, None) => "A sign of your own that you have since removed".to_owned(),
    }
}

struct LibraryGroup {
    label: &'static str,
    signs: Vec<(String, &'static str, bool)>,
}

struct OwnField {
    name: String,
    value: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "signs.html")]
struct SignsPage {
    layout: Layout,
    errors: FieldErrors,
    groups: Vec<LibraryGroup>,
    own: Vec<OwnField>,
    notice: Option<&'static str>,
    max_own_chars: usize,
}

const GROUPS: [SignGroup; 5] =
    [SignGroup::Emotional, SignGroup::Avoidance, SignGroup::Cognitive, SignGroup::Relational, SignGroup::Physical];

fn page(
    current: &Current,
    csrf: &CsrfToken,
    typed: &Typed,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Response {
    let groups = GROUPS
        .iter()
        .map(|group| LibraryGroup {
            label: group.label(),
            signs: WARNING_SIGNS
                .iter()
                .filter(|s| s.group == *group)
                .map(|s| (format!("sign-{}", s.id), s.text, typed.contains_key(&format!("sign-{}", s.id))))
                .collect(),
        })
        .collect();
    let mut own: Vec<OwnField> = typed
        .iter()
        .filter(|(name, _)| name.starts_with("own-"))
        .map(|(name, value)| OwnField {
            name: name.clone(),
            value: value.clone(),
            error: errors.get(name).map(str::to_owned),
        })
        .collect();
    own.sort_by(|a, b| a.name.cmp(&b.name));
    if own.len() < MAX_OWN_SIGNS {
        own.push(OwnField {
            name: "new".to_owned(),
            value: typed.get("new").cloned().unwrap_or_default(),
            error: errors.get("new").map(str::to_owned),
        });
    }
    let layout = Layout::new("Your warning signs", Some(current), csrf).with_errors(!errors.is_empty());
    html(&SignsPage { layout, errors, groups, own, notice, max_own_chars: MAX_OWN_SIGN_CHARS })
}

async fn show(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let mut typed = Typed::new();
    for sign in my_signs(&state, &current).await? {
        if sign.own {
            typed.insert(sign.id.as_str().to_owned(), sign.text);
        } else {
            typed.insert(format!("sign-{}", sign.id.as_str()), "on".to_owned());
        }
    }
    let notice = (query.as_deref() == Some("saved=1")).then_some("Saved. Your check-in will ask about these signs.");
    Ok(page(&current, &csrf, &typed, FieldErrors::default(), notice))
}

async fn save(
    State(state): State<AppState>,
    SignedIn(current): SignedIn,
    Extension(csrf): Extension<CsrfToken>,
    FormInput(typed): FormInput<Typed>,
) -> Result<Response, PageError> {
    let mut errors = FieldErrors::default();
    let mut library = Vec::new();
    let mut own: Vec<(SignId, String)> = Vec::new();
    let mut names: Vec<&String> = typed.keys().collect();
    names.sort();
    for name in names {
        if let Some(id) = name.strip_prefix("sign-") {
            match SignId::parse(id).filter(|id| id.library().is_some()) {
                Some(id) => library.push(id),
                None => {
                    errors.add("signs", "One of the ticked signs is not in Ballast's list. Please reload the page.")
                }
            }
        } else if name.starts_with("own-") || name == "new" {
            let text = typed[name].split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                continue; // an emptied box removes that sign
            }
            let chars = text.chars().count();
            if chars > MAX_OWN_SIGN_CHARS {
                errors.add_owned(
                    name.clone(),
                    format!("Please keep a sign to one line of {MAX_OWN_SIGN_CHARS} characters; this one is {chars}."),
                );
                continue;
            }
            let id = if name == "new" {
                SignId::own(random()?)
            } else {
                match SignId::parse(name) {
                    Some(id) => id,
                    None => {
                        errors.add("signs", "We could not read one of your own signs. Please reload the page.");
                        continue;
                    }
                }
            };
            own.push((id, text));
        }
    }
    if own.len() > MAX_OWN_SIGNS {
        errors.add(
            "new",
            format!("You can keep up to {MAX_OWN_SIGNS} signs of your own. Shorter lists are easier to watch."),
        );
    }
    // Order library signs as the library lists them.
    library.sort_by_key(|id| WARNING_SIGNS.iter().position(|s| s.id == id.as_str()));
    if !errors.is_empty() {
        return Ok(invalid(page(&current, &csrf, &typed, errors, None)));
    }
    let mut chosen: Vec<ChosenSign> = library.into_iter().map(|id| ChosenSign { id, own_words: None }).collect();
    if !own.is_empty() {
        let key = state.vault.key_for(&*state.store, current.user.id).await?;
        for (id, text) in own {
            let sealed = key.seal(Place::WarningSign { sign: id.as_str() }, &text)?;
            chosen.push(ChosenSign { id, own_words: Some(sealed) });
        }
    }
    state.store.set_warning_signs(current.user.id, &chosen).await?;
    Ok(see_other("/check-in/signs?saved=1", &[]))
}
