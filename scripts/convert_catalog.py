#!/usr/bin/env python3
"""Convert the crawled national procedure catalogue into motcua's own data file.

Usage: python3 scripts/convert_catalog.py SOURCE.jsonl.gz [OUT.jsonl.gz]

Keeps the portal's field names (the importer reads that shape), NFC-normalises and trims
every string, sorts by procedure code, resolves duplicate codes deterministically and writes
gzip with mtime 0 so that the same input always gives byte-identical output.
Standard library only.
"""
import gzip
import hashlib
import io
import json
import sys
import unicodedata

DEFAULT_OUT = "data/catalog/procedures.jsonl.gz"


def clean(value):
    """NFC-normalise and trim strings, recursively."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value).strip()
    if isinstance(value, list):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {clean(k): clean(v) for k, v in value.items()}
    return value


def richness(rec):
    """How much information a record carries; used to pick among duplicates."""
    return sum(len(v) for v in rec.values() if isinstance(v, str))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, out = argv[1], (argv[2] if len(argv) > 2 else DEFAULT_OUT)
    raw = open(src, "rb").read()
    sha = hashlib.sha256(raw).hexdigest()
    by_code, bad, dups = {}, 0, []
    for lineno, line in enumerate(gzip.decompress(raw).decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = clean(json.loads(line))
        except json.JSONDecodeError as err:
            print(f"line {lineno}: skipped, {err}", file=sys.stderr)
            bad += 1
            continue
        code = rec.get("ma_thu_tuc", "") if isinstance(rec, dict) else ""
        if not code:
            print(f"line {lineno}: skipped, no ma_thu_tuc", file=sys.stderr)
            bad += 1
            continue
        if code in by_code:
            # Keep the richer record; ties go to the canonical JSON that sorts first.
            old = by_code[code]
            key = lambda r: (-richness(r), json.dumps(r, ensure_ascii=False, sort_keys=True))
            by_code[code] = min(old, rec, key=key)
            dups.append(code)
        else:
            by_code[code] = rec
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        for code in sorted(by_code):
            line = json.dumps(by_code[code], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            gz.write(line.encode("utf-8") + b"\n")
    with open(out, "wb") as fh:
        fh.write(buf.getvalue())
    print(f"source sha256 {sha}")
    print(f"written {len(by_code)} procedures to {out} ({len(buf.getvalue())} bytes), sha256 "
          f"{hashlib.sha256(buf.getvalue()).hexdigest()}")
    print(f"skipped {bad} malformed lines; {len(dups)} duplicate codes resolved"
          + (": " + ", ".join(sorted(set(dups))) if dups else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
