"""Training throughput: images/s of a real training epoch (data pipeline included) vs bare training steps.

    python benchmarks/train_throughput.py [--json FILE] [--images N] [--cases yolox_nano:416:16 yolox_s:640:8]
    python benchmarks/train_throughput.py --loader-only [--data DATA] [--cases yolox_s:640:16] [--workers 2] [--rounds 3] [--photo-side 1024]

--loader-only times the real training loader alone: images per second and CPU milliseconds per image (workers and main
process together, a measure that a busy machine barely moves), as it was at commit d91a7fc ('before': no image cache,
YOLOX's float32 images, mixup and transform, OpenCV's default threads in each worker) and as `dminity train` builds it by default,
interleaved round by round so that a busy machine slows both alike; each JSON row has `loader_img_per_s`. Beside them,
the images per second of bare training steps of the model on the device (--model-steps, 0 to skip), to show which of
the two bounds training. --photo-side rescales the demo photos (640x480) so that their long side has that many pixels,
as Open Images photos (about 1024) do.

Builds the demo dataset (N training images), then for each case variant:input_size:batch_size trains one epoch
and times bare steps of the same model on one batch held in memory. Prints a table and writes JSON. Run it on a
GPU machine too: the device is chosen automatically (--device to force one).
"""
import argparse, json, os, platform, time
from pathlib import Path

import pandas as pd
import torch

from dminity.core import private_fiftyone, scratch_folder


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", nargs="+", default=["yolox_nano:416:16", "yolox_s:640:8"], help="variant:input_size:batch_size")
    p.add_argument("--images", type=int, default=64, help="training images of the demo dataset")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--device", default="auto")
    p.add_argument("--steps", type=int, default=5, help="timed bare steps")
    p.add_argument("--json", default="train_throughput.json")
    p.add_argument("--loader-only", action="store_true", help="time the training loader alone, cache off vs default")
    p.add_argument("--data", help="a COCO dataset to read (default: a demo dataset of --images images)")
    p.add_argument("--batches", type=int, default=12, help="batches timed per round (--loader-only)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds per setting (--loader-only)")
    p.add_argument("--model-steps", type=int, default=2, help="timed bare model steps beside the loader; 0: none (--loader-only)")
    p.add_argument("--photo-side", type=int, help="rescale the demo photos to this long side first (--loader-only)")
    args = p.parse_args()
    private_fiftyone()
    from dminity.core import TrainConfig
    from dminity.testing import demo_dataset, training_throughput
    tmp = scratch_folder()
    data = Path(args.data) if args.data else tmp/"coco"
    if not args.data:
        demo_dataset(data, n_train=args.images, n_val=4)
        if args.photo_side: rescale_photos(data, args.photo_side)
    if args.loader_only: return loader_benchmark(args, data)
    rows = []
    for case in args.cases:
        variant, size, batch = case.split(":")
        config = TrainConfig(str(data), variant=variant, input_size=int(size), batch_size=int(batch),
                             workers=args.workers, device=args.device)
        rows.append(training_throughput(config, tmp/"runs"/variant, steps=args.steps))
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.round(3).to_string(index=False))
    meta = {"torch": torch.__version__, "cpu": platform.processor() or platform.machine(), "threads": torch.get_num_threads(),
            "gpu": torch.cuda.get_device_name() if torch.cuda.is_available() else None}
    Path(args.json).write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")
    print(f"written to {args.json}")


