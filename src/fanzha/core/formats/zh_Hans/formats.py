"""Chinese number formats as fanzha shows them: thousands separated by "," in groups of three, as in English.

Django's zh_Hans default groups by four with no separator (26700, 1234567); the same figure must read the same
in both languages (issue 8, item 19), and the street's spreadsheets and reports use 26,700. Dates stay Django's.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403 - every other format unchanged

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
