"""A/B of the warm-up and no-augmentation defaults on the demo data: the old rule (a 60th and a 20th of the run) against
`default_phases` (a tenth and a fifth below 50/75 epochs, YOLOX's 5 and 15 above), same seed, same everything else.

    python benchmarks/phases_ab.py [--epochs 10] [--images 96] [--size 256] [--seeds 1 2] [--json FILE]

Runs interleave (old, new, old, new ...) so that a busy machine slows both alike; prints a table and writes JSON.
"""
import argparse, json, tempfile, time
from pathlib import Path

from dminity.core import TrainConfig, default_phases, private_fiftyone


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
    p.add_argument("--json", default="phases_ab.json")
    args = p.parse_args()
    private_fiftyone()
    from dminity.testing import demo_dataset
    from dminity.train import train
    tmp = Path(tempfile.mkdtemp())
    demo_dataset(tmp/"coco", n_train=args.images, n_val=max(4, args.images//4))
    rows = []
    for seed in args.seeds:
        for name, rule in (("old", old_phases), ("new", default_phases)):
            warmup, no_aug = rule(args.epochs)
            config = TrainConfig(str(tmp/"coco"), epochs=args.epochs, batch_size=8, input_size=args.size, eval_interval=args.epochs,
                                 warmup_epochs=warmup, no_aug_epochs=no_aug, seed=seed, workers=1)
            started = time.perf_counter()
            metrics = train(config, tmp/"runs"/f"{name}-{seed}", progress=False)
            rows.append({"rule": name, "seed": seed, "epochs": args.epochs, "warmup_epochs": warmup, "no_aug_epochs": no_aug,
                         "mAP50": metrics["val/mAP50"], "mAP50_95": metrics["val/mAP50_95"], "minutes": (time.perf_counter() - started)/60})
            print(rows[-1], flush=True)
    Path(args.json).write_text(json.dumps({"images": args.images, "size": args.size, "results": rows}, indent=2) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
