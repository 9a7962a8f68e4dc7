//! Plain records passed across the store boundary.

use ballast_core::{Email, Role, SessionId, UserId};
use jiff::Timestamp;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub password_hash: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    pub created_at: Timestamp,
}

/// What sign-in needs: the account and its password hash.
#[derive(Debug, Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

/// SHA-256 of a session token. The token itself is only ever in the person's cookie.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// SHA-256 of what a throttle counts against ("account:<email>", "address:<ip>"), so the
/// throttle table holds no addresses in the clear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleKey(pub [u8; 32]);

#[derive(Debug, Clone)]
pub struct NewSession {
    pub user_id: UserId,
    pub token: TokenHash,
    pub created_at: Timestamp,
    /// A short description of the browser, so the person can tell their sessions apart.
    pub user_agent: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub user_agent: String,
}

#[derive(Debug, Clone)]
pub struct SessionWithUser {
    pub session: Session,
    pub user: User,
}
