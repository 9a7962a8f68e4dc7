//! Where the instance key comes from (the I/O half of `ballast_core::sealing`).
//!
//! In order:
//! 1. `BALLAST_MASTER_KEY`: the key itself, as 64 hexadecimal digits or base64 of 32 bytes;
//! 2. `BALLAST_MASTER_KEY_FILE`: the path of a file holding it (32 raw bytes, or the text form);
//! 3. otherwise `instance.key` in the data folder, created on first use from the operating
//!    system's random generator, readable by its owner only.
//!
//! Setting both variables is refused rather than silently preferring one. A key file that can
//! be read by other users is refused, naming the file and the fix; no error ever contains the
//! key. The file named by `BALLAST_MASTER_KEY_FILE` may also be readable by its *group*
//! (0640/0440), because container platforms grant access to mounted secrets through a group;
//! `instance.key` in the data folder must be owner-only (0600/0400).

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ballast_core::sealing::{InstanceKey, KEY_LEN, KeyParseError, Zeroizing};

/// The key itself, as hex or base64.
pub const MASTER_KEY_VAR: &str = "BALLAST_MASTER_KEY";
/// The path of a file holding the key.
pub const MASTER_KEY_FILE_VAR: &str = "BALLAST_MASTER_KEY_FILE";
/// The key file's name inside the data folder.
pub const KEY_FILE_NAME: &str = "instance.key";

/// A key file is tiny; anything larger is the wrong file, and is not read.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Whether a missing `instance.key` in the data folder may be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Create {
    /// First start: make a new key.
    IfMissing,
    /// Sealed data already exists, so a missing key file must be restored, not replaced.
    Never,
}

/// Where the key was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `BALLAST_MASTER_KEY`.
    Environment,
    /// The file named by `BALLAST_MASTER_KEY_FILE`.
    NamedFile(PathBuf),
    /// `instance.key` in the data folder; `created` if this call made it.
    DataFolder { path: PathBuf, created: bool },
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeySource::Environment => write!(f, "the {MASTER_KEY_VAR} environment variable"),
            KeySource::NamedFile(path) => write!(f, "{} (named by {MASTER_KEY_FILE_VAR})", path.display()),
            KeySource::DataFolder { path, created: false } => write!(f, "{}", path.display()),
            KeySource::DataFolder { path, created: true } => write!(f, "{} (created now)", path.display()),
        }
    }
}

/// The key and where it came from (worth logging: a newly created key file needs a backup).
#[derive(Debug)]
pub struct LoadedKey {
    pub key: InstanceKey,
    pub source: KeySource,
}

/// Why no instance key could be loaded. Names variables and paths, never the key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{MASTER_KEY_VAR} and {MASTER_KEY_FILE_VAR} are both set; set only one of them")]
    BothSet,
    #[error("{var} is set but empty; set it to the key or unset it")]
    EmptyVariable { var: &'static str },
    #[error("{var} does not hold a usable key: {problem} (make one with `openssl rand -hex 32`)")]
    BadVariable { var: &'static str, problem: KeyParseError },
    #[error("the key file {} does not hold a usable key: {problem}", .path.display())]
    BadFile { path: PathBuf, problem: KeyParseError },
    #[error(
        "the key file {} can be {} (permissions {mode:04o}); allow only its owner with `chmod 600 {}`",
        .path.display(),
        if *.group_allowed { "changed by its group or read by other users" } else { "read or changed by other users" },
        .path.display()
    )]
    TooOpen { path: PathBuf, mode: u32, group_allowed: bool },
    #[error("the key file {} is not a regular file", .path.display())]
    NotAFile { path: PathBuf },
    #[error(
        "the key file {} is missing; restore it from your backup (without it, sealed notes cannot be read), or set {MASTER_KEY_VAR}",
        .path.display()
    )]
    Missing { path: PathBuf },
    #[error(
        "no instance key: set {MASTER_KEY_VAR} or {MASTER_KEY_FILE_VAR}, or give Ballast a data folder to keep one in"
    )]
    Unconfigured,
    #[error("could not read the key file {}: {source}", .path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("could not create the key file {}: {source}", .path.display())]
    Create { path: PathBuf, source: io::Error },
    #[error("could not get random bytes for a new instance key: {0}")]
    Random(getrandom::Error),
}

