//! The journal's keys, the I/O half of `ballast_core::journal`.
//!
//! A random journal key seals every entry. It is stored only wrapped: once by a key argon2id
//! derives from the person's password, once by one derived from their recovery key. Neither
//! the database nor the instance key can open it, so an operator with both still reads
//! nothing.
//!
//! Typing the password for every page would be unbearable, so unlocking the journal also
//! stores the journal key for this sign-in session, wrapped by a key made from the session's
//! cookie token. The database holds only a hash of that token, so this copy, too, opens only
//! for the browser holding the cookie. It goes when the session ends or the person locks the
//! journal.

use axum::http::HeaderMap;
use ballast_core::journal::{self, EntryToken, RecoveryKey};
use ballast_core::sealing::{self, DataKey, PassphraseKey, Sealed, WrappedKey};
use ballast_core::{Password, UserId};
use ballast_store::JournalLock;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::Current;
use crate::error::WebError;
use crate::security::{cookies, tokens};
use crate::vault::random;

const SALT_LEN: usize = 16;

/// The journal key, opened for one request.
pub struct JournalKey {
    user: UserId,
    key: DataKey,
}

/// Where the person's journal stands for this request.
pub enum JournalState {
    /// They have not started one.
    NotStarted,
    /// It exists, but this session has not unlocked it.
    Locked,
    Open(JournalKey),
}

/// argon2id with the same cost as password hashing (19 MiB, two passes), run on the blocking
/// pool behind the same semaphore, so unlocking cannot starve sign-ins.
async fn derive(state: &AppState, secret: Vec<u8>, salt: Vec<u8>) -> Result<PassphraseKey, WebError> {
    let _permit = state.hashing.acquire().await.map_err(WebError::internal)?;
    tokio::task::spawn_blocking(move || {
        let params = argon2::Params::new(19 * 1024, 2, 1, Some(32)).map_err(WebError::internal)?;
        let hasher = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = [0u8; 32];
        hasher.hash_password_into(&secret, &salt, &mut out).map_err(WebError::internal)?;
        Ok(PassphraseKey::from_derived(out))
    })
    .await
    .map_err(WebError::internal)?
}

/// The key that wraps this session's copy of the journal key: a hash of the cookie token
/// under its own label, so it is never the token hash the database holds.
fn session_wrapping_key(token: &str) -> PassphraseKey {
    let mut hasher = Sha256::new();
    hasher.update(b"ballast journal unlock\0");
    hasher.update(token.as_bytes());
    PassphraseKey::from_derived(hasher.finalize().into())
}

fn session_token(headers: &HeaderMap) -> Result<&str, WebError> {
    cookies::read(headers, cookies::SESSION)
        .filter(|t| tokens::is_well_formed(t))
        .ok_or_else(|| WebError::internal("a signed-in request without its session cookie"))
}

async fn remember_for_session(
    state: &AppState,
    current: &Current,
    headers: &HeaderMap,
    key: &DataKey,
) -> Result<(), WebError> {
    let wrapped = key.wrap(&session_wrapping_key(session_token(headers)?), random()?);
    state.store.set_journal_unlock(current.user.id, current.session.id, &wrapped).await?;
    Ok(())
}

/// Starts the person's journal and unlocks it for this session. Returns the recovery key,
/// which is shown once and never stored. Fails with a conflict if a journal exists already.
pub async fn start(
    state: &AppState,
    current: &Current,
    headers: &HeaderMap,
    password: &Password,
) -> Result<RecoveryKey, WebError> {
    let key = DataKey::from_bytes(random()?);
    let recovery = RecoveryKey::from_bytes(random()?);
    let (password_salt, recovery_salt) = (random::<SALT_LEN>()?.to_vec(), random::<SALT_LEN>()?.to_vec());
    let by_password =
        key.wrap(&derive(state, password.as_str().as_bytes().to_vec(), password_salt.clone()).await?, random()?);
    let by_recovery = key.wrap(&derive(state, recovery.as_bytes().to_vec(), recovery_salt.clone()).await?, random()?);
    let lock = JournalLock { password_salt, by_password, recovery_salt, by_recovery, created_at: Timestamp::now() };
    if !state.store.create_journal_lock(current.user.id, &lock).await? {
        return Err(WebError::Unprocessable("Your journal already exists. Open it with your password.".into()));
    }
    remember_for_session(state, current, headers, &key).await?;
    Ok(recovery)
}

