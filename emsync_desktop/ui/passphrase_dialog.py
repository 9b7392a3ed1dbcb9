"""Asking for the data passphrase (first start: choose one; later: unlock)."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from emsync_desktop.security.keystore import MIN_PASSPHRASE_CHARS, PassphraseRequest


def ask_passphrase(request: PassphraseRequest, parent: QWidget | None = None) -> str | None:
    """Modal dialog; returns None when the user cancels."""
    error = f"{request.error}\n\n" if request.error else ""
    if not request.first_start:
        text, ok = QInputDialog.getText(
            parent, "Unlock EMsync", f"{error}Passphrase that protects patient data on this device:",
            QLineEdit.EchoMode.Password)
        return text if ok else None
    text, ok = QInputDialog.getText(
        parent, "Protect patient data",
        f"{error}No OS keyring is available, so EMsync protects patient details with a passphrase.\n"
        f"Choose one (at least {MIN_PASSPHRASE_CHARS} characters). Without it the data cannot be read.",
        QLineEdit.EchoMode.Password)
    if not ok:
        return None
    again, ok = QInputDialog.getText(parent, "Protect patient data", "Type the passphrase again:",
                                     QLineEdit.EchoMode.Password)
    if not ok:
        return None
    if again != text:
        return ask_passphrase(PassphraseRequest(True, request.attempt, "The two passphrases differ."), parent)
    return text
