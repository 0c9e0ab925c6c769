#!/bin/bash
MODEL_ARGS="--num-layers 24 --hidden-size 1024 --num-attention-heads 16 --seq-length 2048 --max-position-embeddings 2048"
TRAIN_ARGS="--micro-batch-size 2 --global-batch-size 64 --train-iters 20000 --lr 1e-4 --mock-data"

if [ "${PRECISION:-bf16}" = "fp16" ]; then
    TRAIN_ARGS="$TRAIN_ARGS --fp16 --loss-scale-window 500"
elif [ "${PRECISION:-bf16}" = "bf16" ]; then
    TRAIN_ARGS="${TRAIN_ARGS} --bf16"
else
    echo "fp32 run"
fi

if [[ -n "${WANDB_PROJECT:-}" ]]; then
    TRAIN_ARGS+=" --wandb-project ${WANDB_PROJECT} --wandb-exp-name gpt-350m"
fi

if [ "$RECOMPUTE" == "1" ]; then
    EXTRA="--recompute-activations"
else
    EXTRA="--no-gradient-accumulation-fusion"
fi

torchrun --nproc_per_node 8 pretrain_gpt.py $MODEL_ARGS $TRAIN_ARGS $EXTRA
