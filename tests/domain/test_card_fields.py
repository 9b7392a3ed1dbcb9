"""Card fields from OCR lines and codes (issue 27): zones repaired and checked, labels read on the line or below,
codes decoded, and every failed check or implausible value flagged rather than accepted."""

from __future__ import annotations

from datetime import date

from emsync_desktop.domain.card_fields import read_card
from emsync_desktop.domain.card_reading import CardField, CodeRead, OcrLine, Source
from emsync_desktop.domain.card_text import person_name, spaced
from tests.domain.card_lines import line, zone_lines
from tests.intake.card_set import td1_zone, td3_zone

TODAY = date(2026, 12, 1)
ZONE = td3_zone("L898902C3", date(1974, 8, 12), "F", date(2030, 4, 15), "ERIKSSON", "ANNA MARIA")
CODE_BOX = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0))


def values(lines: list[OcrLine], codes: list[CodeRead] | None = None) -> dict[str, str]:
    return {p.field.value: p.value for p in read_card(lines, codes or [], today=TODAY).proposals}


def test_a_passport_zone_gives_name_sex_birth_number_and_type() -> None:
    assert values(zone_lines(ZONE)) == {"name": "Anna Maria Eriksson", "sex": "female", "date_of_birth": "1974-08-12",
                                        "id_number": "L898902C3", "id_type": "passport"}


def test_ocr_confusions_and_lost_fillers_in_a_zone_are_repaired_and_said() -> None:
    two = ZONE.splitlines()[1]
    reading = read_card(zone_lines(f"P<UTOER1KSSON<<ANNA<MAR1A<<<<<<<<<<\n{two.replace('7408122', '74O8122')}"), [],
                        today=TODAY)
    assert reading.zone_valid and reading.zone_text == ZONE
    assert any("fillers adjusted to 44" in note for note in reading.notes)
    assert any("'1' taken as 'I'" in note for note in reading.notes)
    assert any("'O' taken as '0'" in note for note in reading.notes)


def test_a_filler_read_as_k_after_the_names_is_a_filler_again() -> None:
    one, two = ZONE.splitlines()
    reading = read_card(zone_lines(f"{one[:30]}K{one[31:]}\n{two}"), [], today=TODAY)
    assert reading.zone_text == ZONE and reading.get(CardField.NAME).value == "Anna Maria Eriksson"  # type: ignore


def test_k_runs_among_the_closing_fillers_are_fillers() -> None:
    one, two = ZONE.splitlines()
    misread = one.replace("MARIA<<<<<<<<<", "MARIA<KK<KK<<<")
    reading = read_card(zone_lines(f"{misread}\n{two}"), [], today=TODAY)
    assert reading.get(CardField.NAME).value == "Anna Maria Eriksson"  # type: ignore[union-attr]


def test_a_zone_on_the_card_that_could_not_be_read_leaves_the_printed_number_unchecked() -> None:
    lines = [line("Document No", 400, 100, height=22), line("HU9WEDY0Z", 400, 122),
             line("IDUTOHU9WEDY0Z7<<<<<<<<<<<<<<<", 40, 600, height=34)]
    reading = read_card(lines, [], today=TODAY)
    proposal = reading.get(CardField.ID_NUMBER)
    assert proposal is not None and proposal.flag and proposal.flag.startswith("Not checked")
    assert any("could not be read whole" in note for note in reading.notes)


def test_a_zone_split_in_two_pieces_on_one_row_is_joined() -> None:
    one, two = ZONE.splitlines()
    lines = [line(one[:24], 40, 600, height=34), line(one[24:], 40 + 25 * 34 * 0.55, 601, height=34),
             line(two, 40, 645, height=34)]
    assert read_card(lines, [], today=TODAY).zone_text == ZONE


def test_a_zone_with_a_broken_check_digit_flags_the_field() -> None:
    one, two = ZONE.splitlines()
    broken = two[:9] + str((int(two[9]) + 1) % 10) + two[10:]
    proposal = read_card(zone_lines(f"{one}\n{broken}"), [], today=TODAY).get(CardField.ID_NUMBER)
    assert proposal is not None and proposal.flag and "check digit fails" in proposal.flag


