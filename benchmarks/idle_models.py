"""Idle compiled models slow the one at work: dminity's model-only FPS of one OpenVINO IR over `benchmark_app`'s on it, alone in
the process, beside other compiled OpenVINO models that sit idle, and once those are deleted.

    python benchmarks/idle_models.py [--models DIR] [--model yolox_s/int8.xml] [--mode latency] [--seconds 2] [--rounds 3] [--json FILE]

The models are the fresh ones `benchmarks/pace_infer.py` makes (`--models`, made there when missing). Each round takes
`benchmark_app` (its own process) and then dminity's figure (`Backend.run` in latency mode, `stream` in throughput
mode) right after, so the pair sees the same machine; the share is the median over rounds. The idle models are the
other IRs of the folder (FP32, FP16, INT8 of nano and s), compiled in `--idle-mode` and run once.
"""
import argparse, gc, json, os, tempfile
from pathlib import Path

import numpy as np

from dminity.benchmark import _async, _timed, benchmark_app, cpu_info
from dminity.infer import load_backend


def share(backend, path, mode:str, seconds:float, rounds:int) -> dict:
    "dminity's FPS and benchmark_app's, round by round, and the median share"
    pixels, got = np.full((1, 3, *backend.input_size), 114, np.uint8), []
    for _ in range(rounds):
        app = benchmark_app(path, mode, seconds, backend.input_size)["fps"]
        if mode == "throughput": _, frames, elapsed = _async(backend, pixels, seconds, 3)
        else: _, frames, elapsed = _timed(lambda: backend.run(pixels), seconds, 3)
        got.append({"dminity_fps": round(frames/elapsed, 2), "benchmark_app_fps": app})
    return {"rounds": got, "share": round(float(np.median([g["dminity_fps"]/g["benchmark_app_fps"] for g in got])), 3),
            "threads": len(os.listdir("/proc/self/task"))}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default=str(Path(tempfile.gettempdir())/"pace-models"))
    p.add_argument("--model", default="yolox_s/int8.xml")
    p.add_argument("--mode", default="latency", choices=("latency", "throughput"))
    p.add_argument("--idle-mode", default="latency", choices=("latency", "throughput"))
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", default="idle_models.json")
    a = p.parse_args()
    models, path = Path(a.models), Path(a.models)/a.model
    if not path.exists(): raise SystemExit(f"{path} is missing: make the models with benchmarks/pace_infer.py first")
    backend = load_backend(path, threads=2, throughput=a.mode == "throughput")
    result = {"cpu": cpu_info(), "settings": vars(a), "alone": share(backend, path, a.mode, a.seconds, a.rounds)}
    idle = [load_backend(f, threads=2, throughput=a.idle_mode == "throughput") for f in sorted(models.glob("*/*.xml")) if f != path]
    for b in idle: b.run(np.full((1, 3, *b.input_size), 114, np.uint8))
    result[f"beside {len(idle)} idle"] = share(backend, path, a.mode, a.seconds, a.rounds)
    del idle, b
    gc.collect()
    result["after deleting them"] = share(backend, path, a.mode, a.seconds, a.rounds)
    Path(a.json).write_text(json.dumps(result, indent=1) + "\n")
    print(f"| {a.model} {a.mode} | dminity / benchmark_app FPS (median of {a.rounds}) | threads in the process |\n| --- | --- | --- |")
    for k, v in result.items():
        if isinstance(v, dict) and "share" in v: print(f"| {k} | {v['share']} | {v['threads']} |")


if __name__ == "__main__": main()
