#!/bin/bash
# Small GPT run on one node.
GPUS=8
DATA=/data/corpus_text_document

MODEL_ARGS="--num-layers 12 --hidden-size 768 --num-attention-heads 12 --seq-length 1024 --max-position-embeddings 1024"
TRAIN_ARGS="--micro-batch-size 4 --global-batch-size 32 --lr 6.0e-4 --train-iters 5000 --bf16 --use-mcore-models"

torchrun --nproc_per_node $GPUS pretrain_gpt.py \
    $MODEL_ARGS $TRAIN_ARGS \
    --data-path $DATA \
    --split 949,50,1 \
    --log-throughput
