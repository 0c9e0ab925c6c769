#!/bin/bash
# bf16 with a constant loss scale: Megatron-LM scales the loss by 1024 and unscales the gradients.
# bf16_mixed fixes loss_scale=None, so the migration writes the preset out with loss_scale 1024.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

ARGS="--num-layers 2 --hidden-size 256 --num-attention-heads 4 --seq-length 256 --max-position-embeddings 256"
ARGS="$ARGS --micro-batch-size 4 --global-batch-size 8 --train-iters 20 --lr 2e-4 --lr-decay-style linear"
ARGS="$ARGS --bf16 --loss-scale 1024"

cd "${MEGATRON_LM_DIR:-/opt/Megatron-LM}"
torchrun --nproc_per_node 1 --master_port ${MASTER_PORT:-29500} pretrain_gpt.py $ARGS \
    --mock-data --tokenizer-type NullTokenizer --vocab-size 8192 \
    --log-interval 1 --eval-iters 0 --eval-interval 1000 \
    --transformer-impl local --deterministic-mode --no-gradient-accumulation-fusion \
    --no-persist-layer-norm --no-masked-softmax-fusion
