#!/usr/bin/env python3
"""Convert the administrative-unit source files into motcua's own reference data.

Reads (from --source):
  provinces-2025.csv, communes-2025.csv, units-pre-2025.csv,
  merges-2025.json.gz, splits-2025.json.gz
Writes (to --out):
  units.csv       both structures: pre-2025 (province/district/commune, valid_to 2025-06-30)
                  and 2025 (province/commune, valid_from 2025-07-01)
  merges.csv      new unit <- old unit, coverage full|partial (province and commune level)
  PROVENANCE.md   sources, licences, sha256 of the inputs, the command, and the counts

Standard library only. Output is NFC, sorted and byte-for-byte deterministic, so re-running
the script on the same inputs yields no diff. Any inconsistency between the sources aborts the
run with a message: reference data that silently drifts is worse than no data.

Usage: python3 scripts/convert_units.py --source /path/to/shared/data/units --out data/units
"""

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

OLD_VALID_TO = "2025-06-30"
NEW_VALID_FROM = "2025-07-01"
LEVEL_RANK = {"province": 0, "district": 1, "commune": 2}
SOURCE_FILES = [
    "provinces-2025.csv",
    "communes-2025.csv",
    "units-pre-2025.csv",
    "merges-2025.json.gz",
    "splits-2025.json.gz",
]


class DataError(Exception):
    """A source inconsistency that must stop the conversion."""


def nfc(text):
    return unicodedata.normalize("NFC", text)


def clean(text):
    """NFC, <br> artefacts of the PDF/HTML extraction removed, whitespace collapsed."""
    text = nfc(text).replace("<br>", " ")
    return re.sub(r"\s+", " ", text).strip()


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return [{k: clean(v or "") for k, v in row.items()} for row in csv.DictReader(handle)]


