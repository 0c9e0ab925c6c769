#!/bin/bash
# Preprocesses data; no training launch here.
python tools/preprocess_data.py \
    --input /data/raw.jsonl \
    --output-prefix /data/corpus \
    --vocab-file gpt2-vocab.json \
    --tokenizer-type GPT2BPETokenizer \
    --merge-file gpt2-merges.txt \
    --append-eod --workers 32
ARR=( a b "c d" )
echo "${ARR[@]}"
