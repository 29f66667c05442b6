"""The archive's SQLite schema as numbered migrations.

`PRAGMA user_version` holds the number of migrations applied. A migration is
only ever appended, never edited once released: an archive created by an
older pressarchive is upgraded in place by running the ones it lacks.
"""

from __future__ import annotations

# FTS5 tokenizer: unicode61 folds å/ä/ö into a/o by default, which merges
# "får" (sheep/gets) and "far" (father). remove_diacritics 0 keeps them apart.
FTS_TOKENIZE = "unicode61 remove_diacritics 0"

_V1_CORE = f"""
CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    organisation TEXT NOT NULL,
    platform TEXT NOT NULL,
    start_urls TEXT NOT NULL DEFAULT '[]',      -- JSON list
    added_at TEXT NOT NULL
);

CREATE TABLE crawls (
    id INTEGER PRIMARY KEY,
    spider TEXT NOT NULL,
    source_id TEXT REFERENCES sources(id),
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
    stored INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0,
    error_count INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',          -- JSON list of {{url, reason}}
    stats TEXT NOT NULL DEFAULT '{{}}'           -- Scrapy's stats, JSON
);

CREATE TABLE releases (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES sources(id),
    platform TEXT NOT NULL,
    platform_id TEXT,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    organisation TEXT,
    lead TEXT NOT NULL DEFAULT '',
    body_text TEXT NOT NULL DEFAULT '',
    body_html TEXT NOT NULL DEFAULT '',
    about_text TEXT NOT NULL DEFAULT '',
    language TEXT,
    published_at TEXT,                          -- UTC, ISO 8601
    published_local TEXT,                       -- Europe/Stockholm, ISO 8601 with offset
    published_raw TEXT,                         -- as the page showed it
    updated_at TEXT,                            -- UTC: when the content last changed
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,                 -- of title, lead and body: a change makes a revision
    record_hash TEXT NOT NULL,                  -- of every stored field: nothing changed -> nothing written
    layers TEXT NOT NULL DEFAULT '{{}}',          -- JSON: field -> extraction layer
    flags TEXT NOT NULL DEFAULT '[]',           -- JSON list
    crawl_id INTEGER REFERENCES crawls(id)
);
CREATE UNIQUE INDEX releases_platform_id ON releases(platform, platform_id)
    WHERE platform_id IS NOT NULL;
CREATE INDEX releases_source_published ON releases(source_id, published_at);
CREATE INDEX releases_published ON releases(published_at);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    person_key TEXT NOT NULL UNIQUE,            -- normalised name + organisation
    name TEXT NOT NULL,
    organisation TEXT,
    title TEXT,
    party TEXT,
    phone TEXT,                                 -- E.164
    email TEXT
);

CREATE TABLE release_contacts (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    role TEXT NOT NULL CHECK (role IN ('contact', 'sender', 'press_contact')),
    title TEXT,                                 -- the title as this release gave it
    position INTEGER NOT NULL,
    PRIMARY KEY (release_id, contact_id, role)
);
CREATE INDEX release_contacts_contact ON release_contacts(contact_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE release_tags (
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id),
    PRIMARY KEY (release_id, tag_id)
);
CREATE INDEX release_tags_tag ON release_tags(tag_id);

CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    caption TEXT
);
CREATE INDEX images_release ON images(release_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT
);
CREATE INDEX attachments_release ON attachments(release_id);

CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    seen_from TEXT NOT NULL,                    -- first time this version was seen
    replaced_at TEXT NOT NULL,                  -- when a newer version replaced it
    title TEXT NOT NULL,
    lead TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE INDEX revisions_release ON revisions(release_id);

CREATE VIRTUAL TABLE releases_fts USING fts5(
    title, lead, body_text,
    content='releases', content_rowid='id',
    tokenize='{FTS_TOKENIZE}', prefix='2 3 4'
);
CREATE TRIGGER releases_fts_ai AFTER INSERT ON releases BEGIN
    INSERT INTO releases_fts(rowid, title, lead, body_text)
    VALUES (new.id, new.title, new.lead, new.body_text);
END;
CREATE TRIGGER releases_fts_ad AFTER DELETE ON releases BEGIN
    INSERT INTO releases_fts(releases_fts, rowid, title, lead, body_text)
    VALUES ('delete', old.id, old.title, old.lead, old.body_text);
END;
CREATE TRIGGER releases_fts_au AFTER UPDATE OF title, lead, body_text ON releases BEGIN
    INSERT INTO releases_fts(releases_fts, rowid, title, lead, body_text)
    VALUES ('delete', old.id, old.title, old.lead, old.body_text);
    INSERT INTO releases_fts(rowid, title, lead, body_text)
    VALUES (new.id, new.title, new.lead, new.body_text);
END;
"""

