#!/bin/bash
# Leaves almost everything at Megatron-LM's defaults: fp32, linear decay without warmup,
# weight decay 0.01, Adam beta2 0.999, dropout 0.1, clipping 1.0. Only the shape, batch,
# steps, learning rate and data are given. Bridge's recipe has other defaults for many of these:
# the migration pins Megatron-LM's values, and that is what makes this run equal.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

cd "${MEGATRON_LM_DIR:-/opt/Megatron-LM}"
torchrun --nproc_per_node 1 --master_port ${MASTER_PORT:-29500} pretrain_gpt.py \
    --num-layers 2 --hidden-size 256 --num-attention-heads 4 \
    --seq-length 256 --max-position-embeddings 256 \
    --micro-batch-size 4 --global-batch-size 8 --train-iters 20 --lr 1e-4 \
    --mock-data --tokenizer-type NullTokenizer --vocab-size 8192 \
    --log-interval 1 --eval-iters 0 --eval-interval 1000 \
    --transformer-impl local --deterministic-mode --no-gradient-accumulation-fusion --no-persist-layer-norm
