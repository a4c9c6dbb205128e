"""A/B of the warm-up and no-augmentation defaults on the demo data: the old rule (a 60th and a 20th of the run) against
`default_phases` (a tenth and a fifth below 50/75 epochs, YOLOX's 5 and 15 above), same seed, same everything else.

    python benchmarks/phases_ab.py [--epochs 10] [--images 96] [--size 256] [--seeds 1 2] [--batch-size 8] [--lr-per-image 0.000625] [--json FILE]

Every other setting is the demo's recipe (`demo_config`: nano from scratch, its augmentation) with batches of 8 and four
times YOLOX's learning rate per image, so that a short run learns enough on a small dataset for the phases to show.
Runs interleave (old, new, old, new ...) so that a busy machine slows both alike; prints a table and writes JSON.
"""
import argparse, dataclasses, json, os, time
from pathlib import Path

import pandas as pd

from dminity.core import default_phases, private_fiftyone, scratch_folder


def old_phases(epochs:int) -> tuple:
    "The rule before: warm-up and no-augmentation epochs shrunk in proportion to YOLOX's 5 and 15 of 300"
    no_aug = min(15, round(epochs/20))
    return (min(5, max(1, round(epochs/60))) if epochs > no_aug + 1 else 0), no_aug


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--images", type=int, default=96, help="training images of the demo dataset (a quarter as many for validation)")
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--seeds", type=int, nargs="+", default=[1])
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr-per-image", type=float, default=0.04/64, help="four times YOLOX's: what a short run from scratch learns with")
    p.add_argument("--json", default="phases_ab.json")
    args = p.parse_args()
    private_fiftyone()
    from dminity.testing import demo_dataset
    from dminity.train import demo_config, train
    tmp = scratch_folder()
    demo_dataset(tmp/"coco", n_train=args.images, n_val=max(4, args.images//4))
    rows = []
    for seed in args.seeds:
        for name, rule in (("old", old_phases), ("new", default_phases)):
            warmup, no_aug = rule(args.epochs)
            config = dataclasses.replace(demo_config(tmp/"coco"), epochs=args.epochs, input_size=args.size, eval_interval=args.epochs,
                                         batch_size=args.batch_size, lr_per_image=args.lr_per_image, warmup_epochs=warmup,
                                         no_aug_epochs=no_aug, seed=seed, workers=1)
            started = time.perf_counter()
            metrics = train(config, tmp/"runs"/f"{name}-{seed}", progress=False)
            rows.append({"rule": name, "seed": seed, "epochs": args.epochs, "warmup_epochs": warmup, "no_aug_epochs": no_aug,
                         "mAP50": round(metrics["val/mAP50"], 4), "mAP50_95": round(metrics["val/mAP50_95"], 4),
                         "minutes": round((time.perf_counter() - started)/60, 2), "load_average": os.getloadavg()[0]})
            print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_markdown(index=False))
    Path(args.json).write_text(json.dumps({"images": args.images, "size": args.size, "recipe": "demo_config", "batch_size": args.batch_size,
                                           "lr_per_image": args.lr_per_image, "results": rows}, indent=2) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
