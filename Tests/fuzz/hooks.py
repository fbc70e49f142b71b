"""Schemathesis hooks for HaiLong's custom string formats (loaded through SCHEMATHESIS_HOOKS by schema_fuzz.py).

The document marks three query values with a format that JSON Schema cannot check: a `period` (a real calendar
period of at most 800 days), a `questionnaire-code` and a `methodology` (rows of the database). Valid examples of
them are drawn here; their syntax is still the document's `pattern`, which the negative examples break.
"""
from datetime import date, timedelta

import schemathesis
from hypothesis import strategies as st

days = st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31))


def single(day, kind):
    if kind == "year":
        return f"{day.year:04d}"
    if kind == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if kind == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if kind == "week":
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return day.isoformat()


kinds = st.sampled_from(["year", "quarter", "month", "week", "day"])
singles = st.builds(single, days, kinds)
ranges = st.builds(lambda first, length: f"{first.isoformat()}..{(first + timedelta(days=length)).isoformat()}",
                   days, st.integers(min_value=0, max_value=799))
# A range of months or quarters: at most 800 days from the first day of the first to the last day of the second.
month_ranges = st.builds(lambda first, months: f"{first.year:04d}-{first.month:02d}.."
                         f"{(first.year * 12 + first.month - 1 + months) // 12:04d}-"
                         f"{(first.year * 12 + first.month - 1 + months) % 12 + 1:02d}",
                         days, st.integers(min_value=0, max_value=24))

schemathesis.openapi.format("period", st.one_of(singles, ranges, month_ranges))
schemathesis.openapi.format("questionnaire-code", st.sampled_from(["kiosk-3", "sipas-5"]))
schemathesis.openapi.format("methodology", st.sampled_from(["default", "default:1"]))
