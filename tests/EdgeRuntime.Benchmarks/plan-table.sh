#!/bin/bash
# The plan table over every model in ../shared/models (the backend conformance suite's tiny cases excepted).
cd "$(dirname "$0")/../.."
OUT=${1:?usage: plan-table.sh OUT_DIR}; mkdir -p "$OUT"
E=src/EdgeRuntime.Fleet/bin/Release/net10.0/edgectl
M=../shared/models
run() { name=$1; shift; echo "=== $name $(date -u +%H:%M:%S)"; /usr/bin/time -f "wall %e s" $E plan "$@" --report $OUT/$name.json > $OUT/$name.txt 2>&1; echo "rc $? $(tail -1 $OUT/$name.txt)"; }
run minilm $M/minilm-l6-v2/model.onnx --shape input_ids=1x128 --shape attention_mask=1x128 --shape token_type_ids=1x128
run mnist $M/mnist-cntk/mnist.onnx
run ppocr-cls $M/ppocr-mobile-v2-cls/ch_ppocr_mobile_v2.0_cls_infer.onnx --shape x=1x3x48x192
run ppocr-rec $M/ppocr-v4-rec/ch_PP-OCRv4_rec_infer.onnx --shape x=1x3x48x320
run silero-legacy $M/silero-vad/silero_vad_legacy.onnx --shape input=1x512 --shape h=2x1x64 --shape c=2x1x64 --fixed-input sr=16000
run silero-v5 $M/silero-vad/silero_vad_v5.onnx --shape input=1x512 --shape state=2x1x128 --fixed-input sr=16000
run ultraface $M/ultraface-rfb-320/version-RFB-320.onnx
run ultraface-simplified $M/ultraface-rfb-320/version-RFB-320_simplified.onnx
run ultraface-nopost $M/ultraface-rfb-320/version-RFB-320_without_postprocessing.onnx
echo "=== done $(date -u +%H:%M:%S)"
