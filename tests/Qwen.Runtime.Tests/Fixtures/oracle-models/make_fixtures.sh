#!/bin/bash
set -e
OUT=$1; mkdir -p $OUT
TOK=/work/shared/fixtures/tokenizers/qwen3
gen() { name=$1; shift; python3 gen_tiny_qwen.py --out m/$name --tokenizer-dir $TOK --vocab 320 "$@" > /dev/null; }
gen qwen2_yarn --arch qwen2 --yarn-factor 4 --yarn-orig 64 --ctx 256 --seed 11
gen qwen3_yarn --arch qwen3 --hidden 64 --heads 4 --kv-heads 1 --head-dim 32 --yarn-factor 2.5 --yarn-orig 100 --ctx 250 --seed 12 --tie
gen qwen3_bf16_sharded --arch qwen3 --bf16 --shards 3 --seed 13 --pad-vocab 12
gen qwen2_tied --arch qwen2 --tie --seed 14 --pad-vocab 7
gen qwen3_untied_hd64 --arch qwen3 --hidden 128 --heads 2 --kv-heads 1 --head-dim 64 --layers 3 --ff 32 --seed 15 --bf16
gen qwen2_mqa --arch qwen2 --hidden 128 --heads 8 --kv-heads 1 --layers 2 --ff 64 --seed 16 --rope-theta 10000 --tie
gen qwen3_mha --arch qwen3 --hidden 96 --heads 6 --kv-heads 6 --head-dim 16 --layers 2 --ff 64 --seed 17 --eps 1e-5
IDS=$(python3 -c "import random; r=random.Random(5); print(','.join(str(r.randrange(0,320)) for _ in range(61)))")
for d in qwen2_yarn qwen3_yarn qwen3_bf16_sharded qwen2_tied qwen3_untied_hd64 qwen2_mqa qwen3_mha; do
  node run_llama.mjs m/$d/model.gguf x 16 --ids $IDS --alllogits > m/$d/golden_llamacpp.json
  mkdir -p $OUT/$d
  cp m/$d/*.json m/$d/*.safetensors $OUT/$d/
  rm -f $OUT/$d/tokenizer_config.json
  du -sh $OUT/$d
done
# A prompt longer than 64 tokens, so that the prefill goes through the float32 GEMM (PanelMatMul) rather than the
# few-rows kernel; 150 = 12 x 12 + 6 leaves a partial tile of rows.
gen qwen2_long_prompt --arch qwen2 --hidden 96 --heads 6 --kv-heads 2 --layers 2 --ff 72 --seed 18 --ctx 512 --tie
IDS=$(python3 -c "import random; r=random.Random(6); print(','.join(str(r.randrange(0,320)) for _ in range(150)))")
node run_llama.mjs m/qwen2_long_prompt/model.gguf x 16 --ids $IDS --alllogits > m/qwen2_long_prompt/golden_llamacpp.json
mkdir -p $OUT/qwen2_long_prompt
cp m/qwen2_long_prompt/*.json m/qwen2_long_prompt/*.safetensors $OUT/qwen2_long_prompt/
rm -f $OUT/qwen2_long_prompt/tokenizer_config.json
