#!/bin/bash
torchrun --nproc_per_node 2 pretrain_bert.py --num-layers 4 --hidden-size 256 --num-attention-heads 4 --mock-data
