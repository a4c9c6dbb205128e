"""Where a training batch's time goes: CPU milliseconds per batch of each step of the training dataset, in one process.

    python benchmarks/loader_stages.py --data DATA [DATA ...] [--cases yolox_s:640:16 yolox_nano:416:16] [--batches 4] [--json FILE]

Wraps YOLOX's steps (decode, resize to the input, the mosaic's canvas, the random affine warp, mixup, HSV, the rest of
TrainTransform) and the collation, and counts each one's own CPU time (time.process_time: a busy machine barely moves
it) for the loader as it was ('before': no cache, YOLOX's float32 images, mixup and transform) and as `dminity train` builds it by
default. OpenCV and PyTorch run on one thread here, as in the loader's workers (where PyTorch's DataLoader sets one), so
that CPU time is the work done and not threads waiting on each other.
"""
import argparse, collections, functools, json, os, sys, time

import cv2
import torch


def timed_stages() -> collections.Counter:
    "Wrap the dataset's steps so that each adds its own CPU seconds (its callees' excluded) to the counter returned"
    import yolox.data.data_augment as augment
    import yolox.data.datasets.coco as coco
    import yolox.data.datasets.mosaicdetection as mosaic
    import dminity.train as train
    spent, stack = collections.Counter(), []
    def wrap(owner, name, label):
        fn = getattr(owner, name)
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            stack.append(0.0)
            started = time.process_time()
            try: return fn(*args, **kwargs)
            finally:
                elapsed, inner = time.process_time() - started, stack.pop()
                spent[label] += elapsed - inner
                if stack: stack[-1] += elapsed
        setattr(owner, name, timed)
    for owner, name, label in [(coco.CocoDataset, "load_image", "decode"), (coco.CocoDataset, "load_resized_img", "resize to the input"),
                               (mosaic.MosaicDetection, "__getitem__", "mosaic canvas, labels, cache copy"),
                               (mosaic, "random_affine", "random affine warp"), (mosaic.MosaicDetection, "mixup", "mixup"),
                               (train.ByteMosaic, "mixup", "mixup"), (augment, "augment_hsv", "HSV"), (train, "shift_hsv", "HSV"),
                               (augment, "preproc", "preproc (pad, CHW; float32 before)"), (train, "byte_preproc", "preproc (pad, CHW; float32 before)"),
                               (augment.TrainTransform, "__call__", "TrainTransform's rest"), (train.ByteTransform, "__call__", "TrainTransform's rest")]:
        wrap(owner, name, label)
    return spent


def stages(config, setting:str, batches:int, spent) -> dict:
    "CPU milliseconds per batch of each step, for the first `batches` batches of `config` built as `setting`"
    from dminity.train import EpochBatches, training_dataset
    samples = training_dataset(config, cache=False if setting == "before" else None, reference=setting == "before")
    keys = list(EpochBatches(len(samples), config.batch_size, config.seed))[:batches]
    spent.clear()
    started = time.process_time()
    for batch in keys:
        items = [samples[key] for key in batch]
        collating = time.process_time()
        images = torch.utils.data.default_collate(items)[0]
        spent["collate"] += time.process_time() - collating
        converting = time.process_time()
        images.float()  # as the training step does (a no-op for float32 images)
        spent["float32 in the step"] += time.process_time() - converting
    total = time.process_time() - started
    spent["seeding, labels, rest"] = total - sum(spent.values())
    return {"setting": setting, "cpu_ms_per_batch": 1000*total/batches, **{k: 1000*v/batches for k, v in spent.items()}}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", nargs="+", required=True, help="COCO datasets (benchmarks/train_throughput.py makes demo ones)")
    p.add_argument("--cases", nargs="+", default=["yolox_s:640:16", "yolox_nano:416:16"], help="variant:input_size:batch_size")
    p.add_argument("--batches", type=int, default=4)
    p.add_argument("--json", default="loader_stages.json")
    args = p.parse_args()
    from dminity.train import TrainConfig  # dminity.train gives TrainConfig its `resolved`
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    spent, rows = timed_stages(), []
    for data in args.data:
        for case in args.cases:
            variant, size, batch = case.split(":")
            config = TrainConfig(data, variant=variant, input_size=int(size), batch_size=int(batch)).resolved()
            for setting in ("before", "default"):
                rows.append({"data": data, "case": case, **stages(config, setting, args.batches, spent), "load1": os.getloadavg()[0]})
                print(json.dumps({k: round(v, 1) if isinstance(v, float) else v for k, v in rows[-1].items()}), flush=True)
    with open(args.json, "w") as f: json.dump({"argv": sys.argv, "rows": rows}, f, indent=2)
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
