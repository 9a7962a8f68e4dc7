-- Time zones, data keys, daily check-ins, warning signs, dismissed signals and re-assessment
-- cadences.
--
-- Days are TEXT 'YYYY-MM-DD' (the person's own calendar day), as on SQLite, checked for that
-- shape and in the "C" collation so that text order is date order. Sets of ids (physical
-- signs, warning signs) are comma-separated TEXT; no id contains a comma. Sealed values
-- (BYTEA) are opened only with the person's data key, which never reaches the database
-- unwrapped.

-- A name from the zone database. The store reads a name it no longer knows as UTC.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

-- The person's data key, wrapped by the instance key. It goes with the account, and with it
-- everything sealed under it.
CREATE TABLE data_keys (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    wrapped    BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE check_ins (
    user_id        BIGINT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day            TEXT     COLLATE "C" NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    energy         SMALLINT NOT NULL,
    mood           SMALLINT,
    sleep_quarters SMALLINT,
    sleep_quality  SMALLINT,
    empathy        SMALLINT,
    dread          SMALLINT,
    intrusive      SMALLINT,
    physical       TEXT     NOT NULL, -- comma-separated ids, '' for none
    warning_signs  TEXT     NOT NULL, -- comma-separated ids, '' for none
    restorer       BYTEA,             -- sealed
    note           BYTEA,             -- sealed
    backfilled     BOOLEAN  NOT NULL,
    created_at     BIGINT   NOT NULL,
    updated_at     BIGINT   NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- The warning signs a person watches for, in their order. Only their own signs have words.
CREATE TABLE warning_signs (
    user_id   BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    sign_id   TEXT    COLLATE "C" NOT NULL,
    own_words BYTEA,            -- sealed
    PRIMARY KEY (user_id, position)
);

CREATE TABLE dismissed_signals (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    signal       TEXT   COLLATE "C" NOT NULL,
    dismissed_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, signal)
);

-- Days between re-assessments, per instrument; 0 means never remind.
CREATE TABLE reassessment_cadences (
    user_id       BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument_id TEXT    COLLATE "C" NOT NULL,
    days          INTEGER NOT NULL CHECK (days BETWEEN 0 AND 65535),
    PRIMARY KEY (user_id, instrument_id)
);
