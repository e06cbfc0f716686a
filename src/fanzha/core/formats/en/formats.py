"""English number formats: Django's (26,700), stated here beside the Chinese ones so both are in one place."""

from django.conf.locale.en.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
