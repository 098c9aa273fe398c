-- Votes as protocols record them (issue 16): every vote of an item in order, and every named voter's position.
-- Meetings learn which template printed them; agenda items which body handled them (decision records).

ALTER TABLE meetings ADD COLUMN template VARCHAR;
ALTER TABLE meetings ADD COLUMN template_evidence VARCHAR[];
ALTER TABLE meetings ADD COLUMN language VARCHAR;
ALTER TABLE meetings ADD COLUMN approved_by VARCHAR[];
ALTER TABLE meetings ADD COLUMN members_absent INTEGER;
ALTER TABLE agenda_items ADD COLUMN handled_by VARCHAR;

CREATE TABLE votes (
    sha256          VARCHAR NOT NULL,
    case_number     VARCHAR NOT NULL,
    position        INTEGER NOT NULL,   -- order of the vote under its item, from 1
    label           VARCHAR NOT NULL,   -- innstillingen | tilleggsforslag | forslag 1 mot forslag 2 | ...
    kind            VARCHAR NOT NULL,   -- innstilling | forslag | endringsforslag | tilleggsforslag | alternative | ...
    proposed_by     VARCHAR,
    proposer_party  VARCHAR,            -- as written
    outcome         VARCHAR,            -- adopted | rejected | postponed
    unanimous       BOOLEAN NOT NULL,
    votes_for       INTEGER,            -- as stated
    votes_against   INTEGER,
    parties_for     VARCHAR[],          -- official party codes of the named voters
    parties_against VARCHAR[],
    alternatives    STRUCT(label VARCHAR, proposed_by VARCHAR, votes INTEGER, outcome VARCHAR)[],
    casting_vote    VARCHAR,            -- leder | ordfører when the chair's casting vote decided a tie
    proposal_text   VARCHAR,
    page_number     INTEGER,
    issues          VARCHAR[],          -- roll-call reconciliation warnings
    PRIMARY KEY (sha256, case_number, position)
);

CREATE TABLE vote_positions (
    sha256         VARCHAR NOT NULL,
    case_number    VARCHAR NOT NULL,
    vote_position  INTEGER NOT NULL,
    person         VARCHAR NOT NULL,    -- the attendee's name where the written name resolved to one, else as written
    written_as     VARCHAR NOT NULL,
    party          VARCHAR,             -- official code
    position       VARCHAR NOT NULL,    -- for | against | the alternative voted for (forslag 1, forslag 2, ...)
    resolved       BOOLEAN NOT NULL     -- the name matched exactly one person on the meeting's attendance list
);

CREATE VIEW mart_votes AS
SELECT year(m.meeting_date) AS year, v.sha256, m.body, i.handled_by, m.municipality AS municipality_code, m.meeting_date,
       v.case_number, i.title, v.position, v.label, v.kind, v.proposed_by, v.proposer_party, v.outcome, v.unanimous,
       v.votes_for, v.votes_against, v.parties_for, v.parties_against, v.alternatives, v.casting_vote,
       (SELECT count(*) FROM vote_positions p WHERE p.sha256 = v.sha256 AND p.case_number = v.case_number
                                               AND p.vote_position = v.position) AS named_voters,
       len(v.issues) = 0 AS reconciled, v.issues, v.page_number
FROM votes v
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
JOIN agenda_items i ON i.sha256 = v.sha256 AND i.case_number = v.case_number;

CREATE VIEW mart_vote_positions AS
SELECT year(m.meeting_date) AS year, p.sha256, m.body, m.municipality AS municipality_code, m.meeting_date,
       p.case_number, i.title, p.vote_position, v.label, v.kind, v.outcome, p.person, p.written_as, p.party,
       r.name AS party_name, p.position, p.resolved,
       CASE WHEN v.kind = 'alternative'
            THEN list_contains([a.label FOR a IN v.alternatives IF a.outcome = 'adopted'], p.position)
            ELSE (p.position = 'for') = (v.outcome = 'adopted') END AS on_winning_side
FROM vote_positions p
JOIN votes v ON v.sha256 = p.sha256 AND v.case_number = p.case_number AND v.position = p.vote_position
JOIN meetings m ON m.sha256 = p.sha256
JOIN document_years d ON d.sha256 = p.sha256
JOIN agenda_items i ON i.sha256 = p.sha256 AND i.case_number = p.case_number
LEFT JOIN ref_parties r ON r.code = p.party;

COMMENT ON TABLE votes IS 'Grain: one row per vote taken under an agenda item, in order. Keys: (sha256, case_number, position). Counts as stated; an alternative vote keeps each side''s count in alternatives.';
COMMENT ON TABLE vote_positions IS 'Grain: one row per named voter per vote. Keys: (sha256, case_number, vote_position, person, position). Only where the protocol names the voters (roll call).';
COMMENT ON VIEW mart_votes IS 'Grain: one row per vote of a current readable protocol or decision record. Keys: (sha256, case_number, position). reconciled: named voters agree with the stated counts and the attendance.';
COMMENT ON VIEW mart_vote_positions IS 'Grain: one row per named voter per vote. Keys: (sha256, case_number, vote_position, person, position). on_winning_side: voted with the outcome.';
