-- Assessments, drafts, the person's placeholder words, and instance settings.
--
-- JSON columns are TEXT, not JSONB: the store writes and reads them with serde_json, and TEXT
-- hands back exactly the bytes that were written (JSONB would re-render numbers and reorder
-- keys), so every value, scale scores included, round-trips as it does on SQLite.
--
-- Instrument ids use the "C" collation so that they compare and sort byte by byte, as SQLite
-- does, whatever the database's default collation is.
CREATE TABLE assessments (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument_id      TEXT   COLLATE "C" NOT NULL,
    instrument_version TEXT   NOT NULL,
    answers            TEXT   NOT NULL, -- JSON
    scales             TEXT   NOT NULL, -- JSON
    flags              TEXT   NOT NULL, -- JSON
    taken_at           BIGINT NOT NULL
);
CREATE INDEX assessments_by_user ON assessments (user_id, instrument_id, taken_at);

CREATE TABLE assessment_drafts (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    instrument_id TEXT   COLLATE "C" NOT NULL,
    answers       TEXT   NOT NULL, -- JSON
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, instrument_id)
);

CREATE TABLE placeholder_words (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token   TEXT   COLLATE "C" NOT NULL,
    word    TEXT   NOT NULL,
    PRIMARY KEY (user_id, token)
);

-- One row: no row means "never set", so the built-in defaults apply.
CREATE TABLE support_resources (
    only_row  SMALLINT PRIMARY KEY CHECK (only_row = 1),
    resources TEXT     NOT NULL -- JSON list
);

-- As on SQLite, added_by records who added the instrument but is not a foreign key: the
-- instrument stays when that administrator's account is deleted.
CREATE TABLE custom_instruments (
    id           TEXT   COLLATE "C" PRIMARY KEY,
    definition   TEXT   NOT NULL,
    licence_note TEXT   NOT NULL,
    added_by     BIGINT NOT NULL,
    added_at     BIGINT NOT NULL
);
