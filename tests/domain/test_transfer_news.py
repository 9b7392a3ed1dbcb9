from emsync_desktop.domain.transfer_news import latest_news, redirected_away_from

REQUESTED = {"state": "PENDING", "by": "u1", "by_name": "Asha Menon", "at": "2026-12-04T02:00:00+00:00",
             "reason": "requested"}


def test_just_requested_is_no_news() -> None:
    assert latest_news([REQUESTED]) is None


def test_rejection_reaches_the_crew_with_who_and_why() -> None:
    step = {"state": "REJECTED", "by": "n1", "by_name": "Maria Joseph", "at": "2026-12-04T02:05:00+00:00",
            "reason": "no neurosurgeon on call"}
    kind, words = latest_news([REQUESTED, step])  # type: ignore[misc]
    assert kind == "bad" and words.startswith("✖ Rejected by Maria Joseph at ")
    assert words.endswith(": no neurosurgeon on call")


def test_redirect_names_the_new_hospital_and_who_and_the_old_ward_finds_it() -> None:
    step = {"state": "PENDING", "by": "c1", "by_name": "Rahul Nair", "at": "2026-12-04T02:10:00+00:00",
            "reason": "redirected to Amrita ICU: cath lab down", "redirected_from": "lourdes",
            "redirected_to": "amrita"}
    kind, words = latest_news([REQUESTED, step])  # type: ignore[misc]
    assert kind == "moved" and words.startswith("↪ Redirected by Rahul Nair at ")
    assert words.endswith(" to Amrita ICU: cath lab down")
    assert redirected_away_from([REQUESTED, step], "lourdes") is step
    assert redirected_away_from([REQUESTED, step], "amrita") is None
