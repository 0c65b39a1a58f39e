import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer/index';
for (let i = 0; i < 3; i++) { const t = performance.now(); Gpt2Tokenizer.fromDir('/work/main/models/gpt2'); console.log(performance.now() - t); }
