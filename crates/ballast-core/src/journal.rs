//! The private journal: entries sealed with a journal key that only the person's password
//! (or their recovery key) can open — not the database, and not an operator holding the
//! instance key.
//!
//! The journal key is a [`DataKey`](crate::sealing::DataKey) made when the journal is first
//! used. It is stored twice, each copy wrapped by a
//! [`PassphraseKey`](crate::sealing::PassphraseKey) the web layer derives with argon2id: once
//! from the password, once from a [`RecoveryKey`] shown to the person a single time. This
//! module holds what needs no I/O and no randomness: the prompts, entry tokens, the recovery
//! key's written form, and the places sealed values are bound to.

use std::fmt;

/// Longest entry, in bytes of text (about 2,500 words of English): a long entry, and small
/// enough that the form carrying it fits the server's 64 KiB body limit even when every
/// character is written out as percent-escapes. A megabyte is not an entry but a paste.
pub const MAX_ENTRY_BYTES: usize = 16 * 1024;

/// A prompt to start from, in Ballast's own words. Entries keep the id of the one chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prompt {
    pub id: &'static str,
    pub text: &'static str,
}

pub const PROMPTS: [Prompt; 6] = [
    Prompt { id: "stayed", text: "What stayed with me today?" },
    Prompt { id: "value", text: "What do I value in this work, even now?" },
    Prompt { id: "story", text: "What story am I telling myself about it?" },
    Prompt { id: "restored", text: "What restored me, even a little?" },
    Prompt { id: "carry", text: "What can I put down before tomorrow?" },
    Prompt { id: "kind", text: "What would I say to a colleague who had my day?" },
];

pub fn prompt(id: &str) -> Option<&'static Prompt> {
    PROMPTS.iter().find(|p| p.id == id)
}

const TOKEN_LEN: usize = 16;

/// An entry's public identity: 16 random bytes, written as 32 lowercase hex digits in
/// addresses. Sealed bodies are bound to it, so a body copied to another entry fails to open.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryToken([u8; TOKEN_LEN]);

impl EntryToken {
    /// From fresh random bytes.
    pub fn from_bytes(bytes: [u8; TOKEN_LEN]) -> EntryToken {
        EntryToken(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; TOKEN_LEN] {
        &self.0
    }

    /// Reads stored bytes; `None` unless exactly 16.
    pub fn from_slice(bytes: &[u8]) -> Option<EntryToken> {
        bytes.try_into().ok().map(EntryToken)
    }

    /// Reads 32 hex digits (either case); `None` for anything else.
    pub fn parse(text: &str) -> Option<EntryToken> {
        let text = text.as_bytes();
        if text.len() != TOKEN_LEN * 2 {
            return None;
        }
        let mut bytes = [0; TOKEN_LEN];
        for (byte, pair) in bytes.iter_mut().zip(text.chunks_exact(2)) {
            *byte = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
        }
        Some(EntryToken(bytes))
    }
}

impl fmt::Display for EntryToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for EntryToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EntryToken({self})")
    }
}

fn hex_digit(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// The alphabet of recovery keys: Crockford's base 32, which leaves out I, L, O and U so
/// that nothing is misread when the key is copied by hand from paper.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const RECOVERY_BYTES: usize = 20;
/// 160 bits make 32 characters, shown in eight groups of four.
const RECOVERY_CHARS: usize = RECOVERY_BYTES * 8 / 5;

/// The key that opens the journal when the password cannot: 160 random bits, shown once as
/// `XXXX-XXXX-…` (eight groups of four). Reading is forgiving — any case, spaces or dashes
/// anywhere, and the letters people confuse with digits (O, I, L) read as 0, 1, 1.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryKey([u8; RECOVERY_BYTES]);

impl RecoveryKey {
    pub fn from_bytes(random: [u8; RECOVERY_BYTES]) -> RecoveryKey {
        RecoveryKey(random)
    }

    /// What argon2id derives the wrapping key from.
    pub fn as_bytes(&self) -> &[u8; RECOVERY_BYTES] {
        &self.0
    }

    pub fn parse(text: &str) -> Option<RecoveryKey> {
        let mut bits: u32 = 0;
        let mut held = 0;
        let mut bytes = Vec::with_capacity(RECOVERY_BYTES);
        let mut chars = 0;
        for c in text.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            let value = RECOVERY_ALPHABET.iter().position(|&a| char::from(a) == c)?;
            chars += 1;
            if chars > RECOVERY_CHARS {
                return None;
            }
            bits = (bits << 5) | value as u32;
            held += 5;
            if held >= 8 {
                held -= 8;
                bytes.push((bits >> held) as u8);
                bits &= (1 << held) - 1;
            }
        }
        if chars != RECOVERY_CHARS {
            return None;
        }
        bytes.try_into().ok().map(RecoveryKey)
    }
}

