#!/bin/bash
set -euo pipefail

GPUS_PER_NODE=8
MASTER_ADDR=localhost
MASTER_PORT=6000
NNODES=1
NODE_RANK=0

CHECKPOINT_PATH=/ckpt/gpt-1.3b
DATA_PATH=/data/pile/pile_text_document

DISTRIBUTED_ARGS="
    --nproc_per_node $GPUS_PER_NODE \
    --nnodes $NNODES \
    --node_rank $NODE_RANK \
    --master_addr $MASTER_ADDR \
    --master_port $MASTER_PORT
"

GPT_ARGS="
    --num-layers 24 \
    --hidden-size 2048 \
    --num-attention-heads 16 \
    --seq-length 2048 \
    --max-position-embeddings 2048 \
    --micro-batch-size 2 \
    --global-batch-size 256 \
    --lr 2.0e-4 \
    --train-iters 300000 \
    --lr-decay-iters 300000 \
    --lr-decay-style cosine \
    --min-lr 2.0e-5 \
    --weight-decay 0.1 \
    --adam-beta1 0.9 \
    --adam-beta2 0.95 \
    --init-method-std 0.02 \
    --lr-warmup-iters 2000 \
    --clip-grad 1.0 \
    --bf16 \
    --use-flash-attn \
    --untie-embeddings-and-output-weights \
    --disable-bias-linear
"

DATA_ARGS="
    --data-path $DATA_PATH \
    --tokenizer-type HuggingFaceTokenizer \
    --tokenizer-model gpt2 \
    --split 990,8,2
"

OUTPUT_ARGS="
    --log-interval 10 \
    --save-interval 2000 \
    --eval-interval 500 \
    --eval-iters 20 \
    --tensorboard-dir $CHECKPOINT_PATH/tb
"

torchrun $DISTRIBUTED_ARGS pretrain_gpt.py \
    $GPT_ARGS \
    $DATA_ARGS \
    $OUTPUT_ARGS \
    --distributed-backend nccl \
    --save $CHECKPOINT_PATH \
    --load $CHECKPOINT_PATH
