#!/bin/bash
python tools/preprocess_data.py --input corpus.jsonl --output-prefix corpus --workers 4
