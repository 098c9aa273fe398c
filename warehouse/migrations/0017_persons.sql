-- People across documents (transforms/identity.py resolves them; warehouse/identity.py rebuilds these tables after
-- every run that changed documents). A person is scoped to a municipality: the same name in two municipalities is
-- two people. A document whose municipality is unknown keeps its people to itself (scope 'doc:<sha256>').
CREATE TABLE persons (
    person_id          VARCHAR PRIMARY KEY,  -- stable: a hash of the scope and the person's fullest name form
    name               VARCHAR NOT NULL,     -- the fullest form seen, given name first
    scope              VARCHAR NOT NULL,
    municipality_code  VARCHAR,
    names              VARCHAR[],
    parties            VARCHAR[],
    appearances        INTEGER,
    first_seen         DATE,
    last_seen          DATE
);
COMMENT ON TABLE persons IS 'Grain: one row per real person, as far as the evidence goes. Keys: person_id. Conservative: an ambiguous short name stays a person of its own.';

CREATE TABLE person_names (
    scope      VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,  -- as written
    person_id  VARCHAR NOT NULL
);
COMMENT ON TABLE person_names IS 'Grain: one row per name form written in a scope. Keys: (scope, name). Joins any table holding a name (attendance, vote_positions) to its person.';

CREATE TABLE person_mentions (
    person_id        VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    page_number      INTEGER,
    start_char       INTEGER,  -- the first place the name stands on that page, where it is found there
    end_char         INTEGER,
    role             VARCHAR NOT NULL,  -- member | absent_member | substitute | candidate | signer | report_section_leader | report_section_coordinator | administration | observer | voter | proposer | chair | secretary | representative | alternate | election_board | case_handler | named
    name_as_written  VARCHAR NOT NULL,
    party            VARCHAR,
    body             VARCHAR,
    seen_on          DATE
);
COMMENT ON TABLE person_mentions IS 'Grain: one row per appearance of a person in a document and role. Keys: (person_id, sha256, role, name_as_written, page_number).';

CREATE TABLE person_links (
    person_id  VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    joined_to  VARCHAR NOT NULL,
    rule       VARCHAR NOT NULL  -- same_name | without_middle_names | initials
);
COMMENT ON TABLE person_links IS 'Grain: one row per name form joined to another form of the same person. Keys: (person_id, name). Says by which rule.';

CREATE TABLE memberships (
    person_id          VARCHAR NOT NULL,
    municipality_code  VARCHAR,
    body               VARCHAR NOT NULL,
    party              VARCHAR,
    role               VARCHAR NOT NULL,  -- member | substitute | chair | representative | alternate
    first_seen         DATE,
    last_seen          DATE,
    source             VARCHAR NOT NULL   -- attendance (first and last meeting seen) | election (the elected period)
);
COMMENT ON TABLE memberships IS 'Grain: one row per person, body, party, role and source. Keys: (person_id, body, party, role, source). Attendance gives the meetings seen; an election the period elected for.';

-- Each named vote with its winning side, joined to the voter's person.
CREATE VIEW person_votes AS
SELECT n.person_id, v.sha256, v.case_number, v.vote_position, v.position, v.party, m.body, m.municipality AS municipality_code,
       m.meeting_date, t.outcome,
       CASE WHEN v.position = 'for' THEN t.outcome = 'adopted'
            WHEN v.position = 'against' THEN t.outcome = 'rejected'
            ELSE list_contains(list_transform(list_filter(t.alternatives, a -> a.outcome = 'adopted'), a -> a.label), v.position)
       END AS on_winning_side
FROM vote_positions v
JOIN meetings m USING (sha256)
JOIN document_years d USING (sha256)
JOIN votes t ON t.sha256 = v.sha256 AND t.case_number = v.case_number AND t.position = v.vote_position
JOIN person_names n ON n.scope = coalesce(m.municipality, 'doc:' || v.sha256) AND n.name = v.person
WHERE t.outcome IN ('adopted', 'rejected');
COMMENT ON VIEW person_votes IS 'Grain: one row per named voter per decided vote. Keys: (sha256, case_number, vote_position, person_id). on_winning_side: the side the person took won.';

-- How each party's named voters split in each roll-call vote.
CREATE VIEW party_vote_sides AS
SELECT sha256, case_number, vote_position, body, municipality_code, meeting_date, party,
       sum(n) AS voters, count(*) AS sides,
       CASE WHEN max(n) * 2 > sum(n) THEN arg_max(position, n) END AS majority_side  -- none when the party split evenly
FROM (SELECT sha256, case_number, vote_position, body, municipality_code, meeting_date, party, position, count(*) AS n
      FROM person_votes WHERE party IS NOT NULL GROUP BY ALL)
GROUP BY ALL;
COMMENT ON VIEW party_vote_sides IS 'Grain: one row per party per roll-call vote. Keys: (sha256, case_number, vote_position, party). sides = 1: the party voted as one; majority_side only where more than half took it.';

