-- Exposure and pacing: work sessions (recorded by hand or imported from a calendar), the
-- person's pacing plan, and critical incidents with their follow-ups.
--
-- Nothing here can identify a client: a session is a start, a length, a kind, an intensity and
-- whether there was a debrief. Kinds, intensities, roles, support and steps are the ids the
-- core defines, in the "C" collation as on SQLite; the store reads an id it no longer knows as
-- an error naming its column.

-- Times are unix seconds. An imported session carries its import key (SHA-256 of the calendar
-- event's UID and occurrence start), so importing the same file again matches it; sessions
-- recorded by hand have none, and NULL keys are never equal to each other, so any number of
-- them fit under the UNIQUE constraint.
CREATE TABLE work_sessions (
    id         BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at  BIGINT   NOT NULL,
    minutes    SMALLINT NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    kind       TEXT     COLLATE "C" NOT NULL,
    intensity  TEXT     COLLATE "C",  -- NULL until the person tags it
    debriefed  BOOLEAN  NOT NULL,
    import_key BYTEA    CHECK (length(import_key) = 32),
    created_at BIGINT   NOT NULL,
    UNIQUE (user_id, import_key)
);
CREATE INDEX work_sessions_by_start ON work_sessions (user_id, starts_at);

-- The limits the person set for themselves, as JSON (TEXT, as the other JSON columns); no row
-- means the defaults apply.
CREATE TABLE pacing_plans (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    plan       TEXT   NOT NULL, -- JSON
    updated_at BIGINT NOT NULL
);

-- Days are TEXT 'YYYY-MM-DD' (the person's own calendar day), as check_ins.day.
CREATE TABLE incidents (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    occurred_on TEXT   COLLATE "C" NOT NULL CHECK (occurred_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    kind        TEXT   COLLATE "C" NOT NULL,
    role        TEXT   COLLATE "C" NOT NULL,
    support     TEXT   COLLATE "C" NOT NULL, -- comma-separated ids, '' for none
    created_at  BIGINT NOT NULL
);
CREATE INDEX incidents_by_day ON incidents (user_id, occurred_on);

-- The answered follow-ups of an incident, one per step. They go with the incident and with the
-- account; user_id is always the incident's own.
CREATE TABLE incident_follow_ups (
    incident_id   BIGINT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step          TEXT   COLLATE "C" NOT NULL,
    still_with_me TEXT   COLLATE "C" NOT NULL,
    done_at       BIGINT NOT NULL,
    PRIMARY KEY (incident_id, step)
);
CREATE INDEX incident_follow_ups_by_user ON incident_follow_ups (user_id);
