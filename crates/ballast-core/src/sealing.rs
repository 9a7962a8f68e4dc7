//! Envelope encryption for what people write (check-in notes now, journal entries later).
//!
//! Three layers of key:
//! - an [`InstanceKey`] per installation, kept *outside* the database (a key file in the data
//!   folder, or `BALLAST_MASTER_KEY` / a key-file path; loading it is the web crate's job);
//! - a [`DataKey`] per person, stored only as a [`WrappedKey`] (the data key sealed by the
//!   instance key, or by a [`PassphraseKey`] for the password-sealed journal). Destroying the
//!   wrapped key destroys everything sealed with it;
//! - [`Sealed`] values: text sealed by a data key, bound by *associated data* to the place it
//!   is stored (for example `b"checkin-note:<user id>:<day>"`), so a ciphertext copied to
//!   another row, or another person's row, does not open.
//!
//! The algorithm is XChaCha20-Poly1305 (a 24-byte nonce is large enough to pick at random for
//! every message). This module does no I/O and draws no random numbers: callers pass fresh
//! random bytes for keys and nonces, which keeps it pure and testable.
//!
//! Stored layouts (all bytes; the first byte is a format version so the algorithm can change
//! later without guessing):
//!
//! ```text
//! Sealed:     [version = 1][nonce: 24][ciphertext: len(plaintext)][tag: 16]
//! WrappedKey: [version = 1][nonce: 24][sealed data key: 32][tag: 16]   (73 bytes)
//! ```
//!
//! The version byte and a fixed label for the kind of value are part of the authenticated data,
//! so neither can be swapped without the value failing to open.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chacha20poly1305::aead::AeadInOut;
use chacha20poly1305::{Key, KeyInit, Tag, XChaCha20Poly1305, XNonce};
pub use zeroize::{Zeroize, Zeroizing};

/// Length of every key here, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of a nonce, in bytes. Pass fresh random bytes for every seal and every wrap.
pub const NONCE_LEN: usize = 24;
/// Length of the authentication tag at the end of each sealed value.
pub const TAG_LEN: usize = 16;
/// The format version written today: XChaCha20-Poly1305 with a random 24-byte nonce.
pub const VERSION_XCHACHA20_POLY1305: u8 = 1;
/// Length of a stored [`WrappedKey`].
pub const WRAPPED_KEY_LEN: usize = HEADER_LEN + KEY_LEN + TAG_LEN;

const HEADER_LEN: usize = 1 + NONCE_LEN;

/// Labels authenticated with each kind of value (never stored; they only have to match).
const SEALED_LABEL: &[u8] = b"ballast/sealed/v1\0";
const WRAPPED_BY_INSTANCE_LABEL: &[u8] = b"ballast/data-key/by-instance-key/v1";
const WRAPPED_BY_PASSPHRASE_LABEL: &[u8] = b"ballast/data-key/by-passphrase-key/v1";

/// Why a stored value could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key is not the one it was sealed with, the associated data names another place, or
    /// the bytes were altered. The cipher cannot tell these apart, by design.
    #[error("could not open a sealed value: the key is wrong, or the value was altered or moved from its place")]
    WrongKeyOrTampered,
    /// Written by a newer (or unknown) format.
    #[error("a sealed value has format version {0}, which this build of Ballast does not know")]
    UnknownVersion(u8),
    /// Too short, the wrong length, or (after opening) not text.
    #[error("a sealed value is malformed: {0}")]
    Malformed(&'static str),
}

/// Why text (or a key file's contents) is not an instance key. Never includes the text itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    #[error("it is empty")]
    Empty,
    #[error(
        "expected 32 bytes written as 64 hexadecimal characters or 44 base64 characters, but it has {chars} characters"
    )]
    WrongTextLength { chars: usize },
    #[error("it has 64 characters but not all of them are hexadecimal digits")]
    NotHex,
    #[error("it is not 32 bytes written in base64")]
    NotBase64,
    #[error(
        "a key file must hold exactly 32 bytes, or the key as 64 hexadecimal or 44 base64 characters; this one holds {bytes} bytes"
    )]
    WrongFileLength { bytes: usize },
}

/// The installation's key-encryption key. It wraps every person's [`DataKey`] and must never
/// be stored in the database. Zeroed when dropped; `Debug` never shows it.
pub struct InstanceKey([u8; KEY_LEN]);

