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

-- Background work kept in the database (today: reminder emails), so that several instances
-- share one queue and nothing is done twice. `dedupe` makes a job exist once: a reminder's is
-- the person's local date, so a day's reminder is enqueued once however many schedulers run.
-- A runner claims a job by setting `locked_by` and `locked_until` (its lease) and counting an
-- attempt, skipping rows another runner has locked (FOR UPDATE SKIP LOCKED); a failure clears
-- the lease and moves `run_at` later (back-off). `done_at` is set when the job is finished:
-- sent, no longer wanted, or given up after the last attempt (`last_error` says why). The
-- payload is JSON and holds no health details.
CREATE TABLE jobs (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT    COLLATE "C" NOT NULL,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dedupe       TEXT    COLLATE "C" NOT NULL,
    payload      TEXT    NOT NULL,
    run_at       BIGINT  NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT,
    done_at      BIGINT,
    created_at   BIGINT  NOT NULL,
    UNIQUE (user_id, kind, dedupe)
);
CREATE INDEX jobs_waiting ON jobs (run_at) WHERE done_at IS NULL;
