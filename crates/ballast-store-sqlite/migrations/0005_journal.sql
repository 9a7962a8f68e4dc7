-- The private journal: the journal key in its two wrappings, entries, the one draft being
-- written, and the journal key as each signed-in session holds it.
--
-- Nothing here opens without the person: entries and the draft are sealed with the journal key,
-- and every copy of that key is wrapped by a key the database never holds (derived from the
-- password, from the recovery key, or from a session's cookie). Times are unix seconds.

-- The journal key, wrapped by a key derived (argon2id, with its salt) from the password, and by
-- one derived from the recovery key. It goes with the account, and with it every entry.
CREATE TABLE journal_locks (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_salt BLOB    NOT NULL,
    by_password   BLOB    NOT NULL,
    recovery_salt BLOB    NOT NULL,
    by_recovery   BLOB    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- An entry is found by its token (16 random bytes, its public identity in addresses), always
-- together with its owner; its body is sealed and bound to that token. The prompt is the id of
-- one of the core's prompts, NULL for an entry started from a blank page.
CREATE TABLE journal_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token      BLOB    NOT NULL UNIQUE CHECK (length(token) = 16),
    prompt     TEXT,
    body       BLOB    NOT NULL, -- sealed
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX journal_entries_by_user ON journal_entries (user_id, created_at);

-- The entry being written, saved as the person goes; one per person.
CREATE TABLE journal_drafts (
    user_id  INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    prompt   TEXT,
    body     BLOB    NOT NULL, -- sealed
    saved_at INTEGER NOT NULL
);

-- The journal key as one signed-in session holds it, wrapped by a key made from the session's
-- cookie. It goes when the session ends (signing out, expiry, a password change) and with the
-- account.
CREATE TABLE journal_unlocks (
    session_id INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    wrapped    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX journal_unlocks_by_user ON journal_unlocks (user_id);