def read_json_gz(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def require(condition, message):
    if not condition:
        raise DataError(message)


def province_kind(name):
    return "Thành phố" if name.startswith("Thành phố ") else "Tỉnh"


def commune_kind(name):
    for kind in ("Phường", "Xã", "Đặc khu", "Thị trấn"):
        if name.startswith(kind + " "):
            return kind
    raise DataError(f"cannot tell the kind of the 2025 commune {name!r}")


def canonical_province_name(name):
    """'Tp Hồ Chí Minh' / 'Tỉnh Gia Lai' / 'Gia Lai' -> 'Hồ Chí Minh' / 'Gia Lai' / 'Gia Lai'."""
    name = clean(name)
    name = re.sub(r"^(Tp\.?|TP\.?|Thành phố|Tỉnh)\s+", "", name)
    return name


def convert_pre_2025(rows):
    """The three-level structure in force until 2025-06-30."""
    kinds = {"Thành phố Trung ương": "Thành phố"}
    levels = {"1": "province", "2": "district", "3": "commune"}
    units = []
    seen = {}
    for number, row in enumerate(rows, start=2):
        level = levels.get(row["level"])
        require(level is not None, f"units-pre-2025.csv line {number}: unknown level {row['level']!r}")
        code = row["code"]
        require(code.isdigit(), f"units-pre-2025.csv line {number}: bad code {code!r}")
        require((code, level) not in seen, f"units-pre-2025.csv line {number}: duplicate {level} {code}")
        seen[(code, level)] = row
        units.append(
            {
                "code": code,
                "name": row["name"],
                "level": level,
                "kind": kinds.get(row["type"], row["type"]),
                "parent_code": row["parent_code"],
                "valid_from": "",
                "valid_to": OLD_VALID_TO,
            }
        )
    # Parents must exist one level up.
    parent_level = {"district": "province", "commune": "district"}
    for unit in units:
        if unit["level"] == "province":
            require(unit["parent_code"] == "", f"old province {unit['code']} has a parent")
        else:
            key = (unit["parent_code"], parent_level[unit["level"]])
            require(key in seen, f"old {unit['level']} {unit['code']} has unknown parent {unit['parent_code']!r}")
    return units


def convert_2025(provinces, communes, merges):
    """The two-level structure from 2025-07-01; each commune's province comes from merges."""
    short_names = {}
    for row in provinces:
        code = row["Mã số"]
        require(re.fullmatch(r"\d{2}", code) is not None, f"provinces-2025.csv: bad code {code!r}")
        short_names[code] = canonical_province_name(row["Tên 34 tỉnh sau sáp nhập"])
    require(len(short_names) == 34, f"expected 34 provinces, provinces-2025.csv has {len(short_names)}")

    units = []
    province_of_commune = {}
    merge_names = {}
    for entry in merges["data"]:
        code = entry["level1_id"]
        name = clean(entry["name"])
        require(code in short_names, f"merges: province {code} is not in provinces-2025.csv")
        require(
            canonical_province_name(name) == short_names[code],
            f"province {code}: merges says {name!r}, provinces-2025.csv says {short_names[code]!r}",
        )
        units.append(
            {
                "code": code,
                "name": name,
                "level": "province",
                "kind": province_kind(name),
                "parent_code": "",
                "valid_from": NEW_VALID_FROM,
                "valid_to": "",
            }
        )
        for level2 in entry["level2s"]:
            commune = level2["level2_id"]
            require(commune not in province_of_commune, f"merges: commune {commune} listed twice")
            province_of_commune[commune] = code
            merge_names[commune] = clean(level2["name"])
    require(len(units) == 34, f"merges lists {len(units)} provinces, expected 34")
    province_names = {u["code"]: u["name"] for u in units}

    seen = set()
    for number, row in enumerate(communes, start=2):
        code, name = row["code"], row["name"]
        require(re.fullmatch(r"\d{5}", code) is not None, f"communes-2025.csv line {number}: bad code {code!r}")
        require(code not in seen, f"communes-2025.csv line {number}: duplicate code {code}")
        seen.add(code)
        province = province_of_commune.get(code)
        require(province is not None, f"communes-2025.csv line {number}: commune {code} is in no province of merges")
        # The province column is inconsistent ("Tp X", "Tỉnh X", line-break artefacts); it must
        # still name the same province that merges assigns, otherwise one of the sources is wrong.
        written = canonical_province_name(row["province_name"])
        require(
            written == canonical_province_name(province_names[province]),
            f"communes-2025.csv line {number}: commune {code} is written under {row['province_name']!r}"
            f" but merges puts it in {province} {province_names[province]!r}",
        )
        require(
            name == merge_names[code],
            f"communes-2025.csv line {number}: commune {code} is {name!r}, merges says {merge_names[code]!r}",
        )
        units.append(
            {
                "code": code,
                "name": name,
                "level": "commune",
                "kind": commune_kind(name),
                "parent_code": province,
                "valid_from": NEW_VALID_FROM,
                "valid_to": "",
            }
        )
    require(seen == set(province_of_commune), "communes-2025.csv and merges list different communes")
    require(len(seen) == 3321, f"expected 3,321 communes, found {len(seen)}")
    return units


def convert_merges(merges, splits, old_units):
    """new <- old pairs. An old unit's level is looked up in the pre-2025 structure: the five island
    districts without communes (e.g. Huyện Lý Sơn) became special zones directly from district level."""
    old_level_of = defaultdict(set)
    for unit in old_units:
        old_level_of[unit["code"]].add(unit["level"])

    def old_level(code, preferred):
        levels = old_level_of.get(code, set())
        if preferred in levels:
            return preferred
        if preferred == "commune" and "district" in levels:
            return "district"
        raise DataError(f"merges: old unit {code} is not a pre-2025 {preferred}")

    rows = {}
    for entry in merges["data"]:
        for old in entry["merges"]:
            key = (entry["level1_id"], "province", old["old_id"], old_level(old["old_id"], "province"))
            rows[key] = old["type"]
        for level2 in entry["level2s"]:
            for old in level2["merges"]:
                key = (level2["level2_id"], "commune", old["old_id"], old_level(old["old_id"], "commune"))
                require(key not in rows, f"merges: pair {key} listed twice")
                rows[key] = old["type"]
    for key, coverage in rows.items():
        require(coverage in ("full", "partial"), f"merges: pair {key} has coverage {coverage!r}")

    # splits.json is the same relation seen from the other side; they must agree exactly.
    pairs = {(k[0], k[2]) for k in rows}
    split_pairs = set()
    for entry in splits["data"]:
        for new in entry["splits"]:
            split_pairs.add((new["new_id"], entry["level1_id"]))
        for group in ("level2s", "level3s"):
            for old in entry.get(group, []):
                key = "level2_id" if group == "level2s" else "level3_id"
                for new in old["splits"]:
                    split_pairs.add((new["new_id"], old[key]))
    require(
        pairs == split_pairs,
        f"merges and splits disagree: {sorted(pairs - split_pairs)[:5]} / {sorted(split_pairs - pairs)[:5]}",
    )
    # Every old province and commune must have a successor.
    covered = {(k[2], k[3]) for k in rows}
    missing = [u for u in old_units if u["level"] != "district" and (u["code"], u["level"]) not in covered]
    require(not missing, f"old units without successor: {[(u['level'], u['code']) for u in missing[:5]]}")

    out = [
        {"new_code": k[0], "new_level": k[1], "old_code": k[2], "old_level": k[3], "coverage": v}
        for k, v in rows.items()
    ]
    out.sort(
        key=lambda r: (LEVEL_RANK[r["new_level"]], r["new_code"], LEVEL_RANK[r["old_level"]], r["old_code"])
    )
    return out


def unit_sort_key(unit):
    # Pre-2025 (empty valid_from) first, then by level and code.
    return (unit["valid_from"], LEVEL_RANK[unit["level"]], unit["code"])


def write_csv(path, columns, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: nfc(v) for k, v in row.items()})
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def counts(units, merges):
    c = {}
    old = [u for u in units if u["valid_to"] == OLD_VALID_TO]
    new = [u for u in units if u["valid_from"] == NEW_VALID_FROM]
    c["old"] = Counter(u["level"] for u in old)
    c["new"] = Counter(u["level"] for u in new)
    c["new_commune_kinds"] = Counter(u["kind"] for u in new if u["level"] == "commune")
    old_gl_districts = {u["code"] for u in old if u["level"] == "district" and u["parent_code"] == "64"}
    c["old_gia_lai_districts"] = len(old_gl_districts)
    c["old_gia_lai_communes"] = sum(1 for u in old if u["level"] == "commune" and u["parent_code"] in old_gl_districts)
    gl = [u for u in new if u["level"] == "commune" and u["parent_code"] == "52"]
    c["gia_lai_communes"] = len(gl)
    c["gia_lai_kinds"] = Counter(u["kind"] for u in gl)
    c["gia_lai_predecessors"] = sorted(m["old_code"] for m in merges if m["new_level"] == "province" and m["new_code"] == "52")
    c["merges"] = Counter((m["new_level"], m["old_level"], m["coverage"]) for m in merges)
    return c


