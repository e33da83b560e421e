"""The roles people hold in the Justice Fund system (shared by workflows and auth)."""

from __future__ import annotations

CITIZEN = "citizen"
INTAKE_OFFICER = "intake_officer"
CASE_OFFICER = "case_officer"
OFFICE_HEAD = "office_head"
SUBCOMMITTEE_MEMBER = "subcommittee_member"
#: chairs a subcommittee: takes its urgent decisions (reported to its next meeting) and votes
SUBCOMMITTEE_CHAIR = "subcommittee_chair"
SUBCOMMITTEE_SECRETARY = "subcommittee_secretary"
FINANCE_OFFICER = "finance_officer"
EXECUTIVE = "executive"
AUDITOR = "auditor"
DATA_STEWARD = "data_steward"
ADMINISTRATOR = "administrator"

ALL_ROLES: tuple[str, ...] = (
    CITIZEN,
    INTAKE_OFFICER,
    CASE_OFFICER,
    OFFICE_HEAD,
    SUBCOMMITTEE_MEMBER,
    SUBCOMMITTEE_CHAIR,
    SUBCOMMITTEE_SECRETARY,
    FINANCE_OFFICER,
    EXECUTIVE,
    AUDITOR,
    DATA_STEWARD,
    ADMINISTRATOR,
)

#: Roles that read every office's cases (never write to them).
ALL_OFFICES_READ = frozenset({EXECUTIVE, AUDITOR, DATA_STEWARD, ADMINISTRATOR})
#: Roles that may never change a case.
READ_ONLY = frozenset({EXECUTIVE, AUDITOR, DATA_STEWARD})
#: Staff roles (everyone but citizens): they sign in with two factors.
STAFF_ROLES = frozenset(ALL_ROLES) - {CITIZEN}
