//! Request-level protections: security headers, CSRF, cookies, tokens and password hashing.

pub mod cookies;
pub mod csrf;
pub mod headers;
pub mod passwords;
pub mod tokens;
