"""Checking a SAMPLE history before it is saved: lists cleaned as ``domain.history.answer_list`` does,
texts within what the wire takes, the last oral intake not in the future. Pure: no store, no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from emsync_desktop.domain.history import HistoryItem, ListAnswer, SampleHistory, answer_list, check_last_oral_intake

_HISTORY_TEXT_CHARS = {"signs_symptoms": 2000, "events": 2000}


def clean_history(history: SampleHistory, now: datetime) -> tuple[SampleHistory, str | None]:
    """The history with its lists cleaned as ``answer_list`` does (blanks dropped, repeats once), or why
    it is refused."""
    cleaned: dict[str, ListAnswer] = {}
    for item, answer in ((HistoryItem.ALLERGIES, history.allergies), (HistoryItem.MEDICATIONS, history.medications),
                         (HistoryItem.PAST_HISTORY, history.past_history)):
        checked, error = answer_list(item, answer.status, answer.items)
        if checked is None:
            return history, error
        if len(checked.items) > 50 or any(len(text) > 200 or "\x00" in text for text in checked.items):
            return history, f"{item.label}: at most 50 entries of 200 characters each."
        cleaned[item.value] = checked
    history = replace(history, allergies=cleaned["allergies"], medications=cleaned["medications"],
                      past_history=cleaned["past_history"])
    return history, _history_text_error(history, now)


def _history_text_error(history: SampleHistory, now: datetime) -> str | None:
    texts = {"signs_symptoms": history.signs_symptoms, "events": history.events,
             "last oral intake": history.last_oral_intake.what}
    for name, text in texts.items():
        if "\x00" in text or len(text) > _HISTORY_TEXT_CHARS.get(name, 500):
            return f"The {name.replace('_', ' ')} text is too long or holds a NUL character: shorten it."
    return check_last_oral_intake(history.last_oral_intake, now)
