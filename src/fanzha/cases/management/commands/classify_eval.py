"""`fanzha classify_eval`: accuracy of the fraud-type suggestion on the evaluation set.

    fanzha classify_eval                  overall and per-split accuracy, per-type
                                          precision/recall, confusion table
    fanzha classify_eval --split heldout  only the narratives written after the
                                          lexicon was frozen
    fanzha classify_eval --split independent
                                          only the narratives written from the types'
                                          definitions alone, before the lexicon was read
                                          (eval_independent.py)
    fanzha classify_eval --errors         also list every remaining miss class: each
                                          confusion pair (true → predicted) with its count
                                          per split and every narrative in it

The same report without Django settings: ``python -m fanzha.cases.classifier --eval``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from fanzha.cases.classifier import evaluate, format_report
from fanzha.cases.eval_narratives import items


class Command(BaseCommand):
    help = "Score the fraud-type classifier on the evaluation narratives (accuracy, confusion table)."

    def add_arguments(self, parser):
        parser.add_argument("--split", choices=["dev", "heldout", "independent", "all"], default="all")
        parser.add_argument("--errors", action="store_true",
                            help="list every remaining miss class (confusion pair) with its narratives")

    def handle(self, *args, split: str, errors: bool, **options):
        self.stdout.write(format_report(evaluate(items(split)), show_errors=errors))
