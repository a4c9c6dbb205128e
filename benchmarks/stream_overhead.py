"""What dminity's async stream costs against plain loops over OpenVINO's AsyncInferQueue and against benchmark_app, in a process
holding one compiled model (throughput mode, the same IR, interleaved rounds).

    python benchmarks/stream_overhead.py [--model /tmp/pace-models/yolox_nano/int8.xml] [--seconds 2] [--rounds 3] [--json FILE]

Loops: inputs set once per request ("preset") or a tensor over one of several buffers given at every start ("rotate",
as the stream does), each with and without copying the output out in the callback (the stream copies it), over
OpenVINO's optimal number of requests (one per stream, as benchmark_app runs) and over one and a half and two per
stream (the stream's `stream_requests`); then dminity's `stream` itself (`dminity.benchmark._async`). Shares are
medians of each round's ratio to benchmark_app's FPS.
"""
import argparse, json, time
from pathlib import Path

import numpy as np

from dminity.benchmark import _async, benchmark_app, cpu_info
from dminity.infer import load_backend, stream_requests


def loop(backend, rotate:bool, copy:bool, seconds:float, requests_per_stream:float=1) -> float:
    "FPS of a plain loop over an AsyncInferQueue of the compiled model with `requests_per_stream` requests per CPU stream"
    import openvino as ov
    jobs = round(requests_per_stream*int(backend.compiled.get_property("NUM_STREAMS")))
    requests, pixels, kept = ov.AsyncInferQueue(backend.compiled, jobs), np.full((1, 3, *backend.input_size), 114, np.uint8), {}
    buffers = [ov.Tensor(pixels.copy(), shared_memory=True) for _ in range(len(requests) + 1)]
    if not rotate:
        for r in requests: r.set_input_tensor(ov.Tensor(pixels.copy()))
    def finished(request, key):
        if copy: kept[key] = request.get_output_tensor(0).data[0].copy()
    requests.set_callback(finished)
    started, n = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        if rotate: requests.start_async({0: buffers[n % len(buffers)]}, userdata=n % 4)
        else: requests.start_async(userdata=n % 4)
        n += 1
    requests.wait_all()
    return n/(time.perf_counter() - started)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="/tmp/pace-models/yolox_nano/int8.xml")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--json", default="stream_overhead.json")
    a = p.parse_args()
    backend = load_backend(a.model, threads=2, throughput=True)
    pixels = np.full((1, 3, *backend.input_size), 114, np.uint8)
    figures = {"benchmark_app": lambda: benchmark_app(a.model, "throughput", a.seconds, backend.input_size)["fps"],
               "loop, inputs preset": lambda: loop(backend, False, False, a.seconds),
               "loop, inputs preset, output copied": lambda: loop(backend, False, True, a.seconds),
               "loop, input given at every start": lambda: loop(backend, True, False, a.seconds),
               "loop, input given at every start, output copied": lambda: loop(backend, True, True, a.seconds),
               "the same, 1.5 requests per stream": lambda: loop(backend, True, True, a.seconds, 1.5),
               "the same, 2 requests per stream": lambda: loop(backend, True, True, a.seconds, 2),
               f"dminity's stream ({stream_requests(backend.compiled)} requests)": lambda: (lambda got: got[1]/got[2])(_async(backend, pixels, a.seconds, 3))}
    for f in figures.values(): f()  # warm-up
    taken = {k: [] for k in figures}
    for _ in range(a.rounds):
        for k, f in figures.items(): taken[k].append(round(f(), 2))
    shares = {k: round(float(np.median(np.divide(v, taken["benchmark_app"]))), 3) for k, v in taken.items()}
    Path(a.json).write_text(json.dumps({"cpu": cpu_info(), "settings": vars(a), "fps": taken, "share_of_benchmark_app": shares}, indent=1) + "\n")
    print(f"| {Path(a.model).parent.name}/{Path(a.model).name}, throughput | FPS by round | share of benchmark_app |\n| --- | --- | --- |")
    for k, v in taken.items(): print(f"| {k} | {', '.join(map(str, v))} | {shares[k]} |")


if __name__ == "__main__": main()