def provenance(source_dir, c, units_rows, merge_rows):
    hashes = "\n".join(f"| `{name}` | `{sha256(source_dir / name)}` |" for name in SOURCE_FILES)
    merge_lines = "\n".join(
        f"| {new_level} | {old_level} | {coverage} | {n:,} |"
        for (new_level, old_level, coverage), n in sorted(c["merges"].items())
    )
    kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(c["new_commune_kinds"].items()))
    gl_kinds = " + ".join(f"{n} {k.lower()}" for k, n in sorted(c["gia_lai_kinds"].items(), key=lambda kv: -kv[1]))
    return f"""# Administrative units: provenance

Generated by `scripts/convert_units.py`; do not edit by hand. Re-run the script to update.

```
python3 scripts/convert_units.py --source <shared>/data/units --out data/units
```

## Sources
| file | what | source | licence |
|---|---|---|---|
| provinces-2025.csv | the 34 provinces / cities from 01-07-2025 and their codes (GSO letter 915/CTK-CSCL) | github.com/dvhcvn/20250701, input/docs | MIT |
| communes-2025.csv | the 3,321 commune-level units from 01-07-2025 (GSO letter 1027/CTK-CSCL) | github.com/dvhcvn/20250701, input/docs | MIT |
| merges-2025.json.gz | new unit → the old units it was formed from, `full` or `partial` | github.com/dvhcvn/20250701, mapping/merges.json | MIT |
| splits-2025.json.gz | old unit → new unit(s) | github.com/dvhcvn/20250701, mapping/splits.json | MIT |
| units-pre-2025.csv | the three-level structure in force on 01-03-2025 | GSO codes as collected by github.com/daohoangson/dvhcvn (data as of 01/03/2025) | facts re-tabulated |

The codes and names are facts published by the General Statistics Office (GSO); the projects above collected them.

### sha256 of the inputs
| file | sha256 |
|---|---|
{hashes}

## Outputs
- `units.csv` — `code,name,level,kind,parent_code,valid_from,valid_to`, UTF-8 NFC, sorted by
  (valid_from, level, code). Pre-2025 units have an empty `valid_from` (in force before the data's
  snapshot date) and `valid_to` = {OLD_VALID_TO}; 2025 units have `valid_from` = {NEW_VALID_FROM} and an
  empty `valid_to`. `kind` is the unit type (Tỉnh, Thành phố, Quận, Huyện, Thị xã, Phường, Xã, Thị trấn,
  Đặc khu); a pre-2025 "Thành phố Trung ương" is written `Thành phố` at level `province`.
  **Codes are reused across eras** (new Gia Lai 52 was old Bình Định 52; many new communes keep one
  predecessor's code), so a unit's key is **(code, level, valid_from)**, never the code alone.
  Within one era and level a code is unique. 2025 communes have their province as parent; pre-2025
  communes their district, districts their province.
- `merges.csv` — `new_code,new_level,old_code,old_level,coverage`: the 2025 unit formed (wholly or in
  part) from the old unit. `full` = the whole old unit went into the new one; `partial` = only part of it.
  The five island districts without communes became special zones (Đặc khu) directly, so they appear with
  `old_level` = district. merges.json and splits.json were checked to describe exactly the same pairs.

## How inconsistencies were resolved
- The `province_name` column of communes-2025.csv is written inconsistently ("Tỉnh Gia Lai", "Tp Hồ Chí
  Minh", line-break artefacts `<br>`). Each commune's province is taken from merges-2025 (which nests
  communes under province codes); the written name is only cross-checked against it, and the script
  fails on any disagreement.
- Province names of 2025 come from merges-2025 in full form ("Tỉnh Gia Lai"); provinces-2025.csv's short
  names are cross-checked against them.
- The pre-2025 snapshot is as of 01-03-2025; changes between then and 30-06-2025 are not represented.

## Counts (checked by the script and by the Rust tests)
| structure | provinces | districts | communes |
|---|---|---|---|
| pre-2025 (to {OLD_VALID_TO}) | {c['old']['province']} | {c['old']['district']:,} | {c['old']['commune']:,} |
| 2025 (from {NEW_VALID_FROM}) | {c['new']['province']} | — | {c['new']['commune']:,} ({kinds}) |

- New Gia Lai (52) = old provinces {' + '.join(c['gia_lai_predecessors'])} (Bình Định 52, Gia Lai 64):
  {c['gia_lai_communes']} communes ({gl_kinds}), as the data says.
- Old Gia Lai (64): {c['old_gia_lai_districts']} districts, {c['old_gia_lai_communes']} communes.
- `units.csv`: {len(units_rows):,} rows; `merges.csv`: {len(merge_rows):,} rows:

| new level | old level | coverage | pairs |
|---|---|---|---|
{merge_lines}
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", required=True, type=Path, help="directory holding the source files")
    parser.add_argument("--out", required=True, type=Path, help="output directory (data/units)")
    args = parser.parse_args()

    src = args.source
    for name in SOURCE_FILES:
        require((src / name).is_file(), f"missing source file {src / name}")

    old_units = convert_pre_2025(read_csv(src / "units-pre-2025.csv"))
    merges = read_json_gz(src / "merges-2025.json.gz")
    new_units = convert_2025(read_csv(src / "provinces-2025.csv"), read_csv(src / "communes-2025.csv"), merges)
    merge_rows = convert_merges(merges, read_json_gz(src / "splits-2025.json.gz"), old_units)

    units = sorted(old_units + new_units, key=unit_sort_key)
    c = counts(units, merge_rows)
    require(c["old"]["province"] == 63, f"expected 63 old provinces, found {c['old']['province']}")
    require(c["new"]["province"] == 34 and c["new"]["commune"] == 3321, "2025 counts are not 34 / 3,321")
    require(c["gia_lai_predecessors"] == ["52", "64"], f"new Gia Lai formed from {c['gia_lai_predecessors']}")

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(
        args.out / "units.csv",
        ["code", "name", "level", "kind", "parent_code", "valid_from", "valid_to"],
        units,
    )
    write_csv(args.out / "merges.csv", ["new_code", "new_level", "old_code", "old_level", "coverage"], merge_rows)
    (args.out / "PROVENANCE.md").write_text(provenance(src, c, units, merge_rows), encoding="utf-8")
    print(
        f"units.csv: {len(units)} rows; merges.csv: {len(merge_rows)} rows; "
        f"new Gia Lai 52: {c['gia_lai_communes']} communes {dict(c['gia_lai_kinds'])}"
    )


if __name__ == "__main__":
    try:
        main()
    except DataError as error:
        print(f"convert_units: {error}", file=sys.stderr)
        sys.exit(1)