# The WARC index (pressarchive.storage.warc writes it), one name for the migration
# below and for tests that want this table alone.
WARC_RECORDS_TABLE = """\
CREATE TABLE warc_records (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    status INTEGER,
    payload_digest TEXT,
    record_type TEXT NOT NULL,
    warc_file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    refers_to INTEGER REFERENCES warc_records(id),
    crawl_id INTEGER
);
CREATE INDEX warc_records_url ON warc_records(url, fetched_at);
CREATE INDEX warc_records_digest ON warc_records(payload_digest);
"""

# Version 2: what the cleaning and de-duplication work added: press-conference
# events, cross-platform clusters, near-duplicate signatures and the WARC index.
_V2_EVENTS_CLUSTERS_WARC = f"""
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    starts_at TEXT,                             -- UTC
    ends_at TEXT,                               -- UTC
    place TEXT,
    raw TEXT
);
CREATE INDEX events_release ON events(release_id);
CREATE INDEX events_starts ON events(starts_at);

ALTER TABLE releases ADD COLUMN cluster_id INTEGER;
UPDATE releases SET cluster_id = id;
CREATE INDEX releases_cluster ON releases(cluster_id);

-- The record as extracted, before cleaning: cleaning is re-run from it when
-- the source's learned about-text changes (no re-fetch needed).
CREATE TABLE extractions (
    release_id INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
    record TEXT NOT NULL,                       -- JSON
    about_model TEXT                            -- key of the about-text model it was cleaned with
);

-- Each source's learned about-text model (pressarchive.refine.about_model), so that
-- a crawl knows whether the archive's releases need cleaning again.
CREATE TABLE about_models (
    source_id TEXT PRIMARY KEY REFERENCES sources(id),
    model_key TEXT NOT NULL,
    model TEXT NOT NULL,                        -- JSON
    documents INTEGER NOT NULL,
    learned_at TEXT NOT NULL
);

CREATE TABLE release_signatures (
    release_id INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
    signature BLOB NOT NULL
);

{WARC_RECORDS_TABLE}
-- One row per cluster: its head is the earliest publication (ties: lowest id).
CREATE VIEW unique_releases AS
SELECT r.*
FROM releases r
WHERE r.id = (
    SELECT r2.id FROM releases r2
    WHERE r2.cluster_id = r.cluster_id
    ORDER BY r2.published_at IS NULL, r2.published_at, r2.id
    LIMIT 1
);
"""

# Version 3: each release's about-text learner document (its paragraphs, as
# pressarchive.refine.about_learning reads them from the stored extraction), so
# that learning a source's about-text does not parse every stored body again.
# A cache: `version` names the code that made it, a row missing or of another
# version is made again from the extraction, and a changed extraction drops it.
_V3_LEARNER_DOCUMENTS = """
CREATE TABLE learner_documents (
    release_id INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    document TEXT NOT NULL                      -- JSON
);
CREATE TRIGGER learner_documents_stale AFTER UPDATE OF record ON extractions
WHEN old.record IS NOT new.record BEGIN
    DELETE FROM learner_documents WHERE release_id = old.release_id;
END;
CREATE TRIGGER learner_documents_gone AFTER DELETE ON extractions BEGIN
    DELETE FROM learner_documents WHERE release_id = old.release_id;
END;
"""

MIGRATIONS: tuple[str, ...] = (_V1_CORE, _V2_EVENTS_CLUSTERS_WARC, _V3_LEARNER_DOCUMENTS)
SCHEMA_VERSION = len(MIGRATIONS)
