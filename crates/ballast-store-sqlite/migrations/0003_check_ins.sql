-- Time zones, data keys, daily check-ins, warning signs, dismissed signals and re-assessment
-- cadences.
--
-- Days are TEXT 'YYYY-MM-DD' (the person's own calendar day), checked for that shape so that
-- text order is date order. Sets of ids (physical signs, warning signs) are comma-separated
-- TEXT; no id contains a comma. Sealed values (BLOB) are opened only with the person's data
-- key, which never reaches the database unwrapped.

-- A name from the zone database. The store reads a name it no longer knows as UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- The person's data key, wrapped by the instance key. It goes with the account, and with it
-- everything sealed under it.
CREATE TABLE data_keys (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    wrapped    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE check_ins (
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day            TEXT    NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    energy         INTEGER NOT NULL,
    mood           INTEGER,
    sleep_quarters INTEGER,
    sleep_quality  INTEGER,
    empathy        INTEGER,
    dread          INTEGER,
    intrusive      INTEGER,
    physical       TEXT    NOT NULL, -- comma-separated ids, '' for none
    warning_signs  TEXT    NOT NULL, -- comma-separated ids, '' for none
    restorer       BLOB,             -- sealed
    note           BLOB,             -- sealed
    backfilled     INTEGER NOT NULL CHECK (backfilled IN (0, 1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- The warning signs a person watches for, in their order. Only their own signs have words.
CREATE TABLE warning_signs (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    sign_id   TEXT    NOT NULL,
    own_words BLOB,             -- sealed
    PRIMARY KEY (user_id, position)
);

CREATE TABLE dismissed_signals (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    signal       TEXT    NOT NULL,
    dismissed_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, signal)
);

-- Days between re-assessments, per instrument; 0 means never remind.
CREATE TABLE reassessment_cadences (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument_id TEXT    NOT NULL,
    days          INTEGER NOT NULL CHECK (days BETWEEN 0 AND 65535),
    PRIMARY KEY (user_id, instrument_id)
);
