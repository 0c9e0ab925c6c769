#!/bin/bash
# Warmup-stable-decay learning-rate schedule: 4 warmup steps, stable, then 8 steps of decay.
# Flags collected with += on a string, one concern per line.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

MEGATRON_LM_DIR=${MEGATRON_LM_DIR:-/opt/Megatron-LM}

ARGS="--num-layers 2 --hidden-size 256 --num-attention-heads 4"
ARGS+=" --seq-length 256 --max-position-embeddings 256"
ARGS+=" --position-embedding-type rope --no-rope-fusion --normalization RMSNorm --swiglu"
ARGS+=" --attention-dropout 0.0 --hidden-dropout 0.0"
ARGS+=" --micro-batch-size 4 --global-batch-size 8 --train-iters 20 --bf16"
ARGS+=" --lr 1e-3 --min-lr 1e-4"
ARGS+=" --lr-decay-style WSD --lr-wsd-decay-style linear --lr-wsd-decay-iters 8"
ARGS+=" --lr-warmup-iters 4 --lr-warmup-init 1e-5 --lr-decay-iters 20"
ARGS+=" --weight-decay 0.05 --clip-grad 1.0"
ARGS+=" --mock-data --tokenizer-type NullTokenizer --vocab-size 8192"
ARGS+=" --log-interval 1 --eval-iters 0 --eval-interval 1000"
ARGS+=" --transformer-impl local --deterministic-mode --no-gradient-accumulation-fusion"
ARGS+=" --no-persist-layer-norm --no-masked-softmax-fusion"   # no Apex kernels here

torchrun --nproc_per_node=1 --master_port=${MASTER_PORT:-29500} $MEGATRON_LM_DIR/pretrain_gpt.py $ARGS
