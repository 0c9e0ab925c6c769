#!/bin/bash
# A small mixture of experts: 4 experts, top-2 routing, auxiliary load-balancing loss.
# Settings chosen in if/case branches, as sweep scripts do.
set -euo pipefail

export CUDA_DEVICE_MAX_CONNECTIONS=1
export CUBLAS_WORKSPACE_CONFIG=:4096:8
export NCCL_ALGO=Ring

MEGATRON_LM_DIR=${MEGATRON_LM_DIR:-/opt/Megatron-LM}
SIZE=${SIZE:-tiny}
USE_MOE=${USE_MOE:-1}

case "$SIZE" in
    tiny)
        SHAPE="--num-layers 2 --hidden-size 256 --num-attention-heads 4 --ffn-hidden-size 512"
        ;;
    small)
        SHAPE="--num-layers 12 --hidden-size 768 --num-attention-heads 12 --ffn-hidden-size 3072"
        ;;
    *)
        echo "unknown size $SIZE" >&2
        exit 1
        ;;
esac

if [ "$USE_MOE" = "1" ]; then
    MOE_ARGS="--num-experts 4 --moe-router-topk 2 --moe-router-load-balancing-type aux_loss --moe-aux-loss-coeff 1e-2"
    MOE_ARGS="$MOE_ARGS --moe-token-dispatcher-type alltoall"
else
    MOE_ARGS=""
fi

torchrun --nproc_per_node 1 --master_port ${MASTER_PORT:-29500} $MEGATRON_LM_DIR/pretrain_gpt.py \
    $SHAPE $MOE_ARGS \
    --seq-length 256 --max-position-embeddings 256 \
    --position-embedding-type rope --no-rope-fusion --normalization RMSNorm --swiglu --disable-bias-linear \
    --attention-dropout 0.0 --hidden-dropout 0.0 \
    --micro-batch-size 4 --global-batch-size 8 --train-iters 20 \
    --lr 2e-4 --min-lr 2e-5 --lr-decay-style cosine --lr-warmup-iters 2 \
    --weight-decay 0.1 --clip-grad 1.0 --bf16 \
    --mock-data --tokenizer-type NullTokenizer --vocab-size 8192 \
    --log-interval 1 --eval-iters 0 --eval-interval 1000 \
    --transformer-impl local --deterministic-mode --no-gradient-accumulation-fusion \
    --no-persist-layer-norm --no-masked-softmax-fusion
