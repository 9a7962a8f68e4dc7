-- The self-care contract: the person's settings for it, their goals with the progress noted on
-- each, the people who support them, and their reviews of it all.
--
-- The person's words (a goal's what, measure, target and why, notes, names, how to reach
-- someone, the sign plan, reflections) are sealed (BYTEA) with their data key, which never
-- reaches the database unwrapped. Days are TEXT 'YYYY-MM-DD' (the person's own calendar day) in
-- the "C" collation, as check_ins.day; times are unix seconds.

-- One row per person; no row means the defaults apply. The phase is the id of one of the core's
-- recovery phases, NULL when the person is in none.
CREATE TABLE contract_settings (
    user_id           BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    review_every_days INTEGER NOT NULL CHECK (review_every_days BETWEEN 1 AND 366),
    sign_plan         BYTEA,            -- sealed
    phase             TEXT    COLLATE "C",
    phase_since       TEXT    COLLATE "C" CHECK (phase_since ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    updated_at        BIGINT  NOT NULL
);

-- Goals are archived rather than deleted, so a review can still see them.
CREATE TABLE contract_goals (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    what        BYTEA  NOT NULL, -- sealed
    measure     BYTEA  NOT NULL, -- sealed
    target      BYTEA  NOT NULL, -- sealed
    why         BYTEA,           -- sealed
    due_on      TEXT   COLLATE "C" NOT NULL CHECK (due_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    archived_at BIGINT           -- NULL while the goal is in progress
);
CREATE INDEX contract_goals_by_user ON contract_goals (user_id);

-- How far a goal has come, as noted on a day. It goes with the goal and with the account;
-- user_id is always the goal's own.
CREATE TABLE goal_progress (
    id         BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    goal_id    BIGINT   NOT NULL REFERENCES contract_goals (id) ON DELETE CASCADE,
    user_id    BIGINT   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    noted_on   TEXT     COLLATE "C" NOT NULL CHECK (noted_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    percent    SMALLINT NOT NULL CHECK (percent BETWEEN 0 AND 100),
    note       BYTEA,            -- sealed
    created_at BIGINT   NOT NULL
);
CREATE INDEX goal_progress_by_goal ON goal_progress (goal_id);
CREATE INDEX goal_progress_by_user ON goal_progress (user_id);

-- Someone who supports the person, or an accountability partner.
CREATE TABLE support_people (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       BYTEA   NOT NULL, -- sealed
    reach      BYTEA,            -- sealed
    partner    BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX support_people_by_user ON support_people (user_id);

CREATE TABLE contract_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reviewed_on TEXT   COLLATE "C" NOT NULL CHECK (reviewed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
    reflection  BYTEA,           -- sealed
    goals_note  BYTEA,           -- sealed
    created_at  BIGINT NOT NULL
);
CREATE INDEX contract_reviews_by_user ON contract_reviews (user_id, reviewed_on);
