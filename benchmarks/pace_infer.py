"""Inference at the hardware's pace (issue 20): dminity's inference before and after, beside OpenVINO's benchmark_app, interleaved.

    python benchmarks/pace_infer.py [--models DIR] [--images DIR] [--seconds 2] [--rounds 3] [--json FILE] [--base COMMIT]

"Before" is `dminity/infer.py` as it was at `--base` (read from git), "after" the one imported now; both run the same
model files (fresh YOLOX-nano@416 and s@640, 30 classes, made once into `--models` as `dminity bench --variants` makes
them) on the same photos (`--images`: the coco128 photos beside the repository, each decoded afresh every time; drawn
JPEGs without them). Every round takes every figure once, in turn, so that a busy machine slows before and after alike;
the table gives the median over rounds and the after/before ratio of each round's pair (median). Figures:

- model-only throughput and latency of OpenVINO (async requests; one synchronous request), and benchmark_app's on the
  same IR with the same hints (its own subprocess);
- end-to-end throughput of `predict --throughput` (decode, letterbox, async inference, NMS, boxes in the photo's pixels);
- the CPU time of this thread per stage, end to end in latency mode (decode, letterbox, inference, NMS), OpenCV
  single-threaded; from it the CPU-time bound 1/(1 + xF/c) of 10_benchmark, and the end-to-end share of model-only FPS;
- ONNX Runtime (nano FP32, latency mode): model-only latency and the same stage profile.

The process holds every predictor at once (eight compiled OpenVINO models and two ONNX Runtime sessions), so its
model-only shares of benchmark_app read a few per cent low (`benchmarks/idle_models.py`); before and after suffer
alike. `dminity bench` measures one compiled model at a time.
"""
import argparse, importlib.util, json, os, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

from dminity import infer as after
from dminity.benchmark import _async, benchmark_app, bench_images, cpu_info, variant_files
from dminity.core import scratch_folder
from dminity.infer import decode_image, opencv_threads

STAGES = ("decode", "letterbox", "infer", "postprocess")


def old_infer(base:str):
    "`dminity/infer.py` as it was at commit `base`, imported as its own module"
    src = subprocess.run(["git", "show", f"{base}:dminity/infer.py"], capture_output=True, text=True, check=True).stdout
    path = scratch_folder("pace-")/"infer_before.py"
    path.write_text(src.replace("from .core import", "from dminity.core import"))
    spec = importlib.util.spec_from_file_location("infer_before", path)
    module = sys.modules["infer_before"] = importlib.util.module_from_spec(spec)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def counter(seconds:float, started:float, min_calls:int=3):
    "0, 1, 2, ... until `seconds` have passed since `started` (and at least `min_calls`)"
    i = 0
    while i < min_calls or time.perf_counter() - started < seconds:
        yield i
        i += 1


def model_async(predictor, pixels, seconds:float) -> float:
    "FPS of dminity's model-only throughput: the backend's `stream` (what `predict --throughput` runs)"
    _, frames, elapsed = _async(predictor.backend, pixels, seconds, 3)
    return frames/elapsed


def model_latency(call, seconds:float) -> float:
    "Median ms of `call()`, called for `seconds`"
    ms, started = [], time.perf_counter()
    for _ in counter(seconds, started):
        t = time.perf_counter()
        call()
        ms.append(1000*(time.perf_counter() - t))
    return float(np.median(ms))


def stream_fps(predictor, jpegs:list, seconds:float) -> float:
    "End-to-end FPS of the predictor's own stream (decode in its feed, letterbox, inference, NMS), each photo decoded afresh"
    started, n = time.perf_counter(), 0
    items = ((i, decode_image(jpegs[i % len(jpegs)], "photo")[0]) for i in counter(seconds, started))
    for name, image, raw, scale in predictor._stream(items):
        predictor._detections(raw, scale, image, "")
        n += 1
    return n/(time.perf_counter() - started)


