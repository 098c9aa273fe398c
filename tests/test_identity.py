"""Resolving names to persons (pure): conservative, scoped, and every join says by which rule."""

from __future__ import annotations

from kommune_etl.transforms.identity import Appearance, name_tokens, resolve, shorter_form_of, split_party


def _people(*appearances: Appearance) -> list[set[str]]:
    persons, _, _ = resolve(list(appearances))
    return sorted((p.names for p in persons), key=lambda names: sorted(names))


def _a(name: str, scope: str = "5037", party: str | None = None, role: str = "member") -> Appearance:
    return Appearance(scope, name, "sha", role, party)


def test_name_forms_compare_without_case_accents_hyphens_or_surname_first_order():
    assert name_tokens("Helèn Rosvold Andersen") == name_tokens("helén rosvold andersen")
    assert name_tokens("Nesgård, Siri-Marie Øvrum") == ("siri", "marie", "øvrum", "nesgård")
    assert split_party("Jostein Trøite (SV)") == ("Jostein Trøite", "SV")


def test_shorter_forms_need_the_same_given_name_and_surname():
    full = name_tokens("Siri-Marie Øvrum Nesgård")
    assert shorter_form_of(name_tokens("Siri-Marie Nesgård"), full) == "without_middle_names"
    assert shorter_form_of(name_tokens("S. M. Ø. Nesgård"), full) == "initials"
    assert shorter_form_of(name_tokens("Siri Marie Hansen"), full) is None  # another surname
    assert shorter_form_of(name_tokens("Kari Nesgård"), full) is None  # another given name


def test_middle_names_initials_and_accents_join_one_person_with_their_rule():
    persons, assigned, links = resolve([_a("Astrid Juberg Vordal", party="A", role="representative"),
                                        _a("Astrid Vordal", party="A"), _a("Helèn Rosvold Andersen"),
                                        _a("Helén Rosvold Andersen", party="PP"), _a("S. M. Ø. Nesgård"),
                                        _a("Siri-Marie Øvrum Nesgård", party="A")])
    assert len(persons) == 3 and len(set(assigned.values())) == 3
    assert {(k.name, k.joined_to, k.rule) for k in links} == {
        ("Astrid Vordal", "Astrid Juberg Vordal", "without_middle_names"),
        ("S. M. Ø. Nesgård", "Siri-Marie Øvrum Nesgård", "initials"),
        ("Helèn Rosvold Andersen", "Helén Rosvold Andersen", "same_name")}
    assert {p.name for p in persons} >= {"Astrid Juberg Vordal", "Siri-Marie Øvrum Nesgård"}  # the fullest form shows


def test_a_short_form_two_people_fit_stays_apart_and_so_do_other_parties_and_municipalities():
    assert len(_people(_a("Kari Hansen", party="H"), _a("Kari Berit Hansen", party="H"), _a("Kari Anne Hansen", party="H"))) == 3
    assert len(_people(_a("Per Olsen", party="SP"), _a("Per Arne Olsen", party="H"))) == 2
    assert len(_people(_a("Astrid Vordal", scope="5037"), _a("Astrid Vordal", scope="5006"))) == 2


def test_ids_are_stable_and_follow_the_scope_and_the_fullest_name():
    first, _, _ = resolve([_a("Astrid Vordal"), _a("Astrid Juberg Vordal")])
    again, _, _ = resolve([_a("Astrid Juberg Vordal"), _a("Astrid Vordal"), _a("Per Aunan", scope="5006")])
    assert first[0].person_id in {p.person_id for p in again}
