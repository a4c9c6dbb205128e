#!/bin/bash
# issue 19: a study on models that learn: nano and tiny, the demo's recipe (demo_config's settings), 20 epochs, the demo's drawn data
source /work/main/.venv/bin/activate
export FIFTYONE_DO_NOT_TRACK=true WANDB_MODE=offline MPLBACKEND=Agg
cd /work/ab/study19
dminity study --data /tmp/wk/coco-240 --variants yolox_nano yolox_tiny --epochs 20 --out /work/ab/study19/study \
  --batch-size 8 --input-size 320 --multiscale --lr-per-image 0.000625 --min-lr-ratio 0.05 --mosaic-prob 0.5 --mixup-prob 0 \
  --mosaic-scale 0.5 1.5 --mixup-scale 0.5 1.5 --hsv-prob 1.0 --flip-prob 0.5 --degrees 10 --translate 0.1 --shear 2 \
  --warmup-epochs 1 --no-aug-epochs 2 --eval-interval 5 --workers 0 --channels-last --calibration-size 240 --min-fps 30 --json /work/ab/study19/study.json