impl fmt::Display for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut bits: u64 = 0;
        let mut held = 0;
        let mut written = 0;
        for &byte in &self.0 {
            bits = (bits << 8) | u64::from(byte);
            held += 8;
            while held >= 5 {
                held -= 5;
                if written > 0 && written % 4 == 0 {
                    f.write_str("-")?;
                }
                let index = ((bits >> held) & 31) as usize;
                write!(f, "{}", char::from(RECOVERY_ALPHABET[index]))?;
                written += 1;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryKey(<redacted>)")
    }
}

/// What a sealed journal value is bound to (its associated data).
pub fn entry_place(user: crate::UserId, token: &EntryToken) -> Vec<u8> {
    format!("user:{user}/journal/entry/{token}").into_bytes()
}

pub fn draft_place(user: crate::UserId) -> Vec<u8> {
    format!("user:{user}/journal/draft").into_bytes()
}

/// Whether `entry` contains every word of `query`, ignoring case: a plain, predictable search
/// over the person's own words.
pub fn matches(entry: &str, query: &str) -> bool {
    let entry = entry.to_lowercase();
    let mut words = query.split_whitespace().peekable();
    words.peek().is_some() && words.all(|word| entry.contains(&word.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_keys_read_back_from_their_written_form() {
        let key = RecoveryKey::from_bytes(*b"\x00\x01\x02\x03\xfc\xfd\xfe\xff journal!xyz");
        let written = key.to_string();
        assert_eq!(written.len(), 32 + 7, "{written}");
        assert_eq!(written.split('-').count(), 8);
        assert_eq!(RecoveryKey::parse(&written), Some(key.clone()));
        let sloppy = written.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
        assert_eq!(RecoveryKey::parse(&sloppy), Some(key));
    }

    #[test]
    fn recovery_keys_of_the_wrong_length_or_letters_are_refused() {
        let written = RecoveryKey::from_bytes([7; 20]).to_string();
        assert!(RecoveryKey::parse(&written[..written.len() - 1]).is_none());
        assert!(RecoveryKey::parse(&format!("{written}A")).is_none());
        assert!(RecoveryKey::parse(&written.replacen(|c: char| c.is_ascii_alphanumeric(), "U", 1)).is_none());
        assert!(RecoveryKey::parse("").is_none());
    }

    #[test]
    fn tokens_round_trip_through_hex() {
        let token = EntryToken::from_bytes([0xab; 16]);
        assert_eq!(token.to_string(), "ab".repeat(16));
        assert_eq!(EntryToken::parse(&token.to_string().to_uppercase()), Some(token));
        assert_eq!(EntryToken::parse("abc"), None);
        assert_eq!(EntryToken::parse(&"zz".repeat(16)), None);
    }

    #[test]
    fn search_needs_every_word() {
        assert!(matches("The Tuesday family again. Walked it off.", "tuesday walked"));
        assert!(!matches("The Tuesday family again.", "tuesday river"));
        assert!(!matches("anything", "   "));
    }

    proptest::proptest! {
        #[test]
        fn every_recovery_key_reads_back(bytes in proptest::array::uniform20(proptest::prelude::any::<u8>())) {
            let key = RecoveryKey::from_bytes(bytes);
            proptest::prop_assert_eq!(RecoveryKey::parse(&key.to_string()), Some(key));
        }

        #[test]
        fn reading_any_text_never_panics(text in "\\PC{0,60}") {
            let _ = RecoveryKey::parse(&text);
            let _ = EntryToken::parse(&text);
        }

        #[test]
        fn every_token_reads_back(bytes in proptest::array::uniform16(proptest::prelude::any::<u8>())) {
            let token = EntryToken::from_bytes(bytes);
            proptest::prop_assert_eq!(EntryToken::parse(&token.to_string()), Some(token));
        }
    }
}