def profile(predictor, jpegs:list, seconds:float) -> dict:
    "Median CPU ms of this thread per stage, end to end in latency mode, OpenCV single-threaded"
    cpu, started = {k: [] for k in STAGES}, time.perf_counter()
    with opencv_threads(1):
        for i in counter(seconds, started):
            t = [time.thread_time()]
            image = decode_image(jpegs[i % len(jpegs)], "photo")[0]
            t.append(time.thread_time())
            x, scale = predictor._letterbox(image)
            t.append(time.thread_time())
            raw = predictor.backend.run(x)[0]
            t.append(time.thread_time())
            predictor._detections(raw, scale, image, "")
            t.append(time.thread_time())
            for k, a, b in zip(STAGES, t, t[1:]): cpu[k].append(1000*(b - a))
    return {k: float(np.median(v)) for k, v in cpu.items()}


def bound(stage_cpu:dict, model_fps:float, cores:int) -> float:
    "10_benchmark's CPU-time bound of the end-to-end share of model-only throughput"
    extra = sum(v for k, v in stage_cpu.items() if k != "infer")
    return 1/(1 + extra/1000*model_fps/cores)


def probes(models:Path, jpegs:list, old) -> dict:
    "{name: function(seconds) -> figure}: every figure of the run, before and after side by side"
    out = {}
    for tag, folder in (("nano@416", models/"yolox_nano"), ("s@640", models/"yolox_s")):
        xml = folder/"int8.xml"
        pb, pa = old.Predictor(xml, throughput=True), after.Predictor(xml, throughput=True)
        lb, la = old.Predictor(xml), after.Predictor(xml)
        for p in (pb, pa, lb, la): p.conf = 0.25
        pixels, size = la._letterbox(decode_image(jpegs[0], "photo")[0])[0].copy(), la.input_size
        out |= {f"{tag} int8 model throughput before": lambda s, pb=pb, px=pixels: model_async(pb, px, s),
                f"{tag} int8 model throughput after": lambda s, pa=pa, px=pixels: model_async(pa, px, s),
                f"{tag} int8 model throughput benchmark_app": lambda s, xml=xml, size=size: benchmark_app(xml, "throughput", s, size)["fps"],
                f"{tag} int8 model latency ms before": lambda s, lb=lb, px=pixels: model_latency(lambda: lb.backend.run(px), s),
                f"{tag} int8 model latency ms after": lambda s, la=la, px=pixels: model_latency(lambda: la.backend.run(px), s),
                f"{tag} int8 model latency ms benchmark_app": lambda s, xml=xml, size=size: benchmark_app(xml, "latency", s, size)["median_ms"],
                f"{tag} int8 e2e throughput before": lambda s, pb=pb: stream_fps(pb, jpegs, s),
                f"{tag} int8 e2e throughput after": lambda s, pa=pa: stream_fps(pa, jpegs, s),
                f"{tag} int8 stage cpu before": lambda s, lb=lb: profile(lb, jpegs, s),
                f"{tag} int8 stage cpu after": lambda s, la=la: profile(la, jpegs, s)}
    onnx = models/"yolox_nano"/"model.onnx"
    ob, oa = old.Predictor(onnx, conf=0.25), after.Predictor(onnx, conf=0.25)
    pixels = oa._letterbox(decode_image(jpegs[0], "photo")[0])[0].copy()
    out |= {"nano@416 onnxruntime model latency ms before": lambda s: model_latency(lambda: ob.backend.run(pixels), s),
            "nano@416 onnxruntime model latency ms after": lambda s: model_latency(lambda: oa.backend.run(pixels), s),
            "nano@416 onnxruntime stage cpu before": lambda s: profile(ob, jpegs, s),
            "nano@416 onnxruntime stage cpu after": lambda s: profile(oa, jpegs, s)}
    return out