/// One person's key for their sealed text. Create it from fresh random bytes, store only its
/// [`WrappedKey`]. Zeroed when dropped; `Debug` never shows it.
pub struct DataKey([u8; KEY_LEN]);

/// A key derived by the caller from a password or a recovery code (for example argon2id output
/// with a per-person salt), for keys that even the instance key must not open — the journal.
/// Zeroed when dropped; `Debug` never shows it.
pub struct PassphraseKey([u8; KEY_LEN]);

/// A key that can wrap a [`DataKey`]: an [`InstanceKey`] or a [`PassphraseKey`].
/// (Sealed: it cannot be implemented outside this module.)
pub trait WrappingKey: private::KeyMaterial {}

mod private {
    pub trait KeyMaterial {
        fn key_bytes(&self) -> &[u8; super::KEY_LEN];
        /// Authenticated with each wrapped key, so a key wrapped by one kind of wrapping key
        /// is never mistaken for one wrapped by the other.
        fn wrap_label(&self) -> &'static [u8];
    }
}

impl private::KeyMaterial for InstanceKey {
    fn key_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
    fn wrap_label(&self) -> &'static [u8] {
        WRAPPED_BY_INSTANCE_LABEL
    }
}
impl WrappingKey for InstanceKey {}

impl private::KeyMaterial for PassphraseKey {
    fn key_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
    fn wrap_label(&self) -> &'static [u8] {
        WRAPPED_BY_PASSPHRASE_LABEL
    }
}
impl WrappingKey for PassphraseKey {}

macro_rules! secret_key_hygiene {
    ($($name:ident),*) => {$(
        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    )*};
}
secret_key_hygiene!(InstanceKey, DataKey, PassphraseKey);

