//! Sealing a person's free text (check-in notes, restorers, their own warning signs, the
//! rescue kit's statements and contact) with their data key, the I/O half of
//! `ballast_core::sealing`.
//!
//! Each person gets one random data key the first time they write something free-form. It is
//! stored wrapped by the instance key, which lives outside the database, so the database alone
//! reveals no text; deleting the account deletes the wrapped key and with it any way back.
//!
//! Every sealed value is bound to where it is stored (whose it is, which field, which day), so
//! sealed bytes copied into another row or another account fail to open instead of showing
//! up in the wrong place.

use ballast_core::UserId;
use ballast_core::sealing::{self, DataKey, InstanceKey, Sealed, WrappedKey};
use ballast_store::Store;
use jiff::Timestamp;

use crate::error::WebError;

/// Where a sealed value lives; part of what it is bound to.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    CheckInNote {
        day: jiff::civil::Date,
    },
    CheckInRestorer {
        day: jiff::civil::Date,
    },
    WarningSign {
        sign: &'a str,
    },
    /// A field of the self-care contract (`goal-what`, `support-name`, `review-reflection`…).
    /// Bound to its owner and field, not to a row: contract rows get their ids on insert.
    Contract {
        field: &'static str,
    },
    /// A self-compassion statement. Bound to the person but not to the row: its id is only
    /// known once stored, and a statement moved between the person's own rows would only
    /// change their order.
    KitStatement,
    /// One field of the reach-out contact ("name", "email", "phone", "message"), so no field
    /// can be passed off as another.
    KitContact {
        field: &'static str,
    },
}

impl Place<'_> {
    fn associated(&self, user: UserId) -> Vec<u8> {
        match self {
            Place::CheckInNote { day } => format!("user:{user}/check-in/{day}/note"),
            Place::CheckInRestorer { day } => format!("user:{user}/check-in/{day}/restorer"),
            Place::WarningSign { sign } => format!("user:{user}/warning-sign/{sign}"),
            Place::Contract { field } => format!("user:{user}/contract/{field}"),
            Place::KitStatement => format!("user:{user}/kit/statement"),
            Place::KitContact { field } => format!("user:{user}/kit/contact/{field}"),
        }
        .into_bytes()
    }
}

pub struct Vault {
    instance: InstanceKey,
}

/// One person's opened data key, for the length of one request.
pub struct PersonKey {
    user: UserId,
    key: DataKey,
}

impl Vault {
    pub fn new(instance: InstanceKey) -> Vault {
        Vault { instance }
    }

    /// The person's data key, made and stored now if they have none yet.
    pub async fn key_for(&self, store: &dyn Store, user: UserId) -> Result<PersonKey, WebError> {
        if let Some(key) = self.existing_key(store, user).await? {
            return Ok(key);
        }
        let fresh = DataKey::from_bytes(random()?);
        let wrapped = fresh.wrap(&self.instance, random()?);
        let stored = store.create_data_key(user, wrapped, Timestamp::now()).await?;
        self.open_key(user, &stored)
    }

    /// The person's data key, if they have one (someone who never wrote anything has none).
    pub async fn existing_key(&self, store: &dyn Store, user: UserId) -> Result<Option<PersonKey>, WebError> {
        match store.data_key(user).await? {
            Some(wrapped) => self.open_key(user, &wrapped).map(Some),
            None => Ok(None),
        }
    }

    fn open_key(&self, user: UserId, wrapped: &WrappedKey) -> Result<PersonKey, WebError> {
        let key = wrapped.unwrap(&self.instance).map_err(|error| {
            WebError::internal(format!("the data key of account {user} does not open with this instance key: {error}"))
        })?;
        Ok(PersonKey { user, key })
    }
}

impl PersonKey {
    pub fn seal(&self, place: Place<'_>, text: &str) -> Result<Sealed, WebError> {
        Ok(sealing::seal(&self.key, text, &place.associated(self.user), random()?))
    }

    pub fn open(&self, place: Place<'_>, sealed: &Sealed) -> Result<String, WebError> {
        sealing::open(&self.key, sealed, &place.associated(self.user)).map_err(|error| {
            WebError::internal(format!("a sealed value of account {} would not open: {error}", self.user))
        })
    }

    /// Seals `text` unless it is empty.
    pub fn seal_optional(&self, place: Place<'_>, text: &str) -> Result<Option<Sealed>, WebError> {
        if text.is_empty() { Ok(None) } else { self.seal(place, text).map(Some) }
    }
}

/// Opens an optional sealed value with an optional key: no value, or no key, is no text.
pub fn open_optional(key: Option<&PersonKey>, place: Place<'_>, sealed: Option<&Sealed>) -> Result<String, WebError> {
    match (key, sealed) {
        (Some(key), Some(sealed)) => key.open(place, sealed),
        (None, Some(_)) => Err(WebError::internal("a sealed value exists but its owner has no data key")),
        (_, None) => Ok(String::new()),
    }
}

/// Fresh bytes from the operating system's generator (keys, nonces, ids).
pub fn random<const N: usize>() -> Result<[u8; N], WebError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| WebError::internal(format!("no random bytes: {error}")))?;
    Ok(bytes)
}
