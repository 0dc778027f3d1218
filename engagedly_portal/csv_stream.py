"""CSV exports streamed a line at a time, safe to open in a spreadsheet."""

import csv

# A cell a spreadsheet would run as a formula (CSV injection: names, paths and details echo what
# people and identity providers sent) is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """csv.writer writes into this and gets the line back, so rows stream without a buffer."""

    def write(self, value: str) -> str:
        return value


def csv_writer():
    """A csv.writer whose writerow() returns the line it made."""
    return csv.writer(_Echo())


def cell(value) -> str:
    """A value as CSV text: "" for None, a leading quote before a formula's first character."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
