//! How backends describe and report schema migrations. Each backend embeds its own SQL files;
//! this module gives them one shape and one readiness rule.

use crate::StoreError;

/// One forward-only schema change, embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied by this run, oldest first.
    pub applied: Vec<i64>,
    /// The schema version after the run.
    pub current: i64,
}

/// The rule `/readyz` applies: the database must be at exactly the newest version this build
/// carries. A database migrated by a newer build is refused too, since this build does not
/// know what changed.
pub fn check_migrated(found: i64, migrations: &[Migration]) -> Result<(), StoreError> {
    let expected = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    if found == expected { Ok(()) } else { Err(StoreError::NotMigrated { found, expected }) }
}