def summarize(taken:dict, cores:int) -> dict:
    "Medians over rounds; after/before ratios (median of each round's pair); the bound and the end-to-end shares"
    med = lambda v: float(np.median(v)) if not isinstance(v[0], dict) else {k: float(np.median([d[k] for d in v])) for k in v[0]}
    out = {"medians": {k: med(v) for k, v in taken.items()}, "ratios": {}, "derived": {}}
    for k in taken:
        if k.endswith(" after") and not isinstance(taken[k][0], dict):
            before = taken[k[:-len("after")] + "before"]
            out["ratios"][k[:-len(" after")] + ": after/before"] = float(np.median([a/b for a, b in zip(taken[k], before)]))
        if k.endswith(" after") and "model throughput" in k:
            anchor = taken[k[:-len("after")] + "benchmark_app"]
            out["ratios"][k[:-len(" after")] + ": after/benchmark_app"] = float(np.median([a/b for a, b in zip(taken[k], anchor)]))
            out["ratios"][k[:-len(" after")] + ": before/benchmark_app"] = float(np.median([a/b for a, b in zip(taken[k[:-5] + "before"], anchor)]))
        if k.endswith(" after") and "model latency" in k and "int8" in k:
            anchor = taken[k[:-len("after")] + "benchmark_app"]
            out["ratios"][k[:-len(" after")] + ": benchmark_app/after"] = float(np.median([b/a for a, b in zip(taken[k], anchor)]))
    m = out["medians"]
    for tag in ("nano@416", "s@640"):
        for when in ("before", "after"):
            cpu, model, e2e = m[f"{tag} int8 stage cpu {when}"], m[f"{tag} int8 model throughput {when}"], m[f"{tag} int8 e2e throughput {when}"]
            b = bound(cpu, model, cores)
            out["derived"][f"{tag} int8 {when}"] = {"letterbox + NMS cpu ms": cpu["letterbox"] + cpu["postprocess"], "bound": b,
                                                   "e2e/model": e2e/model, "e2e/model over bound": e2e/model/b}
    for when in ("before", "after"):
        cpu = m[f"nano@416 onnxruntime stage cpu {when}"]
        out["derived"][f"nano@416 onnxruntime {when}"] = {"letterbox + NMS cpu ms": cpu["letterbox"] + cpu["postprocess"]}
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=str(Path(tempfile.gettempdir())/"pace-models"), help="where the fresh models are made (kept)")
    p.add_argument("--images", default="../shared/data/coco128/train2017")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--base", default="9d42429", help="the commit whose dminity/infer.py is 'before' (one with the u8 path, 30 November 2026 on)")
    p.add_argument("--json", default="pace.json", help="where the figures go (dated logs: benchmarks/<date>/)")
    a = p.parse_args()
    images = Path(a.images)
    jpegs = bench_images(images, n=1000) if images.is_dir() else bench_images(n=128)
    models = Path(a.models)
    for v, size in (("yolox_nano", 416), ("yolox_s", 640)):
        if not (models/v/"int8.xml").exists(): variant_files(v, models/v, size, [f"class {i}" for i in range(30)], jpegs[:8])
    old = old_infer(a.base)
    figures = probes(models, jpegs, old)
    for f in figures.values(): f(0.5)  # warm-up
    taken = {k: [] for k in figures}
    for r in range(a.rounds):
        for k, f in figures.items():
            taken[k].append(f(a.seconds))
        print(f"round {r + 1} of {a.rounds} done, load {os.getloadavg()[0]:.1f}", flush=True)
    cpu = cpu_info()
    result = {"cpu": cpu, "flags": sorted(set(Path("/proc/cpuinfo").read_text().split("flags")[1].split("\n")[0].split(":")[1].split())),
              "settings": vars(a) | {"photos": len(jpegs)}, "load_average_end": os.getloadavg(), "taken": taken, **summarize(taken, cpu["cores"])}
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(result, indent=1) + "\n")
    for section in ("medians", "ratios", "derived"):
        print(f"\n{section}:")
        for k, v in result[section].items(): print(f"  {k}: {json.dumps(v) if isinstance(v, dict) else round(v, 3)}")


if __name__ == "__main__": main()
