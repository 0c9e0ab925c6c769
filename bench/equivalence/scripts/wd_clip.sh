#!/bin/bash
# Weight decay that ramps up (cosine) and tight gradient clipping, so that clipping acts on most steps;
# Adam settings spelled out. Command line continued over many lines.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

MEGATRON_LM_DIR=${MEGATRON_LM_DIR:-/opt/Megatron-LM}
LR=5e-4

torchrun --nproc_per_node 1 --master_port ${MASTER_PORT:-29500} \
    ${MEGATRON_LM_DIR}/pretrain_gpt.py \
    --num-layers 2 \
    --hidden-size 256 \
    --num-attention-heads 4 \
    --seq-length 256 \
    --max-position-embeddings 256 \
    --attention-dropout 0.0 \
    --hidden-dropout 0.0 \
    --micro-batch-size 8 \
    --global-batch-size 8 \
    --train-iters 20 \
    --bf16 \
    --lr $LR \
    --lr-decay-style linear \
    --lr-warmup-iters 3 \
    --min-lr 1e-5 \
    --weight-decay-incr-style cosine \
    --start-weight-decay 0.01 \
    --end-weight-decay 0.2 \
    --clip-grad 0.3 \
    --adam-beta1 0.85 \
    --adam-beta2 0.98 \
    --adam-eps 1e-6 \
    --mock-data \
    --tokenizer-type NullTokenizer \
    --vocab-size 8192 \
    --log-interval 1 \
    --eval-iters 0 \
    --eval-interval 1000 \
    --transformer-impl local \
    --deterministic-mode \
    --no-gradient-accumulation-fusion \
    --no-persist-layer-norm \
    --no-masked-softmax-fusion
