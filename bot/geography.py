"""Districts and subdistricts of the province a deployment serves.

From the country-wide DOPA geocode tables in `data/geography/` (kongvut/thai-province-data,
MIT), so that a deployment for another province changes a setting, not code.
"""

import csv
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot.config import DATA_DIR

GEOGRAPHY_DIR = DATA_DIR / "geography"


class Place(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name_th: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_th if lang == "th" else self.name_en


class Geography:
    def __init__(
        self,
        province: Place,
        districts: list[Place],
        subdistricts: dict[str, list[Place]],
    ) -> None:
        self.province = province
        self.districts = districts
        self._districts = {place.code: place for place in districts}
        self._subdistricts = subdistricts
        self._subdistrict_index = {
            place.code: place for places in subdistricts.values() for place in places
        }

    @property
    def province_code(self) -> str:
        return self.province.code

    def district(self, code: str) -> Place | None:
        return self._districts.get(code)

    def subdistricts(self, district_code: str) -> list[Place]:
        return self._subdistricts.get(district_code, [])

    def subdistrict(self, code: str) -> Place | None:
        return self._subdistrict_index.get(code)

    @classmethod
    @cache
    def load(cls, province_code: str, directory: Path = GEOGRAPHY_DIR) -> "Geography":
        """Read once per process: the tables are large (7,436 subdistricts) and fixed."""
        district_rows = [
            row for row in _rows(directory / "districts.csv") if row["id"][:2] == province_code
        ]
        if not district_rows:
            raise ValueError(f"no districts found for province code {province_code!r}")
        districts = [
            Place(code=row["id"], name_th=row["name_th"], name_en=row["name_en"])
            for row in district_rows
        ]
        # The dataset numbers provinces its own way; districts carry that number.
        province_id = district_rows[0]["province_id"]
        province = next(
            Place(code=province_code, name_th=row["name_th"], name_en=row["name_en"])
            for row in _rows(directory / "provinces.csv")
            if row["id"] == province_id
        )
        subdistricts: dict[str, list[Place]] = {place.code: [] for place in districts}
        for row in _rows(directory / "sub_districts.csv"):
            if row["district_id"] in subdistricts:
                subdistricts[row["district_id"]].append(
                    Place(code=row["id"], name_th=row["name_th"], name_en=row["name_en"])
                )
        return cls(province, sorted(districts, key=lambda p: p.code), subdistricts)


@cache
def province_codes(directory: Path = GEOGRAPHY_DIR) -> frozenset[str]:
    """The DOPA codes of every province of the country: the first two digits of its
    districts' codes."""
    return frozenset(row["id"][:2] for row in _rows(directory / "districts.csv"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if not row.get("deleted_at")]

