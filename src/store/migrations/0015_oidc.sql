-- 0015: real login (OpenID Connect): the level of assurance of each
-- session, the logins under way, and the ID token that ends a session at
-- its provider.

-- The level of assurance the login vouched for ("idporten-loa-high",
-- "idporten-loa-substantial"); actions that need high ask for it.
ALTER TABLE sessions ADD COLUMN acr TEXT;

-- A login sent to the provider and not yet back: found by its state,
-- valid only for the browser that started it (the hash of its visitor
-- token), used once (the callback deletes it), and short-lived.
CREATE TABLE oidc_logins (
	state TEXT PRIMARY KEY,
	visitor_hash TEXT NOT NULL,
	provider TEXT NOT NULL CHECK (provider IN ('person', 'staff')),
	nonce TEXT NOT NULL,
	verifier TEXT NOT NULL,
	acr TEXT,
	next TEXT NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX oidc_logins_created ON oidc_logins(created_at);

-- The ID token a session began with, sent back as id_token_hint when the
-- person logs out, so that the provider ends its own session too. Gone
-- with the session.
CREATE TABLE oidc_sessions (
	key_hash TEXT PRIMARY KEY REFERENCES sessions(key_hash) ON DELETE CASCADE,
	provider TEXT NOT NULL,
	id_token TEXT NOT NULL
) WITHOUT ROWID;
