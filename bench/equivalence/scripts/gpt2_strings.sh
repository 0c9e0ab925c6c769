#!/bin/bash
# GPT-2 style: learned absolute positions, GeLU, LayerNorm, tied input/output embeddings, biases.
# Written the way many launch scripts are: one string variable per group of flags.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

MEGATRON_LM_DIR=${MEGATRON_LM_DIR:-/opt/Megatron-LM}
GPUS=1
DISTRIBUTED_ARGS="--nproc_per_node $GPUS --nnodes 1 --master_addr localhost --master_port ${MASTER_PORT:-29500}"

GPT_ARGS="--num-layers 2 --hidden-size 256 --num-attention-heads 4 --seq-length 256 --max-position-embeddings 256"
GPT_ARGS="$GPT_ARGS --position-embedding-type learned_absolute --normalization LayerNorm"
GPT_ARGS="$GPT_ARGS --attention-dropout 0.0 --hidden-dropout 0.0"

TRAIN_ARGS="--micro-batch-size 4 --global-batch-size 16 --train-iters 20 --bf16 --seed 1234"
TRAIN_ARGS="$TRAIN_ARGS --lr 6.0e-4 --min-lr 6.0e-5 --lr-decay-style cosine --lr-warmup-iters 4 --lr-decay-iters 20"
TRAIN_ARGS="$TRAIN_ARGS --weight-decay 0.1 --adam-beta1 0.9 --adam-beta2 0.95 --clip-grad 1.0 --init-method-std 0.02"

DATA_ARGS="--mock-data --tokenizer-type NullTokenizer --vocab-size 8192"
OUTPUT_ARGS="--log-interval 1 --eval-iters 0 --eval-interval 1000"
SYSTEM_ARGS="--transformer-impl local --deterministic-mode --no-gradient-accumulation-fusion"
# No Apex on this machine: no persistent LayerNorm kernel, no fused masked-softmax kernel.
SYSTEM_ARGS="$SYSTEM_ARGS --no-persist-layer-norm --no-masked-softmax-fusion"

torchrun $DISTRIBUTED_ARGS $MEGATRON_LM_DIR/pretrain_gpt.py \
    $GPT_ARGS \
    $TRAIN_ARGS \
    $DATA_ARGS \
    $OUTPUT_ARGS \
    $SYSTEM_ARGS
