#!/bin/bash
# fp16 with dynamic loss scaling tuned away from the defaults: a small initial scale, a short
# growth window, no hysteresis. Bridge's fp16_mixed preset fixes these fields (initial scale 2^32,
# window 1000, hysteresis 2), so the migration writes the preset out as a MixedPrecisionConfig
# carrying these values. Written with a flag array and an fp16 block appended to it.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

MODEL=(
    --num-layers 2 --hidden-size 256 --num-attention-heads 4
    --seq-length 256 --max-position-embeddings 256
    --attention-dropout 0.0 --hidden-dropout 0.0
)
TRAINING=(
    --micro-batch-size 4 --global-batch-size 8 --train-iters 20
    --lr 3e-4 --lr-decay-style cosine --lr-warmup-iters 2 --min-lr 3e-5
    --weight-decay 0.1 --adam-beta2 0.95 --seed 42
)
TRAINING+=(--fp16 --initial-loss-scale 4096 --loss-scale-window 4 --hysteresis 1 --min-loss-scale 1)

cd "${MEGATRON_LM_DIR:-/opt/Megatron-LM}"
torchrun --nproc_per_node 1 --master_port ${MASTER_PORT:-29500} pretrain_gpt.py \
    "${MODEL[@]}" "${TRAINING[@]}" \
    --mock-data --tokenizer-type NullTokenizer --vocab-size 8192 \
    --log-interval 1 --eval-iters 0 --eval-interval 1000 \
    --transformer-impl local --deterministic-mode --no-gradient-accumulation-fusion \
    --no-persist-layer-norm --no-masked-softmax-fusion
