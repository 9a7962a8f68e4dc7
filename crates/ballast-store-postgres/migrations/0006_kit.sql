-- The rescue kit: the person's own self-compassion statements, the colleague they reach out
-- to, and a log of each use of the kit.
--
-- Statements and every field of the contact are sealed with the person's data key (wrapped by
-- the instance key, which lives outside the database). The use log holds no words: only which
-- practice (or "reach_out") and when. Times are unix seconds.

CREATE TABLE kit_statements (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    text       BYTEA  NOT NULL, -- sealed
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX kit_statements_by_user ON kit_statements (user_id, id);

-- One colleague per person; email and phone are each optional, but not both missing.
CREATE TABLE kit_contacts (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    name       BYTEA  NOT NULL, -- sealed
    email      BYTEA,           -- sealed
    phone      BYTEA,           -- sealed
    message    BYTEA  NOT NULL, -- sealed
    updated_at BIGINT NOT NULL,
    CHECK (email IS NOT NULL OR phone IS NOT NULL)
);

-- `what` is a practice's id from the core's list, or 'reach_out'.
CREATE TABLE kit_uses (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    what    TEXT   COLLATE "C" NOT NULL,
    used_at BIGINT NOT NULL
);
CREATE INDEX kit_uses_by_user ON kit_uses (user_id, used_at);