def test_a_look_alike_reading_that_passes_is_still_flagged_unless_the_print_agrees() -> None:
    one, two = ZONE.splitlines()
    misread = f"{one}\n{two.replace('L898902C3', 'L8989O2C3')}"
    alone = read_card(zone_lines(misread), [], today=TODAY).get(CardField.ID_NUMBER)
    printed = read_card([line("Passport No", 400, 100), line("L898902C3", 400, 132), *zone_lines(misread)], [],
                        today=TODAY).get(CardField.ID_NUMBER)
    assert alone is not None and alone.value == "L898902C3" and alone.flag and "look-alike" in alone.flag
    assert printed is not None and printed.flag is None and printed.verified == "check digit"


def test_an_id_card_zone_is_a_national_id() -> None:
    zone = td1_zone("D23145890", date(1974, 8, 12), "F", date(2030, 4, 15), "ERIKSSON", "ANNA")
    found = values(zone_lines(zone))
    assert (found["id_type"], found["id_number"], found["name"]) == ("national_id", "D23145890", "Anna Eriksson")


def test_two_lines_of_an_id_cards_three_are_not_taken_for_a_zone() -> None:
    zone = td1_zone("D23145890", date(1974, 8, 12), "F", date(2030, 4, 15), "ERIKSSON", "ANNA").splitlines()
    assert read_card(zone_lines("\n".join([zone[0], zone[2]])), [], today=TODAY).zone_text == ""


def test_labels_with_values_on_the_same_line_or_below() -> None:
    lines = [line("Name:Priya Mathew", 270, 95), line("DOB:20/10/1960", 270, 145), line("FEMALE", 270, 192),
             line("Policy No", 40, 300, height=22), line("NB/156041/67", 40, 322)]
    assert values(lines) == {"name": "Priya Mathew", "date_of_birth": "1960-10-20", "sex": "female",
                             "policy_number": "NB/156041/67"}


def test_labels_side_by_side_keep_their_own_values() -> None:
    lines = [line("Policy No", 40, 300, height=22), line("Gender", 520, 300, height=22),
             line("NB/156041/67", 40, 322), line("Male", 520, 322)]
    assert values(lines) == {"policy_number": "NB/156041/67", "sex": "male"}


def test_a_turned_card_reads_as_a_level_one() -> None:
    level = [line("Surname", 400, 100, height=22), line("NAIR", 400, 122), line("Given names", 400, 170, height=22),
             line("LAKSHMI", 400, 192), line("Date of birth", 800, 100, height=22), line("12.08.1972", 800, 122)]
    turned = [line(x.text, x.left, x.top, height=x.height, turn_deg=14) for x in level]
    assert values(turned) == values(level) == {"name": "Lakshmi Nair", "date_of_birth": "1972-08-12"}


def test_an_address_runs_on_to_the_lines_under_it() -> None:
    lines = [line("Address:House432,MGRoad,", 270, 245, height=26), line("Kochi682037", 270, 280, height=26)]
    assert values(lines)["address"] == "House 432, MG Road, Kochi 682037"


def test_an_insurer_is_the_heading_naming_one() -> None:
    lines = [line("National Insurance", 30, 26, height=36), line("Co", 30 + 18 * 36 * 0.55 + 20, 27, height=36),
             line("Health Insurance Card", 30, 80, height=26)]
    assert values(lines)["insurer"] == "National Insurance Co"


def test_a_date_of_birth_in_the_future_is_flagged() -> None:
    proposal = read_card([line("Date of birth", 40, 100, height=22), line("06/02/2031", 40, 122)], [],
                         today=TODAY).get(CardField.DATE_OF_BIRTH)
    assert proposal is not None and proposal.flag == "In the future: check the year."


def test_an_impossible_age_is_flagged() -> None:
    proposal = read_card([line("DOB: 01/01/1890", 40, 100)], [], today=TODAY).get(CardField.DATE_OF_BIRTH)
    assert proposal is not None and proposal.flag and "over 120" in proposal.flag


def test_an_aadhaar_number_is_checked_with_verhoeff() -> None:
    good = read_card([line("2341 2341 2346", 300, 520)], [], today=TODAY)
    bad = read_card([line("2341 2341 2347", 300, 520)], [], today=TODAY).get(CardField.ID_NUMBER)
    assert good.get(CardField.ID_NUMBER).verified == "Verhoeff check digit"  # type: ignore[union-attr]
    assert good.get(CardField.ID_TYPE).value == "aadhaar"  # type: ignore[union-attr]
    assert bad is not None and bad.flag and "Verhoeff" in bad.flag


