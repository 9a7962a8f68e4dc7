-- Reminders: the times of day a person chose, and their personal calendar feed.
--
-- Nothing here is about how anyone is doing: times of day, an on/off switch and the hash of
-- a secret. Times are unix seconds; times of day are minutes after midnight, local to the
-- person's own time zone (users.time_zone).

-- One row per person once they have saved their reminder settings. A NULL time means no
-- reminder of that kind.
CREATE TABLE reminder_settings (
    user_id      BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    check_in_at  INTEGER CHECK (check_in_at BETWEEN 0 AND 1439),
    self_care_at INTEGER CHECK (self_care_at BETWEEN 0 AND 1439),
    email        BOOLEAN NOT NULL,
    updated_at   BIGINT  NOT NULL
);

-- The person's calendar feed, at most one. The secret in its address is the credential, so
-- only its SHA-256 is kept (like session tokens): a copy of the database cannot be used to
-- read anyone's feed. Renewing replaces the hash, which ends the old address.
CREATE TABLE calendar_feeds (
    user_id     BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash BYTEA  NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at  BIGINT NOT NULL
);
