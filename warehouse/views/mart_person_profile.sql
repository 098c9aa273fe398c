CREATE OR REPLACE VIEW mart_person_profile AS
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
