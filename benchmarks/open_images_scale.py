"""The Open Images import at the real label file's size: peak memory and time of `dminity download --offline`.

The train split's `labels/detections.csv` holds 14.6 million boxes over 1.74 million images (about 2 GB). This script
generates a file of that row count (random rows with the real columns, amenity rows at about the real rate, plus the
rows of a few real coco128 photos when `../shared/data/coco128` is there) in a work folder, writes a stand-in JPEG of
Open Images' size for every amenity image (hard links of one file: their headers are read, their pixels copied by the
export), and runs the import in a fresh process per case, polling the resident memory of that process and its
children (FiftyOne's database).

    python benchmarks/open_images_scale.py [--work /tmp/dminity-scale] [--cases 7x200 10xall] [--json FILE]

The generated split is kept in --work and reused by the next run (delete it to regenerate).
"""
from __future__ import annotations

import argparse, json, os, platform, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
from PIL import Image

ROWS, IMAGES = 14_600_000, 1_740_000
TEN = ["Bed", "Toilet", "Bathtub", "Television", "Refrigerator", "Oven", "Sink", "Couch", "Microwave oven", "Pillow"]
IMAGES_PER_AMENITY = 1_600   # ten amenities have about 16,000 images in the real train split
ROWS_PER_IMAGE = 1.3         # boxes of one class on an image that shows it
CHUNK = 1_000_000
REPO = Path(__file__).resolve().parents[1]
BOXABLE = REPO.parent/"shared"/"data"/"openimages"/"class-descriptions-boxable.csv"
COCO128 = REPO.parent/"shared"/"data"/"coco128"


def _classes():
    "[(mid, name)] of Open Images' boxable classes (the amenities at least)"
    from dminity.core import AMENITIES
    known = pd.read_csv(BOXABLE, header=None, names=["mid", "name"]) if BOXABLE.exists() else pd.DataFrame(columns=["mid", "name"])
    extra = [(a.mid, a.name) for a in AMENITIES if a.mid not in set(known.mid)]
    return list(known.itertuples(index=False, name=None)) + extra


def _rows(rng, image_ids, mids) -> pd.DataFrame:
    "Random detection rows with Open Images' columns for the given ImageIDs and LabelNames"
    n = len(image_ids)
    x1, y1 = rng.uniform(0, .8, n), rng.uniform(0, .8, n)
    return pd.DataFrame({"ImageID": image_ids, "Source": rng.choice(["xclick", "activemil"], n), "LabelName": mids, "Confidence": 1,
                         "XMin": x1, "XMax": x1 + rng.uniform(.01, .2, n), "YMin": y1, "YMax": y1 + rng.uniform(.01, .2, n),
                         "IsOccluded": rng.integers(0, 2, n), "IsTruncated": rng.integers(0, 2, n), "IsGroupOf": (rng.random(n) < .06).astype(int),
                         "IsDepiction": (rng.random(n) < .05).astype(int), "IsInside": 0})


def generate(split_dir:Path, rows:int=ROWS, images:int=IMAGES, seed:int=0) -> dict:
    "Write the train split's label file and metadata of the real size into `split_dir`; returns {amenity name: its ImageIDs}"
    from dminity.core import AMENITIES
    rng = np.random.default_rng(seed)
    for sub in ("labels", "metadata", "data"): (split_dir/sub).mkdir(parents=True, exist_ok=True)
    ids = np.unique(rng.integers(0, 2**63, images, dtype=np.int64))
    ids = np.char.mod("%016x", ids)  # sorted hex ids, like Open Images'
    classes = _classes()
    amenity_mids = {a.mid for a in AMENITIES}
    others = np.array([m for m, _ in classes if m not in amenity_mids])
    chosen = {a.name: np.sort(rng.choice(len(ids), IMAGES_PER_AMENITY, replace=False)) for a in AMENITIES if a.name in TEN}
    mid = {a.name: a.mid for a in AMENITIES}
    amenity = pd.concat([_rows(rng, ids[np.repeat(ix, rng.poisson(ROWS_PER_IMAGE - 1, len(ix)) + 1)], mid[name]) for name, ix in chosen.items()])
    path = split_dir/"labels"/"detections.csv"
    rest = rows - len(amenity)
    with open(path, "w") as f:
        for start in range(0, rest, CHUNK):
            n = min(CHUNK, rest - start)
            chunk = _rows(rng, ids[np.sort(rng.integers(0, len(ids), n))], rng.choice(others, n))
            if start == 0: chunk = pd.concat([amenity, chunk])
            chunk.to_csv(f, index=False, header=start == 0, float_format="%.6f")
            print(f"  {start + n:,} of {rest:,} rows", end="\r", flush=True)
    print()
    with open(split_dir/"metadata"/"classes.csv", "w") as f: f.writelines(f"{m},{n}\n" for m, n in classes)
    pd.DataFrame({"ImageID": ids, "Subset": "train"}).to_csv(split_dir/"metadata"/"image_ids.csv", index=False)
    (split_dir/"metadata"/"hierarchy.json").write_text(json.dumps({"LabelName": "/m/0bl9f", "Subcategory": [{"LabelName": m} for m, _ in classes]}))
    return {name: sorted(set(ids[ix])) for name, ix in chosen.items()}


