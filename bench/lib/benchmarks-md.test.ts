import { describe, expect, it } from 'vitest';
import { benchmarksHeader, replaceSection } from './benchmarks-md.js';

describe('replaceSection', () => {
  it('appends a missing section after the existing text', () => {
    const next = replaceSection(benchmarksHeader, '## Cluster', 'numbers');
    expect(next).toBe(`${benchmarksHeader.trimEnd()}\n\n## Cluster\n\nnumbers\n`);
  });

  it('replaces only its own section and keeps the sections around it', () => {
    const document = '# t\n\n## Ring\n\nring rows\n\n## Cluster\n\nold\nold 2\n\n## Store\n\nstore rows\n';
    const next = replaceSection(document, '## Cluster', 'new');
    expect(next).toBe('# t\n\n## Ring\n\nring rows\n\n## Cluster\n\nnew\n\n## Store\n\nstore rows\n');
  });

  it('replaces a last section up to the end of the file', () => {
    const next = replaceSection('# t\n\n## Memory\n\nold\n', '## Memory', 'new\n');
    expect(next).toBe('# t\n\n## Memory\n\nnew\n');
  });

  it('does not mistake a longer heading for its own', () => {
    const document = '# t\n\n## Cluster notes\n\nkeep\n';
    expect(replaceSection(document, '## Cluster', 'x')).toContain('## Cluster notes\n\nkeep');
  });

  it('writes the same text twice without growing the file', () => {
    const once = replaceSection(benchmarksHeader, '## HTTP', 'rows');
    expect(replaceSection(once, '## HTTP', 'rows')).toBe(once);
  });
});
