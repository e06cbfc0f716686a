"""Writes on clues, by sub-domain: intake (every source, the public form, imports) and workflow
(check, merge, hand off, answer, close, escalate). Import from here."""

from fanzha.clues.services.intake import clue_create_from, clue_from_finding, new_receipt_code, store_files  # noqa: F401
from fanzha.clues.services.workflow import (  # noqa: F401
    clue_add_note,
    clue_answer,
    clue_check,
    clue_close,
    clue_hand_off,
    clue_merge,
    may_manage,
)
