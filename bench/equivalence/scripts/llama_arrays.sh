#!/bin/bash
# Llama style: RoPE, SwiGLU, RMSNorm, grouped-query attention, untied embeddings, no biases.
# Flags in bash arrays, with comments and a += append, as in Megatron-LM's own examples.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

MEGATRON_LM_DIR=${MEGATRON_LM_DIR:-/opt/Megatron-LM}

DISTRIBUTED_ARGS=(
    --nproc_per_node 1
    --nnodes 1
    --master_port "${MASTER_PORT:-29500}"
)

MODEL_ARGS=(
    --num-layers 2
    --hidden-size 256
    --ffn-hidden-size 688      # about 8/3 of hidden, as Llama does
    --num-attention-heads 8
    --group-query-attention
    --num-query-groups 2
    # rotary positions instead of learned ones
    --position-embedding-type rope
    --rotary-base 10000
    --no-rope-fusion           # the fused RoPE kernel needs Transformer Engine
    --seq-length 256
    --max-position-embeddings 256
    --normalization RMSNorm
    --norm-epsilon 1e-5
    --swiglu
    --untie-embeddings-and-output-weights
    --disable-bias-linear
    --attention-dropout 0.0
    --hidden-dropout 0.0
)

TRAINING_ARGS=(
    --micro-batch-size 2
    --global-batch-size 8
    --train-iters 20
    --lr 3.0e-4
    --min-lr 3.0e-5
    --lr-decay-style cosine
    --lr-warmup-fraction 0.1
    --weight-decay 0.1
    --adam-beta2 0.95
    --clip-grad 1.0
    --init-method-std 0.01
)
TRAINING_ARGS+=(--bf16)

DATA_ARGS=(
    --mock-data
    --tokenizer-type NullTokenizer
    --vocab-size 8000
)

LOGGING_ARGS=(
    --log-interval 1
    --eval-iters 0
    --eval-interval 1000
)

torchrun "${DISTRIBUTED_ARGS[@]}" "$MEGATRON_LM_DIR/pretrain_gpt.py" \
    "${MODEL_ARGS[@]}" \
    "${TRAINING_ARGS[@]}" \
    "${DATA_ARGS[@]}" \
    "${LOGGING_ARGS[@]}" \
    --transformer-impl local \
    --deterministic-mode \
    --no-gradient-accumulation-fusion \
    --no-persist-layer-norm \
    --no-masked-softmax-fusion
