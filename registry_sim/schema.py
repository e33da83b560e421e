"""The simulator's SQLite schema, shared by the builder (writes) and the server (reads).

Dates are stored as the wire carries them: Buddhist-era ``YYYYMMDD`` strings.
"""

from __future__ import annotations

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE person (
    citizen_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    be_birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    laser_code TEXT NOT NULL,
    card_status TEXT NOT NULL DEFAULT 'normal'
);
CREATE TABLE address (
    citizen_id TEXT PRIMARY KEY REFERENCES person(citizen_id),
    house_no TEXT NOT NULL,
    subdistrict_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    moved_in_on TEXT NOT NULL
);
CREATE TABLE welfare_card (
    citizen_id TEXT PRIMARY KEY REFERENCES person(citizen_id),
    card_holder INTEGER NOT NULL,
    income_band TEXT NOT NULL,
    registration_round TEXT NOT NULL
);
CREATE TABLE household (
    citizen_id TEXT PRIMARY KEY REFERENCES person(citizen_id),
    vulnerability_level INTEGER NOT NULL,
    household_size INTEGER NOT NULL,
    assessed_on TEXT NOT NULL
);
CREATE TABLE disability (
    citizen_id TEXT PRIMARY KEY REFERENCES person(citizen_id),
    disability_type TEXT NOT NULL,
    card_expiry TEXT NOT NULL
);
CREATE TABLE arrest (
    record_id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    arrested_on TEXT NOT NULL,
    agency TEXT NOT NULL,
    charge TEXT NOT NULL
);
CREATE TABLE court_case (
    record_id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    court TEXT NOT NULL,
    case_number TEXT NOT NULL,
    case_kind TEXT NOT NULL,
    status TEXT NOT NULL,
    filed_on TEXT NOT NULL
);
CREATE TABLE detention (
    record_id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    place TEXT NOT NULL,
    since TEXT NOT NULL,
    pretrial_without_bail INTEGER NOT NULL,
    released_on TEXT
);
CREATE TABLE probation (
    record_id TEXT PRIMARY KEY,
    citizen_id TEXT NOT NULL,
    office TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT NOT NULL,
    status TEXT NOT NULL
);
-- how each JFS applicant was mirrored (for demos and tests; never served over HTTP)
CREATE TABLE jfs_link (
    citizen_id TEXT PRIMARY KEY,
    variant TEXT NOT NULL
);
CREATE INDEX arrest_cid ON arrest(citizen_id);
CREATE INDEX court_case_cid ON court_case(citizen_id);
CREATE INDEX detention_cid ON detention(citizen_id);
CREATE INDEX probation_cid ON probation(citizen_id);
"""
