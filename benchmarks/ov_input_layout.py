"""Where the predictor's pixels should become channels first: OpenVINO's `benchmark_app` on four forms of one INT8 IR, interleaved.

    python benchmarks/ov_input_layout.py --model MODELS/yolox_nano/int8.xml --size 416 [--mode throughput] [--rounds 3] [--json FILE]

float: the IR as exported (f32 NCHW); A: u8 NHWC input, converted to f32 and transposed in the graph (the predictor until
30 November 2026); B: the same with the transpose asked for before the conversion; C: u8 NCHW input, only the conversion in
the graph (the predictor since). Each form is saved as its own IR and timed by the tool with the same hint, precision f32.
"""
import argparse, json, math, re, subprocess, sys
import numpy as np, openvino as ov
from openvino import Layout, Type
from openvino.preprocess import PrePostProcessor
from dminity.benchmark import BENCHMARK_APP, cpu_info
from dminity.core import scratch_folder

def build(path, size, form):
    "The IR at `path` in `form` (float, A, B or C), static shape [1, 3, size, size]"
    model = ov.Core().read_model(str(path))
    model.reshape([1, 3, size, size])
    if form == "float": return model
    ppp = PrePostProcessor(model)
    if form in ("A", "B"):
        ppp.input().tensor().set_element_type(Type.u8).set_layout(Layout("NHWC"))
        ppp.input().model().set_layout(Layout("NCHW"))
    else: ppp.input().tensor().set_element_type(Type.u8)
    steps = ppp.input().preprocess()
    if form == "B": steps = steps.convert_layout(Layout("NCHW"))
    steps.convert_element_type(Type.f32)
    return ppp.build()

def tool(path, mode, seconds):
    "benchmark_app's FPS and median latency (ms) on the IR at `path`"
    args = ["-m", str(path), "-d", "CPU", "-hint", mode, "-infer_precision", "f32", "-t", str(max(1, math.ceil(seconds)))]
    out = subprocess.run([sys.executable, "-c", BENCHMARK_APP, *args], capture_output=True, text=True).stdout
    return float(re.search(r"Throughput:\s+([\d.]+)", out).group(1)), float(re.search(r"Median:\s+([\d.]+)", out).group(1))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--mode", default="throughput", choices=["throughput", "latency"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--json", default="ov_input_layout.json")
    args = p.parse_args()
    folder = scratch_folder("ov-layout-")
    forms = {f: folder/f"{f}.xml" for f in ("float", "A", "B", "C")}
    for form, path in forms.items(): ov.save_model(build(args.model, args.size, form), str(path))
    taken = {f: [] for f in forms}
    for _ in range(args.rounds):
        for form, path in forms.items(): taken[form].append(tool(path, args.mode, args.seconds))
    table = {f: {"fps": float(np.median([a for a, _ in v])), "median_ms": float(np.median([b for _, b in v]))} for f, v in taken.items()}
    for f, v in table.items(): print(f"{f:6s} {v['fps']:8.1f} FPS  {v['median_ms']:7.2f} ms")
    json.dump({"cpu": cpu_info(), "settings": vars(args), "taken": taken, "median": table}, open(args.json, "w"), indent=1)

if __name__ == "__main__": main()
