import { corpus } from './corpus';
const t0 = performance.now();
const c = corpus();
const by = new Map<string, number>();
for (const ch of c) { const k = ch.label.split(/[/ ]/)[0]; by.set(k, (by.get(k) ?? 0) + ch.text.length); }
console.log(performance.now() - t0, c.length, c.reduce((a, b) => a + b.text.length, 0), Buffer.byteLength(c.map(x=>x.text).join('')));
console.log([...by].sort((a,b)=>b[1]-a[1]).slice(0,40));
console.log(c.find(x=>x.label.startsWith('numbers'))!.text.slice(0,300));
console.log(c.find(x=>x.label.startsWith('contractions'))!.text.slice(0,300));
