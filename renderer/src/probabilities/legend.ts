/** GLTR's rank buckets as the legend names them (colours in panes.css: .cm-heat-0 … -3). */
export const rankLabels: readonly { bucket: 0 | 1 | 2 | 3; label: string; description: string }[] = [
  { bucket: 0, label: 'top 10', description: 'one of the 10 tokens the model expected most' },
  { bucket: 1, label: 'top 100', description: 'among the 100 likeliest tokens' },
  { bucket: 2, label: 'top 1000', description: 'among the 1000 likeliest tokens' },
  { bucket: 3, label: 'beyond', description: 'a surprise to the model: not among its 1000 likeliest tokens' },
];
