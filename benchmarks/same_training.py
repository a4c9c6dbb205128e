"""Trainings with dminity as it was at another commit and as it is now end with the same weights: proof, over whole epochs
with the loader's workers, that a change kept what training computes (the loader's samples, above all).

    python benchmarks/same_training.py --base 3148f21 --data DATA [--cases yolox_nano:320:3:1 yolox_s:224:2:0] [--json FILE]

Each case is variant:input_size:epochs:no_aug_epochs (one warm-up epoch, batches of 16, two workers, the RAM cache as
`dminity train` decides, seed 5). It trains twice, each in a process of its own: with the `dminity` package of --base
(checked out into a scratch folder) and with the one imported here; then compares the SHA-256 of the EMA weights and
the last epoch's mean loss. Prints a table and writes JSON.
"""
import argparse, json, os, subprocess, sys
from pathlib import Path

from dminity.core import scratch_folder

TRAIN = """
import hashlib, json, sys, torch
import dminity
from dminity.core import TrainConfig
from dminity.train import train
data, out, variant, size, epochs, no_aug = sys.argv[1:]
config = TrainConfig(data, variant=variant, input_size=int(size), batch_size=16, epochs=int(epochs), warmup_epochs=1,
                     no_aug_epochs=int(no_aug), workers=2, seed=5)
metrics = train(config, out, overwrite=True, progress=False)
weights = torch.load(f"{out}/checkpoints/last.pth", map_location="cpu", weights_only=False)["model"]
digest = hashlib.sha256()
for name, tensor in sorted(weights.items()):
    digest.update(name.encode())
    digest.update(tensor.numpy().tobytes())
print(json.dumps({"dminity": dminity.__file__, "mixup_prob": config.resolved().mixup_prob, "loss": metrics["train/loss"],
                  "weights_sha256": digest.hexdigest()}))
"""


def checkout(base:str) -> Path:
    "The repository's files at commit `base`, in a scratch folder"
    folder = scratch_folder("same-training-")/base
    subprocess.run(["git", "worktree", "add", "--detach", "-f", str(folder), base], check=True, capture_output=True)
    return folder


def trained(python_path:str|None, data:str, out:Path, case:str) -> dict:
    "The figures of one training of `case` in a new process, with `python_path` first on its path (None: dminity as installed)"
    env = {**os.environ, **({"PYTHONPATH": python_path} if python_path else {})}
    done = subprocess.run([sys.executable, "-c", TRAIN, data, str(out), *case.split(":")], capture_output=True, text=True, env=env)
    if done.returncode: raise RuntimeError(f"training {case} failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="the commit to compare with")
    p.add_argument("--data", required=True, help="a COCO dataset (benchmarks/train_throughput.py makes demo ones)")
    p.add_argument("--cases", nargs="+", default=["yolox_nano:320:3:1", "yolox_s:224:2:0"], help="variant:input_size:epochs:no_aug_epochs")
    p.add_argument("--json", default="same_training.json")
    a = p.parse_args()
    base, runs, rows = checkout(a.base), scratch_folder("same-training-runs-"), []
    try:
        for case in a.cases:
            before, after = trained(str(base), a.data, runs/"before", case), trained(None, a.data, runs/"after", case)
            rows.append({"case": case, "mixup_prob": after["mixup_prob"], "loss_before": before["loss"], "loss_after": after["loss"],
                         "sha256_before": before["weights_sha256"], "sha256_after": after["weights_sha256"],
                         "same_weights": before["weights_sha256"] == after["weights_sha256"]})
            print(json.dumps(rows[-1]), flush=True)
    finally: subprocess.run(["git", "worktree", "remove", "--force", str(base)], capture_output=True)
    Path(a.json).write_text(json.dumps({"base": a.base, "data": a.data, "rows": rows}, indent=1) + "\n")
    print("| case | mixup | loss, before / after | same EMA weights |\n| --- | --- | --- | --- |")
    for r in rows: print(f"| {r['case']} | {r['mixup_prob']} | {r['loss_before']:.6f} / {r['loss_after']:.6f} | {r['same_weights']} |")


if __name__ == "__main__": main()
