"""Organisations with stable ids: registered bodies by organisation number, networks, municipalities and counties,
and companies as documents name them; ORG and place entities link to them."""

from __future__ import annotations

import duckdb

from kommune_etl.transforms.actors import Actors
from kommune_etl.refdata import load
from kommune_etl.warehouse.organisations import register


def test_the_register_gives_public_bodies_their_organisation_numbers_and_every_place_an_id():
    orgs, by_value, by_code = register()
    assert by_value["KS"] == "O971032146" and orgs["O971032146"]["kind"] == "public_body"
    assert orgs[by_code[("MUNICIPALITY", "5037")]]["name"].startswith("Levanger")
    assert orgs[by_code[("COUNTY", "50")]]["kind"] == "county"


def test_companies_are_named_by_their_legal_form():
    actors = Actors(load("public_bodies.csv"), load("networks.csv"), load("projects.csv"), load("parties.csv"))
    found = [(m.value, m.text) for m in actors.find_orgs("Rapporten er laget av Steinkjer Utvikling AS og Innherred "
                                                         "Renovasjon IKS, med KS.")]
    assert found == [("KS", "KS"), ("Steinkjer Utvikling AS", "Steinkjer Utvikling AS"),
                     ("Innherred Renovasjon IKS", "Innherred Renovasjon IKS")]


def test_org_and_place_entities_link_to_the_register(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    ks = con.execute("SELECT name, kind, mentions, documents FROM organisations WHERE org_number = '971032146'").fetchone()
    assert ks[:2] == ("Kommunesektorens organisasjon", "public_body") and ks[2] > 10 and ks[3] >= 3
    assert con.execute("SELECT mentions > 0 FROM organisations WHERE kind = 'municipality' AND code = '4204'").fetchone() == (True,)
    projects = {p for (p,) in con.execute("SELECT project FROM mart_organisation_projects WHERE org_id = 'O971032146'").fetchall()}
    assert "Felles innføringsløp" in projects


def test_annual_reports_section_leaders_are_people_too(sample_warehouse):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    roles = dict(con.execute("""SELECT name_as_written, role FROM person_mentions
                                WHERE role LIKE 'report_section_%' AND body = '10.1 Stab støtte'""").fetchall())
    assert roles == {"Pål Ranes": "report_section_leader", "Torgrim Sjåvik": "report_section_coordinator"}
