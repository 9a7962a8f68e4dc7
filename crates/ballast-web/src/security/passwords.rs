//! Password hashing with argon2id (OWASP's recommended parameters: 19 MiB, two passes, one
//! lane). Hashing is deliberately slow, so it runs on the blocking pool behind a semaphore
//! that keeps a burst of sign-ins from starving every other request.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use ballast_core::{NewPassword, Password};

use crate::AppState;
use crate::error::WebError;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 2, 1, None).expect("valid argon2 params"))
}

/// A hash of a password nobody has, verified against when an account does not exist so that
/// sign-in takes as long for unknown emails as for known ones.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_now("decoy password that matches no account").expect("hashing works"))
}

fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random generator is unavailable");
    let salt = SaltString::encode_b64(&salt)?;
    Ok(hasher().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
}

pub async fn hash(state: &AppState, password: &NewPassword) -> Result<String, WebError> {
    let password = password.as_str().to_owned();
    let _permit = state.hashing.acquire().await.map_err(WebError::internal)?;
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(WebError::internal)?
        .map_err(WebError::internal)
}

/// Checks `password` against `stored`, or against a decoy when there is no account.
pub async fn verify(state: &AppState, password: &Password, stored: Option<String>) -> Result<bool, WebError> {
    let password = password.as_str().to_owned();
    let _permit = state.hashing.acquire().await.map_err(WebError::internal)?;
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify_now(&password, &stored),
        None => {
            verify_now(&password, decoy_hash());
            false
        }
    })
    .await
    .map_err(WebError::internal)
}

/// A new random password for an operator's reset: 20 characters from a 32-letter alphabet
/// (100 bits), with its argon2id hash. The person signs in with it and chooses their own.
pub fn temporary_password() -> Result<(String, String), WebError> {
    const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789-";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(WebError::internal)?;
    let password: String = bytes.iter().map(|b| char::from(ALPHABET[usize::from(b % 32)])).collect();
    let hash = hash_now(&password).map_err(WebError::internal)?;
    Ok((password, hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let stored = hash_now("lantern orchard velvet quietly").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_now("lantern orchard velvet quietly", &stored));
        assert!(!verify_now("lantern orchard velvet quietlY", &stored));
        assert!(!verify_now("anything", "not a hash"));
        assert_ne!(stored, hash_now("lantern orchard velvet quietly").unwrap(), "salted");
    }
}
