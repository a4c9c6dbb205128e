"""What letterbox and NMS cost right after the model ran, and what they cost again at once: the CPU time of the predictor's
thread per 640x480 photo, end to end in latency mode (OpenCV single-threaded, as `dminity bench` profiles it).

    python benchmarks/cold_stages.py [--models DIR] [--images DIR] [--frames 200] [--trained RUN] [--base COMMIT] [--json FILE]

Per photo: decode; letterbox ("first"), letterbox again at once ("again"); the model; NMS and boxes ("first"), and
again at once ("again"). "First" is what `dminity bench`'s stage profile counts: the model's run on both cores has just
filled the caches with its own weights and activations, so the thread starts cold. "Again" is the same work warm,
what the code itself costs. The models are the fresh INT8 IRs `benchmarks/pace_infer.py` makes (`--models`), which
find nothing in a photo; `--trained RUN`: also a trained run's INT8 IR (`dminity quantize`) on its validation images, at
its own score threshold, where there are boxes to keep. `--base`: also `postprocess` as it was at that commit against
today's, first after the model, on alternate frames.
"""
import argparse, json, tempfile, time
from pathlib import Path

import numpy as np

from dminity.benchmark import bench_images, cpu_info
from dminity.core import COCO_SPLITS, RunPaths, TrainConfig
from dminity.infer import Predictor, decode_image, opencv_threads, postprocess
from pace_infer import old_infer


def stages(predictor, jpegs:list, frames:int, old=None) -> dict:
    "Median CPU ms of this thread: letterbox and NMS, first and again; the mean number of boxes kept; `old`: `postprocess` before and now"
    cpu, clock, boxes = {k: [] for k in ("letterbox first", "letterbox again", "nms first", "nms again")}, time.thread_time, 0
    if old: cpu |= {"postprocess first, before": [], "postprocess first, now": []}
    def timed(key, call):
        t = clock()
        got = call()
        cpu[key].append(1000*(clock() - t))
        return got
    with opencv_threads(1):
        for i in range(frames):
            image = decode_image(jpegs[i % len(jpegs)], "photo")[0]
            pixels, scale = timed("letterbox first", lambda: predictor._letterbox(image))
            timed("letterbox again", lambda: predictor._letterbox(image))
            raw = predictor.backend.run(pixels)[0]
            if old:
                key, fn = ("postprocess first, before", old.postprocess) if i % 2 else ("postprocess first, now", postprocess)
                timed(key, lambda: fn(raw, predictor.conf, predictor.iou, scale, image.shape[:2]))
                raw = predictor.backend.run(pixels)[0]
            boxes += len(timed("nms first", lambda: predictor._detections(raw, scale, image, "")))
            timed("nms again", lambda: predictor._detections(raw, scale, image, ""))
    return {k: round(float(np.median(v)), 3) for k, v in cpu.items()} | {"boxes_per_frame": round(boxes/frames, 2)}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=str(Path(tempfile.gettempdir())/"pace-models"))
    p.add_argument("--images", default="../shared/data/coco128/train2017")
    p.add_argument("--frames", type=int, default=200)
    p.add_argument("--trained", help="a run folder with export/int8.xml")
    p.add_argument("--base", help="a commit whose postprocess to time against today's")
    p.add_argument("--json", default="cold_stages.json")
    a = p.parse_args()
    jpegs = bench_images(a.images if Path(a.images).is_dir() else None, n=100)
    result = {"cpu": cpu_info(), "settings": vars(a), "models": {}}
    cases = [(f"{tag} (fresh)", Predictor(Path(a.models)/path), jpegs) for tag, path in
             (("nano@416 int8", "yolox_nano/int8.xml"), ("s@640 int8", "yolox_s/int8.xml"), ("nano@416 onnxruntime", "yolox_nano/model.onnx"))]
    if a.trained:
        run = RunPaths(a.trained)
        trained, val = Predictor(run.openvino("int8")), Path(TrainConfig.load(run.config).data)/COCO_SPLITS["val"]
        cases.append((f"trained nano@{trained.input_size[0]} int8 at {trained.conf:.3f}", trained, bench_images(val, n=100)))
    print("| model | letterbox first | again | NMS and boxes first | again | both first | both again | boxes a frame |\n| --- | --- | --- | --- | --- | --- | --- | --- |")
    old = old_infer(a.base) if a.base else None
    for tag, predictor, images in cases:
        got = result["models"][tag] = stages(predictor, images, a.frames, old)
        first, again = got["letterbox first"] + got["nms first"], got["letterbox again"] + got["nms again"]
        print(f"| {tag} | {got['letterbox first']} | {got['letterbox again']} | {got['nms first']} | {got['nms again']} | {first:.3f} | {again:.3f} | {got['boxes_per_frame']} |")
    if old:
        print("\n| model | postprocess first, before | now |\n| --- | --- | --- |")
        for tag, got in result["models"].items(): print(f"| {tag} | {got['postprocess first, before']} | {got['postprocess first, now']} |")
    Path(a.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__": main()
