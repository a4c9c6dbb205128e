"""A training step (forward, loss, backward, SGD step) of a fresh YOLOX model on the CPU, in PyTorch's default (contiguous) layout and
in channels-last layout, interleaved; prints the medians and writes JSON with the CPU's instruction sets.

    python benchmarks/channels_last_step.py [--variant yolox_nano] [--size 320] [--batch 8] [--steps 8] [--json channels_last.json]
"""
import argparse, json, time
import torch
from dminity.benchmark import cpu_info
from dminity.model import build_model

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="yolox_nano")
    p.add_argument("--size", type=int, default=320)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--json", default="channels_last.json")
    args = p.parse_args()
    x = torch.rand(args.batch, 3, args.size, args.size)*255
    targets = torch.zeros(args.batch, 50, 5)
    targets[:, :3] = torch.tensor([[1, 100, 100, 60, 80], [3, 200, 150, 50, 50], [5, 50, 250, 40, 70]], dtype=torch.float)
    setups = {}
    for layout in ("contiguous", "channels_last"):
        torch.manual_seed(0)
        model = build_model(args.variant, 8).train()
        if layout == "channels_last": model.to(memory_format=torch.channels_last)
        setups[layout] = model, torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    def step(layout):
        model, optimizer = setups[layout]
        outputs = model(x.contiguous(memory_format=torch.channels_last) if layout == "channels_last" else x, targets)
        optimizer.zero_grad()
        outputs["total_loss"].backward()
        optimizer.step()
        return float(outputs["total_loss"])
    first_losses = {layout: [step(layout), step(layout)] for layout in setups}  # warm-up, and the same losses up to rounding
    times = {layout: [] for layout in setups}
    for _ in range(args.steps):
        for layout in setups:
            started = time.perf_counter()
            step(layout)
            times[layout].append(time.perf_counter() - started)
    median = {k: sorted(v)[len(v)//2]*1000 for k, v in times.items()}
    for k in setups: print(f"{k:14s} median {median[k]:.0f} ms a step, {args.batch/median[k]*1000:.1f} images/s, first losses {first_losses[k]}")
    print(f"channels last: {median['contiguous']/median['channels_last']:.2f}x")
    json.dump({"cpu": cpu_info(), "settings": vars(args), "step_ms": times, "median_ms": median, "first_losses": first_losses,
               "speedup": median["contiguous"]/median["channels_last"]}, open(args.json, "w"), indent=1)

if __name__ == "__main__": main()