def test_the_aadhaar_xml_qr_code_gives_every_field() -> None:
    xml = ('<?xml version="1.0" encoding="UTF-8"?><PrintLetterBarcodeData uid="234123412346" name="Priya Mathew" '
           'gender="F" dob="20/10/1960" house="House 432" street="MG Road" vtc="Kochi" pc="682037" state="Kerala"/>')
    reading = read_card([], [CodeRead(xml, "QRCode", CODE_BOX)], today=TODAY)
    assert {p.field.value: p.value for p in reading.proposals} == {
        "name": "Priya Mathew", "sex": "female", "date_of_birth": "1960-10-20", "id_number": "234123412346",
        "id_type": "aadhaar", "address": "House 432, MG Road, Kochi 682037"}
    assert all(p.source is Source.CODE and p.boxes == (CODE_BOX,) for p in reading.proposals)


def test_a_driving_licence_pdf417_gives_its_fields() -> None:
    text = "@\n\x1e\rANSI 636014080002DL00410278ZC03190008DLDAQD1234562\nDCSSMITH\nDACJOHN\nDBB07041985\nDBC1\n"
    assert values([], [CodeRead(text, "PDF417", CODE_BOX)]) == {
        "name": "John Smith", "sex": "male", "date_of_birth": "1985-07-04", "id_number": "D1234562",
        "id_type": "driving_licence"}


def test_an_unknown_code_is_said_and_not_guessed_at() -> None:
    reading = read_card([], [CodeRead("https://example.org/x", "QRCode", CODE_BOX)], today=TODAY)
    assert reading.proposals == () and any("does not know" in note for note in reading.notes)


def test_a_wall_gives_nothing_and_says_so() -> None:
    reading = read_card([line("EXIT", 200, 100)], [], today=TODAY)
    assert reading.proposals == () and any("No card fields found" in note for note in reading.notes)


def test_boxes_come_back_in_the_images_own_pixels() -> None:
    turned = [line("Name: Anil Das", 100, 200, turn_deg=10)]
    proposal = read_card(turned, [], today=TODAY).get(CardField.NAME)
    assert proposal is not None
    assert all(abs(a - b) < 1e-6 for p, q in zip(proposal.boxes[0], turned[0].box, strict=True)
               for a, b in zip(p, q, strict=True))


def test_spaces_ocr_dropped_are_put_back() -> None:
    assert spaced("House432,MGRoad") == "House 432, MG Road"


def test_a_small_l_starting_a_name_was_a_capital_i() -> None:
    assert person_name("David lyer") == "David Iyer"
    assert person_name("RAHUL KRISHNAN") == "Rahul Krishnan"


def test_a_zone_name_that_differs_from_the_print_flags_the_printed_name() -> None:
    lines = [line("Surname", 400, 100, height=22), line("NAIR", 400, 122), line("Given names", 400, 170, height=22),
             line("GRACE", 400, 192), *zone_lines(ZONE.replace("ERIKSSON<<ANNA<MARIA", "NAR<<GRACE<<<<<<<<<<<"))]
    proposal = read_card(lines, [], today=TODAY).get(CardField.NAME)
    assert proposal is not None and proposal.value == "Grace Nair" and proposal.source is Source.TEXT
    assert proposal.flag == "The print reads Grace Nair, the zone Grace Nar: check the name on the card."


def test_a_name_from_a_zone_failing_its_checks_is_flagged() -> None:
    one, two = ZONE.splitlines()
    broken = two[:19] + str((int(two[19]) + 1) % 10) + two[20:]  # the date of birth's check digit
    proposal = read_card(zone_lines(f"{one}\n{broken}"), [], today=TODAY).get(CardField.NAME)
    assert proposal is not None and proposal.flag and "no check digit for the name" in proposal.flag


def test_an_empty_value_is_never_proposed() -> None:
    reading = read_card(zone_lines(ZONE.replace("ERIKSSON<<ANNA<MARIA", "<" * 20)), [], today=TODAY)
    assert reading.get(CardField.NAME) is None
