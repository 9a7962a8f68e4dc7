-- The self-care contract: the person's settings for it, their goals with the progress noted on
-- each, the people who support them, and their reviews of it all.
--
-- The person's words (a goal's what, measure, target and why, notes, names, how to reach
-- someone, the sign plan, reflections) are sealed (BLOB) with their data key, which never
-- reaches the database unwrapped. Days are TEXT 'YYYY-MM-DD' (the person's own calendar day), as
-- check_ins.day; times are unix seconds.

-- One row per person; no row means the defaults apply. The phase is the id of one of the core's
-- recovery phases, NULL when the person is in none.
CREATE TABLE contract_settings (
    user_id           INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    review_every_days INTEGER NOT NULL CHECK (review_every_days BETWEEN 1 AND 366),
    sign_plan         BLOB,             -- sealed
    phase             TEXT,
    phase_since       TEXT    CHECK (phase_since GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    updated_at        INTEGER NOT NULL
);

-- Goals are archived rather than deleted, so a review can still see them.
CREATE TABLE contract_goals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    what        BLOB    NOT NULL, -- sealed
    measure     BLOB    NOT NULL, -- sealed
    target      BLOB    NOT NULL, -- sealed
    why         BLOB,             -- sealed
    due_on      TEXT    NOT NULL CHECK (due_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    archived_at INTEGER           -- NULL while the goal is in progress
);
CREATE INDEX contract_goals_by_user ON contract_goals (user_id);

-- How far a goal has come, as noted on a day. It goes with the goal and with the account;
-- user_id is always the goal's own.
CREATE TABLE goal_progress (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    goal_id    INTEGER NOT NULL REFERENCES contract_goals (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    noted_on   TEXT    NOT NULL CHECK (noted_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    percent    INTEGER NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note       BLOB,             -- sealed
    created_at INTEGER NOT NULL
);
CREATE INDEX goal_progress_by_goal ON goal_progress (goal_id);
CREATE INDEX goal_progress_by_user ON goal_progress (user_id);

-- Someone who supports the person, or an accountability partner (partner = 1).
CREATE TABLE support_people (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       BLOB    NOT NULL, -- sealed
    reach      BLOB,             -- sealed
    partner    INTEGER NOT NULL CHECK (partner IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE INDEX support_people_by_user ON support_people (user_id);

CREATE TABLE contract_reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reviewed_on TEXT    NOT NULL CHECK (reviewed_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    reflection  BLOB,             -- sealed
    goals_note  BLOB,             -- sealed
    created_at  INTEGER NOT NULL
);
CREATE INDEX contract_reviews_by_user ON contract_reviews (user_id, reviewed_on);
