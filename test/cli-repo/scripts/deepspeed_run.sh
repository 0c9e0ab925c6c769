#!/bin/bash
# DeepSpeed-era launch of the same model.
deepspeed --num_gpus 4 pretrain_gpt.py \
    --num-layers 12 --hidden-size 768 --num-attention-heads 12 \
    --seq-length 1024 --max-position-embeddings 1024 \
    --micro-batch-size 4 --global-batch-size 32 --train-iters 5000 \
    --fp16 --loss-scale-window 500 \
    --deepspeed --deepspeed_config ds.json \
    --mock-data
