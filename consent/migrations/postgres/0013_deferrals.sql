-- Deferred notice, never secrecy (issue 9 item 5): the sender of a disclosure under an activity that
-- allows it may hold the entry back from the Amsterdammer until a date. Written in the same
-- transaction as the disclosure; the entry is in the public log from the start. A privacy officer
-- may shorten the delay (never lengthen it): who and when is kept.
CREATE TABLE deferrals (
    disclosure_id      TEXT PRIMARY KEY REFERENCES disclosures (id),
    until              TIMESTAMPTZ NOT NULL,
    reason             TEXT NOT NULL,
    set_by_partner     TEXT NOT NULL,
    set_by             TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    shortened_at       TIMESTAMPTZ,
    shortened_by_partner TEXT,
    shortened_by       TEXT
);

CREATE INDEX deferrals_until ON deferrals (until);
