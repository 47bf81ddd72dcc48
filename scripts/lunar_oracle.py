#!/usr/bin/env python3
"""Print Tết and Giỗ Tổ Hùng Vương dates from the MIT Python package `holidays` (test oracle).

One line per year: `YEAR TET_DATE GIO_TO_DATE` (ISO dates), for every year the package covers
(1901–2100 in holidays 0.109). Used by the Rust test
`calendar::oracle_tests::oracle_tet_and_gio_to_match_python_holidays`.

How the package gets its dates (checked in holidays 0.109, holidays/calendars/chinese.py): it
does not compute them. It looks them up in tables of Chinese (UTC+8) dates for 1901–2100 and
overrides them with a short list of Vietnamese (UTC+7) exceptions
(VIETNAMESE_CALENDAR_LUNAR_NEW_YEAR_DATES, VIETNAMESE_CALENDAR_HUNG_KINGS_DATES). It is
therefore only as right as that exception list.

With `--chinese` it prints instead, to check the same astronomical method at UTC+8 against the
package's Chinese tables (many more dates, including the effect of leap months):
`YEAR TET 10/3 8/4 5/5 15/8 9/9 VN_WINTER_SOLSTICE` (Chinese-calendar dates, and the winter
solstice day at UTC+7).

Exit status: 0 on success, 2 when the package is missing (the Rust test then skips).
Usage: python3 scripts/lunar_oracle.py [--chinese]
"""

import sys

try:
    import holidays
    from holidays.calendars.chinese import (
        CHINESE_CALENDAR,
        VIETNAMESE_CALENDAR,
        _ChineseLunisolar,
    )
except ImportError as exc:  # pragma: no cover - depends on the environment
    print(f"holidays package not available: {exc}", file=sys.stderr)
    sys.exit(2)


def chinese() -> None:
    cn = _ChineseLunisolar(CHINESE_CALENDAR)
    vn = _ChineseLunisolar(VIETNAMESE_CALENDAR)
    print(f"# holidays {holidays.__version__} (Chinese calendar, UTC+8)")
    for year in range(1900, 2101):
        dates = [
            cn.lunar_new_year_date(year)[0],
            cn.hung_kings_date(year, CHINESE_CALENDAR)[0],
            cn.buddha_birthday_date(year)[0],
            cn.dragon_boat_date(year)[0],
            cn.mid_autumn_date(year)[0],
            cn.double_ninth_date(year)[0],
            vn.winter_solstice_date(year)[0],
        ]
        if any(d is None for d in dates):
            continue
        print(year, " ".join(d.isoformat() for d in dates))


def main() -> None:
    if sys.argv[1:] == ["--chinese"]:
        chinese()
        return
    calendar = _ChineseLunisolar(VIETNAMESE_CALENDAR)
    print(f"# holidays {holidays.__version__}")
    for year in range(1900, 2101):
        tet, _estimated = calendar.lunar_new_year_date(year)
        gio_to, _estimated = calendar.hung_kings_date(year)
        if tet is None or gio_to is None:
            continue  # outside the package's range
        print(f"{year} {tet.isoformat()} {gio_to.isoformat()}")


if __name__ == "__main__":
    main()