def stand_in_images(split_dir:Path, image_ids, size=(1024, 768)):
    "A JPEG of Open Images' size (smooth, about 60 kB) for each ImageID: hard links of one file"
    source = split_dir/"stand-in.jpg"
    gradient = np.linspace(0, 255, size[0], dtype=np.uint8)[None, :, None].repeat(size[1], 0).repeat(3, 2)
    Image.fromarray(gradient).save(source, quality=90)
    for i in image_ids:
        dest = split_dir/"data"/f"{i}.jpg"
        if not dest.exists(): os.link(source, dest)


def add_real_photos(split_dir:Path) -> int:
    "Append the household boxes of the coco128 photos (real JPEGs) to the split; returns their image count"
    if not COCO128.exists(): return 0
    from dminity.data import COCO_HOUSEHOLD, coco_to_open_images
    with tempfile.TemporaryDirectory() as tmp:
        n = coco_to_open_images(COCO128/"annotations"/"instances_train2017.json", COCO128/"train2017", Path(tmp)/"train", COCO_HOUSEHOLD)
        pd.read_csv(Path(tmp)/"train"/"labels"/"detections.csv").to_csv(split_dir/"labels"/"detections.csv", mode="a", header=False, index=False)
        for p in (Path(tmp)/"train"/"data").iterdir(): shutil.copy(p, split_dir/"data"/p.name)
    return n


def measure(zoo:Path, classes, max_samples, out:Path) -> dict:
    "Run `dminity download --offline` in a fresh process; its wall time and the peak resident memory of it and of its children"
    env = {**os.environ, "FIFTYONE_DATABASE_DIR": str(out.parent/f"{out.name}-db"), "FIFTYONE_DO_NOT_TRACK": "true"}
    argv = [sys.executable, "-c", "import sys; from dminity.cli import main; sys.exit(main(sys.argv[1:]))", "download", "--offline",
            "--classes", *classes, "--zoo-dir", str(zoo), "--splits", "train", "--out", str(out), "--overwrite", "--max-samples", str(max_samples or 0)]
    log = out.parent/f"{out.name}.log"  # not a pipe: a pipe nobody reads while the import runs fills up and stops it
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log, "w") as f: proc = subprocess.Popen(argv, env=env, stdout=f, stderr=subprocess.STDOUT, text=True)
    child, peak_main, peak_all = psutil.Process(proc.pid), 0, 0
    while proc.poll() is None:
        try:
            rss = child.memory_info().rss
            peak_main = max(peak_main, rss)
            peak_all = max(peak_all, rss + sum(c.memory_info().rss for c in child.children(recursive=True)))
        except psutil.Error: pass
        time.sleep(.2)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode: raise RuntimeError(f"the import failed:\n{log.read_text()[-3000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    images = sum(len(json.loads((out/"annotations"/f"instances_{s}.json").read_text())["images"]) for s in ("train2017", "val2017"))
    return {"seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "peak_rss_gb": round(peak_main/2**30, 2),
            "peak_rss_with_db_gb": round(peak_all/2**30, 2), "images": images}


def cpu_flags() -> str:
    "The CPU model and its vector extensions, from /proc/cpuinfo"
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), platform.processor())
    flags = next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), [])
    return f"{model}; {os.cpu_count()} cores; " + " ".join(f for f in flags if f.startswith(("avx", "amx")))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", default="/tmp/dminity-scale", help="where the generated split is kept (default: /tmp/dminity-scale)")
    p.add_argument("--cases", nargs="+", default=["7x200", "10xall"], help="CLASSESxIMAGES: 7x200 (7 amenities, 200 images each), 10xall (10, no limit)")
    p.add_argument("--json", help="write the figures as JSON to this file")
    args = p.parse_args(argv)
    work = Path(args.work)
    split_dir = work/"zoo"/"open-images-v6"/"train"
    labels = split_dir/"labels"/"detections.csv"
    if not labels.exists():
        print(f"generating {ROWS:,} rows in {labels} ...", flush=True)
        started = time.perf_counter()
        amenity_ids = generate(split_dir)
        stand_in_images(split_dir, sorted(set().union(*amenity_ids.values())))
        real = add_real_photos(split_dir)
        print(f"generated in {time.perf_counter() - started:.0f} s ({real} real coco128 photos added)", flush=True)
    rows = sum(1 for _ in open(labels)) - 1
    figures = {"rows": rows, "label_file_gb": round(labels.stat().st_size/2**30, 2), "cpu": cpu_flags(), "python": sys.version.split()[0],
               "load_before": os.getloadavg(), "cases": {}}
    for case in args.cases:
        n, limit = case.split("x")
        classes, max_samples = TEN[:int(n)], None if limit == "all" else int(limit)
        print(f"importing {case} ...", flush=True)
        figures["cases"][case] = measure(work/"zoo", classes, max_samples, work/f"coco-{case}")
        figures["cases"][case]["load_after"] = os.getloadavg()
        shutil.rmtree(work/f"coco-{case}", ignore_errors=True)
        print(json.dumps(figures["cases"][case]), flush=True)
    print(f"\n{'case':>8} {'rows':>12} {'images':>8} {'peak RSS GB':>12} {'+ DB GB':>8} {'seconds':>8} {'CPU s':>8}")
    for case, f in figures["cases"].items():
        print(f"{case:>8} {rows:>12,} {f['images']:>8,} {f['peak_rss_gb']:>12.2f} {f['peak_rss_with_db_gb']:>8.2f}"
              f" {f['seconds']:>8.0f} {f['cpu_seconds']:>8.0f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main()
