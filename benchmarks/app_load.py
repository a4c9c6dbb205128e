"""The web app under load, and its page in a browser: requests/s and latency of `dminity app` on a run's models.

    python benchmarks/app_load.py --run runs/demo [--images A.jpg B.jpg] [--requests 50] [--concurrency 1 10 50]

Starts `dminity app --run RUN` in its own process, uploads the images through the page in headless Chromium
(Debian's chromium and chromium-driver) and saves the screenshot as RUN/app/screenshot.png, then posts the first
image to /api/detect REQUESTS times at each concurrency, for each model asked for, without and with the annotated
image. Prints a table and writes RUN/app/load.json. The client shares the machine with the server: on a small
machine the figures are a floor.
"""
import argparse, json, platform
from pathlib import Path

import pandas as pd

from dminity.app import run_models
from dminity.testing import app_process, browser_upload, load_test


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True, help="the run folder whose models the app serves")
    p.add_argument("--images", nargs="+", default=None, help="images to upload (default: the first two of the run's validation split)")
    p.add_argument("--models", nargs="+", default=None, help="models of the run, as the page names them (default: all OpenVINO and ONNX ones)")
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 10, 50])
    p.add_argument("--conf", type=float, default=0.25)
    args = p.parse_args()
    run = Path(args.run)
    if args.images: images = [Path(i) for i in args.images]
    else:
        data = Path(json.loads((run/"config.json").read_text())["data"])
        images = sorted((data/"val2017").glob("*.jpg"))[:2]
    models = args.models or [m for m in run_models(run) if not m.endswith(".pth")]
    out = run/"app"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with app_process("--run", run) as url:
        shown = browser_upload(url, images, out/"screenshot.png", conf=args.conf)
        for r in shown["results"]: print(f"page: {r['image']}: {r['amenities'] or r['error']}")
        print(f"screenshot: {out/'screenshot.png'}")
        for model in models:
            for annotate in (False, True):
                for concurrency in args.concurrency:
                    r = load_test(url, images[0].read_bytes(), args.requests, concurrency, model=model, conf=args.conf, annotate=annotate)
                    rows.append({"model": model, "annotated": annotate, **r})
    table = pd.DataFrame(rows)
    print(table.drop(columns=["first_error"]).to_string(index=False))
    (out/"load.json").write_text(json.dumps({"machine": platform.processor() or platform.machine(), "image": str(images[0]),
                                             "rows": rows}, indent=2) + "\n")
    print(f"figures: {out/'load.json'}")


if __name__ == "__main__": main()