/// Base64 with either alphabet's padding optional: operators paste keys from many tools.
const BASE64_STANDARD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const BASE64_URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl InstanceKey {
    /// From 32 bytes (fresh random bytes when creating a key).
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> InstanceKey {
        InstanceKey(bytes)
    }

    /// From 64 hexadecimal digits (either case). Surrounding whitespace is ignored.
    pub fn from_hex(text: &str) -> Result<InstanceKey, KeyParseError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyParseError::Empty);
        }
        let digits = text.as_bytes();
        if digits.len() != 2 * KEY_LEN {
            return Err(KeyParseError::WrongTextLength { chars: text.chars().count() });
        }
        let mut key = [0u8; KEY_LEN];
        for (byte, pair) in key.iter_mut().zip(digits.chunks_exact(2)) {
            match (hex_value(pair[0]), hex_value(pair[1])) {
                (Some(high), Some(low)) => *byte = (high << 4) | low,
                _ => {
                    key.zeroize();
                    return Err(KeyParseError::NotHex);
                }
            }
        }
        Ok(InstanceKey(key))
    }

    /// From base64 (standard or URL-safe alphabet, padding optional). Surrounding whitespace
    /// is ignored.
    pub fn from_base64(text: &str) -> Result<InstanceKey, KeyParseError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyParseError::Empty);
        }
        let decoded = BASE64_STANDARD.decode(text).or_else(|_| BASE64_URL_SAFE.decode(text));
        let decoded = Zeroizing::new(decoded.map_err(|_| KeyParseError::NotBase64)?);
        let bytes: [u8; KEY_LEN] = decoded.as_slice().try_into().map_err(|_| KeyParseError::NotBase64)?;
        Ok(InstanceKey(bytes))
    }

    /// The environment-variable form: 64 hexadecimal digits or base64 (told apart by length).
    pub fn parse(text: &str) -> Result<InstanceKey, KeyParseError> {
        let text = text.trim();
        match text.len() {
            0 => Err(KeyParseError::Empty),
            64 => InstanceKey::from_hex(text),
            43 | 44 => InstanceKey::from_base64(text),
            _ => Err(KeyParseError::WrongTextLength { chars: text.chars().count() }),
        }
    }

    /// A key file's contents: exactly 32 raw bytes (what Ballast writes), or the text form of
    /// [`InstanceKey::parse`] with an optional trailing newline (what an operator may write).
    pub fn from_file_contents(contents: &[u8]) -> Result<InstanceKey, KeyParseError> {
        if let Ok(bytes) = <[u8; KEY_LEN]>::try_from(contents) {
            return Ok(InstanceKey(bytes));
        }
        match std::str::from_utf8(contents).map(str::trim) {
            Ok("") => Err(KeyParseError::Empty),
            Ok(text) if matches!(text.len(), 43 | 44 | 64) => InstanceKey::parse(text),
            _ => Err(KeyParseError::WrongFileLength { bytes: contents.len() }),
        }
    }

    /// The key as 64 lowercase hexadecimal digits, for `BALLAST_MASTER_KEY` or a backup.
    /// The returned string is zeroed when dropped.
    pub fn to_hex(&self) -> Zeroizing<String> {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut text = Zeroizing::new(String::with_capacity(2 * KEY_LEN));
        for byte in self.0 {
            text.push(char::from(DIGITS[usize::from(byte >> 4)]));
            text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
        }
        text
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl PassphraseKey {
    /// From 32 bytes the caller derived from a password or recovery code (e.g. argon2id).
    pub fn from_derived(bytes: [u8; KEY_LEN]) -> PassphraseKey {
        PassphraseKey(bytes)
    }
}

impl DataKey {
    /// From 32 fresh random bytes. A data key is never stored as it is: store [`DataKey::wrap`].
    pub fn from_bytes(random: [u8; KEY_LEN]) -> DataKey {
        DataKey(random)
    }

    /// Seals this key with `wrapping_key` for storage. `nonce` must be fresh random bytes.
    pub fn wrap(&self, wrapping_key: &impl WrappingKey, nonce: [u8; NONCE_LEN]) -> WrappedKey {
        let bytes = seal_raw(wrapping_key.key_bytes(), &self.0, &[wrapping_key.wrap_label()], nonce);
        WrappedKey(bytes)
    }
}

/// A [`DataKey`] sealed by a wrapping key: the bytes to store. Not secret on its own.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey(Vec<u8>);

impl WrappedKey {
    /// Checks the length and version of stored bytes; the key itself is checked on unwrap.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<WrappedKey, SealError> {
        check_version(&bytes)?;
        if bytes.len() != WRAPPED_KEY_LEN {
            return Err(SealError::Malformed("a wrapped key has the wrong length"));
        }
        Ok(WrappedKey(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// Opens the data key. Fails with [`SealError::WrongKeyOrTampered`] under any other key
    /// (including the same bytes used as the other kind of wrapping key).
    pub fn unwrap(&self, wrapping_key: &impl WrappingKey) -> Result<DataKey, SealError> {
        let opened = open_raw(wrapping_key.key_bytes(), &self.0, &[wrapping_key.wrap_label()])?;
        let bytes: [u8; KEY_LEN] =
            opened.as_slice().try_into().map_err(|_| SealError::Malformed("a wrapped key has the wrong length"))?;
        Ok(DataKey(bytes))
    }
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappedKey").field("version", &self.0[0]).finish_non_exhaustive()
    }
}

/// Text sealed by a [`DataKey`]: the bytes to store.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    /// Checks the length and version of stored bytes; the contents are checked on [`open`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Sealed, SealError> {
        check_version(&bytes)?;
        if bytes.len() < HEADER_LEN + TAG_LEN {
            return Err(SealError::Malformed("a sealed value is too short"));
        }
        Ok(Sealed(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    pub fn version(&self) -> u8 {
        self.0[0]
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed").field("version", &self.0[0]).field("len", &self.0.len()).finish()
    }
}

/// Seals `plaintext` with `key`, bound to `associated` (which names where the value is stored;
/// it is authenticated, not hidden, and must be given again to open). `nonce` must be fresh
/// random bytes. The stored length reveals the plaintext's length.
pub fn seal(key: &DataKey, plaintext: &str, associated: &[u8], nonce: [u8; NONCE_LEN]) -> Sealed {
    Sealed(seal_raw(&key.0, plaintext.as_bytes(), &[SEALED_LABEL, associated], nonce))
}

/// Opens a value sealed by [`seal`] with the same key and associated data.
pub fn open(key: &DataKey, sealed: &Sealed, associated: &[u8]) -> Result<String, SealError> {
    let opened = open_raw(&key.0, &sealed.0, &[SEALED_LABEL, associated])?;
    String::from_utf8(opened).map_err(|error| {
        error.into_bytes().zeroize();
        SealError::Malformed("a sealed value did not hold text")
    })
}

fn check_version(bytes: &[u8]) -> Result<(), SealError> {
    match bytes.first() {
        None => Err(SealError::Malformed("a sealed value is empty")),
        Some(&VERSION_XCHACHA20_POLY1305) => Ok(()),
        Some(&other) => Err(SealError::UnknownVersion(other)),
    }
}

/// Authenticated data: the version byte, then each part (a fixed label first, so the
/// concatenation is unambiguous).
fn associated_data(parts: &[&[u8]]) -> Vec<u8> {
    let mut data = Vec::with_capacity(1 + parts.iter().map(|part| part.len()).sum::<usize>());
    data.push(VERSION_XCHACHA20_POLY1305);
    for part in parts {
        data.extend_from_slice(part);
    }
    data
}

fn seal_raw(key: &[u8; KEY_LEN], plaintext: &[u8], associated: &[&[u8]], nonce: [u8; NONCE_LEN]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
    out.push(VERSION_XCHACHA20_POLY1305);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let cipher = XChaCha20Poly1305::new(<&Key>::from(key));
    let tag = cipher
        .encrypt_inout_detached(&XNonce::from(nonce), &associated_data(associated), (&mut out[HEADER_LEN..]).into())
        .expect("XChaCha20-Poly1305 refuses only messages over 256 GiB");
    out.extend_from_slice(&tag);
    out
}

/// The plaintext, or an error; the buffer is zeroed if authentication fails.
fn open_raw(key: &[u8; KEY_LEN], stored: &[u8], associated: &[&[u8]]) -> Result<Vec<u8>, SealError> {
    check_version(stored)?;
    if stored.len() < HEADER_LEN + TAG_LEN {
        return Err(SealError::Malformed("a sealed value is too short"));
    }
    let (header, rest) = stored.split_at(HEADER_LEN);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
    let nonce = XNonce::try_from(&header[1..]).map_err(|_| SealError::Malformed("bad nonce"))?;
    let tag = Tag::try_from(tag).map_err(|_| SealError::Malformed("bad tag"))?;
    let mut buffer = ciphertext.to_vec();
    let cipher = XChaCha20Poly1305::new(<&Key>::from(key));
    match cipher.decrypt_inout_detached(&nonce, &associated_data(associated), buffer.as_mut_slice().into(), &tag) {
        Ok(()) => Ok(buffer),
        Err(_) => {
            buffer.zeroize();
            Err(SealError::WrongKeyOrTampered)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOTE_PLACE: &[u8] = b"checkin-note:42:2025-03-14";

    fn instance_key() -> InstanceKey {
        InstanceKey::from_bytes([0x11; KEY_LEN])
    }

    fn data_key() -> DataKey {
        DataKey::from_bytes([0x22; KEY_LEN])
    }

    #[test]
    fn wrapped_data_key_round_trips_through_storage() {
        let wrapped = data_key().wrap(&instance_key(), [3; NONCE_LEN]);
        assert_eq!(wrapped.as_bytes().len(), WRAPPED_KEY_LEN);
        let stored = WrappedKey::from_bytes(wrapped.clone().into_bytes()).unwrap();
        assert_eq!(stored, wrapped);
        let unwrapped = stored.unwrap(&instance_key()).unwrap();
        // The unwrapped key opens what the original sealed.
        let sealed = seal(&data_key(), "a hard session", NOTE_PLACE, [4; NONCE_LEN]);
        assert_eq!(open(&unwrapped, &sealed, NOTE_PLACE).unwrap(), "a hard session");
    }

    #[test]
    fn sealed_text_round_trips_through_storage() {
        let sealed = seal(&data_key(), "Couldn't stop thinking about the Tuesday client.", NOTE_PLACE, [5; NONCE_LEN]);
        let stored = Sealed::from_bytes(sealed.as_bytes().to_vec()).unwrap();
        assert_eq!(stored.version(), VERSION_XCHACHA20_POLY1305);
        assert_eq!(open(&data_key(), &stored, NOTE_PLACE).unwrap(), "Couldn't stop thinking about the Tuesday client.");
        let empty = seal(&data_key(), "", b"", [6; NONCE_LEN]);
        assert_eq!(empty.as_bytes().len(), HEADER_LEN + TAG_LEN);
        assert_eq!(open(&data_key(), &empty, b"").unwrap(), "");
    }

    #[test]
    fn format_is_stable() {
        // Stored notes must stay readable: this pins the exact bytes of format version 1
        // (computed independently from HChaCha20 + ChaCha20-Poly1305, RFC 8439 and
        // draft-irtf-cfrg-xchacha).
        let sealed = seal(&data_key(), "hello", b"place", [7; NONCE_LEN]);
        assert_eq!(
            hex(sealed.as_bytes()),
            "0107070707070707070707070707070707070707070707070760e2c81a9ca8a926e3a26e6cf03ad36d57696b2106"
        );
        let wrapped = data_key().wrap(&instance_key(), [8; NONCE_LEN]);
        assert_eq!(
            hex(wrapped.as_bytes()),
            concat!(
                "010808080808080808080808080808080808080808080808081caa1e439b76ba7f43ce6a1a80aaaaf1",
                "c8ee3df5c379b9848f3ee60bc2105c3ab4358c04b9570f41fac278ed16cb07eb"
            )
        );
    }

    #[test]
    fn wrong_instance_key_fails_cleanly() {
        let wrapped = data_key().wrap(&instance_key(), [3; NONCE_LEN]);
        let other = InstanceKey::from_bytes([0x12; KEY_LEN]);
        assert_eq!(wrapped.unwrap(&other).unwrap_err(), SealError::WrongKeyOrTampered);
    }

    #[test]
    fn instance_and_passphrase_wraps_are_not_interchangeable() {
        let by_instance = data_key().wrap(&instance_key(), [3; NONCE_LEN]);
        let same_bytes_as_passphrase = PassphraseKey::from_derived([0x11; KEY_LEN]);
        assert_eq!(by_instance.unwrap(&same_bytes_as_passphrase).unwrap_err(), SealError::WrongKeyOrTampered);
        let by_passphrase = data_key().wrap(&same_bytes_as_passphrase, [3; NONCE_LEN]);
        assert!(by_passphrase.unwrap(&same_bytes_as_passphrase).is_ok());
        assert_eq!(by_passphrase.unwrap(&instance_key()).unwrap_err(), SealError::WrongKeyOrTampered);
    }

    #[test]
    fn wrong_data_key_fails_cleanly() {
        let sealed = seal(&data_key(), "private", NOTE_PLACE, [5; NONCE_LEN]);
        let other = DataKey::from_bytes([0x23; KEY_LEN]);
        assert_eq!(open(&other, &sealed, NOTE_PLACE).unwrap_err(), SealError::WrongKeyOrTampered);
    }

    #[test]
    fn wrong_associated_data_fails_cleanly() {
        let sealed = seal(&data_key(), "private", NOTE_PLACE, [5; NONCE_LEN]);
        for place in [&b"checkin-note:42:2025-03-15"[..], b"checkin-note:43:2025-03-14", b""] {
            assert_eq!(open(&data_key(), &sealed, place).unwrap_err(), SealError::WrongKeyOrTampered);
        }
    }

    #[test]
    fn any_flipped_bit_fails_cleanly() {
        let sealed = seal(&data_key(), "private", NOTE_PLACE, [5; NONCE_LEN]);
        let bytes = sealed.as_bytes();
        // Every byte after the version (the version is checked separately, below).
        for index in 1..bytes.len() {
            let mut tampered = bytes.to_vec();
            tampered[index] ^= 0x01;
            let tampered = Sealed::from_bytes(tampered).unwrap();
            assert_eq!(open(&data_key(), &tampered, NOTE_PLACE).unwrap_err(), SealError::WrongKeyOrTampered);
        }
        let mut wrapped = data_key().wrap(&instance_key(), [3; NONCE_LEN]).into_bytes();
        wrapped[30] ^= 0x80;
        let wrapped = WrappedKey::from_bytes(wrapped).unwrap();
        assert_eq!(wrapped.unwrap(&instance_key()).unwrap_err(), SealError::WrongKeyOrTampered);
    }

    #[test]
    fn truncated_or_extended_values_fail_cleanly() {
        let bytes = seal(&data_key(), "private", NOTE_PLACE, [5; NONCE_LEN]).into_bytes();
        let mut longer = bytes.clone();
        longer.push(0);
        let longer = Sealed::from_bytes(longer).unwrap();
        assert_eq!(open(&data_key(), &longer, NOTE_PLACE).unwrap_err(), SealError::WrongKeyOrTampered);
        let shorter = Sealed::from_bytes(bytes[..bytes.len() - 1].to_vec()).unwrap();
        assert_eq!(open(&data_key(), &shorter, NOTE_PLACE).unwrap_err(), SealError::WrongKeyOrTampered);
        assert!(matches!(Sealed::from_bytes(bytes[..HEADER_LEN + TAG_LEN - 1].to_vec()), Err(SealError::Malformed(_))));
        assert!(matches!(Sealed::from_bytes(Vec::new()), Err(SealError::Malformed(_))));

        let wrapped = data_key().wrap(&instance_key(), [3; NONCE_LEN]).into_bytes();
        assert!(matches!(WrappedKey::from_bytes(wrapped[..72].to_vec()), Err(SealError::Malformed(_))));
        assert!(matches!(WrappedKey::from_bytes([&wrapped[..], &[0]].concat()), Err(SealError::Malformed(_))));
    }

    #[test]
    fn unknown_versions_are_named() {
        let mut bytes = seal(&data_key(), "private", NOTE_PLACE, [5; NONCE_LEN]).into_bytes();
        bytes[0] = 2;
        assert_eq!(Sealed::from_bytes(bytes.clone()).unwrap_err(), SealError::UnknownVersion(2));
        bytes[0] = 0;
        assert_eq!(Sealed::from_bytes(bytes).unwrap_err(), SealError::UnknownVersion(0));
        let mut wrapped = data_key().wrap(&instance_key(), [3; NONCE_LEN]).into_bytes();
        wrapped[0] = 9;
        assert_eq!(WrappedKey::from_bytes(wrapped).unwrap_err(), SealError::UnknownVersion(9));
        assert!(SealError::UnknownVersion(9).to_string().contains("version 9"));
    }

    #[test]
    fn sealed_bytes_that_are_not_text_are_malformed() {
        let invalid_utf8 = seal_raw(&data_key().0, &[0xff, 0xfe], &[SEALED_LABEL, NOTE_PLACE], [5; NONCE_LEN]);
        let sealed = Sealed::from_bytes(invalid_utf8).unwrap();
        assert!(matches!(open(&data_key(), &sealed, NOTE_PLACE), Err(SealError::Malformed(_))));
    }

    #[test]
    fn debug_never_shows_key_material() {
        let key = InstanceKey::from_bytes([0xab; KEY_LEN]);
        for shown in [
            format!("{key:?}"),
            format!("{:?}", DataKey::from_bytes([0xab; KEY_LEN])),
            format!("{:?}", PassphraseKey::from_derived([0xab; KEY_LEN])),
        ] {
            assert!(shown.ends_with("(<redacted>)") && !shown.contains("171"), "{shown}");
        }
        assert_eq!(format!("{key:?}"), "InstanceKey(<redacted>)");
        let wrapped = data_key().wrap(&key, [3; NONCE_LEN]);
        assert_eq!(format!("{wrapped:?}"), "WrappedKey { version: 1, .. }");
        let sealed = seal(&data_key(), "private", NOTE_PLACE, [5; NONCE_LEN]);
        assert_eq!(format!("{sealed:?}"), "Sealed { version: 1, len: 48 }");
    }

    #[test]
    fn instance_key_text_forms() {
        let hex_text = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let key = InstanceKey::from_hex(hex_text).unwrap();
        assert_eq!(key.0, std::array::from_fn::<u8, KEY_LEN, _>(|i| i as u8));
        assert_eq!(*key.to_hex(), hex_text);
        assert_eq!(InstanceKey::from_hex(&hex_text.to_uppercase()).unwrap().0, key.0);
        assert_eq!(InstanceKey::parse(&format!("  {hex_text}\n")).unwrap().0, key.0);

        let standard = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        assert_eq!(InstanceKey::parse(standard).unwrap().0, key.0);
        assert_eq!(InstanceKey::parse(standard.trim_end_matches('=')).unwrap().0, key.0);
        // Both alphabets, with and without padding: 0xfb bytes use '+' and '/' (or '-' and '_').
        let standard = format!("{}+/s=", "+/v7".repeat(10));
        let url_safe = format!("{}-_s", "-_v7".repeat(10));
        assert_eq!(InstanceKey::parse(&standard).unwrap().0, [0xfb; KEY_LEN]);
        assert_eq!(InstanceKey::parse(&url_safe).unwrap().0, [0xfb; KEY_LEN]);
        assert_eq!(InstanceKey::parse(&format!("{url_safe}=")).unwrap().0, [0xfb; KEY_LEN]);
    }

    #[test]
    fn instance_key_parse_errors_never_echo_the_text() {
        let secret_ish = "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let cases = [
            (String::new(), KeyParseError::Empty),
            ("   \n".to_owned(), KeyParseError::Empty),
            (secret_ish.to_owned(), KeyParseError::NotHex),
            (secret_ish[2..].to_owned(), KeyParseError::WrongTextLength { chars: 62 }),
            ("s3cr3t-pa55w0rd".to_owned(), KeyParseError::WrongTextLength { chars: 15 }),
            ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==".to_owned(), KeyParseError::NotBase64),
            ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH!8=".to_owned(), KeyParseError::NotBase64),
        ];
        for (text, expected) in cases {
            let error = InstanceKey::parse(&text).unwrap_err();
            assert_eq!(error, expected, "{text:?}");
            let message = error.to_string();
            assert!(text.trim().is_empty() || !message.contains(text.trim()), "{message}");
            assert!(!message.contains("zz01") && !message.contains("s3cr3t") && !message.contains("AAEC"), "{message}");
        }
    }

    #[test]
    fn instance_key_file_contents() {
        let raw: [u8; KEY_LEN] = std::array::from_fn(|i| (i * 7) as u8);
        assert_eq!(InstanceKey::from_file_contents(&raw).unwrap().0, raw);
        let as_hex = format!("{}\n", *InstanceKey::from_bytes(raw).to_hex());
        assert_eq!(InstanceKey::from_file_contents(as_hex.as_bytes()).unwrap().0, raw);
        assert_eq!(
            InstanceKey::from_file_contents(&raw[..31]).unwrap_err(),
            KeyParseError::WrongFileLength { bytes: 31 }
        );
        assert_eq!(
            InstanceKey::from_file_contents(&[raw.as_slice(), b"\n"].concat()).unwrap_err(),
            KeyParseError::WrongFileLength { bytes: 33 }
        );
        assert_eq!(InstanceKey::from_file_contents(b"").unwrap_err(), KeyParseError::Empty);
        assert_eq!(InstanceKey::from_file_contents(b"\n").unwrap_err(), KeyParseError::Empty);
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    proptest! {
        #[test]
        fn any_text_round_trips(
            key in any::<[u8; KEY_LEN]>(),
            wrapping in any::<[u8; KEY_LEN]>(),
            nonce in any::<[u8; NONCE_LEN]>(),
            text in any::<String>(),
            place in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let data_key = DataKey::from_bytes(key);
            let sealed = seal(&data_key, &text, &place, nonce);
            prop_assert_eq!(sealed.as_bytes().len(), HEADER_LEN + text.len() + TAG_LEN);
            let stored = Sealed::from_bytes(sealed.into_bytes()).unwrap();
            prop_assert_eq!(open(&data_key, &stored, &place).unwrap(), text);

            let instance = InstanceKey::from_bytes(wrapping);
            let wrapped = WrappedKey::from_bytes(data_key.wrap(&instance, nonce).into_bytes()).unwrap();
            prop_assert_eq!(wrapped.unwrap(&instance).unwrap().0, key);
        }

        #[test]
        fn ciphertext_never_contains_the_plaintext(
            key in any::<[u8; KEY_LEN]>(),
            nonce in any::<[u8; NONCE_LEN]>(),
            text in "\\PC{8,200}",
        ) {
            let sealed = seal(&DataKey::from_bytes(key), &text, b"place", nonce);
            let needle = text.as_bytes();
            prop_assert!(!sealed.as_bytes().windows(needle.len()).any(|window| window == needle));
        }

        #[test]
        fn hex_form_round_trips(bytes in any::<[u8; KEY_LEN]>()) {
            let key = InstanceKey::from_bytes(bytes);
            prop_assert_eq!(InstanceKey::parse(&key.to_hex()).unwrap().0, bytes);
            prop_assert_eq!(InstanceKey::from_file_contents(key.to_hex().as_bytes()).unwrap().0, bytes);
        }
    }
}