/// Loads the instance key, creating `instance.key` in `data_dir` if nothing else names one.
/// `env` looks up environment variables (`&|name| std::env::var(name).ok()` in production).
pub fn load_instance_key(
    data_dir: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<InstanceKey, KeyError> {
    load(data_dir, env, Create::IfMissing).map(|loaded| loaded.key)
}

/// [`load_instance_key`], saying where the key came from and whether a new key file may be made.
pub fn load(
    data_dir: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    create: Create,
) -> Result<LoadedKey, KeyError> {
    let inline = env(MASTER_KEY_VAR).map(Zeroizing::new);
    let named = env(MASTER_KEY_FILE_VAR);
    if inline.as_ref().is_some_and(|text| text.trim().is_empty()) {
        return Err(KeyError::EmptyVariable { var: MASTER_KEY_VAR });
    }
    if named.as_ref().is_some_and(|path| path.trim().is_empty()) {
        return Err(KeyError::EmptyVariable { var: MASTER_KEY_FILE_VAR });
    }
    match (inline, named) {
        (Some(_), Some(_)) => Err(KeyError::BothSet),
        (Some(text), None) => {
            let key =
                InstanceKey::parse(&text).map_err(|problem| KeyError::BadVariable { var: MASTER_KEY_VAR, problem })?;
            Ok(LoadedKey { key, source: KeySource::Environment })
        }
        (None, Some(path)) => {
            let path = PathBuf::from(path);
            let key = read_key_file(&path, Strictness::GroupMayRead)?;
            Ok(LoadedKey { key, source: KeySource::NamedFile(path) })
        }
        (None, None) => match data_dir {
            Some(dir) => from_data_folder(dir, create, Placement::Link),
            None => Err(KeyError::Unconfigured),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strictness {
    OwnerOnly,
    GroupMayRead,
}

/// How a new key file is put in place (see [`create_key_file`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Written in full to a private temporary file, then hard-linked to its name.
    Link,
    /// Written directly under its name (for file systems without hard links).
    Direct,
}

fn from_data_folder(dir: &Path, create: Create, placement: Placement) -> Result<LoadedKey, KeyError> {
    let path = dir.join(KEY_FILE_NAME);
    match read_key_file(&path, Strictness::OwnerOnly) {
        Ok(key) => return Ok(LoadedKey { key, source: KeySource::DataFolder { path, created: false } }),
        Err(KeyError::Read { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
        // Empty: another process may be writing it right now (without hard links, see
        // `create_key_file`), or one crashed before writing. Wait briefly, then report it.
        Err(KeyError::BadFile { problem: KeyParseError::Empty, .. }) => {
            let key = read_winners_key(&path)?;
            return Ok(LoadedKey { key, source: KeySource::DataFolder { path, created: false } });
        }
        Err(error) => return Err(error),
    }
    if create == Create::Never {
        return Err(KeyError::Missing { path });
    }
    let (key, created) = create_key_file(dir, &path, placement)?;
    Ok(LoadedKey { key, source: KeySource::DataFolder { path, created } })
}

/// Reads and checks a key file: a regular file, not too open, holding a key.
fn read_key_file(path: &Path, strictness: Strictness) -> Result<InstanceKey, KeyError> {
    let read_error = |source| KeyError::Read { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(KeyError::NotAFile { path: path.to_owned() });
    }
    check_permissions(path, &metadata, strictness)?;
    if metadata.len() > MAX_KEY_FILE_BYTES {
        let bytes = usize::try_from(metadata.len()).unwrap_or(usize::MAX);
        return Err(KeyError::BadFile { path: path.to_owned(), problem: KeyParseError::WrongFileLength { bytes } });
    }
    let mut contents = Zeroizing::new(Vec::with_capacity(64));
    (&mut file).take(MAX_KEY_FILE_BYTES).read_to_end(&mut contents).map_err(read_error)?;
    InstanceKey::from_file_contents(&contents).map_err(|problem| KeyError::BadFile { path: path.to_owned(), problem })
}

#[cfg(unix)]
fn check_permissions(path: &Path, metadata: &fs::Metadata, strictness: Strictness) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o7777;
    let forbidden = match strictness {
        Strictness::OwnerOnly => 0o077,
        Strictness::GroupMayRead => 0o037,
    };
    if mode & forbidden != 0 {
        return Err(KeyError::TooOpen {
            path: path.to_owned(),
            mode,
            group_allowed: strictness == Strictness::GroupMayRead,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path, _metadata: &fs::Metadata, _strictness: Strictness) -> Result<(), KeyError> {
    // Elsewhere, access is governed by ACLs inherited from the data folder.
    Ok(())
}

/// Makes a new key file, or — when another process made one first — reads that one instead.
/// Returns the key and whether this call created it.
///
/// With [`Placement::Link`] the whole key is written and flushed to a private temporary file
/// that is then hard-linked to `path`: linking never replaces an existing file, so of two
/// racing processes exactly one wins, and the other never sees a half-written key.
fn create_key_file(dir: &Path, path: &Path, placement: Placement) -> Result<(InstanceKey, bool), KeyError> {
    let create_error = |source| KeyError::Create { path: path.to_owned(), source };
    create_private_dir(dir).map_err(create_error)?;
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    getrandom::fill(bytes.as_mut_slice()).map_err(KeyError::Random)?;

    let won = match placement {
        Placement::Link => {
            let mut suffix = [0u8; 8];
            getrandom::fill(&mut suffix).map_err(KeyError::Random)?;
            let suffix: String = suffix.iter().map(|byte| format!("{byte:02x}")).collect();
            let temporary = dir.join(format!(".{KEY_FILE_NAME}.{suffix}.tmp"));
            write_new_file(&temporary, bytes.as_slice()).map_err(create_error)?;
            let linked = fs::hard_link(&temporary, path);
            let _ = fs::remove_file(&temporary);
            match linked {
                Ok(()) => true,
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => false,
                // No hard links here (some network and FAT file systems): write in place.
                Err(_) => return create_key_file(dir, path, Placement::Direct),
            }
        }
        Placement::Direct => match write_new_file(path, bytes.as_slice()) {
            Ok(()) => true,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => false,
            Err(error) => return Err(create_error(error)),
        },
    };
    if won {
        sync_dir(dir).map_err(create_error)?;
        return Ok((InstanceKey::from_bytes(*bytes), true));
    }
    read_winners_key(path).map(|key| (key, false))
}

/// Reads a key file another process has just created. With [`Placement::Direct`] it may still
/// be writing, so a short file is retried briefly before it is reported.
fn read_winners_key(path: &Path) -> Result<InstanceKey, KeyError> {
    let mut attempts = 0;
    loop {
        match read_key_file(path, Strictness::OwnerOnly) {
            Err(KeyError::BadFile {
                problem: KeyParseError::Empty | KeyParseError::WrongFileLength { .. }, ..
            }) if attempts < 50 => {
                attempts += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            result => return result,
        }
    }
}

/// Creates `path` (never replacing an existing file) readable by its owner only, writes
/// `contents` and flushes them to disk. A failed write leaves no file behind.
fn write_new_file(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        let _ = fs::remove_file(path);
    }
    written
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Makes a new directory entry durable (so a crash cannot lose a key that was handed out).
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;
    use std::sync::{Arc, Barrier};

    const HEX_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const BASE64_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    fn mode_of(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn write_with_mode(path: &Path, contents: &[u8], mode: u32) {
        fs::write(path, contents).unwrap();
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// The message (and its Debug form) names no key material in any form we know of.
    fn assert_secret_free(error: &KeyError, secrets: &[&str]) {
        for shown in [error.to_string(), format!("{error:?}")] {
            for secret in secrets {
                assert!(!shown.to_lowercase().contains(&secret.to_lowercase()), "{shown:?} contains {secret:?}");
            }
        }
    }

    #[test]
    fn creates_an_owner_only_key_file_once_and_reads_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let first = load(Some(dir.path()), &no_env, Create::IfMissing).unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        assert_eq!(first.source, KeySource::DataFolder { path: path.clone(), created: true });
        assert_eq!(mode_of(&path), 0o600);
        let on_disk = fs::read(&path).unwrap();
        assert_eq!(on_disk.len(), KEY_LEN);
        assert_eq!(*first.key.to_hex(), on_disk.iter().map(|b| format!("{b:02x}")).collect::<String>());

        let second = load(Some(dir.path()), &no_env, Create::IfMissing).unwrap();
        assert_eq!(second.source, KeySource::DataFolder { path: path.clone(), created: false });
        assert_eq!(*second.key.to_hex(), *first.key.to_hex());
        assert_eq!(*load_instance_key(Some(dir.path()), &no_env).unwrap().to_hex(), *first.key.to_hex());
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|entry| entry.unwrap().file_name()).collect();
        assert_eq!(names, [KEY_FILE_NAME]);
    }

    #[test]
    fn creates_a_missing_data_folder_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").join("ballast");
        let loaded = load(Some(&data), &no_env, Create::IfMissing).unwrap();
        assert!(matches!(loaded.source, KeySource::DataFolder { created: true, .. }));
        assert_eq!(mode_of(&data), 0o700);
        assert_eq!(mode_of(&data.join(KEY_FILE_NAME)), 0o600);
    }

    #[test]
    fn two_keys_are_different() {
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let one = load_instance_key(Some(one.path()), &no_env).unwrap();
        let two = load_instance_key(Some(two.path()), &no_env).unwrap();
        assert_ne!(*one.to_hex(), *two.to_hex());
    }

    fn race(placement: Placement) {
        const RACERS: usize = 8;
        for _round in 0..10 {
            let dir = tempfile::tempdir().unwrap();
            let barrier = Arc::new(Barrier::new(RACERS));
            let racers: Vec<_> = (0..RACERS)
                .map(|_| {
                    let dir = dir.path().to_owned();
                    let barrier = Arc::clone(&barrier);
                    std::thread::spawn(move || {
                        barrier.wait();
                        let loaded = from_data_folder(&dir, Create::IfMissing, placement).unwrap();
                        let created = matches!(loaded.source, KeySource::DataFolder { created: true, .. });
                        (loaded.key.to_hex().to_string(), created)
                    })
                })
                .collect();
            let results: Vec<_> = racers.into_iter().map(|racer| racer.join().unwrap()).collect();
            let on_disk = load_instance_key(Some(dir.path()), &no_env).unwrap();
            assert!(results.iter().all(|(key, _)| *key == *on_disk.to_hex()), "racers disagree");
            assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1, "exactly one racer creates");
        }
    }

    #[test]
    fn concurrent_creators_agree() {
        race(Placement::Link);
    }

    #[test]
    fn concurrent_creators_agree_without_hard_links() {
        race(Placement::Direct);
    }

    #[test]
    fn wrong_length_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        for (contents, expected) in [
            (vec![7u8; 31], KeyParseError::WrongFileLength { bytes: 31 }),
            (vec![7u8; 33], KeyParseError::WrongFileLength { bytes: 33 }),
            (Vec::new(), KeyParseError::Empty),
            (vec![7u8; 5000], KeyParseError::WrongFileLength { bytes: 5000 }),
        ] {
            let _ = fs::remove_file(&path);
            write_with_mode(&path, &contents, 0o600);
            let error = load_instance_key(Some(dir.path()), &no_env).unwrap_err();
            assert!(matches!(&error, KeyError::BadFile { problem, .. } if *problem == expected), "{error:?}");
            assert!(error.to_string().contains(&path.display().to_string()), "{error}");
            // Refused, not replaced.
            assert_eq!(fs::read(&path).unwrap(), contents);
        }
    }

    #[test]
    fn group_or_world_readable_data_folder_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        let key = InstanceKey::parse(HEX_KEY).unwrap();
        let raw: Vec<u8> = (0..32).collect();
        for mode in [0o644, 0o640, 0o604, 0o660, 0o606] {
            write_with_mode(&path, &raw, mode);
            let error = load_instance_key(Some(dir.path()), &no_env).unwrap_err();
            assert!(matches!(error, KeyError::TooOpen { mode: m, .. } if m == mode), "{mode:o}: {error:?}");
            let message = error.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains("chmod 600"), "{message}");
            assert_secret_free(&error, &[HEX_KEY, BASE64_KEY, "000102030405"]);
        }
        assert!(load_instance_key(Some(dir.path()), &no_env).unwrap_err().to_string().contains("0606"));
        for mode in [0o600, 0o400] {
            write_with_mode(&path, &raw, mode);
            assert_eq!(*load_instance_key(Some(dir.path()), &no_env).unwrap().to_hex(), *key.to_hex());
        }
    }

    #[test]
    fn named_key_file_may_be_group_readable_but_not_world_readable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let env = env_of(&[(MASTER_KEY_FILE_VAR, path.to_str().unwrap())]);
        for mode in [0o600, 0o400, 0o640, 0o440] {
            write_with_mode(&path, format!("{HEX_KEY}\n").as_bytes(), mode);
            let loaded = load(None, &env, Create::IfMissing).unwrap();
            assert_eq!(*loaded.key.to_hex(), HEX_KEY, "{mode:o}");
            assert_eq!(loaded.source, KeySource::NamedFile(path.clone()));
        }
        for mode in [0o644, 0o444, 0o660, 0o604] {
            write_with_mode(&path, format!("{HEX_KEY}\n").as_bytes(), mode);
            let error = load(None, &env, Create::IfMissing).unwrap_err();
            assert!(matches!(error, KeyError::TooOpen { .. }), "{mode:o}: {error:?}");
            assert!(error.to_string().contains(&path.display().to_string()));
            assert_secret_free(&error, &[HEX_KEY]);
        }
    }

    #[test]
    fn named_key_file_forms() {
        let dir = tempfile::tempdir().unwrap();
        let raw: Vec<u8> = (0..32).collect();
        let cases: [(&str, &[u8]); 3] = [
            ("raw.key", &raw),
            ("hex.key", HEX_KEY.as_bytes()),
            ("base64.key", b"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"),
        ];
        for (name, contents) in cases {
            let path = dir.path().join(name);
            write_with_mode(&path, contents, 0o600);
            let env = env_of(&[(MASTER_KEY_FILE_VAR, path.to_str().unwrap())]);
            assert_eq!(*load_instance_key(Some(dir.path()), &env).unwrap().to_hex(), HEX_KEY, "{name}");
        }
        // Secret mounts in containers are symbolic links; the target's permissions count.
        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(dir.path().join("hex.key"), &link).unwrap();
        let env = env_of(&[(MASTER_KEY_FILE_VAR, link.to_str().unwrap())]);
        assert_eq!(*load_instance_key(None, &env).unwrap().to_hex(), HEX_KEY);
        // The data folder is not touched when a key file is named.
        assert!(!dir.path().join(KEY_FILE_NAME).exists());
    }

    #[test]
    fn named_key_file_problems_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere.key");
        let env = env_of(&[(MASTER_KEY_FILE_VAR, missing.to_str().unwrap())]);
        let error = load_instance_key(Some(dir.path()), &env).unwrap_err();
        assert!(matches!(&error, KeyError::Read { source, .. } if source.kind() == io::ErrorKind::NotFound));
        assert!(error.to_string().contains(&missing.display().to_string()), "{error}");
        // A missing named file is an error, never a reason to make a key somewhere else.
        assert!(!dir.path().join(KEY_FILE_NAME).exists());

        let env = env_of(&[(MASTER_KEY_FILE_VAR, dir.path().to_str().unwrap())]);
        assert!(matches!(load_instance_key(None, &env).unwrap_err(), KeyError::NotAFile { .. }));

        let wrong = dir.path().join("wrong.key");
        write_with_mode(&wrong, b"my-secret-password\n", 0o600);
        let env = env_of(&[(MASTER_KEY_FILE_VAR, wrong.to_str().unwrap())]);
        let error = load_instance_key(None, &env).unwrap_err();
        assert!(matches!(error, KeyError::BadFile { .. }), "{error:?}");
        assert_secret_free(&error, &["my-secret-password"]);
    }

    #[test]
    fn key_from_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        for text in
            [HEX_KEY, &HEX_KEY.to_uppercase(), BASE64_KEY, BASE64_KEY.trim_end_matches('='), &format!(" {HEX_KEY}\n")]
        {
            let env = env_of(&[(MASTER_KEY_VAR, text)]);
            let loaded = load(Some(dir.path()), &env, Create::IfMissing).unwrap();
            assert_eq!(*loaded.key.to_hex(), HEX_KEY, "{text:?}");
            assert_eq!(loaded.source, KeySource::Environment);
        }
        // The variable wins over the data folder, which is left alone.
        assert!(!dir.path().join(KEY_FILE_NAME).exists());
    }

    #[test]
    fn environment_problems_are_clear_and_never_echo_the_value() {
        let almost = &HEX_KEY[..63];
        let not_hex = format!("{}zz", &HEX_KEY[..62]);
        for (text, expected) in [
            (almost, KeyParseError::WrongTextLength { chars: 63 }),
            (not_hex.as_str(), KeyParseError::NotHex),
            ("correct horse battery staple", KeyParseError::WrongTextLength { chars: 28 }),
            ("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH!8=", KeyParseError::NotBase64),
        ] {
            let env = env_of(&[(MASTER_KEY_VAR, text)]);
            let error = load_instance_key(None, &env).unwrap_err();
            assert!(matches!(&error, KeyError::BadVariable { problem, .. } if *problem == expected), "{error:?}");
            assert!(error.to_string().starts_with(MASTER_KEY_VAR), "{error}");
            assert_secret_free(&error, &[text, &HEX_KEY[..16], "horse", "AAECAw"]);
        }
        let env = env_of(&[(MASTER_KEY_VAR, "  ")]);
        assert!(matches!(load_instance_key(None, &env).unwrap_err(), KeyError::EmptyVariable { var: MASTER_KEY_VAR }));
        let env = env_of(&[(MASTER_KEY_FILE_VAR, "")]);
        assert!(matches!(
            load_instance_key(None, &env).unwrap_err(),
            KeyError::EmptyVariable { var: MASTER_KEY_FILE_VAR }
        ));
        let env = env_of(&[(MASTER_KEY_VAR, HEX_KEY), (MASTER_KEY_FILE_VAR, "/run/secrets/key")]);
        let error = load_instance_key(None, &env).unwrap_err();
        assert!(matches!(error, KeyError::BothSet));
        assert_secret_free(&error, &[HEX_KEY]);
    }

    #[test]
    fn a_missing_key_is_not_replaced_when_creation_is_off() {
        let dir = tempfile::tempdir().unwrap();
        let error = load(Some(dir.path()), &no_env, Create::Never).unwrap_err();
        assert!(matches!(&error, KeyError::Missing { path } if *path == dir.path().join(KEY_FILE_NAME)));
        assert!(error.to_string().contains("restore it from your backup"), "{error}");
        assert!(!dir.path().join(KEY_FILE_NAME).exists());
        // An existing one is read as usual.
        let made = load_instance_key(Some(dir.path()), &no_env).unwrap();
        assert_eq!(*load(Some(dir.path()), &no_env, Create::Never).unwrap().key.to_hex(), *made.to_hex());
    }

    #[test]
    fn nothing_configured_says_what_to_set() {
        let error = load_instance_key(None, &no_env).unwrap_err();
        assert!(matches!(error, KeyError::Unconfigured));
        let message = error.to_string();
        assert!(message.contains(MASTER_KEY_VAR) && message.contains(MASTER_KEY_FILE_VAR), "{message}");
    }

    #[test]
    fn a_directory_in_the_key_files_place_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(KEY_FILE_NAME)).unwrap();
        let error = load_instance_key(Some(dir.path()), &no_env).unwrap_err();
        assert!(matches!(error, KeyError::NotAFile { .. }), "{error:?}");
    }

    #[test]
    fn a_created_key_never_appears_in_errors_or_debug_output() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(Some(dir.path()), &no_env, Create::IfMissing).unwrap();
        let hex = loaded.key.to_hex();
        let shown = format!("{loaded:?} {}", loaded.source);
        assert!(!shown.contains(hex.as_str()) && shown.contains("<redacted>"), "{shown}");
        let path = dir.path().join(KEY_FILE_NAME);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = load_instance_key(Some(dir.path()), &no_env).unwrap_err();
        assert_secret_free(&error, &[hex.as_str(), &hex[..16]]);
    }
}
