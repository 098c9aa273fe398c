"""Typed records for document structures. Field names follow the answer keys' JSON (the contract)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attendee:
    name: str
    party: str | None            # as written in the protocol (`AP`)
    party_code: str | None       # official election code (`A`)
    role: str                    # member | substitute | administration | observer
    substitute_for: str | None = None
    present: bool = True
    page: int | None = None
    title: str | None = None     # function, for the administration and observers (`utvalgssekretær`)


@dataclass(frozen=True)
class Proposal:
    by: str | None
    kind: str                    # endringsforslag | tilleggsforslag | alternativt forslag | forslag
    outcome: str | None          # adopted | rejected | unanimous
    votes_for: int | None = None
    votes_against: int | None = None
    against_parties: tuple[str, ...] = ()
    text: str | None = None


@dataclass(frozen=True)
class VoteOption:
    """One side of an alternative vote (`Dette ble satt opp mot:`): each side has its own count and outcome."""

    label: str                   # forslag 1 | forslag 2 | innstillingen
    by: str | None
    votes: int | None
    voters: tuple[str, ...] = ()           # resolved to the meeting's attendees where possible
    voters_as_written: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    outcome: str | None = None   # adopted | rejected
    voter_parties: tuple[str | None, ...] = ()  # each voter's party code as the list writes it, aligned with voters


@dataclass(frozen=True)
class Vote:
    """One vote as the protocol records it, in the order it was taken.

    Counts are the stated ones; named voters are kept as written and resolved to attendees where the name
    (initials, a dropped middle name) and the party agree with exactly one person on the attendance list.
    """

    label: str                   # innstillingen | forslaget | tilleggsforslag | forslag 1 mot forslag 2 | punkt 5
    kind: str                    # innstilling | forslag | endringsforslag | tilleggsforslag | alternative | ...
    outcome: str | None          # adopted | rejected | postponed
    unanimous: bool = False
    by: str | None = None        # who proposed it (as written)
    by_party: str | None = None  # the proposer's party as written
    votes_for: int | None = None
    votes_against: int | None = None
    voters_for: tuple[str, ...] = ()
    voters_against: tuple[str, ...] = ()
    for_as_written: tuple[str, ...] = ()
    against_as_written: tuple[str, ...] = ()
    parties_for: tuple[str, ...] = ()
    parties_against: tuple[str, ...] = ()
    for_voter_parties: tuple[str | None, ...] = ()      # aligned with voters_for: the party written beside each name
    against_voter_parties: tuple[str | None, ...] = ()
    alternatives: tuple[VoteOption, ...] = ()
    casting_vote: str | None = None  # `leder` when the chair's casting vote decided a tie
    text: str | None = None      # the proposal voted on, flattened
    page: int | None = None
    issues: tuple[str, ...] = ()  # reconciliation problems: stated vs named counts, unknown voters, double votes


@dataclass(frozen=True)
class AgendaItem:
    case: str
    archive_ref: str | None
    title: str
    item_type: str               # political | orientation | referat | delegated
    decision_kind: str           # decision | taken_note
    proposed_decision: str | None
    decision_text: str | None
    outcome: str | None          # unanimous | majority | rejected | None when the text gives none
    votes_for: int | None
    votes_against: int | None
    against_parties: tuple[str, ...]
    extra_proposals: tuple[Proposal, ...]
    page: int | None = None
    issues: tuple[str, ...] = ()  # reconciliation problems (never an exception)
    votes: tuple[Vote, ...] = ()  # every vote under the item, in order
    handled_by: str | None = None  # the body whose handling this is (decision records name it per case)


@dataclass(frozen=True)
class Meeting:
    body: str | None
    municipality: str | None
    date: str | None
    start: str | None
    end: str | None
    place: str | None
    chair: str | None
    secretary: str | None
    attendees: tuple[Attendee, ...]
    items: tuple[AgendaItem, ...]
    template: str = "free_text"  # elements_moteprotokoll | elements_saksprotokoll | acos_websak | free_text | generic
    template_evidence: tuple[str, ...] = ()
    language: str = "nb"         # nb | nn
    approved_by: tuple[str, ...] = ()

    @property
    def members_absent(self) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendees if a.role in ("member", "substitute") and not a.present)

    @property
    def members_present(self) -> tuple[Attendee, ...]:
        return tuple(a for a in self.attendees if a.role in ("member", "substitute") and a.present)


@dataclass(frozen=True)
class GrantAllocation:
    recipient: str
    recipient_code: str | None
    recipient_level: str         # county | municipality | network
    column: str
    column_meaning: str          # applied | granted | weighted_share | to_distribute | other
    amount_nok: int | float
    project_number: str | None
    year: int | None
    page: int | None = None
    historical_code: str | None = None  # the name's last valid code when it had none at the letter's date
    row: int | None = None  # the row's number in its table on that page, as a reader counts them (SUM rows too)


@dataclass(frozen=True)
class TableTotal:
    column: str
    stated_sum: int | float
    computed_sum_of_rows: int | float
    consistent: bool
    difference: int | float
    page: int | None = None


@dataclass(frozen=True)
class Letter:
    sender: str | None
    recipients: tuple[str, ...]
    our_reference: str | None
    your_reference: str | None
    date: str | None
    case_handler: str | None
    subject: str | None
    deadlines: tuple[tuple[str, str], ...]   # (what, YYYY-MM-DD)
    project_numbers: tuple[str, ...]
    signers: tuple[tuple[str, str | None], ...] = ()  # (name, title) after the greeting


@dataclass(frozen=True)
class CaseDocument:
    """A saksframlegg: the archive case its handlings share, and the administration's proposal."""

    archive_ref: str | None
    title: str | None
    case_handler: str | None
    bodies: tuple[str, ...]          # Saksgang: the bodies the case goes to, in order
    meeting_dates: tuple[str, ...]   # Saksgang's dates as printed (dd.mm.yyyy), where filled in
    proposal: str | None


@dataclass(frozen=True)
class ReportSection:
    title: str
    leader: str | None
    coordinator: str | None
    initiatives: tuple[tuple[str, str | None], ...] = ()   # (initiative, status word)


@dataclass(frozen=True)
class Report:
    organisation: str | None
    year: int | None
    sections: tuple[ReportSection, ...]


@dataclass(frozen=True)
class Structures:
    meeting: Meeting | None = None
    letter: Letter | None = None
    report: Report | None = None
    grants: tuple[GrantAllocation, ...] = ()
    table_totals: tuple[TableTotal, ...] = field(default_factory=tuple)
    # election_records.ElectionProtocol per protocol in the document (a bundle may hold the municipal and the county
    # protocol), and aligned with them election_area.ElectionArea (official codes on the election day and for the
    # elected body); kept untyped here: no import cycle
    elections: tuple = ()
    election_areas: tuple = ()
    case_document: CaseDocument | None = None
