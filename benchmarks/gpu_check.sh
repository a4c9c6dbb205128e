#!/usr/bin/env bash
# dminity's GPU check: an AMP training epoch, batched vs reference SimOTA (whole iterations), the training throughput with a
# per-stage profile of one iteration and peak GPU memory, PyTorch inference FPS, DDP over all GPUs; one JSON.
#
#   bash benchmarks/gpu_check.sh --pack DIR      here, with the package registry at hand: DIR gets dminity's package, the few
#                                                wheels a bare PyTorch box lacks, a small COCO folder and these scripts (<= 64 MB)
#   bash DIR/gpu_check.sh [--out FILE]           on the GPU box, offline: installs what is missing from DIR/wheels, runs the check
#   bash benchmarks/gpu_check.sh --dry-run       on a CPU: the same steps, tiny, to check the script (measures nothing)
#
# The box needs Python, PyTorch with CUDA and torchvision (every PyTorch CUDA image has them). It must finish in 8 minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode=run out=gpu_check.json dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --pack) mode=pack dir="$2"; shift 2 ;;
    --dry-run) mode=dry; shift ;;
    --out) out="$2"; shift 2 ;;
    *) echo "gpu_check.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# the wheels the training path needs beyond torch, torchvision and numpy (pixeltable-yolox without its export/ONNX extras)
WHEELS="pixeltable-yolox==0.4.3 pycocotools==2.0.11 opencv-python-headless loguru tabulate thop psutil tqdm fastcore"

small_coco() {  # a small COCO folder of demo images: 64 training, 16 validation
  python - "$1" <<'PY'
import sys, warnings
from dminity.core import private_fiftyone
private_fiftyone()
from dminity.data import DEMO_CLASSES, make_demo_open_images, prepare_data
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    prepare_data(make_demo_open_images(sys.argv[1] + "-zoo", n_train=64, n_val=16), list(DEMO_CLASSES), sys.argv[1], max_samples=None)
PY
}

case "$mode" in
  pack)
    root="$(cd "$here/.." && pwd)"
    mkdir -p "$dir/wheels"
    cp -r "$root/dminity" "$dir/"
    cp "$here/gpu_check.sh" "$here/gpu_check.py" "$dir/"
    pip download --quiet --no-deps --only-binary=:all: --dest "$dir/wheels" ${PYVER:+--python-version "$PYVER"} $WHEELS
    small_coco "$dir/coco"
    rm -rf "$dir/coco-zoo"
    find "$dir" -name __pycache__ -prune -exec rm -rf {} +
    size=$(du -sm "$dir" | cut -f1)
    echo "packed $dir: ${size} MB"; [ "$size" -le 64 ] || { echo "gpu_check.sh: the pack is over 64 MB" >&2; exit 1; }
    ;;
  dry)
    tmp="$(mktemp -d)"
    small_coco "$tmp/coco" > /dev/null 2>&1
    python "$here/gpu_check.py" --data "$tmp/coco" --out "$out" --dry-run
    ;;
  run)
    cd "$here"
    export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" FIFTYONE_DO_NOT_TRACK=true WANDB_MODE=offline
    missing=$(python - <<'PY'
import importlib.util
need = {"yolox": "pixeltable_yolox", "pycocotools": "pycocotools", "cv2": "opencv_python_headless", "loguru": "loguru",
        "tabulate": "tabulate", "thop": "thop", "psutil": "psutil", "tqdm": "tqdm", "fastcore": "fastcore"}
print(" ".join(wheel for module, wheel in need.items() if importlib.util.find_spec(module) is None))
PY
)
    for wheel in $missing; do pip install --quiet --no-index --no-deps wheels/${wheel}-*.whl; done
    timeout 480 python gpu_check.py --data coco --out "$out"
    ;;
esac
