"""dminity on a CUDA GPU, in one go: an AMP training epoch, batched vs reference SimOTA over whole iterations, the training
throughput with a per-stage profile of one iteration and peak GPU memory, PyTorch inference FPS, and DDP over all GPUs.
Writes one JSON. Run through benchmarks/gpu_check.sh (which installs what is missing offline); --dry-run: tiny, on the CPU.
"""
import argparse, json, os, platform, subprocess, sys, time
from pathlib import Path

import torch


def timed(device) -> float:
    "Seconds on a clock that waits for the GPU"
    if device.type == "cuda": torch.cuda.synchronize(device)
    return time.perf_counter()


def stage_profile(config, device) -> dict:
    "Milliseconds of each stage of one training iteration (backbone, neck, head, assignment, loss, backward, optimizer) and peak memory"
    from dminity.testing import one_batch
    from dminity.train import build_training, class_names
    yolox, model, optimizer = build_training(config, len(class_names(config.data)), device, verbose=False)
    images, targets = one_batch(config, device)
    marks, head = {}, model.head
    def mark(name): return lambda *args: marks.setdefault(name, timed(device))
    model.backbone.backbone.register_forward_pre_hook(mark("start"))
    model.backbone.backbone.register_forward_hook(mark("backbone"))
    model.backbone.register_forward_hook(mark("neck"))
    get_losses = head.get_losses
    def losses_timed(*args, **kwargs):
        marks.setdefault("head", timed(device))
        return get_losses(*args, **kwargs)
    head.get_losses = losses_timed
    import dminity.simota as simota
    assign = simota.batched_assignments if config.simota == "batched" else None
    if assign:
        def assign_timed(*args, **kwargs):
            out = assign(*args, **kwargs)
            marks.setdefault("assignment", timed(device))
            return out
        simota.batched_assignments = assign_timed
    rows = []
    for _ in range(3):  # the first two warm up
        marks.clear()
        if device.type == "cuda": torch.cuda.reset_peak_memory_stats(device)
        with torch.autocast(device.type, dtype=torch.float16, enabled=config.fp16 and device.type == "cuda"):
            loss = model(images, targets)["total_loss"]
        marks["loss"] = timed(device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        marks["backward"] = timed(device)
        optimizer.step()
        marks["optimizer"] = timed(device)
        order = ["start", "backbone", "neck", "head"] + (["assignment"] if "assignment" in marks else []) + ["loss", "backward", "optimizer"]
        rows.append({name: 1000*(marks[name] - marks[previous]) for previous, name in zip(order, order[1:])})
    if assign: simota.batched_assignments = assign
    peak = torch.cuda.max_memory_allocated(device)/2**30 if device.type == "cuda" else None
    return {"stages_ms": rows[-1], "iteration_ms": sum(rows[-1].values()), "peak_gpu_gib": peak}


def inference_fps(variant:str, size:int, device, fp16:bool, repeat:int) -> dict:
    "Frames per second of the PyTorch model alone, batch 1"
    from dminity.model import build_model
    model = build_model(variant, 10).to(device).eval()
    x = torch.zeros(1, 3, size, size, device=device)
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.float16, enabled=fp16):
        for _ in range(3): model(x)
        started = timed(device)
        for _ in range(repeat): model(x)
        elapsed = timed(device) - started
    return {"variant": variant, "input_size": size, "fp16": fp16, "fps": repeat/elapsed}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="a small COCO dataset")
    p.add_argument("--out", default="gpu_check.json")
    p.add_argument("--dry-run", action="store_true", help="tiny settings on the CPU: checks the script, measures nothing")
    args = p.parse_args()
    from dminity.core import TrainConfig, scratch_folder
    from dminity.testing import training_throughput
    from dminity.train import train
    dry = args.dry_run
    device = torch.device("cpu" if dry else "cuda")
    if not dry and not torch.cuda.is_available(): sys.exit("gpu_check: PyTorch sees no CUDA GPU here (use --dry-run to check the script on a CPU)")
    variant, size, batch = ("yolox_nano", 256, 4) if dry else ("yolox_s", 640, 16)
    base = TrainConfig(args.data, variant=variant, input_size=size, batch_size=batch, epochs=1, warmup_epochs=0, no_aug_epochs=0,
                       eval_interval=1, workers=0 if dry else 2, device=device.type, fp16=not dry).resolved()
    tmp, report, started = scratch_folder(), {}, time.perf_counter()
    report["meta"] = {"torch": torch.__version__, "cuda": torch.version.cuda, "python": platform.python_version(), "dry_run": dry,
                      "gpus": [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())], "cpu_cores": os.cpu_count()}
    def step(name, fn):
        began = time.perf_counter()
        try: report[name] = fn()
        except Exception as e: report[name] = {"error": f"{type(e).__name__}: {e}"}
        report.setdefault("seconds", {})[name] = time.perf_counter() - began
        print(f"{name}: {json.dumps(report[name])[:300]}", flush=True)
    step("amp_epoch", lambda: train(base, tmp/"amp", progress=False))
    step("throughput", lambda: training_throughput(base, tmp/"throughput", steps=2 if dry else 10))
    step("stage_profile", lambda: stage_profile(base, device))
    if not dry:
        from dminity.simota import bench_simota
        step("bench_simota", lambda: bench_simota(quick=True, device="cuda", json_path=str(tmp/"simota.json"), progress=False))
    step("inference", lambda: [inference_fps(v, s, device, not dry, 5 if dry else 200) for v, s in (("yolox_nano", 416), ("yolox_s", 640))])
    gpus = torch.cuda.device_count()
    if gpus > 1:
        def ddp():
            config = tmp/"ddp.json"
            config.write_text(json.dumps({**base.__dict__, "batch_size": batch*gpus}))
            code = (f"import json; from dminity.core import TrainConfig; from dminity.train import train; "
                    f"print(json.dumps(train(TrainConfig(**json.load(open({str(config)!r}))), {str(tmp/'ddp')!r}, progress=False)))")
            script = tmp/"ddp.py"
            script.write_text(code)
            out = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(gpus), str(script)],
                                 capture_output=True, text=True, timeout=240)
            if out.returncode: raise RuntimeError(out.stderr[-1500:])
            return {"gpus": gpus, "metrics": json.loads(out.stdout.strip().splitlines()[-1])}
        step("ddp", ddp)
    report["total_seconds"] = time.perf_counter() - started
    Path(args.out).write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"written to {args.out} in {report['total_seconds']/60:.1f} minutes")
    failed = [k for k, v in report.items() if isinstance(v, dict) and "error" in v]
    if failed: sys.exit(f"gpu_check: {', '.join(failed)} failed (see {args.out})")


if __name__ == "__main__":
    main()