/// The journal as this request can see it.
pub async fn state_of(state: &AppState, current: &Current, headers: &HeaderMap) -> Result<JournalState, WebError> {
    if state.store.journal_lock(current.user.id).await?.is_none() {
        return Ok(JournalState::NotStarted);
    }
    let Some(wrapped) = state.store.journal_unlock(current.session.id).await? else {
        return Ok(JournalState::Locked);
    };
    match wrapped.unwrap(&session_wrapping_key(session_token(headers)?)) {
        Ok(key) => Ok(JournalState::Open(JournalKey { user: current.user.id, key })),
        // Only a forged or stale copy fails; the person unlocks again.
        Err(_) => Ok(JournalState::Locked),
    }
}

/// What happened when the person tried to open their journal.
pub enum Unlock {
    Opened,
    /// The password (already checked against the account) does not open the journal: it was
    /// sealed under a password that has since been replaced without it.
    NeedsRecovery,
}

/// Opens the journal with the account password (which the caller has already verified, with
/// throttling) and remembers it for this session.
pub async fn unlock(
    state: &AppState,
    current: &Current,
    headers: &HeaderMap,
    password: &Password,
) -> Result<Unlock, WebError> {
    let lock = state.store.journal_lock(current.user.id).await?.ok_or(WebError::NotFound)?;
    let derived = derive(state, password.as_str().as_bytes().to_vec(), lock.password_salt).await?;
    match lock.by_password.unwrap(&derived) {
        Ok(key) => {
            remember_for_session(state, current, headers, &key).await?;
            Ok(Unlock::Opened)
        }
        Err(_) => Ok(Unlock::NeedsRecovery),
    }
}

/// Opens the journal with the recovery key and seals it again under the current password
/// (already verified by the caller). False if the recovery key does not open it.
pub async fn recover(
    state: &AppState,
    current: &Current,
    headers: &HeaderMap,
    recovery: &RecoveryKey,
    password: &Password,
) -> Result<bool, WebError> {
    let lock = state.store.journal_lock(current.user.id).await?.ok_or(WebError::NotFound)?;
    let derived = derive(state, recovery.as_bytes().to_vec(), lock.recovery_salt).await?;
    let Ok(key) = lock.by_recovery.unwrap(&derived) else { return Ok(false) };
    rewrap_with(state, current.user.id, &key, password).await?;
    remember_for_session(state, current, headers, &key).await?;
    Ok(true)
}

async fn rewrap_with(state: &AppState, user: UserId, key: &DataKey, password: &Password) -> Result<(), WebError> {
    let salt = random::<SALT_LEN>()?.to_vec();
    let wrapped: WrappedKey =
        key.wrap(&derive(state, password.as_str().as_bytes().to_vec(), salt.clone()).await?, random()?);
    state.store.rewrap_journal(user, &salt, &wrapped).await?;
    Ok(())
}

/// After a password change: seals the journal key again under the new password. A journal
/// the old password did not open (it needed recovery already) is left as it was.
pub async fn change_password(state: &AppState, user: UserId, old: &Password, new: &Password) -> Result<(), WebError> {
    let Some(lock) = state.store.journal_lock(user).await? else { return Ok(()) };
    let derived = derive(state, old.as_str().as_bytes().to_vec(), lock.password_salt).await?;
    match lock.by_password.unwrap(&derived) {
        Ok(key) => rewrap_with(state, user, &key, new).await,
        Err(_) => {
            tracing::warn!(user = user.0, "the journal did not open with the old password; left for recovery");
            Ok(())
        }
    }
}

impl JournalKey {
    pub fn seal_entry(&self, token: &EntryToken, text: &str) -> Result<Sealed, WebError> {
        Ok(sealing::seal(&self.key, text, &journal::entry_place(self.user, token), random()?))
    }

    pub fn open_entry(&self, token: &EntryToken, sealed: &Sealed) -> Result<String, WebError> {
        sealing::open(&self.key, sealed, &journal::entry_place(self.user, token))
            .map_err(|e| WebError::internal(format!("a journal entry of account {} would not open: {e}", self.user)))
    }

    pub fn seal_draft(&self, text: &str) -> Result<Sealed, WebError> {
        Ok(sealing::seal(&self.key, text, &journal::draft_place(self.user), random()?))
    }

    pub fn open_draft(&self, sealed: &Sealed) -> Result<String, WebError> {
        sealing::open(&self.key, sealed, &journal::draft_place(self.user))
            .map_err(|e| WebError::internal(format!("a journal draft of account {} would not open: {e}", self.user)))
    }
}
