-- Assessments, drafts, the person's placeholder words, and instance settings.
CREATE TABLE assessments (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument_id      TEXT    NOT NULL,
    instrument_version TEXT    NOT NULL,
    answers            TEXT    NOT NULL, -- JSON
    scales             TEXT    NOT NULL, -- JSON
    flags              TEXT    NOT NULL, -- JSON
    taken_at           INTEGER NOT NULL
);
CREATE INDEX assessments_by_user ON assessments (user_id, instrument_id, taken_at);

CREATE TABLE assessment_drafts (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument_id TEXT    NOT NULL,
    answers       TEXT    NOT NULL, -- JSON
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, instrument_id)
);

CREATE TABLE placeholder_words (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token   TEXT    NOT NULL,
    word    TEXT    NOT NULL,
    PRIMARY KEY (user_id, token)
);

-- One row: NULL resources means "never set", so the built-in defaults apply.
CREATE TABLE support_resources (
    only_row  INTEGER PRIMARY KEY CHECK (only_row = 1),
    resources TEXT NOT NULL -- JSON list
);

CREATE TABLE custom_instruments (
    id           TEXT    PRIMARY KEY,
    definition   TEXT    NOT NULL,
    licence_note TEXT    NOT NULL,
    added_by     INTEGER NOT NULL,
    added_at     INTEGER NOT NULL
);
