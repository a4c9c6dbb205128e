"""A/B of the demo's training recipe: draw the demo dataset once, train YOLOX-nano with each named recipe on it (one after
the other, the same data), and write mAP50, mAP50:95, minutes and the machine's load average of each to a JSON file.

    python benchmarks/demo_recipe.py --out demo_recipe.json --recipes demo '{"lr_per_image": 0.00125, "batch_size": 8}'

A recipe is `demo` (`demo_config`, the demo's own) or a JSON object of `TrainConfig` settings laid over it.
"""
import argparse, dataclasses, json, os, time, warnings
from pathlib import Path

from dminity.data import DEMO_CLASSES, make_demo_open_images, prepare_data
from dminity.train import demo_config, train

def recipe(name:str, data):
    "The `TrainConfig` of recipe `name` on the dataset `data`"
    return demo_config(data) if name == "demo" else dataclasses.replace(demo_config(data), **json.loads(name))

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the JSON file to write (results are added to it)")
    parser.add_argument("--recipes", nargs="+", default=["demo"], help="'demo' or JSON settings over it")
    parser.add_argument("--work", default="/tmp/demo-recipe", help="where the dataset and runs go")
    parser.add_argument("--train-images", type=int, default=240)
    parser.add_argument("--val-images", type=int, default=60)
    args = parser.parse_args()
    work, out = Path(args.work), Path(args.out)
    data = work/f"coco-{args.train_images}"
    if not data.exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zoo = make_demo_open_images(work/f"zoo-{args.train_images}", n_train=args.train_images, n_val=args.val_images)
            prepare_data(zoo, list(DEMO_CLASSES), data, max_samples=None)
    results = json.loads(out.read_text()) if out.exists() else []
    for name in args.recipes:
        config = recipe(name, data)
        started = time.perf_counter()
        metrics = train(config, work/"runs"/str(len(results)), overwrite=True, progress=False)
        results.append({"recipe": name, "train_images": args.train_images, "config": dataclasses.asdict(config.resolved()),
                        "mAP50": round(metrics["val/mAP50"], 4), "mAP50_95": round(metrics["val/mAP50_95"], 4),
                        "minutes": round((time.perf_counter() - started)/60, 2), "load_average": os.getloadavg()})
        print(json.dumps({k: v for k, v in results[-1].items() if k != "config"}), flush=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1) + "\n")

if __name__ == "__main__": main()
