import { interleave, median, percentile, speedup } from '../../bench/lib/timing';

describe('bench timing helpers', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 3];
    expect(median(values)).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(values).toEqual([5, 1, 3]);
    expect(median([])).toBeNaN();
  });

  it('takes percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
  });

  it('reports the median per-round ratio, not the ratio of medians', () => {
    const result = { medianMicros: {}, rounds: { ours: [1, 2, 10], peer: [3, 6, 10] } };
    expect(speedup(result, 'ours', 'peer')).toBe(3);
  });

  it('runs every contender once per round after the warm-up', async () => {
    const runs = { a: 0, b: 0 };
    const result = await interleave([{ name: 'a', run: () => runs.a++ }, { name: 'b', run: () => runs.b++ }], 4, 2);
    expect(runs).toEqual({ a: 6, b: 6 });
    expect(result.rounds.a).toHaveLength(4);
    expect(result.rounds.b).toHaveLength(4);
  });
});
