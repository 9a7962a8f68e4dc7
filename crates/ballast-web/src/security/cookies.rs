//! The two cookies Ballast sets, both `__Host-` prefixed (so they are bound to this exact
//! host, sent only over HTTPS or localhost, and cannot be planted by a sibling domain).

use axum::http::{HeaderMap, HeaderValue, header};

pub const SESSION: &str = "__Host-ballast-session";
pub const CSRF: &str = "__Host-ballast-csrf";

/// The value of cookie `name` in the request, if present.
pub fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value with the attributes every Ballast cookie carries.
pub fn set(name: &str, value: &str, max_age_seconds: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}"))
        .expect("cookie values are base64url")
}

pub fn clear(name: &str) -> HeaderValue {
    set(name, "", 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; __Host-ballast-session=abc; b=2"));
        assert_eq!(read(&headers, SESSION), Some("abc"));
        assert_eq!(read(&headers, CSRF), None);
    }

    #[test]
    fn cookies_are_locked_down() {
        let value = set(SESSION, "abc", 60);
        let text = value.to_str().unwrap();
        for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age=60"] {
            assert!(text.contains(attribute), "{text} lacks {attribute}");
        }
        assert!(!text.contains("Domain"));
    }
}