CREATE VIEW mart_person_profile AS
WITH attendance AS (
    SELECT n.person_id, m.body, m.meeting_date, a.present
    FROM meeting_attendance a
    JOIN meetings m USING (sha256)
    JOIN document_years d USING (sha256)
    JOIN person_names n ON n.scope = coalesce(m.municipality, 'doc:' || a.sha256) AND n.name = a.person
    WHERE a.role IN ('member', 'substitute')
), attended AS (  -- one meeting once, whatever number of copies (a PDF and its text) the warehouse holds
    SELECT person_id, count(DISTINCT CASE WHEN present THEN body || meeting_date END) AS meetings_attended,
           count(DISTINCT CASE WHEN NOT present THEN body || meeting_date END) AS meetings_missed
    FROM attendance GROUP BY person_id
), voted AS (
    SELECT p.person_id, count(DISTINCT (p.body, p.meeting_date, p.case_number, p.vote_position)) AS votes_cast,
           count(DISTINCT CASE WHEN NOT p.on_winning_side THEN (p.body, p.meeting_date, p.case_number, p.vote_position) END)
               AS times_in_minority,
           count(DISTINCT CASE WHEN s.voters >= 2 AND s.sides > 1 AND s.majority_side IS NOT NULL AND p.position <> s.majority_side
                               THEN (p.body, p.meeting_date, p.case_number, p.vote_position) END) AS times_against_own_party
    FROM person_votes p
    LEFT JOIN party_vote_sides s USING (sha256, case_number, vote_position, party)
    GROUP BY p.person_id
), proposal_rows AS (  -- every proposal put to a vote: a vote's own, each side of an alternative vote, and extra
    -- proposals a document lists without their votes
    SELECT sha256, case_number, position, '' AS side, proposed_by AS who FROM votes WHERE proposed_by IS NOT NULL
    UNION ALL
    SELECT sha256, case_number, position, a.label, a.proposed_by
    FROM (SELECT sha256, case_number, position, unnest(alternatives) AS a FROM votes) WHERE a.proposed_by IS NOT NULL
    UNION ALL
    SELECT p.sha256, p.case_number, 1000 + p.position, '', p.proposed_by FROM proposals p
    WHERE p.proposed_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM votes t WHERE t.sha256 = p.sha256 AND t.case_number = p.case_number
                                                    AND t.proposed_by IS NOT NULL)
), proposed AS (
    SELECT n.person_id, count(DISTINCT (m.body, m.meeting_date, r.case_number, r.position, r.side)) AS proposals_made
    FROM proposal_rows r
    JOIN meetings m USING (sha256)
    JOIN document_years USING (sha256)
    JOIN person_names n ON n.scope = coalesce(m.municipality, 'doc:' || r.sha256)
        AND n.name = trim(regexp_replace(r.who, '\s*\([^)]*\)\s*$', ''))
    GROUP BY n.person_id
), bodies AS (
    SELECT person_id, list(DISTINCT body ORDER BY body) AS bodies,
           list(DISTINCT party ORDER BY party) FILTER (WHERE party IS NOT NULL) AS parties_over_time,
           bool_or(source = 'election') AS elected
    FROM memberships GROUP BY person_id
)
SELECT year(p.last_seen) AS year, p.person_id, p.name, p.municipality_code,
       (SELECT arg_max(r.name, r.valid_from) FROM ref_municipalities r WHERE r.code = p.municipality_code) AS municipality,
       p.names, p.parties,
       coalesce(a.meetings_attended, 0) AS meetings_attended, coalesce(a.meetings_missed, 0) AS meetings_missed,
       coalesce(v.votes_cast, 0) AS votes_cast, coalesce(v.times_in_minority, 0) AS times_in_minority,
       coalesce(v.times_against_own_party, 0) AS times_against_own_party, coalesce(q.proposals_made, 0) AS proposals_made,
       b.bodies, b.parties_over_time, coalesce(b.elected, false) AS elected, p.first_seen, p.last_seen, p.appearances
FROM persons p
LEFT JOIN attended a USING (person_id)
LEFT JOIN voted v USING (person_id)
LEFT JOIN proposed q USING (person_id)
LEFT JOIN bodies b USING (person_id);
COMMENT ON VIEW mart_person_profile IS 'Grain: one row per person. Keys: person_id. year: the last year the person was seen. Meetings attended and missed (a meeting once however many copies), named votes cast, times on the losing side, times against the majority of the own party, proposals, bodies and parties over time.';

CREATE VIEW mart_party_cohesion AS
SELECT year(meeting_date) AS year, body, municipality_code, party, count(*) AS roll_call_votes,
       count(*) FILTER (WHERE sides = 1) AS votes_as_one, round(count(*) FILTER (WHERE sides = 1) / count(*), 3) AS cohesion
FROM (SELECT DISTINCT body, municipality_code, meeting_date, case_number, vote_position, party, sides
      FROM party_vote_sides WHERE voters >= 2)
GROUP BY ALL;
COMMENT ON VIEW mart_party_cohesion IS 'Grain: one row per body, municipality, year and party. Keys: (body, municipality_code, year, party). Share of roll-call votes (two or more of the party named) where the party voted as one; parties voting as a block in non-roll-call votes are not visible and not counted.';
