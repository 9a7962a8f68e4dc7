//! The instruments that ship with Ballast, compiled in from the repository's `instruments/`
//! folder (their owners' terms are in `instruments/NOTICE.md`).

/// One bundled definition file.
#[derive(Debug, Clone, Copy)]
pub struct BundledFile {
    pub name: &'static str,
    pub text: &'static str,
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(BundledFile { name: $name, text: include_str!(concat!("../../../../instruments/", $name)) }),*]
    };
}

pub const BUNDLED: &[BundledFile] = bundled![
    "proqol5.toml",
    "who5.toml",
    "phq9.toml",
    "gad7.toml",
    "phq4.toml",
    "pc-ptsd-5.toml",
    "single-item-burnout.toml",
    "cbi.toml",
];