def rescale_photos(data:Path, side:int):
    "Resize the training photos of `data` so that their long side is `side` pixels, boxes and sizes with them"
    import cv2
    from dminity.core import coco_annotations
    path = coco_annotations(data, "train")
    coco = json.loads(path.read_text())
    scale = {}
    for im in coco["images"]:
        file = data/"train2017"/im["file_name"]
        image = cv2.imread(str(file))
        scale[im["id"]] = side/max(image.shape[:2])
        image = cv2.resize(image, (round(image.shape[1]*scale[im["id"]]), round(image.shape[0]*scale[im["id"]])), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(file), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
        im["height"], im["width"] = image.shape[:2]
    for a in coco["annotations"]:
        a["bbox"] = [v*scale[a["image_id"]] for v in a["bbox"]]
        a["area"] = a["bbox"][2]*a["bbox"][3]
    path.write_text(json.dumps(coco))


# The loader as it was at commit d91a7fc: no image cache, float32 images from the workers, OpenCV's default threads in each
# worker; and as `dminity train` builds it by default.
SETTINGS = {"before": dict(cache=False, reference=True, opencv_threads=None), "default": dict(cache=None, reference=False, opencv_threads=1)}


def time_loader(config, setting:str, batches:int, workers:int) -> dict:
    """Images and batches per second of the training loader of `config` built as `SETTINGS[setting]` over `batches` batches (after the
    first, which starts the workers), each made float32 as the training step does"""
    from dminity.train import EpochBatches, training_dataset, training_loader
    how = SETTINGS[setting]
    started = time.perf_counter()
    samples = training_dataset(config, cache=how["cache"], reference=how["reference"])
    cache_s = time.perf_counter() - started
    sampler = EpochBatches(len(samples), config.batch_size, config.seed)
    loader = training_loader(samples, sampler, workers, torch.device("cpu"), opencv_threads=how["opencv_threads"])
    batches_left, images, n, epoch = iter(loader), 0, 0, 0
    def next_batch():  # the next epoch from the same loader, whose workers live on, as in training
        nonlocal batches_left, epoch
        try: return next(batches_left)
        except StopIteration:
            epoch += 1
            sampler.set_epoch(epoch)
            batches_left = iter(loader)
            return next(batches_left)
    next_batch()
    started, cpu = time.perf_counter(), cpu_seconds()
    for _ in range(batches):
        images += len(next_batch()[0].float())
        n += 1
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    return {"cache": samples.dataset._dataset.cache, "cache_s": cache_s, "loader_batches_per_s": n/elapsed, "loader_img_per_s": images/elapsed,
            "cpu_ms_per_img": 1000*cpu/images, "epochs_started": epoch}


def cpu_seconds() -> float:
    "CPU seconds used so far by this process and its live children (the loader's workers): a measure that a busy machine barely moves"
    import psutil
    me = psutil.Process()
    return sum(sum(p.cpu_times()[:2]) for p in [me, *me.children(recursive=True)])


def loader_benchmark(args, data:Path):
    """Rows of the loader alone, as it was ('before') and as `dminity train` builds it by default, interleaved round by round; the
    model's bare step on this device beside them (which of the two bounds training); a table and JSON"""
    from dminity.testing import _bare_steps_per_s
    from dminity.train import TrainConfig  # dminity.train gives TrainConfig its `resolved`
    rows, model, load = [], {}, os.getloadavg()[0]
    for case in args.cases:
        variant, size, batch = case.split(":")
        config = TrainConfig(str(data), variant=variant, input_size=int(size), batch_size=int(batch), workers=args.workers,
                             device=args.device).resolved()
        for round_ in range(args.rounds):
            for setting in SETTINGS:
                row = {"case": case, "setting": setting, "round": round_, "workers": args.workers,
                       **time_loader(config, setting, args.batches, args.workers), "load1": os.getloadavg()[0]}
                rows.append(row)
                print(row, flush=True)
        if args.model_steps: model[case] = _bare_steps_per_s(config, args.model_steps, warmup=1)
    summary = loader_summary(pd.DataFrame(rows), model)
    print(summary.round(2).to_string(index=False))
    flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
    meta = {"torch": torch.__version__, "cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "cpu_flags": [f for f in flags if f.startswith(("avx", "sse4", "fma", "amx"))], "data": str(data), "device": args.device,
            "photo_side": args.photo_side, "load1_start": load, "load1_end": os.getloadavg()[0]}
    Path(args.json).write_text(json.dumps({"meta": meta, "results": rows, "median": summary.to_dict("records")}, indent=2) + "\n")
    print(f"written to {args.json}")


def loader_summary(table, model:dict):
    "Medians per case and setting, the ratio of each setting to 'before' (images/s, and CPU time per image), the model's step beside"
    summary = table.groupby(["case", "setting"])[["loader_img_per_s", "cpu_ms_per_img", "load1"]].median().reset_index()
    before = summary[summary.setting == "before"].set_index("case")
    summary["speedup"] = summary.loader_img_per_s/summary.case.map(before.loader_img_per_s)
    summary["cpu_speedup"] = summary.case.map(before.cpu_ms_per_img)/summary.cpu_ms_per_img
    summary["model_step_img_per_s"] = summary.case.map(model)
    return summary


if __name__ == "__main__":
    main()
