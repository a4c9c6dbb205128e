"""Training throughput: images/s of a real training epoch (data pipeline included) vs bare training steps.

    python benchmarks/train_throughput.py [--json FILE] [--images N] [--cases yolox_nano:416:16 yolox_s:640:8]

Builds the demo dataset (N training images), then for each case variant:input_size:batch_size trains one epoch
and times bare steps of the same model on one batch held in memory. Prints a table and writes JSON. Run it on a
GPU machine too: the device is chosen automatically (--device to force one).
"""
import argparse, json, platform, tempfile, warnings
from pathlib import Path

import pandas as pd
import torch

from dminity.core import private_fiftyone


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", nargs="+", default=["yolox_nano:416:16", "yolox_s:640:8"], help="variant:input_size:batch_size")
    p.add_argument("--images", type=int, default=64, help="training images of the demo dataset")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--device", default="auto")
    p.add_argument("--steps", type=int, default=5, help="timed bare steps")
    p.add_argument("--json", default="train_throughput.json")
    args = p.parse_args()
    private_fiftyone()
    from dminity.data import DEMO_CLASSES, make_demo_open_images, prepare_data
    from dminity.core import TrainConfig
    from dminity.train import training_throughput
    tmp = Path(tempfile.mkdtemp())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepare_data(make_demo_open_images(tmp/"zoo", n_train=args.images, n_val=4), list(DEMO_CLASSES), tmp/"coco", max_samples=None)
    rows = []
    for case in args.cases:
        variant, size, batch = case.split(":")
        config = TrainConfig(str(tmp/"coco"), variant=variant, input_size=int(size), batch_size=int(batch),
                             workers=args.workers, device=args.device)
        rows.append(training_throughput(config, tmp/"runs"/variant, steps=args.steps))
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    meta = {"torch": torch.__version__, "cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads(),
            "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None}
    Path(args.json).write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
